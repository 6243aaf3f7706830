// Issue 15, criterion 6 ("small repos instant"): bench:index on the small repo, the polyglot
// fixture and the Go standard library, one after the other, then one table against the targets.
// Each bench:index run measures universal-ctags on the same tree in the same run.
//
//   bun run bench:small [--cold-runs 3] [--no-stdlib] [--no-cold-env | --cold-env small|large] [--from-source]
//
// The small repo is gin-gonic/gin from Debian's golang-github-gin-gonic-gin-dev (gotify/server,
// the issue's example, is not packaged), copied into a fresh git repo; the polyglot fixture is
// test/fixtures/languages (14 languages), copied likewise. Nothing is committed or downloaded.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { COLD_BUILD_ENV, SMALL_COLD_BUILD_ENV } from "../../src/cli/cold-build.ts";

const PROJECT = resolve(import.meta.dir, "../..");
const GIN = "/usr/share/gocode/src/github.com/gin-gonic/gin";
const STDLIB = "/usr/share/go-1.19/src";

const { values: args } = parseArgs({
  options: {
    "cold-runs": { type: "string", default: "3" },
    "no-stdlib": { type: "boolean", default: false },
    "no-cold-env": { type: "boolean", default: false },
    "cold-env": { type: "string" },
    "from-source": { type: "boolean", default: false },
  },
});

interface Target {
  name: string;
  dir: string;
  /** Cold wall ≤ this (ms), CPU ≤ this (ms), or (stdlib) no target but CPU per MiB. */
  wallMs?: number;
  cpuMs?: number;
}

interface BenchRecord {
  ctags: { wallMs: number; cpuMs: number };
  cold: { wallMs: number; cpuMs: number; counts: { files: number; sourceBytes: number; symbols: number }; report: { parsePlan?: { workers: number; callerParses: boolean; estimateMs: number } } };
  coldRuns: { wallMs: number; cpuMs: number }[];
  cli: { wallMs: number; cpuMs: number };
  coldEnv: Record<string, string>;
}

function gitCopy(src: string, into: string): string {
  const dest = join(into, src.split("/").pop()!);
  const run = (cmd: string[], cwd?: string) => {
    const p = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
    if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: ${p.stderr.toString()}`);
  };
  run(["cp", "-r", src, dest]);
  run(["git", "init", "-q"], dest);
  run(["git", "add", "-A"], dest);
  run(["git", "-c", "user.email=bench@skep", "-c", "user.name=bench", "commit", "-qm", "bench"], dest);
  return dest;
}

function benchIndex(dir: string): BenchRecord {
  const extra = [...(args["no-cold-env"] ? ["--no-cold-env"] : args["cold-env"] ? ["--cold-env", args["cold-env"]] : []), ...(args["from-source"] ? ["--from-source"] : [])];
  const p = Bun.spawnSync([process.execPath, join(PROJECT, "scripts/bench/index.ts"), dir, "--cold-runs", args["cold-runs"]!, ...extra], { cwd: PROJECT, stdout: "pipe", stderr: "pipe" });
  const err = p.stderr.toString();
  process.stdout.write(p.stdout.toString());
  const wrote = /wrote (\S+\.json)/.exec(err);
  if (p.exitCode !== 0 || !wrote) throw new Error(`bench:index ${dir} failed (exit ${p.exitCode}):\n${err}`);
  return JSON.parse(readFileSync(wrote[1]!, "utf8")) as BenchRecord;
}

/** Which of cold-build.ts's JavaScriptCore sets the cold runs had. */
function jscSet(env: Record<string, string>): string {
  const same = (a: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(env).sort());
  return same(SMALL_COLD_BUILD_ENV) ? "small" : same(COLD_BUILD_ENV) ? "large" : Object.keys(env).length ? "other" : "none";
}

/**
 * The machine's speed at the moment: a compiled program that spins a fixed loop and then touches
 * 13,000 fresh pages (a cold build of gin faulted about that often before huge pages), timed
 * before and after each tree. On a shared VM the same build swings by 1.5x between spells of a
 * minute or two, in the CPU or in page faults (docs/benchmarks.md, "Small repos, round 4"): this
 * column tells a slow spell from a regression.
 */
async function speedProbe(dir: string): Promise<() => string> {
  const src = join(dir, "probe.ts");
  writeFileSync(
    src,
    [
      "let s = 0; let t = performance.now(); for (let i = 0; i < 3e8; i++) s = (s + i * 7) | 0; const spin = performance.now() - t;",
      "const pages = new Uint8Array(13000 * 4096); t = performance.now(); for (let i = 0; i < 13000; i++) pages[i * 4096] = s & 1 | 1;",
      "console.log(Math.round(spin), Math.round(performance.now() - t));",
    ].join("\n"),
  );
  const bin = join(dir, "probe");
  const r = await Bun.build({ entrypoints: [src], compile: { outfile: bin } });
  if (!r.success) throw new Error(`could not build the speed probe: ${r.logs.map(String).join("\n")}`);
  return () => Bun.spawnSync([bin], { stdout: "pipe" }).stdout.toString().trim().split(" ").join("/");
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const tmp = mkdtempSync(join(tmpdir(), "skep-small-"));
try {
  const spin = await speedProbe(tmp);
  const targets: Target[] = [];
  if (existsSync(GIN)) targets.push({ name: "gin 1.8.1 (for gotify/server)", dir: gitCopy(GIN, tmp), wallMs: 500, cpuMs: 600 });
  else console.error(`skipped the small repo: ${GIN} is missing (apt install golang-github-gin-gonic-gin-dev)`);
  targets.push({ name: "polyglot fixture (14 languages)", dir: gitCopy(join(PROJECT, "test/fixtures/languages"), tmp), wallMs: 1500 });
  if (!args["no-stdlib"] && existsSync(STDLIB)) targets.push({ name: "Go 1.19 stdlib", dir: STDLIB });
  const load0 = loadavg()[0]!.toFixed(2);
  const rows: string[] = [];
  for (const t of targets) {
    console.error(`bench:index ${t.dir} ...`);
    const before = spin();
    const r = benchIndex(t.dir);
    const after = spin();
    const mib = r.cold.counts.sourceBytes / 2 ** 20;
    const plan = r.cold.report.parsePlan;
    const goal = [t.wallMs ? `wall ≤ ${s(t.wallMs)}` : "", t.cpuMs ? `CPU ≤ ${s(t.cpuMs)}` : "", !t.wallMs && !t.cpuMs ? "CPU-s/MiB not above before" : ""].filter(Boolean).join(", ");
    const met = (t.wallMs ? r.cold.wallMs <= t.wallMs : true) && (t.cpuMs ? r.cold.cpuMs <= t.cpuMs : true);
    rows.push(
      `| ${t.name} | ${r.cold.counts.files} | ${mib.toFixed(1)} | ${s(r.ctags.wallMs)} / ${s(r.ctags.cpuMs)} | ${s(r.cold.wallMs)} | ${s(r.cold.cpuMs)} | ${(r.cold.cpuMs / 1000 / mib).toFixed(2)} | ${s(r.cli.wallMs)} / ${s(r.cli.cpuMs)} | ${plan ? `${plan.workers} w${plan.callerParses ? " + caller" : ""}` : "-"} | ${jscSet(r.coldEnv ?? {})} | ${before} → ${after} | ${goal}: ${t.wallMs || t.cpuMs ? (met ? "met" : "not met") : "see CPU-s/MiB"} |`,
    );
  }
  console.log(`\nsmall repos (issue 15, criterion 6), ${new Date().toISOString()}, load average ${load0} → ${loadavg()[0]!.toFixed(2)}, cold runs: fastest of ${args["cold-runs"]}, ${args["from-source"] ? "from the sources" : "compiled like the release"}${args["no-cold-env"] ? ", without the cold-build JSC settings" : args["cold-env"] ? `, with the ${args["cold-env"]}-tree JSC settings` : ""}`);
  console.log("| tree | files | MiB | ctags wall / CPU | cold wall | cold CPU | CPU-s/MiB | `skep index` (CLI) wall / CPU | parse plan | JSC set | probe: spin/faults ms | target |");
  console.log("|:--|--:|--:|--:|--:|--:|--:|--:|:--|:--|--:|:--|");
  for (const r of rows) console.log(r);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

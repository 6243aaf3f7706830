// How far down can a cold index go? Runs the stages of a cold build cumulatively over the same
// files, on the same number of threads as `skep index`, each in a child process of its own, with
// universal-ctags on the same tree as the baseline:
//
//   read      read, hash and decode every file the index would parse
//   parse     + tree-sitter parse (web-tree-sitter, the WebAssembly runtime the binary ships)
//   query     + the language's tags query (the same raw match reader extraction uses)
//   extract   + building symbols and references, packed for the writer (a parse worker's whole job)
//   index     the real cold index: the above plus SQLite, the call graph, FTS and PageRank
//
// With --native LIB (a library scripts/bench/native/build.sh builds from tree-sitter's C sources and
// the Go grammar's), two more rows: the parse and the parse + query stages in native code, .go files
// only, to tell what a native tree-sitter would change.
//
// Each row is a lower bound for the rows below it, so the table says how much of ctags' wall time
// (and of a "4x ctags" budget) the parser alone already uses before anything is extracted or stored.
//
//   bun run bench:floor [DIR] [--workers N] [--runs N] [--native LIB]
//
// DIR defaults to the Go 1.19 standard library (/usr/share/go-1.19/src). DIR is only read.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { discover } from "../../src/index/discover.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { MAX_FILE_BYTES } from "../../src/index/inspect.ts";
import { defaultWorkers } from "../../src/index/pool.ts";
import { openWritable } from "../../src/index/store.ts";
import type { FloorMode, FloorTally, FloorWork } from "./floor-worker.ts";

const PROJECT = resolve(import.meta.dir, "../..");
const STAGES = ["read", "parse", "query", "extract", "index", "native-parse", "native-query"] as const;
type Stage = (typeof STAGES)[number];
const WHAT: Record<Stage, string> = {
  read: "read + hash + decode",
  parse: "+ tree-sitter parse",
  query: "+ tags query",
  extract: "+ symbols and refs (worker's whole job)",
  index: "skep cold index (+ SQLite, graph, FTS, rank)",
  "native-parse": "read + native tree-sitter parse (.go only)",
  "native-query": "+ tags query, native (.go only)",
};

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { child: { type: "string" }, workers: { type: "string" }, runs: { type: "string", default: "1" }, native: { type: "string" } },
});
const dir = resolve(positionals[0] ?? "/usr/share/go-1.19/src");
const workers = args.workers ? Number(args.workers) : defaultWorkers();

interface Measure {
  wallMs: number;
  cpuMs: number;
  bytes: number;
  captures: number;
  symbols: number;
}

// ---------------------------------------------------------------- child side

async function child(stage: Stage): Promise<Measure> {
  if (stage === "index") {
    const tmp = mkdtempSync(join(tmpdir(), "skep-floor-"));
    try {
      const t0 = performance.now();
      const db = openWritable(join(tmp, "index.db"));
      const report = await indexRepo(db, dir, { workers });
      const wallMs = performance.now() - t0;
      db.close();
      return { wallMs, cpuMs: cpuMs(), bytes: NaN, captures: NaN, symbols: report.symbols };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const t0 = performance.now();
  const shares = split(dir, workers);
  const url = new URL("./floor-worker.ts", import.meta.url).href;
  const tallies = await Promise.all(
    shares.map(
      (files) =>
        new Promise<FloorTally>((done, fail) => {
          const w = new Worker(url);
          w.onmessage = (e: MessageEvent<FloorTally>) => {
            w.terminate();
            done(e.data);
          };
          w.onerror = (e) => fail(new Error(`floor worker failed: ${e.message}`));
          w.postMessage({ mode: stage as FloorMode, files, nativeLib: args.native ? resolve(args.native) : undefined } satisfies FloorWork);
        }),
    ),
  );
  const wallMs = performance.now() - t0;
  const sum = (k: keyof FloorTally) => tallies.reduce((n, t) => n + t[k], 0);
  return { wallMs, cpuMs: cpuMs(), bytes: sum("bytes"), captures: sum("captures"), symbols: sum("symbols") };
}

/** The files `skep index` would parse, dealt to the threads largest first (each to the lightest). */
function split(root: string, n: number): FloorWork["files"][] {
  const files = discover(root)
    .candidates.map((c) => ({ abs: join(root, c.path), lang: c.lang, size: statSync(join(root, c.path)).size }))
    .filter((f) => f.size <= MAX_FILE_BYTES)
    .sort((a, b) => b.size - a.size);
  const shares = Array.from({ length: Math.max(1, n) }, () => ({ load: 0, files: [] as FloorWork["files"] }));
  for (const f of files) {
    const lightest = shares.reduce((a, b) => (b.load < a.load ? b : a));
    lightest.files.push([f.abs, f.lang]);
    lightest.load += f.size;
  }
  return shares.map((s) => s.files);
}

function cpuMs(): number {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1000;
}

// ---------------------------------------------------------------- parent side

function runChild(stage: Stage): Measure {
  const extra = [...(args.workers ? ["--workers", args.workers] : []), ...(args.native ? ["--native", resolve(args.native)] : [])];
  const proc = Bun.spawnSync([process.execPath, import.meta.path, dir, "--child", stage, ...extra], { cwd: PROJECT, stdout: "pipe", stderr: "inherit" });
  const line = proc.stdout.toString().split("\n").find((l) => l.startsWith("@@RESULT "));
  if (proc.exitCode !== 0 || !line) throw new Error(`floor child (${stage}) failed with exit code ${proc.exitCode}`);
  return JSON.parse(line.slice("@@RESULT ".length)) as Measure;
}

function ctags(): { wallMs: number; cpuMs: number } {
  const tmp = mkdtempSync(join(tmpdir(), "skep-floor-ctags-"));
  try {
    const t0 = performance.now();
    const proc = Bun.spawnSync(["/usr/bin/time", "-f", "@@TIME %U %S", "ctags", "-R", "-f", join(tmp, "tags"), dir], { stdout: "pipe", stderr: "pipe" });
    const wallMs = performance.now() - t0;
    const err = proc.stderr.toString();
    if (proc.exitCode !== 0) throw new Error(`ctags failed (is universal-ctags installed?): ${err}`);
    const m = /@@TIME ([\d.]+) ([\d.]+)/.exec(err);
    return { wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function best<T extends { wallMs: number }>(runs: number, f: () => T): T {
  let out: T | null = null;
  for (let i = 0; i < runs; i++) {
    const m = f();
    if (!out || m.wallMs < out.wallMs) out = m;
  }
  return out!;
}

async function main(): Promise<void> {
  if (args.child) {
    const stage = args.child as Stage;
    if (!STAGES.includes(stage)) throw new Error(`unknown stage ${stage}`);
    console.log(`@@RESULT ${JSON.stringify(await child(stage))}`);
    return;
  }
  const runs = Math.max(1, Number(args.runs));
  const load = loadavg()[0]!.toFixed(2);
  console.error(`ctags -R ${dir} ...`);
  const ct = best(runs, ctags);
  const rows: { stage: Stage; m: Measure }[] = [];
  for (const stage of STAGES.filter((s) => args.native || !s.startsWith("native"))) {
    console.error(`${stage} (${workers} threads) ...`);
    rows.push({ stage, m: best(runs, () => runChild(stage)) });
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const budget = 4 * ct.wallMs;
  const head = ["stage", "what", "wall", "CPU", "wall / ctags", "of a 4x-ctags budget"];
  const body = [
    ["ctags -R", "baseline (definitions only)", s(ct.wallMs), s(ct.cpuMs), "1.0x", `${((ct.wallMs / budget) * 100).toFixed(0)} %`],
    ...rows.map(({ stage, m }) => [stage, WHAT[stage], s(m.wallMs), s(m.cpuMs), `${(m.wallMs / ct.wallMs).toFixed(1)}x`, `${((m.wallMs / budget) * 100).toFixed(0)} %`]),
  ];
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  console.log(line(head));
  console.log(line(head.map((_, i) => (i < 2 ? ":--" : "--:"))));
  for (const r of body) console.log(line(r));
  const mb = (m: Measure) => (m.bytes / 2 ** 20).toFixed(1);
  const native = rows.find((r) => r.stage === "native-parse");
  console.log(
    `\n${dir}: ${mb(rows[0]!.m)} MiB parsed on ${workers} threads${native ? ` (${mb(native.m)} MiB of .go in the native rows)` : ""}; ` +
      `best of ${runs}; load average ${load} before, ${loadavg()[0]!.toFixed(2)} after.`,
  );
  const out = join(PROJECT, "bench-results");
  mkdirSync(out, { recursive: true });
  const file = join(out, `floor-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify({ dir, workers, runs, ctags: ct, stages: rows }, null, 2));
  console.log(`full record: ${file}`);
}

await main();

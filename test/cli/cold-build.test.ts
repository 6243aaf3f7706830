// A first index build (`skep index` or `skep init` with no index yet) re-executes the command
// (same pid) with JavaScriptCore settings chosen by the size of the work (src/cli/cold-build.ts):
// once, never for a warm index, never when the user set the options, and the new process keeps
// neither the marker nor the options in process.env.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { COLD_BUILD_ENV, COLD_BUILD_OPTIONS, COLD_REEXEC_MARK, coldBuildEnv, coldReexec, replaceProcess, SMALL_COLD_BUILD_ENV } from "../../src/cli/cold-build.ts";
import { estimateTreeMs } from "../../src/index/cold-estimate.ts";
import { estimateMs, PARALLEL_FROM_MS } from "../../src/index/schedule.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, PROJECT, tempDir } from "../support/temp.ts";

setDefaultTimeout(60_000);
afterAll(cleanupAll);

const REEXEC_LINE = "skep: cold index build in a re-executed process";
const shown = (env: Readonly<Record<string, string>>) => Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ");
/** What the small repos below get. */
const SETTINGS = shown(SMALL_COLD_BUILD_ENV);

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && !k.startsWith("BUN_JSC_") && k !== "TMUX") env[k] = v;
  return env;
}

function skep(args: string[], cwd: string, extra: Record<string, string> = {}) {
  const env = { ...cleanEnv(), SKEP_NO_DAEMON: "1", SKEP_DEBUG: "1", SKEP_HOME: tempDir("skep-home-"), ...extra };
  const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd, env, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, pid: p.pid, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

const count = (text: string, part: string) => text.split(part).length - 1;

const SMALL_REPO = { "main.go": "package main\n\nfunc main() { helper() }\n\nfunc helper() {}\n", "util.py": "def util():\n    return 1\n" };

function repo(): string {
  const dir = join(tempDir("skep-cold-"), "r");
  initRepo(dir, SMALL_REPO);
  return dir;
}

test("coldReexec: the same command line with the settings and the marker, only for an index that does not exist", () => {
  const dir = tempDir("skep-cold-unit-");
  const db = join(dir, "index.db");
  const root = repo();
  const r = coldReexec(db, root, ["index", "--json"], { PATH: "/usr/bin", HOME: "/home/x", UNSET: undefined });
  expect(r).not.toBeNull();
  expect(r!.cmd.slice(-2)).toEqual(["index", "--json"]);
  expect(r!.cmd[0]).toBe(process.execPath);
  // The marker names what skep added: what the new process takes back out.
  expect(r!.env).toEqual({ PATH: "/usr/bin", HOME: "/home/x", ...SMALL_COLD_BUILD_ENV, [COLD_REEXEC_MARK]: Object.keys(SMALL_COLD_BUILD_ENV).join(",") });
  // The re-executed process, and a user who chose any of the JavaScriptCore options: no re-exec.
  expect(coldReexec(db, root, ["index"], { [COLD_REEXEC_MARK]: "1" })).toBeNull();
  expect(COLD_BUILD_OPTIONS.length).toBeGreaterThanOrEqual(3);
  for (const k of COLD_BUILD_OPTIONS) expect(coldReexec(db, root, ["index"], { [k]: "5000" })).toBeNull();
  // The allocator setting the user gave is kept, not overridden nor taken out later.
  const own = coldReexec(db, root, ["index"], { MIMALLOC_PURGE_DELAY: "100" });
  expect(own!.env.MIMALLOC_PURGE_DELAY).toBe("100");
  expect(own!.env[COLD_REEXEC_MARK]!.split(",")).not.toContain("MIMALLOC_PURGE_DELAY");
  expect(own!.env.BUN_JSC_useOMGJIT).toBe("0");
  // A warm index: nothing to gain.
  writeFileSync(db, "");
  expect(existsSync(db)).toBe(true);
  expect(coldReexec(db, root, ["index"], {})).toBeNull();
});

test("coldBuildEnv: the small-work settings below one thread's PARALLEL_FROM_MS of work as git lists it, the large-tree ones above it and where git lists nothing", () => {
  const small = repo();
  // main.go and util.py: the two grammars' setup and a few bytes.
  const est = estimateTreeMs(small, PARALLEL_FROM_MS);
  expect(est).toBeCloseTo(estimateMs([{ lang: "go", size: SMALL_REPO["main.go"].length }, { lang: "python", size: SMALL_REPO["util.py"].length }]), 6);
  expect(coldBuildEnv(small)).toEqual(SMALL_COLD_BUILD_ENV);

  // Enough source to pass the line (bytes, not files, make the work): stops counting there.
  const big = join(tempDir("skep-cold-big-"), "r");
  const files: Record<string, string> = {};
  const body = `package p\n\n${"// padding to make the work large\n".repeat(2000)}`;
  for (let i = 0; i < 60; i++) files[`f${i}.go`] = body;
  initRepo(big, files);
  expect(estimateTreeMs(big, PARALLEL_FROM_MS)).toBe(Infinity);
  expect(coldBuildEnv(big)).toEqual(COLD_BUILD_ENV);

  // Files no grammar covers are not work; ignored files are not listed.
  const docs = join(tempDir("skep-cold-docs-"), "r");
  initRepo(docs, { "README.md": body, ".gitignore": "gen/\n" });
  mkdirSync(join(docs, "gen"));
  for (let i = 0; i < 60; i++) writeFileSync(join(docs, "gen", `g${i}.go`), body);
  expect(estimateTreeMs(docs, PARALLEL_FROM_MS)).toBe(0);
  expect(coldBuildEnv(docs)).toEqual(SMALL_COLD_BUILD_ENV);

  // Symlinks are not followed (a loop, a dangling one, one to a large file): the scan skips them too.
  const links = join(tempDir("skep-cold-links-"), "r");
  initRepo(links, { "a.go": "package a\n" });
  symlinkSync("loop.go", join(links, "loop.go"));
  symlinkSync("missing.go", join(links, "dangling.go"));
  const outside = tempDir("skep-cold-outside-");
  writeFileSync(join(outside, "big.go"), body.repeat(10));
  symlinkSync(join(outside, "big.go"), join(links, "big.go"));
  expect(estimateTreeMs(links, PARALLEL_FROM_MS)).toBeCloseTo(estimateMs([{ lang: "go", size: "package a\n".length }]), 6);

  // Not a git work tree: no listing, the large-tree settings.
  const plain = tempDir("skep-cold-plain-");
  writeFileSync(join(plain, "a.go"), "package a\n");
  expect(estimateTreeMs(plain, PARALLEL_FROM_MS)).toBeNull();
  expect(coldBuildEnv(plain)).toEqual(COLD_BUILD_ENV);
});

test("the small-work settings let the kernel back the allocator's memory with huge pages (Bun's build opts out)", () => {
  // Where the kernel gives huge pages at all (THP `madvise` or `always`, Linux).
  const mode = (() => {
    try {
      return readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8");
    } catch {
      return "[never]";
    }
  })();
  if (mode.includes("[never]")) return;
  // mimalloc's allow_thp, read at start: with it, the allocator's arena is marked MADV_HUGEPAGE.
  const eligible = (env: Record<string, string>) => {
    const script = `const keep = []; for (let i = 0; i < 20000; i++) keep.push({ i, s: "x".repeat(i % 50) });
      const smaps = require("node:fs").readFileSync("/proc/self/smaps", "utf8");
      const m = smaps.match(/THPeligible:\\s+1/g);
      console.log(smaps.includes("THPeligible:") ? (m ? m.length : 0) : -1, keep.length);`;
    const p = Bun.spawnSync([BUN, "-e", script], { env: { ...cleanEnv(), ...env }, stdout: "pipe", stderr: "pipe" });
    return Number(p.stdout.toString().split(" ")[0]);
  };
  const small = eligible({ ...SMALL_COLD_BUILD_ENV });
  if (small === -1) return; // a kernel that does not say (smaps without THPeligible)
  expect(small).toBeGreaterThan(0);
  // Where huge pages are only for memory marked for them (`madvise`, the usual default), nothing
  // is marked without the setting; under `always` every large mapping qualifies anyway.
  if (mode.includes("[madvise]")) {
    expect(eligible({})).toBe(0);
    expect(eligible({ ...COLD_BUILD_ENV })).toBe(0);
  }
});

test("an execve that fails (a binary this machine cannot run) returns, and the command goes on in this process", () => {
  const dir = tempDir("skep-cold-noexec-");
  const notRunnable = join(dir, "skep");
  writeFileSync(notRunnable, "\x7fELF not really", { mode: 0o755 });
  expect(replaceProcess([notRunnable, "index"], { PATH: "/usr/bin" })).toBeUndefined();
  expect(replaceProcess([join(dir, "missing"), "index"], {})).toBeUndefined();
});

test("the re-executed process takes the marker and the settings it names out of process.env, so what it starts from process.env (the daemon) lacks them", () => {
  // node:child_process passes process.env, as startDaemon does explicitly.
  const names = Object.keys(SMALL_COLD_BUILD_ENV);
  const script = `
    const { reexecForColdBuild } = await import(${JSON.stringify(join(PROJECT, "src/cli/cold-build.ts"))});
    const code = reexecForColdBuild("/nonexistent/index.db", "/nonexistent") ?? null;
    const probe = require("node:child_process").execFileSync("env").toString();
    console.log(JSON.stringify({ code, left: ${JSON.stringify([COLD_REEXEC_MARK, ...names, "SKEP_KEEP_ME"])}.filter((k) => process.env[k] !== undefined || probe.includes(k + "=")) }));`;
  // A name the marker lists that is none of skep's settings is left alone.
  const env = { ...cleanEnv(), ...SMALL_COLD_BUILD_ENV, SKEP_KEEP_ME: "1", [COLD_REEXEC_MARK]: [...names, "SKEP_KEEP_ME"].join(","), SKEP_DEBUG: "1" };
  const p = Bun.spawnSync([BUN, "-e", script], { env, stdout: "pipe", stderr: "pipe" });
  expect(p.exitCode, p.stderr.toString()).toBe(0);
  expect(JSON.parse(p.stdout.toString())).toEqual({ code: null, left: ["SKEP_KEEP_ME"] });
  // What it was given is what SKEP_DEBUG reports.
  expect(p.stderr.toString()).toContain(`${REEXEC_LINE} (pid ${p.pid}, ${SETTINGS})`);
});

test("skep index: a cold build re-executes once, same pid, with the settings; a warm index and user-set options do not", () => {
  const dir = repo();
  const cold = skep(["index", "--json"], dir);
  expect(cold.code, cold.stderr).toBe(0);
  expect(count(cold.stderr, REEXEC_LINE)).toBe(1);
  expect(cold.stderr).toContain(`${REEXEC_LINE} (pid ${cold.pid}, ${SETTINGS})`);
  const answer = JSON.parse(cold.stdout) as { files: number; parsed: number; symbols: number };
  expect(answer).toMatchObject({ files: 2, parsed: 2 });
  expect(answer.symbols).toBeGreaterThanOrEqual(3);

  const warm = skep(["index", "--json"], dir);
  expect(warm.code, warm.stderr).toBe(0);
  expect(warm.stderr).not.toContain(REEXEC_LINE);
  expect(JSON.parse(warm.stdout)).toMatchObject({ files: 2, parsed: 0, unchanged: 2 });

  // The user's own setting: respected, the build stays in this process.
  const other = repo();
  const own = skep(["index", "--json"], other, { BUN_JSC_maximumOMGCandidateCost: "50000" });
  expect(own.code, own.stderr).toBe(0);
  expect(own.stderr).not.toContain(REEXEC_LINE);
  expect(JSON.parse(own.stdout)).toMatchObject({ files: 2, parsed: 2 });
});

test("skep init on a new repo: the whole command runs once, re-executed before it writes anything (each line printed once)", () => {
  const dir = repo();
  const r = skep(["init", "--no-daemon"], dir);
  expect(r.code, r.stderr).toBe(0);
  expect(count(r.stderr, REEXEC_LINE)).toBe(1);
  expect(count(r.stdout, "Config:")).toBe(1);
  expect(r.stdout).toContain("Config:     wrote .skep/config.json");
  expect(count(r.stdout, "Indexed 2 files")).toBe(1);
  // Again: the index exists, no re-exec, the config is kept.
  const again = skep(["init", "--no-daemon"], dir);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stderr).not.toContain(REEXEC_LINE);
  expect(again.stdout).toContain("(kept;");
});

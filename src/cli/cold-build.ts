// A command that is about to build a repo's index from nothing (`skep init`, `skep index` with
// no index yet) replaces itself (execve: same pid, same stdio, same argv) with a fresh skep
// started with runtime settings chosen for that build (JavaScriptCore's and the allocator's), which
// then runs the command.
//
// Why: JavaScriptCore reads its options from the environment once, when the process starts, and
// a first build spends much of its CPU compiling: tree-sitter's WebAssembly in the top tier (OMG),
// above all each grammar's lexer, one very large function, and the extraction code in the
// optimising JavaScript tiers (DFG, FTL). Which settings pay depends on the size of the work
// (docs/benchmarks.md, "Small repos", rounds 2 and 3):
//   - small work (one thread parses it all, schedule.ts's estimate under PARALLEL_FROM_MS, e.g.
//     gin's 95 files): no OMG and no DFG. The build is over before those compiles would repay
//     themselves; a quarter less CPU than with the large-tree setting.
//   - anything larger, or a tree git cannot list: OMG only for functions below a size cap. The
//     lexers stay in the baseline tier, the rest runs at full speed (no OMG at all costs the Go
//     standard library ~18 %).
//   - small work: transparent huge pages allowed (HUGE_PAGES, below).
//   - both: freed memory kept by the allocator (KEEP_FREED_MEMORY, below).
// The estimate (index/cold-estimate.ts: git ls-files and a stat per file, stopping at the line)
// costs a few ms. A warm index pays nothing: no re-exec.
//
// execve, not a child process: one process as before, so a signal or `kill -9` sent to the pid
// stops the build, and the exit code is the command's. Where execve cannot be called (no libc
// found), the command goes on in this process, without the settings.
//
// The new process finds a marker and starts no other; it takes the marker and the settings out of
// process.env at once, so what it starts with an environment made from process.env (the daemon
// `skep init` starts: client/control.ts) does not inherit them. (Bun.spawn without `env` passes the
// environment the process started with; a skep started that way finds the marker and builds in
// its own process.) A JavaScriptCore option the user gave (any of COLD_BUILD_OPTIONS already set)
// is theirs: no re-exec then. The allocator settings (KEEP_FREED_MEMORY, HUGE_PAGES) are added
// unless the user set that name too.
import { existsSync } from "node:fs";
import { dlopen, FFIType, ptr } from "bun:ffi";
import { estimateTreeMs } from "../index/cold-estimate.ts";
import { PARALLEL_FROM_MS } from "../index/schedule.ts";
import { selfCommand } from "../util/self-command.ts";

/**
 * mimalloc (Bun's allocator) gives freed memory back to the system 10 ms after it is freed, and a
 * first build frees and re-allocates a great deal (above all JavaScriptCore's WebAssembly
 * compiler): every page given back is faulted in again. Keeping them for the life of the process
 * took a fifth off the Go standard library's CPU and a quarter off the polyglot fixture's, for a
 * peak RSS 10-20 % higher (docs/benchmarks.md, "Small repos, round 3"). The process exits when
 * the build is done (`skep init`'s daemon is another process, started without it).
 */
const KEEP_FREED_MEMORY: Readonly<Record<string, string>> = { MIMALLOC_PURGE_DELAY: "-1" };

/**
 * Bun builds its allocator (mimalloc) with `allow_thp` 0: the arena that holds most of what a
 * first build allocates is never marked for transparent huge pages, so every page the build
 * touches is one page fault: ~12,600 on gin, a fifth of its CPU on a quiet machine and most of the
 * swing on a busy one (a fault cost 11–16 µs on the development VM). With `allow_thp` the arena is
 * marked (MADV_HUGEPAGE) and the kernel, where its THP mode is `madvise` or `always`, backs it
 * with 2 MiB pages: 2,000 faults, 0.62 → 0.48 CPU-s on gin, 0.13 → 0.09 on a one-file repo, for
 * 30–45 MB more peak RSS in a process that exits when the build is done (docs/benchmarks.md,
 * "Small repos, round 4"). Small work only: on the Go standard library it saved nothing (its pages
 * are reused) and the polyglot fixture's two threads took 100 MB more.
 */
const HUGE_PAGES: Readonly<Record<string, string>> = { MIMALLOC_ALLOW_THP: "1" };

/** The settings for a process that builds a large index from nothing. */
export const COLD_BUILD_ENV: Readonly<Record<string, string>> = { BUN_JSC_maximumOMGCandidateCost: "10000", ...KEEP_FREED_MEMORY };
/** The settings for a first build small enough for one thread: the cheapest first pass. */
export const SMALL_COLD_BUILD_ENV: Readonly<Record<string, string>> = { BUN_JSC_useOMGJIT: "0", BUN_JSC_useDFGJIT: "0", ...KEEP_FREED_MEMORY, ...HUGE_PAGES };
/** Every name either set may hold. */
const COLD_BUILD_NAMES: ReadonlySet<string> = new Set([...Object.keys(COLD_BUILD_ENV), ...Object.keys(SMALL_COLD_BUILD_ENV)]);
/** The JavaScriptCore options among them: one the user set means they chose, and no re-exec. */
export const COLD_BUILD_OPTIONS: readonly string[] = [...COLD_BUILD_NAMES].filter((k) => k.startsWith("BUN_JSC_"));

/**
 * The settings for a first build of the tree at `root`: the small-work set when git lists less
 * than one thread's PARALLEL_FROM_MS of work there, else the large-tree set.
 */
export function coldBuildEnv(root: string): Readonly<Record<string, string>> {
  const ms = estimateTreeMs(root, PARALLEL_FROM_MS);
  return ms !== null && ms < PARALLEL_FROM_MS ? SMALL_COLD_BUILD_ENV : COLD_BUILD_ENV;
}

/**
 * Set in the re-executed process's environment: it must not re-exec again. Its value names the
 * settings skep added (comma-separated), the ones the new process takes back out: a name the
 * user had set already (MIMALLOC_PURGE_DELAY) keeps the user's value and stays.
 */
export const COLD_REEXEC_MARK = "SKEP_COLD_REEXEC";

export interface ColdReexec {
  cmd: string[];
  env: Record<string, string>;
}

/**
 * The command line and environment to re-exec for a cold build of the index at `dbPath`, or null
 * to go on in this process: the index exists, this is the re-executed process, or the user chose
 * the settings.
 */
export function coldReexec(dbPath: string, root: string, argv: string[], env: Record<string, string | undefined>): ColdReexec | null {
  if (env[COLD_REEXEC_MARK] !== undefined) return null;
  if (existsSync(dbPath)) return null;
  if (COLD_BUILD_OPTIONS.some((k) => env[k] !== undefined)) return null;
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  const added = Object.entries(coldBuildEnv(root)).filter(([k]) => env[k] === undefined);
  return { cmd: [...selfCommand(), ...argv], env: { ...childEnv, ...Object.fromEntries(added), [COLD_REEXEC_MARK]: added.map(([k]) => k).join(",") } };
}

/**
 * In the re-executed process: take the marker and the settings (JavaScriptCore has read them)
 * out of process.env. Returns what it was given, for SKEP_DEBUG.
 */
function leaveReexec(): string | null {
  const mark = process.env[COLD_REEXEC_MARK];
  if (mark === undefined) return null;
  // Only names of skep's own sets: the marker is read from the environment, like any other data.
  const names = mark.split(",").filter((k) => COLD_BUILD_NAMES.has(k));
  const given = names.map((k) => `${k}=${process.env[k] ?? "(unset)"}`).join(" ") || "no settings";
  delete process.env[COLD_REEXEC_MARK];
  for (const k of names) delete process.env[k];
  return given;
}

/**
 * Before a command builds the index at `dbPath` of the tree at `root`: when it would build it from
 * nothing, replace this process with the same command started with coldBuildEnv(root) (does not
 * return then); else return, and the command goes on here.
 */
export function reexecForColdBuild(dbPath: string, root: string): void {
  const given = leaveReexec();
  if (given !== null) {
    if (process.env.SKEP_DEBUG) console.error(`skep: cold index build in a re-executed process (pid ${process.pid}, ${given})`);
    return;
  }
  const rerun = coldReexec(dbPath, root, process.argv.slice(2), process.env);
  if (rerun) replaceProcess(rerun.cmd, rerun.env);
}

/**
 * Replace this process with `cmd` (execve). Returns only when that failed (a binary this machine
 * cannot run, as under qemu-user without binfmt_misc; no libc to call): the caller goes on.
 */
export function replaceProcess(cmd: string[], env: Record<string, string>): void {
  let lib: ReturnType<typeof openLibc>;
  try {
    lib = openLibc();
  } catch {
    return; // no libc to call (Windows, an unusual libc): build here
  }
  const keep: Buffer[] = [];
  const cString = (s: string) => {
    const b = Buffer.from(`${s}\0`);
    keep.push(b);
    return b;
  };
  const list = (items: string[]) => {
    const a = new BigUint64Array(items.length + 1); // NULL-terminated
    items.forEach((s, i) => (a[i] = BigInt(ptr(cString(s)))));
    return a;
  };
  const argv = list(cmd);
  const envp = list(Object.entries(env).map(([k, v]) => `${k}=${v}`));
  lib.symbols.execve(ptr(cString(cmd[0]!)), ptr(argv), ptr(envp));
  lib.close(); // still here: execve failed; build in this process
  keep.length = 0;
}

function openLibc() {
  const name = process.platform === "darwin" ? "libSystem.B.dylib" : "libc.so.6";
  return dlopen(name, { execve: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 } });
}

// The programs a benchmark measures, compiled the way skep ships (scripts/compile.ts: the release's
// bundle options, JavaScriptCore bytecode, compressed grammars): a measurement then leaves out
// transpiling and parsing TypeScript at start, which a user of dist/skep never pays (~60 ms of
// CPU for bench:index's cold child on a small repo, docs/benchmarks.md).
//
// A benchmark compiles them in a process of its own (compileInChild): bundling takes a few
// hundred MB, and a program spawned from a process that large inherits its peak RSS as its own
// (Linux keeps the pre-exec high-water mark in the rusage maxrss the kernel reports).
//
//   bun scripts/bench/compiled.ts skep OUT | script ENTRY OUT
import { join } from "node:path";
import { buildCommit, bundleOptions, CompressedGrammars, compileSkep, PROJECT } from "../compile.ts";

const grammars = new CompressedGrammars(9);

/** skep itself, as scripts/build.ts builds dist/skep (without a source map). */
export async function compileSkepBinary(outfile: string): Promise<string> {
  await compileSkep({ outfile, sourcemap: "none", bytecode: true, commit: buildCommit(), grammars });
  return outfile;
}

/**
 * A benchmark script (its `--child` side) with skep's code, bundled like the release. The parse
 * worker is an entry too, under the same root as in the release (src/), so the pool finds it
 * where it looks in a compiled binary (index/pool.ts).
 */
export async function compileBenchScript(entry: string, outfile: string): Promise<string> {
  const r = await Bun.build({
    ...bundleOptions({ commit: buildCommit(), grammars }),
    entrypoints: [entry, join(PROJECT, "src/index/parse-worker.ts")],
    root: join(PROJECT, "src"),
    compile: { outfile, autoloadDotenv: false, autoloadBunfig: false },
    bytecode: true,
    format: "esm",
  });
  if (!r.success) throw new Error(`bun build failed for ${entry}:\n${r.logs.map(String).join("\n")}`);
  return outfile;
}

/** Compile in a child process (see above); returns `outfile`. */
export function compileInChild(what: "skep", outfile: string): string;
export function compileInChild(what: "script", outfile: string, entry: string): string;
export function compileInChild(what: "skep" | "script", outfile: string, entry?: string): string {
  const args = what === "skep" ? ["skep", outfile] : ["script", entry!, outfile];
  const p = Bun.spawnSync([process.execPath, import.meta.path, ...args], { stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`compiling ${what === "skep" ? "skep" : entry} failed:\n${p.stderr.toString()}`);
  return outfile;
}

if (import.meta.main) {
  const [what, a, b] = process.argv.slice(2);
  if (what === "skep" && a) await compileSkepBinary(a);
  else if (what === "script" && a && b) await compileBenchScript(a, b);
  else {
    console.error("usage: bun scripts/bench/compiled.ts skep OUT | script ENTRY OUT");
    process.exit(2);
  }
}

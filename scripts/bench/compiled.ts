// The programs a benchmark measures, compiled the way skep ships (scripts/compile.ts: the release's
// bundle options, JavaScriptCore bytecode, compressed grammars): a measurement then leaves out
// transpiling and parsing TypeScript at start, which a user of dist/skep never pays (~60 ms of
// CPU for bench:index's cold child on a small repo, docs/benchmarks.md).
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

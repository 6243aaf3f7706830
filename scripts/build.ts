// Build dist/skep: one executable with the Bun runtime, tree-sitter, every grammar (compressed) and query.
// Usage: bun scripts/build.ts [--target bun-linux-x64|bun-linux-arm64|bun-darwin-arm64|...] [--outfile path]
// Release archives for every platform: scripts/release.ts.
import { parseArgs } from "node:util";
import { buildCommit, CompressedGrammars, compileSkep } from "./compile.ts";

const { values } = parseArgs({
  options: { target: { type: "string" }, outfile: { type: "string", default: "dist/skep" } },
});
const grammars = new CompressedGrammars(9); // fast; the release uses 19
try {
  await compileSkep({
    outfile: values.outfile!,
    target: values.target as Bun.Build.CompileTarget | undefined,
    sourcemap: "inline",
    bytecode: true,
    commit: buildCommit(),
    grammars,
  });
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const size = Bun.file(values.outfile!).size;
console.log(`built ${values.outfile} (${(size / 1024 / 1024).toFixed(1)} MB)`);

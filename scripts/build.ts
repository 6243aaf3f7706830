// Build dist/skep: one executable with the Bun runtime, tree-sitter, every grammar and query.
// Usage: bun scripts/build.ts [--target bun-linux-x64|bun-linux-arm64|bun-darwin-arm64|...] [--outfile path]
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { target: { type: "string" }, outfile: { type: "string", default: "dist/skep" } },
});
const args = [
  "build",
  "--compile",
  "--minify-syntax",
  "--sourcemap=inline",
  // Worker entry points must be listed so the compiled binary can start them.
  "src/main.ts",
  "src/index/parse-worker.ts",
  "src/daemon-worker.ts",
  "--outfile",
  values.outfile!,
];
if (values.target) args.push(`--target=${values.target}`);
const proc = Bun.spawnSync([process.execPath, ...args], { stdout: "inherit", stderr: "inherit" });
if (proc.exitCode !== 0) process.exit(proc.exitCode ?? 1);
const size = Bun.file(values.outfile!).size;
console.log(`built ${values.outfile} (${(size / 1024 / 1024).toFixed(1)} MB)`);

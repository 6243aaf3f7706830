// Dumps every extraction under the given dirs (any language skep parses) to one file, for
// before/after comparisons of parser changes: bun scripts/bench/dump-extract.ts OUT DIR...
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { languageForPath } from "../../src/parser/languages.ts";
import { parseText } from "../../src/parser/parse-file.ts";
const [out, ...dirs] = process.argv.slice(2);
const files: string[] = [];
for (const dir of dirs) (function walk(d: string) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile() && languageForPath(p)) files.push(p);
  }
})(dir);
files.sort();
const lines: string[] = [];
const t0 = performance.now();
for (const f of files) {
  const text = readFileSync(f, "utf8");
  if (text.length > 2 * 1024 * 1024 || text.includes("\0")) continue;
  try {
    lines.push(f + "\t" + JSON.stringify(await parseText(languageForPath(f)!, text)));
  } catch (e) {
    lines.push(f + "\tERROR " + (e as Error).message);
  }
}
writeFileSync(out!, lines.join("\n"));
console.log(`${files.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${out}`);

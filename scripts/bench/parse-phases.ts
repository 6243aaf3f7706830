// Single-threaded phase timing of a parse worker's job over the .go files of a tree: read + hash +
// decode, tree-sitter parse, extraction (query run included), packing for the writer, and with
// CLONE=1 a structured clone of the packed result (what crossing to the writing thread costs).
// --mode query runs only web-tree-sitter's Query.matches(); --mode parse only parses.
// With `bun --cpu-prof` it gives the profile a worker would (the profiler sees the main thread only).
//
//   bun scripts/bench/parse-phases.ts [DIR] [--limit N] [--mode full|parse|query]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { extract, parseSource } from "../../src/parser/extract.ts";
import { LANGUAGES } from "../../src/parser/languages.ts";
import { loadLanguage, newParser } from "../../src/parser/runtime.ts";
import { contentHash, decodeText } from "../../src/index/inspect.ts";
import { packExtraction } from "../../src/index/packed.ts";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { limit: { type: "string" }, mode: { type: "string", default: "full" } },
});
const dir = positionals[0] ?? "/usr/share/go-1.19/src";
const files: string[] = [];
(function walk(d: string) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile() && e.name.endsWith(".go")) files.push(p);
  }
})(dir);
files.sort();
const limit = args.limit ? Number(args.limit) : files.length;
const lang = await loadLanguage("go");
const parser = await newParser();
const t = { read: 0, parse: 0, query: 0, extract: 0, prepare: 0, clone: 0 };
let bytes = 0, syms = 0, refs = 0, captures = 0;
const cpu0 = process.cpuUsage();
const w0 = performance.now();
for (const f of files.slice(0, limit)) {
  let a = performance.now();
  const buf = readFileSync(f);
  contentHash(buf);
  const text = decodeText(buf);
  bytes += buf.length;
  let b = performance.now();
  t.read += b - a;
  const tree = parseSource(parser, lang, text);
  a = performance.now();
  t.parse += a - b;
  if (args.mode === "query") {
    const ms = lang.query.matches(tree.rootNode);
    for (const m of ms) captures += m.captures.length;
    b = performance.now();
    t.query += b - a;
  } else if (args.mode === "full") {
    const x = extract(LANGUAGES.go, lang, tree, text);
    b = performance.now();
    t.extract += b - a;
    syms += x.symbols.length;
    refs += x.refs.length;
    const packed = packExtraction(x);
    a = performance.now();
    t.prepare += a - b;
    if (process.env.CLONE) structuredClone(packed);
    t.clone += performance.now() - a;
  }
  tree.delete();
}
const wall = performance.now() - w0;
const cpu = process.cpuUsage(cpu0);
const r = (n: number) => `${(n / 1000).toFixed(2)} s`;
console.log(`${limit} files, ${(bytes / 2 ** 20).toFixed(1)} MB, symbols ${syms}, refs ${refs}, captures ${captures}`);
console.log(`wall ${r(wall)}, cpu ${r((cpu.user + cpu.system) / 1000)}; read ${r(t.read)} parse ${r(t.parse)} query ${r(t.query)} extract ${r(t.extract)} prepare ${r(t.prepare)} clone ${r(t.clone)}`);

// What making each grammar ready costs a thread that has none yet: loading its WebAssembly module
// and compiling its tags query (tree-sitter analyses the query against the grammar's parse
// table). Each language is measured in a fresh process, as a new worker thread would meet it, and
// the fastest of --runs is kept. src/index/schedule.ts's GRAMMAR_SETUP_MS comes from this.
//
//   bun scripts/bench/grammar-setup.ts [--runs 3] [--lang go,swift]
import { parseArgs } from "node:util";
import { LANGUAGE_IDS, LANGUAGES, type LanguageId } from "../../src/parser/languages.ts";
import { GRAMMAR_SETUP_MS } from "../../src/index/schedule.ts";

const { values: args } = parseArgs({ options: { child: { type: "string" }, runs: { type: "string", default: "3" }, lang: { type: "string" } } });

if (args.child) {
  const { Language, Query } = await import("web-tree-sitter");
  const { newParser } = await import("../../src/parser/runtime.ts");
  await newParser(); // the runtime itself, once per thread whatever the language
  // A thread's first query also warms the runtime's WebAssembly up (paid once per thread, not
  // per grammar): another grammar goes first, so the figure is this grammar's own.
  const warm = LANGUAGES[args.child === "python" ? "javascript" : "python"];
  const w0 = performance.now();
  new Query(await Language.load(await Bun.file(warm.wasm).bytes()), warm.query);
  const warmMs = performance.now() - w0;
  const spec = LANGUAGES[args.child as LanguageId];
  const bytes = await Bun.file(spec.wasm).bytes();
  const t0 = performance.now();
  const language = await Language.load(bytes);
  const t1 = performance.now();
  new Query(language, spec.query);
  const t2 = performance.now();
  console.log(JSON.stringify({ loadMs: t1 - t0, queryMs: t2 - t1, warmMs }));
  process.exit(0);
}

const langs = (args.lang ? args.lang.split(",") : LANGUAGE_IDS) as LanguageId[];
console.log("| language | module load | tags query | total | GRAMMAR_SETUP_MS | (the thread's first grammar, warming up) |");
console.log("|:--|--:|--:|--:|--:|--:|");
for (const lang of langs) {
  let best: { loadMs: number; queryMs: number; warmMs: number } | null = null;
  for (let i = 0; i < Number(args.runs); i++) {
    const p = Bun.spawnSync([process.execPath, import.meta.path, "--child", lang], { stdout: "pipe", stderr: "inherit" });
    const r = JSON.parse(p.stdout.toString()) as { loadMs: number; queryMs: number; warmMs: number };
    if (!best || r.loadMs + r.queryMs < best.loadMs + best.queryMs) best = r;
  }
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`| ${lang} | ${ms(best!.loadMs)} | ${ms(best!.queryMs)} | ${ms(best!.loadMs + best!.queryMs)} | ${GRAMMAR_SETUP_MS[lang]} ms | ${ms(best!.warmMs)} |`);
}

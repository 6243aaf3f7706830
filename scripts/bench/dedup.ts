// Dedup benchmark: every labelled pair of test/fixtures/dedup/pairs.json through each cheap layer
// alone and through the whole chain (checkCheap with the pair's existing task as the only
// candidate), plus the chain without guards and an emulation of the reference tool's four layers.
// Prints tp/fp/tn/fn, precision, recall, F1 and the mean time per check; per-category figures for
// the chain; the index-layer cases. The full record goes to bench-results/dedup-<time>.json.
//
//   bun scripts/bench/dedup.ts [--pairs file.json] [--reps 200] [--no-background] [--show-errors]
//
// tfidf needs document frequencies: by default the IDF corpus is the pair plus every other
// description in the file (about what a task table of that size gives); --no-background uses the
// pair alone.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkCheap, type CheapOptions, type DedupCandidate } from "../../src/tasks/dedup/cheap.ts";
import { backgroundCorpus, clearPreparedCache, type Corpus } from "../../src/tasks/dedup/layers.ts";
import { checkIndex, type IndexSymbol } from "../../src/tasks/dedup/index-layer.ts";
import { CHEAP_LAYERS, DEFAULT_THRESHOLDS } from "../../src/tasks/dedup/thresholds.ts";

const PROJECT = resolve(import.meta.dir, "../..");
const { values: args } = parseArgs({
  options: {
    pairs: { type: "string", default: join(PROJECT, "test/fixtures/dedup/pairs.json") },
    reps: { type: "string", default: "200" },
    "no-background": { type: "boolean", default: false },
    "show-errors": { type: "boolean", default: false },
  },
});
const REPS = Math.max(1, Number(args.reps));

interface Pair {
  existing: string;
  incoming: string;
  duplicate: boolean;
  category: string;
}
interface IndexCase {
  description: string;
  symbols: IndexSymbol[];
  duplicate: boolean;
}
const fixture = JSON.parse(readFileSync(args.pairs, "utf8")) as { pairs: Pair[]; index?: IndexCase[]; holdout?: Pair[] };

interface Row {
  name: string;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  avgMicros: number;
}

type Judge = (p: Pair, background: Corpus | undefined) => boolean;

function evaluate(name: string, pairs: Pair[], judge: Judge): { row: Row; verdicts: boolean[] } {
  const verdicts = pairs.map((p) => judge(p, background(pairs, p)));
  // Timing is a separate pass, so the verdict pass warms the code up first. Each check starts with
  // no prepared descriptions cached (a one-shot CLI run), so both texts are normalised in the time.
  let elapsed = 0;
  for (let r = 0; r < REPS; r++)
    for (const p of pairs) {
      const bg = background(pairs, p);
      clearPreparedCache();
      const t0 = performance.now();
      judge(p, bg);
      elapsed += performance.now() - t0;
    }
  const avgMicros = (elapsed * 1000) / (REPS * pairs.length);
  let [tp, fp, tn, fn] = [0, 0, 0, 0];
  pairs.forEach((p, i) => {
    if (verdicts[i]) p.duplicate ? tp++ : fp++;
    else p.duplicate ? fn++ : tn++;
  });
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { row: { name, tp, fp, tn, fn, precision, recall, f1, avgMicros }, verdicts };
}

/** Every other description of the set, as a corpus built once per pair (not timed): the IDF corpus beside the pair itself. */
const bgCache = new Map<Pair, Corpus>();
function background(pairs: Pair[], p: Pair): Corpus | undefined {
  if (args["no-background"]) return undefined;
  let bg = bgCache.get(p);
  if (!bg) {
    const texts = [...new Set(pairs.flatMap((q) => [q.existing, q.incoming]))];
    bgCache.set(p, (bg = backgroundCorpus(texts.filter((t) => t !== p.existing && t !== p.incoming))));
  }
  return bg;
}

const chainJudge =
  (opts: CheapOptions): Judge =>
  (p, bg) =>
    checkCheap(p.incoming, [{ id: 1, description: p.existing, status: "pending" }], { ...opts, background: bg, env: {} }).duplicate;

// ------------------------------------------------------------------- the reference's layers
// As skep.sh documents them: lowercased tokens longer than 2 characters, no stemming, no guards;
// keyword 0.80 (asymmetric overlap), trigram 0.55 (character Jaccard), tf-idf 0.60 (cosine),
// minhash 0.70 (estimated Jaccard of the word sets; computed exactly here).
const refTokens = (s: string) => s.toLowerCase().split(/[^a-z0-9]+/).filter((t) => t.length > 2);
function refGrams(s: string): Set<string> {
  const t = ` ${s.toLowerCase().replace(/\s+/g, " ").trim()} `;
  return new Set(Array.from({ length: Math.max(0, t.length - 2) }, (_, i) => t.slice(i, i + 3)));
}
function jaccard(a: Set<string>, b: Set<string>): number {
  const shared = [...a].filter((x) => b.has(x)).length;
  return a.size + b.size - shared ? shared / (a.size + b.size - shared) : 0;
}
function refCosine(a: string[], b: string[]): number {
  const df = new Map<string, number>();
  for (const d of [a, b]) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const vec = (d: string[]) => {
    const v = new Map<string, number>();
    for (const t of d) v.set(t, (v.get(t) ?? 0) + Math.log(3 / (1 + df.get(t)!)) + 1);
    return v;
  };
  const [va, vb] = [vec(a), vec(b)];
  let dot = 0;
  for (const [t, w] of va) dot += w * (vb.get(t) ?? 0);
  const n = (v: Map<string, number>) => Math.sqrt([...v.values()].reduce((s, w) => s + w * w, 0));
  return n(va) * n(vb) ? dot / (n(va) * n(vb)) : 0;
}
const referenceJudge: Judge = (p) => {
  const [a, b] = [refTokens(p.incoming), refTokens(p.existing)];
  const bs = new Set(b);
  const ua = new Set(a);
  if (ua.size && [...ua].filter((t) => bs.has(t)).length / ua.size >= 0.8) return true;
  if (jaccard(refGrams(p.incoming), refGrams(p.existing)) >= 0.55) return true;
  if (refCosine(a, b) >= 0.6) return true;
  return jaccard(ua, bs) >= 0.7;
};

// ------------------------------------------------------------------------------------ run

const pairs = fixture.pairs;
const rows: Row[] = [];
for (const layer of CHEAP_LAYERS) rows.push(evaluate(`${layer} (alone)`, pairs, chainJudge({ layers: [layer] })).row);
const chain = evaluate("chain", pairs, chainJudge({}));
rows.push(chain.row);
rows.push(evaluate("chain, no guards", pairs, chainJudge({ guards: false })).row);
rows.push(evaluate("reference emulation", pairs, referenceJudge).row);

const pct = (x: number) => x.toFixed(2);
console.log(`dedup: ${pairs.length} pairs (${pairs.filter((p) => p.duplicate).length} duplicates), thresholds ${JSON.stringify(DEFAULT_THRESHOLDS)}`);
console.log(`IDF corpus: ${args["no-background"] ? "the pair only" : "the pair + every other description in the file"}; ${REPS} timing reps\n`);
console.log("layer                 tp  fp  tn  fn  precision  recall    F1   avg µs");
for (const r of rows) {
  console.log(
    `${r.name.padEnd(20)} ${[r.tp, r.fp, r.tn, r.fn].map((n) => String(n).padStart(3)).join(" ")}  ${pct(r.precision).padStart(9)}  ${pct(r.recall).padStart(6)}  ${pct(r.f1).padStart(4)}  ${r.avgMicros.toFixed(1).padStart(7)}`,
  );
}

// Per category, for the chain: recall where the category's pairs are duplicates, accuracy overall.
const categories = [...new Set(pairs.map((p) => p.category))];
const perCategory = categories.map((category) => {
  const idx = pairs.map((p, i) => (p.category === category ? i : -1)).filter((i) => i >= 0);
  const dups = idx.filter((i) => pairs[i]!.duplicate);
  const right = idx.filter((i) => chain.verdicts[i] === pairs[i]!.duplicate);
  return {
    category,
    pairs: idx.length,
    duplicates: dups.length,
    recall: dups.length ? dups.filter((i) => chain.verdicts[i]).length / dups.length : null,
    accuracy: right.length / idx.length,
  };
});
console.log("\nchain, per category        pairs  dups  recall  accuracy");
for (const c of perCategory) {
  console.log(`${c.category.padEnd(26)} ${String(c.pairs).padStart(5)} ${String(c.duplicates).padStart(5)}  ${(c.recall === null ? "-" : pct(c.recall)).padStart(6)}  ${pct(c.accuracy).padStart(8)}`);
}

if (args["show-errors"]) {
  console.log("\nchain errors:");
  pairs.forEach((p, i) => {
    if (chain.verdicts[i] === p.duplicate) return;
    const r = checkCheap(p.incoming, [{ id: 1, description: p.existing, status: "pending" }], { env: {}, background: background(pairs, p) });
    const trace = r.layers.map((l) => `${l.layer}=${l.best?.score ?? "-"}${l.blocked ? `(blocked ${l.blocked.score} ${l.blocked.guard})` : ""}`).join(" ");
    console.log(`  ${p.duplicate ? "FN" : "FP"} [${p.category}] "${p.existing}" / "${p.incoming}"\n     ${trace}`);
  });
}

// Holdout pairs (written after tuning, never tuned on), when the file has them.
let holdout: Row | null = null;
if (fixture.holdout?.length) {
  holdout = evaluate("chain on holdout", fixture.holdout, chainJudge({})).row;
  const r = holdout;
  console.log(`\nholdout: ${fixture.holdout.length} pairs  tp ${r.tp} fp ${r.fp} tn ${r.tn} fn ${r.fn}  precision ${pct(r.precision)} recall ${pct(r.recall)} F1 ${pct(r.f1)}`);
}

// Scale: one check (the whole chain, no duplicate found, so every layer runs) against N
// candidates made from the set's descriptions, each suffixed so none is an exact match. Cold: no
// candidate prepared before (a fresh process); warm: the same table checked again (the daemon).
const SCALE = [10, 100, 1000];
const probe = "Translate the billing emails into Portuguese";
const texts = [...new Set(pairs.flatMap((p) => [p.existing, p.incoming]))];
const scale = SCALE.map((n) => {
  const candidates: DedupCandidate[] = Array.from({ length: n }, (_, i) => ({ id: i + 1, description: `${texts[i % texts.length]} (part ${Math.floor(i / texts.length) + 1})`, status: "pending" }));
  if (checkCheap(probe, candidates, { env: {} }).duplicate) throw new Error("scale probe matched a candidate");
  const reps = Math.max(3, Math.round(2000 / n));
  let cold = 0;
  for (let r = 0; r < reps; r++) {
    clearPreparedCache();
    const t0 = performance.now();
    checkCheap(probe, candidates, { env: {} });
    cold += performance.now() - t0;
  }
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) checkCheap(probe, candidates, { env: {} });
  return { candidates: n, coldMs: cold / reps, warmMs: (performance.now() - t0) / reps };
});
console.log("\nscale: one check, whole chain, no hit");
for (const s of scale) console.log(`  ${String(s.candidates).padStart(5)} candidates  cold ${s.coldMs.toFixed(2).padStart(6)} ms  warm ${s.warmMs.toFixed(2).padStart(6)} ms`);

// Index layer: each case's symbols stand in for the index (exact-name lookups).
const indexCases = fixture.index ?? [];
let indexRight = 0;
for (const c of indexCases) {
  const got = checkIndex(c.description, (name) => c.symbols.filter((s) => s.name === name))?.duplicate ?? false;
  if (got === c.duplicate) indexRight++;
  else console.log(`index layer wrong: "${c.description}" expected ${c.duplicate}`);
}
if (indexCases.length) console.log(`\nindex layer: ${indexRight}/${indexCases.length} cases right`);

mkdirSync(join(PROJECT, "bench-results"), { recursive: true });
const out = join(PROJECT, "bench-results", `dedup-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  out,
  `${JSON.stringify({ at: new Date().toISOString(), pairsFile: args.pairs, thresholds: DEFAULT_THRESHOLDS, background: !args["no-background"], reps: REPS, rows, perCategory, holdout, scale, index: { cases: indexCases.length, right: indexRight } }, null, 2)}\n`,
);
console.log(`\nwrote ${out}`);

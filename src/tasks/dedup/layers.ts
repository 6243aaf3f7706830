// One score function per cheap layer over prepared descriptions. checkCheap runs them as a chain;
// the benchmark scores every labelled pair with each one alone.
import { normalize, type Normalized } from "./normalize.ts";
import type { Corpus } from "./similarity.ts";
import { corpusOf, exactScore, idfOf, jaccard, keywordScore, minhashScore, minhashSignature, tfidfScore, trigrams } from "./similarity.ts";
import type { CheapLayer } from "./thresholds.ts";

/**
 * A description normalised once, with what the layers compare computed on first use: a check that
 * stops at the keyword layer never builds MinHash signatures or trigram sets.
 */
export class Prepared {
  #terms?: Set<string>;
  #grams?: Set<number>;
  #sig?: Uint32Array | null;
  constructor(readonly n: Normalized) {}
  get terms(): Set<string> {
    return (this.#terms ??= new Set(this.n.terms));
  }
  get grams(): Set<number> {
    return (this.#grams ??= trigrams(this.n.text));
  }
  get sig(): Uint32Array | null {
    if (this.#sig === undefined) this.#sig = minhashSignature(this.n);
    return this.#sig;
  }
}

/**
 * Prepared descriptions by text, least recently used dropped first. The same task table is checked
 * again for every new task, so the daemon normalises each candidate once, not once per check.
 * Entries are never mutated after their lazy fields are filled, so sharing them is safe.
 */
const CACHE_SIZE = 4096;
const cache = new Map<string, Prepared>();

export function prepare(description: string): Prepared {
  const hit = cache.get(description);
  if (hit) {
    cache.delete(description);
    cache.set(description, hit);
    return hit;
  }
  const p = new Prepared(normalize(description));
  cache.set(description, p);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return p;
}

/** Forget every prepared description (benchmarks measure the cold path with it). */
export function clearPreparedCache(): void {
  cache.clear();
}

export type Idf = (term: string) => number;

export type { Corpus } from "./similarity.ts";

/** A background corpus for IDF: other task descriptions (normalised once, not kept). */
export function backgroundCorpus(texts: readonly string[]): Corpus {
  return corpusOf(texts.map(normalize));
}

/** IDF over the new description, the candidates, and an optional background corpus. */
export function idfFor(incoming: Prepared, candidates: readonly Prepared[], background?: Corpus): Idf {
  return idfOf([incoming, ...candidates].map((p) => p.n), background);
}

export function scoreLayer(layer: CheapLayer, incoming: Prepared, existing: Prepared, idf: Idf): number {
  switch (layer) {
    case "exact":
      return exactScore(incoming.n, existing.n);
    case "keyword":
      return keywordScore(incoming.terms, existing.terms);
    case "trigram":
      return jaccard(incoming.grams, existing.grams);
    case "tfidf":
      return tfidfScore(incoming.n, existing.n, idf);
    case "minhash":
      return minhashScore(incoming.sig, existing.sig);
  }
}

/**
 * The score of one layer for one pair of descriptions, guards not applied (the benchmark and
 * tuning use it). `background`: other task descriptions that make IDF meaningful for tfidf.
 */
export function scorePair(layer: CheapLayer, incoming: string, existing: string, opts: { background?: readonly string[] | Corpus } = {}): number {
  const [a, b] = [prepare(incoming), prepare(existing)];
  return scoreLayer(layer, a, b, idfFor(a, [b], asCorpus(opts.background)));
}

export function asCorpus(background: readonly string[] | Corpus | undefined): Corpus | undefined {
  if (!background) return undefined;
  return "df" in background ? background : backgroundCorpus(background);
}

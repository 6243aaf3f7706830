// The similarity measures behind the cheap layers, each a score in [0, 1] over normalised
// descriptions (normalize.ts). Pure functions: no I/O, no state between calls.
import type { Normalized } from "./normalize.ts";

/** exact: the normalised texts are equal (and say something). */
export function exactScore(incoming: Normalized, existing: Normalized): number {
  return incoming.text !== "" && incoming.text === existing.text ? 1 : 0;
}

/**
 * keyword: the share of the new description's distinct terms the existing one has. Asymmetric on
 * purpose, as in the reference: a shorter restatement of queued work is a duplicate of it.
 */
export function keywordScore(incoming: ReadonlySet<string>, existing: ReadonlySet<string>): number {
  if (!incoming.size) return 0;
  let shared = 0;
  for (const t of incoming) if (existing.has(t)) shared++;
  return shared / incoming.size;
}

/**
 * The character 3-grams of a normalised text, padded so word starts and ends count. Each gram is
 * packed into one number (three UTF-16 units, 48 bits: exact in a double), which hashes faster
 * than a three-character string.
 */
export function trigrams(text: string): Set<number> {
  const out = new Set<number>();
  if (!text) return out;
  const padded = ` ${text} `;
  for (let i = 0; i + 3 <= padded.length; i++) {
    out.add(padded.charCodeAt(i) * 0x100000000 + padded.charCodeAt(i + 1) * 0x10000 + padded.charCodeAt(i + 2));
  }
  return out;
}

/** trigram: Jaccard similarity of two 3-gram sets (or of any two sets). */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Document frequencies of a set of descriptions, computed once and reusable across checks. */
export interface Corpus {
  size: number;
  df: ReadonlyMap<string, number>;
}

export function corpusOf(docs: readonly Normalized[]): Corpus {
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  return { size: docs.length, df };
}

/**
 * Inverse document frequencies over the descriptions compared (the candidates and the new one) plus
 * an optional background corpus: a word in every task ("fix", "add") weighs little, a rare one
 * much. Smoothed as in scikit-learn: ln((1 + N) / (1 + df)) + 1, so no term weighs zero.
 */
export function idfOf(docs: readonly Normalized[], background?: Corpus): (term: string) => number {
  const own = corpusOf(docs);
  const n = own.size + (background?.size ?? 0);
  return (term) => Math.log((1 + n) / (1 + (own.df.get(term) ?? 0) + (background?.df.get(term) ?? 0))) + 1;
}

/** tfidf: cosine similarity of the two term vectors weighted by tf x idf. */
export function tfidfScore(incoming: Normalized, existing: Normalized, idf: (term: string) => number): number {
  const va = vector(incoming.terms, idf);
  const vb = vector(existing.terms, idf);
  let dot = 0;
  for (const [t, w] of va) dot += w * (vb.get(t) ?? 0);
  const norm = (v: Map<string, number>) => Math.sqrt([...v.values()].reduce((s, w) => s + w * w, 0));
  const denom = norm(va) * norm(vb);
  return denom === 0 ? 0 : dot / denom;
}

function vector(terms: string[], idf: (term: string) => number): Map<string, number> {
  const tf = new Map<string, number>();
  for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
  for (const [t, n] of tf) tf.set(t, n * idf(t));
  return tf;
}

// ------------------------------------------------------------------------------------ minhash

/** Signature length: the estimate's standard error is about 1/sqrt(128) = 0.09. */
export const MINHASH_PERMUTATIONS = 128;

/**
 * Shingles: each term and each pair of neighbouring terms. Pairs keep some word order; the single
 * terms keep "rate limiting for the public API" close to "public API: add rate limiting".
 */
export function shingles(n: Normalized): Set<string> {
  const out = new Set<string>(n.terms);
  for (let i = 0; i + 1 < n.terms.length; i++) out.add(`${n.terms[i]} ${n.terms[i + 1]}`);
  return out;
}

/**
 * The MinHash signature: per hash function, the least value over the shingles; null without
 * shingles. Each shingle is hashed once (FNV-1a, then murmur3's finaliser to spread the bits);
 * the 128 functions are the bijections x -> a*x + b mod 2^32 of that hash, a multiply and an add
 * each instead of a full hash per function.
 */
export function minhashSignature(n: Normalized): Uint32Array | null {
  const all = shingles(n);
  if (!all.size) return null;
  const sig = new Uint32Array(MINHASH_PERMUTATIONS).fill(0xffffffff);
  for (const s of all) {
    const base = mix32(fnv1a(s));
    for (let i = 0; i < MINHASH_PERMUTATIONS; i++) {
      const h = (Math.imul(base, MULTIPLIERS[i]!) + ADDENDS[i]!) >>> 0;
      if (h < sig[i]!) sig[i] = h;
    }
  }
  return sig;
}

/** minhash: the share of signature slots that agree, an estimate of the shingles' Jaccard. */
export function minhashScore(a: Uint32Array | null, b: Uint32Array | null): number {
  if (!a || !b) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: spreads one 32-bit value over all bits, so seeded hashes act independent. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fixed parameters (derived, not random): signatures are comparable across runs and processes. Multipliers are odd, so each function is a bijection. */
const MULTIPLIERS = Uint32Array.from({ length: MINHASH_PERMUTATIONS }, (_, i) => mix32(Math.imul(i + 1, 0x9e3779b9)) | 1);
const ADDENDS = Uint32Array.from({ length: MINHASH_PERMUTATIONS }, (_, i) => mix32(Math.imul(i + 1, 0x85ebca6b) ^ 0x5bd1e995));

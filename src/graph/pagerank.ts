// Weighted PageRank by power iteration over a compact edge list (typed arrays: the Go standard
// library has ~100k symbols and a few hundred thousand edges).

export interface RankInput {
  nodeCount: number;
  from: Int32Array;
  to: Int32Array;
  weight: Float64Array;
}

export const DAMPING = 0.85;

/**
 * Ranks scaled so the average node scores 1.0 (easier to read than probabilities that shrink
 * with repo size). Dangling nodes spread their mass uniformly.
 */
export function pagerank(g: RankInput, iterations = 50, tolerance = 1e-9): Float64Array {
  const n = g.nodeCount;
  if (n === 0) return new Float64Array(0);
  const outWeight = new Float64Array(n);
  for (let e = 0; e < g.from.length; e++) outWeight[g.from[e]!]! += g.weight[e]!;
  let rank = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    let dangling = 0;
    for (let i = 0; i < n; i++) if (outWeight[i] === 0) dangling += rank[i]!;
    const base = (1 - DAMPING) / n + (DAMPING * dangling) / n;
    next.fill(base);
    for (let e = 0; e < g.from.length; e++) {
      const f = g.from[e]!;
      next[g.to[e]!]! += (DAMPING * rank[f]! * g.weight[e]!) / outWeight[f]!;
    }
    let delta = 0;
    for (let i = 0; i < n; i++) delta += Math.abs(next[i]! - rank[i]!);
    [rank, next] = [next, rank];
    if (delta < tolerance) break;
  }
  for (let i = 0; i < n; i++) rank[i]! *= n;
  return rank;
}

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
export function pagerank(g: RankInput, iterations = 50, tolerance = 1e-9, initial?: Float64Array): Float64Array {
  const n = g.nodeCount;
  if (n === 0) return new Float64Array(0);
  const from = g.from;
  const to = g.to;
  const m = from.length;
  const outWeight = new Float64Array(n);
  for (let e = 0; e < m; e++) outWeight[from[e]!]! += g.weight[e]!;
  // Each edge's share of its source's rank, computed once instead of once per iteration.
  const share = new Float64Array(m);
  for (let e = 0; e < m; e++) share[e] = (DAMPING * g.weight[e]!) / outWeight[from[e]!]!;
  const dangling: number[] = [];
  for (let i = 0; i < n; i++) if (outWeight[i] === 0) dangling.push(i);
  let rank = new Float64Array(n);
  if (initial && initial.length === n) {
    // A warm start (the ranks stored before a small change), as probabilities again.
    let sum = 0;
    for (let i = 0; i < n; i++) sum += initial[i]! > 0 ? initial[i]! : 0;
    if (sum > 0) for (let i = 0; i < n; i++) rank[i] = (initial[i]! > 0 ? initial[i]! : 0) / sum;
    else rank.fill(1 / n);
  } else rank.fill(1 / n);
  let next = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    let danglingMass = 0;
    for (let k = 0; k < dangling.length; k++) danglingMass += rank[dangling[k]!]!;
    const base = (1 - DAMPING) / n + (DAMPING * danglingMass) / n;
    next.fill(base);
    for (let e = 0; e < m; e++) next[to[e]!]! += rank[from[e]!]! * share[e]!;
    let delta = 0;
    for (let i = 0; i < n; i++) delta += Math.abs(next[i]! - rank[i]!);
    [rank, next] = [next, rank];
    if (delta < tolerance) break;
  }
  for (let i = 0; i < n; i++) rank[i]! *= n;
  return rank;
}

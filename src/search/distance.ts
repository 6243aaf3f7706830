// How close a candidate name is to a mistyped query. Trigram overlap (how fuzzy.ts finds
// candidates) is a poor judge on its own: one swapped pair in a short name ("Sprnitf") destroys most
// of its trigrams, while a long unrelated name can share several. So candidates are re-scored by
// edit distance, and a fixed edit budget decides what counts as a typo at all: a query that is
// nothing like any name returns nothing rather than its least-bad neighbours.

/** Longest query worth an edit-distance pass; longer ones are not a mistyped name. */
export const MAX_FUZZY_QUERY = 64;
/** Names are compared up to this many characters (a prefix typo is found well within it). */
const MAX_NAME = 128;

/** Edits tolerated for a query of `n` characters: none below 4 (too many names are 1 edit from "abc"). */
export function maxEdits(n: number): number {
  return n < 4 ? 0 : n <= 5 ? 1 : n <= 10 ? 2 : 3;
}

/**
 * Optimal string alignment distance from query `a` to name `b` (insert, delete, substitute and
 * swap two adjacent characters each cost 1), and from `a` to the closest prefix of `b` (a typo in a
 * name typed halfway). Values above `max` come back as max + 1: the scan stops once no alignment
 * can stay within budget.
 */
export function osaDistances(a: string, b: string, max: number): { full: number; prefix: number } {
  const n = a.length;
  const m = Math.min(b.length, MAX_NAME);
  const over = max + 1;
  let prev2 = new Int32Array(m + 1);
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const bj = b.charCodeAt(j - 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return { full: over, prefix: over };
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  let prefix = over;
  for (let j = 0; j <= m; j++) if (prev[j]! < prefix) prefix = prev[j]!;
  return { full: Math.min(prev[m]!, over), prefix };
}

/**
 * How good a typo match `name` is for `query`, in [0, 1]; 0 means not a typo of it. A whole-name
 * match scores by the share of characters it keeps; a typo of the name's beginning scores at most
 * half as much, so "Sprnit" ranks Sprint above Sprintf.
 */
export function fuzzySimilarity(query: string, name: string): number {
  const a = query.toLowerCase();
  const n = a.length;
  const max = maxEdits(n);
  if (max === 0 || n > MAX_FUZZY_QUERY) return 0;
  const b = name.toLowerCase();
  const { full, prefix } = osaDistances(a, b, max);
  let sim = 0;
  if (full <= max) sim = 1 - full / Math.max(n, b.length);
  if (prefix <= max && n >= 5) sim = Math.max(sim, 0.5 * (1 - prefix / n));
  return sim;
}

// Tier 6: typos ("LoginVeiwModel", "Sprnitf"). Candidates come from two cheap sources, and
// distance.ts decides which of them are typos of the query at all:
//  - n-gram overlap in symbols_tri: for each run of N query characters (N = 3, or 4 for queries of
//    8+ characters), the names containing it, weighted by rarity (sharing "csea" with "EexcSearch"
//    says more than sharing "arch"); the best-weighted names are re-scored. This finds a typo
//    anywhere in a name, as long as some distinctive run of the name survives it. Runs of 4 are
//    far more selective than single trigrams, and cost about the same to look up.
//  - anchors: names starting with the query's first 2 (and 4) characters whose length is within the
//    edit budget, read from the name index alone. A short name keeps few runs intact ("Sprnitf"
//    shares only "spr" with Sprintf); this finds it, unless the typo is in the anchor.
import { fuzzySimilarity, maxEdits, MAX_FUZZY_QUERY } from "./distance.ts";
import { ftsString, prefixUpperBound } from "./query.ts";
import { COLUMNS, joinFiles, type Row, type TierInput } from "./sql.ts";
import { prepared } from "./statements.ts";

const MAX_GRAMS = 12;
/** Names read per n-gram: one in more names than this says little about which name was meant. */
const GRAM_DOCS = 500;
/** Best-weighted names re-scored; more under filters, which are applied before re-scoring. */
const SCORED = 150;
const SCORED_FILTERED = 500;
/** Names read per anchor. */
const ANCHORED = 300;

interface Named {
  id: number;
  name: string;
}

export function fuzzyTier(input: TierInput): Row[] {
  const { db, filter } = input;
  const text = input.q.text.toLowerCase();
  const chars = Array.from(text);
  const edits = maxEdits(chars.length);
  if (chars.length > MAX_FUZZY_QUERY || edits === 0) return [];
  const sims = new Map<number, number>();
  const score = (rows: Named[]) => {
    for (const { id, name } of rows) {
      const sim = fuzzySimilarity(text, name);
      if (sim > (sims.get(id) ?? 0)) sims.set(id, sim);
    }
  };

  const byOverlap = overlapCandidates(input, chars, filter.sql ? SCORED_FILTERED : SCORED);
  if (byOverlap.length) {
    const sql = `SELECT s.id, s.name FROM symbols s${joinFiles(filter)} WHERE s.id IN (SELECT value FROM json_each($ids))${filter.sql}`;
    score(prepared(db, sql).all({ ...filter.params, $ids: JSON.stringify(byOverlap) }) as Named[]);
  }
  const anchored = prepared(
    db,
    `SELECT id, name FROM symbols WHERE name >= $lo COLLATE NOCASE AND name < $hi COLLATE NOCASE
     AND length(name) BETWEEN $min AND $max LIMIT ${ANCHORED}`,
  );
  for (const n of chars.length >= 6 ? [2, 4] : [2]) {
    const anchor = chars.slice(0, n).join("");
    score(anchored.all({ $lo: anchor, $hi: prefixUpperBound(anchor), $min: chars.length - edits, $max: chars.length + edits }) as Named[]);
  }
  if (!sims.size) return [];

  // Anchored candidates have not met the filters yet: this query applies them to all.
  const sql = `SELECT ${COLUMNS}, 0 AS sub FROM symbols s JOIN files f ON f.id = s.file_id
    WHERE s.id IN (SELECT value FROM json_each($ids))${filter.sql}`;
  const rows = prepared(db, sql).all({ ...filter.params, $ids: JSON.stringify([...sims.keys()]) }) as Row[];
  // Similarity rounded to 2 places, so that between near-equal typos PageRank decides.
  for (const row of rows) row.sub = Math.round(sims.get(row.id)! * 100) / 100;
  rows.sort(
    (a, b) =>
      b.sub - a.sub ||
      b.rank - a.rank ||
      a.name.length - b.name.length ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      a.line - b.line ||
      a.id - b.id,
  );
  return rows.slice(0, input.limit);
}

/** Ids of the `take` names sharing the most weight of query n-grams, each weighted by its rarity. */
function overlapCandidates(input: TierInput, chars: string[], take: number): number[] {
  const n = chars.length >= 8 ? 4 : 3;
  const grams = new Set<string>();
  // A long query has more runs than it takes to find its name: MAX_GRAMS of them, spread evenly
  // from its first character to its last (each lookup costs about the same, common or rare).
  const runs = chars.length - n + 1;
  const step = Math.max(1, (runs - 1) / (MAX_GRAMS - 1));
  for (let k = 0; k < Math.min(runs, MAX_GRAMS); k++) {
    const i = Math.round(k * step);
    grams.add(chars.slice(i, i + n).join(""));
  }
  if (!grams.size) return [];
  const total = (prepared(input.db, "SELECT max(id) AS n FROM symbols").get() as { n: number | null }).n ?? 0;
  // A quoted run is a phrase of its trigrams: names containing it as a substring.
  const stmt = prepared(input.db, `SELECT rowid FROM symbols_tri WHERE symbols_tri MATCH $gram LIMIT ${GRAM_DOCS}`);
  const weight = new Map<number, number>();
  for (const gram of grams) {
    const ids = stmt.values({ $gram: ftsString(gram) }) as [number][];
    if (!ids.length) continue;
    const idf = Math.log(1 + total / ids.length);
    for (const [id] of ids) weight.set(id, (weight.get(id) ?? 0) + idf);
  }
  if (weight.size <= take) return [...weight.keys()];
  const cut = kthLargest(Float64Array.from(weight.values()), take);
  const out: number[] = [];
  for (const [id, w] of weight) if (w > cut) out.push(id);
  for (const [id, w] of weight) if (w === cut && out.length < take) out.push(id);
  return out;
}

/** The k-th largest value (1-based) by quickselect; reorders `xs`. */
function kthLargest(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! > pivot) i++;
      while (xs[j]! < pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return xs[target]!;
  }
  return xs[target]!;
}

// Symbol search: the entry point. Tiers run best first (exact, prefix, camel humps, words,
// substring, fuzzy); each tier's hits come before the next tier's, a symbol appears once at the
// best tier that finds it, and the search stops as soon as `limit` hits are in hand.
import type { Database } from "bun:sqlite";
import { buildFilter } from "./filters.ts";
import { parseQuery } from "./query.ts";
import { fuzzyTier } from "./fuzzy.ts";
import type { Row, TierInput } from "./sql.ts";
import { camelTier, exactTier, prefixTier, substringTier, wordsTier } from "./tiers.ts";
import { DEFAULT_LIMIT, MAX_LIMIT, type MatchTier, type SearchHit, type SearchOptions } from "./types.ts";

export type { MatchTier, SearchHit, SearchOptions } from "./types.ts";

/** Score = tier base + quality within the tier (see SearchHit.score). */
const BASE: Record<MatchTier, number> = { exact: 6, prefix: 5, camel: 4, words: 3, substring: 2, fuzzy: 1 };

/** Sub-tier (0 best) -> fraction of the score. */
function quality(tier: MatchTier, sub: number): number {
  switch (tier) {
    case "exact": // case-exact spelling
    case "camel": // humps exactly the initials
      return sub === 0 ? 0.5 : 0;
    case "words": // in the name / name + container / anywhere
      return [0.5, 0.25, 0][sub] ?? 0;
    case "fuzzy": // similarity, rounded to 2 places
      return Math.min(sub, 0.99);
    default:
      return 0;
  }
}

export function search(db: Database, query: string, opts: SearchOptions = {}): SearchHit[] {
  const q = parseQuery(query);
  if (!q) return [];
  const limit = clampLimit(opts?.limit);
  const filter = buildFilter(db, opts ?? {});
  if (filter.empty) return [];

  const hits: SearchHit[] = [];
  const seen = new Set<number>();
  const take = (tier: MatchTier, rows: Row[]): boolean => {
    for (const row of rows) {
      if (hits.length >= limit) break;
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      const { sub, ...rest } = row;
      hits.push({ ...rest, match: tier, score: Math.round((BASE[tier] + quality(tier, sub)) * 100) / 100 });
    }
    return hits.length >= limit;
  };

  const input: TierInput = { db, q, filter, limit };
  if (take("exact", exactTier(input))) return hits;
  if (take("prefix", prefixTier(input))) return hits;
  if (take("camel", camelTier(input))) return hits;
  if (take("words", wordsTier(input))) return hits;
  if (take("substring", substringTier(input))) return hits;
  take("fuzzy", fuzzyTier(input));
  return hits;
}

function clampLimit(limit: unknown): number {
  if (typeof limit !== "number" || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

// The public shapes of symbol search. Kept apart from the implementation so the CLI and the MCP
// server can depend on them without pulling in SQL.

/** Which tier found a hit, best first. A symbol is reported once, at the best tier it reaches. */
export const MATCH_TIERS = ["exact", "prefix", "camel", "words", "substring", "fuzzy"] as const;
export type MatchTier = (typeof MATCH_TIERS)[number];

export interface SearchOptions {
  /** Only these symbol kinds ("function", "class", ...). An empty list means no filter. */
  kind?: string | string[];
  /** Only files of these languages ("go", "typescript", ...). An empty list means no filter. */
  lang?: string | string[];
  /**
   * Only files under this path. Without glob characters it is a repo-relative file or directory:
   * "src/search" matches src/search and everything below it (not src/searchable.ts).
   * With `*`, `?` or `[...]` it is a glob: `*` and `?` stay within one path segment, `**` spans
   * any number of directories ("src/**" is everything below src), and a glob without a slash is
   * matched against the file name at any depth ("*_test.go", "*.kt").
   */
  path?: string;
  /** Maximum hits; default 20, capped at 200. */
  limit?: number;
}

export interface SearchHit {
  id: number;
  name: string;
  kind: string;
  container: string | null;
  path: string;
  /** 1-based, inclusive. */
  line: number;
  endLine: number;
  signature: string;
  doc: string | null;
  lang: string;
  /** PageRank of the symbol (mean 1 over the index); breaks ties within a tier. */
  rank: number;
  match: MatchTier;
  /**
   * Higher is better, and hits come sorted by it: the integer part is the tier (exact 6 ... fuzzy 1),
   * the fraction the quality within the tier (case-exact name, name words before doc words, fuzzy
   * similarity). Hits with equal scores are ordered by rank, then shorter name, then path.
   */
  score: number;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 200;

// The query shape every tier shares. A tier supplies a source: a query yielding the ids of the
// symbols it matches, answered from its index (symbols_name, symbols_humps, symbols_fts,
// symbols_tri) without filters. ranked() applies the filters to the source's first WINDOW ids,
// keeps the first CANDIDATES that pass, and only then reads their rows to order them (sub-tier,
// PageRank, shorter name, path).
//
// The two bounds are what keep a broad query cheap: ordering by rank means reading each
// candidate's table row, and a one-letter prefix or a word like "error" (in every Go signature)
// matches tens of thousands of symbols. So rank order within a tier is exact up to CANDIDATES
// matches; beyond that it ranks the ones the source yields first. Likewise a filter is applied
// inside SQL, before any limit, but to at most WINDOW source rows: a very broad query under a very
// narrow filter can miss matches beyond the window.
import type { Database } from "bun:sqlite";
import type { Filter } from "./filters.ts";
import type { ParsedQuery } from "./query.ts";
import { prepared } from "./statements.ts";
import type { SearchHit } from "./types.ts";

export const CANDIDATES = 200;
export const WINDOW = 2000;

/** A hit before it is scored: SearchHit's fields without the tier and score it earns later. */
export interface Row extends Omit<SearchHit, "match" | "score"> {
  /** Quality within the tier: a sub-tier (0 best) or, for fuzzy, a similarity in [0, 1] (1 best). */
  sub: number;
}

export interface TierInput {
  db: Database;
  q: ParsedQuery;
  filter: Filter;
  limit: number;
}

export const COLUMNS =
  "s.id, s.name, s.kind, s.container, f.path, s.line, s.end_line AS endLine, s.signature, s.doc, f.lang, s.rank";
export const TIE_BREAK = "s.rank DESC, length(s.name), f.path, s.line, s.id";

/** The files join, only when a filter reads files (it costs a lookup per candidate row). */
export function joinFiles(filter: Filter): string {
  return filter.needsFiles ? " JOIN files f ON f.id = s.file_id" : "";
}

/**
 * Up to `limit` rows for the ids `source` yields (a SELECT of one column, `id`, with no LIMIT),
 * filtered, ordered by `sub` (an SQL expression over s, 0 best), then TIE_BREAK.
 */
export function ranked(input: TierInput, source: string, sub: string, params: Record<string, string | number>): Row[] {
  const f = input.filter;
  const candidates = f.sql
    ? `SELECT s.id FROM (${source} LIMIT ${WINDOW}) w JOIN symbols s ON s.id = w.id${joinFiles(f)} WHERE 1${f.sql} LIMIT ${CANDIDATES}`
    : `${source} LIMIT ${CANDIDATES}`;
  const sql = `SELECT ${COLUMNS}, ${sub} AS sub FROM (${candidates}) c
    JOIN symbols s ON s.id = c.id JOIN files f ON f.id = s.file_id
    ORDER BY sub, ${TIE_BREAK} LIMIT $limit`;
  return prepared(input.db, sql).all({ ...params, ...f.params, $limit: input.limit }) as Row[];
}

// The kind / lang / path filters as SQL conditions. They go into every tier's WHERE clause, so each
// tier's LIMIT counts only symbols that pass them (filtering after the limit would return short
// or empty pages while matching symbols exist).
import type { Database } from "bun:sqlite";
import { globToRegExp, isGlob } from "./glob.ts";
import { prefixUpperBound } from "./query.ts";
import { prepared } from "./statements.ts";
import type { SearchOptions } from "./types.ts";

export interface Filter {
  /** Conditions on `s` (symbols) and `f` (files), each prefixed with " AND "; "" for none. */
  sql: string;
  /** The conditions read `f`: the query must join files. */
  needsFiles: boolean;
  params: Record<string, string>;
  /** Nothing can pass (a glob that matches no indexed file): the search can stop right away. */
  empty: boolean;
}

export function buildFilter(db: Database, opts: SearchOptions): Filter {
  const conds: string[] = [];
  const params: Record<string, string> = {};
  // json_each keeps one statement per filter shape however many values the list has.
  const kinds = toList(opts.kind);
  if (kinds.length) {
    conds.push("s.kind IN (SELECT value FROM json_each($kinds))");
    params.$kinds = JSON.stringify(kinds);
  }
  const langs = toList(opts.lang);
  if (langs.length) {
    conds.push("f.lang IN (SELECT value FROM json_each($langs))");
    params.$langs = JSON.stringify(langs);
  }
  const path = normalizePath(opts.path);
  if (path !== null && isGlob(path)) {
    const ids = fileIdsMatching(db, path);
    if (ids === "[]") return { sql: "", needsFiles: false, params: {}, empty: true };
    // Unary + keeps the planner from driving the query through symbols_file with this list:
    // candidates must come from the tier's own index (name, humps, FTS), which is the selective one.
    conds.push("+s.file_id IN (SELECT value FROM json_each($fileIds))");
    params.$fileIds = ids;
  } else if (path !== null) {
    conds.push("(f.path = $path OR (f.path >= $pathLo AND f.path < $pathHi))");
    params.$path = path;
    params.$pathLo = `${path}/`;
    params.$pathHi = prefixUpperBound(`${path}/`);
  }
  const needsFiles = langs.length > 0 || params.$path !== undefined;
  return { sql: conds.map((c) => ` AND ${c}`).join(""), needsFiles, params, empty: false };
}

/** "function", ["function", "method"] or "function,method" -> lowercase, deduplicated values. */
function toList(value: unknown): string[] {
  const items = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
  const out = new Set<string>();
  for (const item of items) {
    if (typeof item !== "string") continue;
    for (const v of item.split(",")) if (v.trim()) out.add(v.trim().toLowerCase());
  }
  return [...out];
}

/** Repo-relative, forward slashes; null when it selects everything. */
function normalizePath(value: unknown): string | null {
  if (typeof value !== "string") return null;
  let p = value.trim().replace(/\\/g, "/").replace(/^(?:\.\/|\/)+/, "");
  if (isGlob(p)) {
    if (p.endsWith("/")) p += "**"; // "src/*/" means everything in those directories
  } else p = p.replace(/\/+$/, "");
  return p && p !== "." ? p : null;
}

// Matching a glob means reading every file path, so the matching ids are kept per Database until
// the index changes: data_version moves when another connection commits, total_changes() when
// this one writes.
const VERSION_SQL = "SELECT (SELECT data_version FROM pragma_data_version) || ':' || total_changes() AS v";
const MAX_CACHED_GLOBS = 32;
const globCache = new WeakMap<Database, { version: string; ids: Map<string, string> }>();

/** JSON array of the ids of files whose path matches the glob. */
function fileIdsMatching(db: Database, glob: string): string {
  const version = (prepared(db, VERSION_SQL).get() as { v: string }).v;
  let entry = globCache.get(db);
  if (!entry || entry.version !== version) {
    entry = { version, ids: new Map() };
    globCache.set(db, entry);
  }
  let ids = entry.ids.get(glob);
  if (ids === undefined) {
    const re = globToRegExp(glob);
    const matched: number[] = [];
    for (const [id, path] of prepared(db, "SELECT id, path FROM files").values() as [number, string][]) {
      if (re.test(path)) matched.push(id);
    }
    ids = JSON.stringify(matched);
    if (entry.ids.size >= MAX_CACHED_GLOBS) entry.ids.clear();
    entry.ids.set(glob, ids);
  }
  return ids;
}

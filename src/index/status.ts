// `skep status`: what the index holds and how it stands against the files on disk.
import type { Database } from "bun:sqlite";
import { LANGUAGES, isLanguageId } from "../parser/languages.ts";
import type { Freshness, StatusAnswer } from "../protocol/index-answers.ts";
import { freshness, pendingChanges, type PendingChanges } from "./freshness.ts";
import { contentRuleGroup } from "./rules.ts";
import { getMeta } from "./store.ts";

/** `known` lets a caller that already knows what changed (the daemon's watcher) skip the rescan. */
export function indexStatus(db: Database, root: string, known?: { pending: PendingChanges; freshness: Freshness }): StatusAnswer {
  const pending = known?.pending ?? pendingChanges(db, root).pending;
  const count = (sql: string) => (db.query(sql).get() as { n: number }).n;
  const languages = (
    db
      .query(
        `SELECT lang, count(*) AS files, sum(symbol_count) AS symbols FROM files
         WHERE skip_reason IS NULL GROUP BY lang ORDER BY files DESC, lang`,
      )
      .all() as { lang: string; files: number; symbols: number }[]
  ).map((l) => ({ ...l, name: isLanguageId(l.lang) ? LANGUAGES[l.lang].name : l.lang }));
  const skipped = db.query("SELECT path, skip_reason AS reason FROM files WHERE skip_reason IS NOT NULL ORDER BY path").all() as StatusAnswer["skipped"];
  return {
    root,
    files: count("SELECT count(*) AS n FROM files WHERE skip_reason IS NULL"),
    symbols: count("SELECT count(*) AS n FROM symbols"),
    refs: count("SELECT count(*) AS n FROM refs"),
    edges: count("SELECT count(*) AS n FROM edges"),
    languages,
    otherFiles: Number(getMeta(db, "other_files") ?? 0),
    changed: pending,
    skipped,
    skippedByRule: byRule(db, skipped),
    syntaxErrors: db.query("SELECT path, syntax_errors AS count FROM files WHERE syntax_errors > 0 ORDER BY path").all() as StatusAnswer["syntaxErrors"],
    freshness: known?.freshness ?? freshness(db, root, pending),
  };
}

/** Rule skips per reason: by path at the last full scan (meta), and by content (rows). */
function byRule(db: Database, skipped: StatusAnswer["skipped"]): StatusAnswer["skippedByRule"] {
  const counts = new Map<string, number>();
  try {
    for (const [reason, n] of Object.entries(JSON.parse(getMeta(db, "rule_skips") ?? "{}") as Record<string, number>)) counts.set(reason, n);
  } catch {
    // written by this code only; an unreadable value just means no counts until the next full scan
  }
  for (const s of skipped) {
    const group = contentRuleGroup(s.reason);
    if (group) counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return [...counts].map(([reason, files]) => ({ reason, files })).sort((a, b) => b.files - a.files || (a.reason < b.reason ? -1 : 1));
}

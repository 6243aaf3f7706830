// What an answer was computed from, and what changed on disk since. Reads only: it runs the same
// (size, mtime) scan as the indexer, without reading any file's content.
import type { Database } from "bun:sqlite";
import { gitHead } from "../git/repo.ts";
import type { Freshness } from "../protocol/index-answers.ts";
import { scan, type Scan } from "./scan.ts";
import { getMeta, loadFileStates } from "./store.ts";

export interface PendingChanges {
  added: string[];
  modified: string[];
  deleted: string[];
}

export function pendingChanges(db: Database, root: string): { scan: Scan; pending: PendingChanges } {
  const known = loadFileStates(db);
  const s = scan(root, known);
  const added: string[] = [];
  const modified: string[] = [];
  for (const f of [...s.changed, ...s.skipped]) (known.has(f.path) ? modified : added).push(f.path);
  return { scan: s, pending: { added: added.sort(), modified: modified.sort(), deleted: s.deleted.sort() } };
}

export function freshness(db: Database, root: string, pending?: PendingChanges): Freshness {
  return freshnessOf(db, root, pending ?? pendingChanges(db, root).pending, gitHead(root));
}

/** Freshness from what a caller already knows (the daemon knows HEAD and what its watcher saw). */
export function freshnessOf(db: Database, root: string, p: PendingChanges, head: string | null): Freshness {
  const count = p.added.length + p.modified.length + p.deleted.length;
  const at = getMeta(db, "indexed_at");
  return {
    worktree: root,
    head,
    indexedHead: getMeta(db, "head"),
    indexedAt: at ? new Date(Number(at)).toISOString() : null,
    pendingFiles: count,
    stale: count > 0,
  };
}

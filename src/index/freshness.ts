// What an answer was computed from, and what changed on disk since. Reads only: it runs the same
// (size, mtime) scan as the indexer, without reading any file's content.
import type { Database } from "bun:sqlite";
import { gitHead } from "../git/repo.ts";
import type { Freshness } from "../protocol/index-answers.ts";
import { scan, type Scan } from "./scan.ts";
import { BULK_MARKER, getMeta, GRAPH_MARKERS, loadFileStates } from "./store.ts";

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
  const incomplete = incompleteReason(db);
  const changed = count > 0 ? `${count} file${count === 1 ? "" : "s"} changed since the index was built` : null;
  return {
    worktree: root,
    head,
    indexedHead: getMeta(db, "head"),
    indexedAt: at ? new Date(Number(at)).toISOString() : null,
    pendingFiles: count,
    stale: count > 0 || incomplete !== null,
    staleReason: [incomplete, changed].filter(Boolean).join("; ") || null,
  };
}

/**
 * Why the index's phases (symbols, then call graph and ranks, then search) do not all describe
 * the same files, or null when they do. Every run sets a marker before its first write and clears
 * it in the same transaction that records `indexed_at`, so a run killed (or out of disk) between
 * phases leaves the marker, and answers built on it say so instead of passing as fresh.
 */
export function incompleteReason(db: Database): string | null {
  if (getMeta(db, BULK_MARKER) !== null) return "the index build stopped before it finished (the call graph, ranks and search are incomplete): `skep index` or a daemon start finishes it";
  if (GRAPH_MARKERS.some((m) => getMeta(db, m) !== null)) {
    return "the call graph and ranks are behind the symbols (an index run is updating them, or one stopped before it finished): the next index run finishes them";
  }
  if (getMeta(db, "indexed_at") === null && db.query("SELECT 1 FROM files LIMIT 1").get()) return "the index was never finished: run `skep index`";
  return null;
}

// How many tasks of a store are in each status, and which are waiting for a person: what the tmux
// status line shows, every few seconds in every cockpit. One read-only statement, without loading
// the task store's module (its schemas and the machinery around it): `skep status --oneline` is a
// whole process each time, and what it loads is most of what it costs.
import { Database } from "bun:sqlite";
import { TASKS_SCHEMA_VERSION } from "./schema.ts";

export interface TaskCounts {
  /** Tasks per status, as stored. */
  byStatus: Record<string, number>;
  /** Tasks pending approval or clarification, in id order. */
  waiting: { id: number; status: string; createdAt: string }[];
}

/**
 * The counts of the tasks.db at `path`, or null when this reader does not answer for it: the file
 * cannot be opened or read, or its schema is not this skep's own (older, newer or unmarked). The
 * caller then reads it the full way (cockpit/snapshot.ts readRepo), which says what is wrong, so
 * a store in any state is shown the same whichever reader ran.
 */
export function readTaskCounts(path: string): TaskCounts | null {
  let db: Database;
  try {
    db = new Database(path, { readonly: true });
  } catch {
    return null;
  }
  try {
    // As TaskStore.openReadOnly: a reader only waits on a WAL recovery or checkpoint.
    db.exec("PRAGMA busy_timeout = 1000");
    const version = (db.query("SELECT value FROM meta WHERE key = 'tasks_schema'").get() as { value: string } | null)?.value;
    if (version !== String(TASKS_SCHEMA_VERSION)) return null;
    // The columns TaskStore.summaries() reads from `tasks`, so a table it could not read is not read here either.
    const rows = db
      .query(
        `SELECT status, count(*) AS n, NULL AS id, NULL AS created_at FROM tasks GROUP BY status
         UNION ALL
         SELECT status, 0, id, created_at FROM (SELECT id, name, status, classification, branch, reason, created_at, updated_at FROM tasks)
         WHERE status IN ('pending', 'pending_clarification')`,
      )
      .all() as { status: string; n: number; id: number | null; created_at: string | null }[];
    const out: TaskCounts = { byStatus: {}, waiting: [] };
    for (const r of rows) {
      if (r.id === null) out.byStatus[r.status] = r.n;
      else out.waiting.push({ id: r.id, status: r.status, createdAt: r.created_at! });
    }
    out.waiting.sort((a, b) => a.id - b.id);
    return out;
  } catch {
    return null;
  } finally {
    db.close();
  }
}

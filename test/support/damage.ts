// Damage an index the way a failing disk or a torn copy might: the header and the schema page stay
// intact, so the file opens and lists its tables, but the pages of some tables are overwritten.
// Deterministic: a table's root page comes from sqlite_master, and the pattern written (0xa5 in
// every byte) starts with no valid b-tree page type, so any read of such a page is SQLITE_CORRUPT.
import { Database } from "bun:sqlite";
import { closeSync, openSync, writeSync } from "node:fs";

/** Overwrite the root page of each of `tables` in the (closed) index at `dbPath`. */
export function damagePages(dbPath: string, tables: string[]): void {
  const db = new Database(dbPath);
  let pageSize: number;
  let pages: number[];
  try {
    // Everything into the file itself first: a page still in the WAL would be read from there.
    const ck = db.query("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number };
    if (ck.busy !== 0) throw new Error(`${dbPath} is still open elsewhere: close it before damaging it`);
    pageSize = (db.query("PRAGMA page_size").get() as { page_size: number }).page_size;
    pages = tables.map((t) => {
      const row = db.query("SELECT rootpage FROM sqlite_master WHERE name = ?").get(t) as { rootpage: number } | null;
      if (!row || row.rootpage < 2) throw new Error(`no table ${t} with a page of its own in ${dbPath}`);
      return row.rootpage;
    });
  } finally {
    db.close(true);
  }
  const fd = openSync(dbPath, "r+");
  try {
    for (const page of pages) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

/** The code and errno of the error a plain query on `dbPath` throws, or null when it does not throw. */
export function queryFailure(dbPath: string, sql: string): { code: unknown; errno: unknown } | null {
  const db = new Database(dbPath, { readonly: true });
  try {
    db.query(sql).all();
    return null;
  } catch (err) {
    const e = err as { code?: unknown; errno?: unknown };
    return { code: e.code, errno: e.errno };
  } finally {
    db.close(true);
  }
}

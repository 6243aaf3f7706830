// The status line's task counts, kept beside the store (`.skep/tasks-counts.json`) with the
// signature of the files they were read from, so a status line run every few seconds opens no
// database while nothing changed (loading bun:sqlite and opening three stores was a third of what
// `skep status --oneline` cost in a workspace). Any write to the store changes the signature:
// SQLite writes `tasks.db` and `tasks.db-wal` with write(2), which moves their mtime, and the
// WAL's coming and going changes its inode. (Not ctime: SQLite running as root fchowns the WAL
// at every open, a reader's too.) Counts are kept only when both files have been
// quiet for QUIET_MS before they were read: a write after that lands on a later clock tick, so a
// file system's coarse timestamps cannot hide it. Counts are display data; a cache that does not
// parse, or is for another schema, is ignored and rewritten.
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ownershipProblem } from "../trust/ownership.ts";
import { TASKS_SCHEMA_VERSION } from "./schema.ts";
import type { TaskCounts } from "./counts.ts";

/** How long a store must have been untouched before its counts are kept. */
export const QUIET_MS = 2000;

type FileSig = [ino: number, size: number, mtimeMs: number] | null;

interface CacheFile {
  format: 2;
  schema: number;
  sig: [FileSig, FileSig];
  counts: TaskCounts;
}

/** Where the counts of the store at `dbPath` are kept. */
export function countsCachePath(dbPath: string): string {
  return dbPath.replace(/tasks\.db$/, "tasks-counts.json");
}

/**
 * The counts of the tasks.db at `dbPath` (as readTaskCounts answers), from the cache when the
 * store has not changed since it was written. `read` is readTaskCounts (tests count its calls).
 */
export async function cachedTaskCounts(dbPath: string, opts: { read?: (path: string) => TaskCounts | null; now?: () => number } = {}): Promise<TaskCounts | null> {
  const sig: [FileSig, FileSig] = [sigOf(dbPath), sigOf(`${dbPath}-wal`)];
  const cachePath = countsCachePath(dbPath);
  const kept = readCache(cachePath);
  if (kept && sameSig(kept.sig, sig)) return kept.counts;
  // The signature is taken before the read: a write in between leaves counts newer than it says,
  // and the next run, seeing another signature, reads again.
  const read = opts.read ?? (await import("./counts.ts")).readTaskCounts;
  const counts = read(dbPath);
  const now = (opts.now ?? Date.now)();
  const quiet = sig.every((s) => s === null || now - s[2] >= QUIET_MS);
  if (counts && quiet && sig[0] !== null) writeCache(cachePath, { format: 2, schema: TASKS_SCHEMA_VERSION, sig, counts });
  return counts;
}

/** A file's signature; an empty file counts as none (a reader's open creates an empty WAL, which holds nothing). */
function sigOf(path: string): FileSig {
  try {
    const s = statSync(path, { throwIfNoEntry: false });
    return s && s.size > 0 ? [s.ino, s.size, s.mtimeMs] : null;
  } catch {
    return null;
  }
}

function sameSig(a: [FileSig, FileSig], b: [FileSig, FileSig]): boolean {
  return a.every((x, i) => {
    const y = b[i]!;
    return x === null || y === null ? x === y : x.every((v, j) => v === y[j]);
  });
}

const isSig = (v: unknown): boolean => v === null || (Array.isArray(v) && v.length === 3 && v.every((n) => typeof n === "number"));

function readCache(path: string): CacheFile | null {
  try {
    const c = JSON.parse(readFileSync(path, "utf8")) as CacheFile;
    const ok =
      c?.format === 2 &&
      c.schema === TASKS_SCHEMA_VERSION &&
      Array.isArray(c.sig) &&
      c.sig.length === 2 &&
      c.sig.every(isSig) &&
      typeof c.counts?.byStatus === "object" &&
      c.counts.byStatus !== null &&
      Object.values(c.counts.byStatus).every((n) => typeof n === "number") &&
      Array.isArray(c.counts.waiting) &&
      c.counts.waiting.every((w) => typeof w?.id === "number" && typeof w.status === "string" && typeof w.createdAt === "string");
    return ok ? c : null;
  } catch {
    return null;
  }
}

/**
 * Written only into a `.skep/` of this user's that nobody else can write (a registry may name a
 * repo someone else set up), through a new file (`wx`: never through a planted name or link).
 */
function writeCache(path: string, c: CacheFile): void {
  if (ownershipProblem(dirname(path)) !== null) return;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(c), { mode: 0o600, flag: "wx" });
    renameSync(tmp, path);
  } catch {
    // A read-only or full disk, or a name already taken: the next run reads the store again.
  }
}

// The index store: one SQLite file in WAL mode. Only the indexer writes; readers open it read-only.
import { Database, type Statement } from "bun:sqlite";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import type { Extraction } from "../parser/types.ts";
import { humpsOf, splitWords } from "./names.ts";
import { INDEX_SCHEMA, INDEX_SCHEMA_VERSION, INDEX_TABLES } from "./schema.ts";

export interface FileState {
  id: number;
  size: number;
  mtimeUs: number;
  hash: string | null;
  skipReason: string | null;
}

export interface FileStat {
  path: string;
  lang: string;
  size: number;
  mtimeUs: number;
}

export class IndexUnavailable extends Error {}

/** Open the index for writing, creating or rebuilding it when missing, corrupt or of another schema. */
export function openWritable(dbPath: string): Database {
  mkdirSync(dirname(dbPath), { recursive: true });
  let db: Database;
  try {
    db = new Database(dbPath, { create: true });
    configure(db);
    db.query("SELECT count(*) FROM sqlite_master").get(); // forces a read of the header
  } catch (err) {
    // Not a database (or damaged beyond use): keep the file aside for inspection, start afresh.
    const aside = `${dbPath}.corrupt-${Date.now()}`;
    renameSync(dbPath, aside);
    for (const ext of ["-wal", "-shm"]) if (existsSync(dbPath + ext)) renameSync(dbPath + ext, aside + ext);
    db = new Database(dbPath, { create: true });
    configure(db);
  }
  ensureSchema(db);
  return db;
}

/** Open an existing index read-only; throws IndexUnavailable with a reason when it cannot be read. */
export function openReadonly(dbPath: string): Database {
  if (!existsSync(dbPath)) throw new IndexUnavailable(`no index at ${dbPath}: run \`skep init\` or \`skep index\``);
  let db: Database;
  try {
    db = new Database(dbPath, { readonly: true });
    db.exec("PRAGMA busy_timeout = 5000");
    const version = (db.query("SELECT value FROM meta WHERE key = 'index_schema'").get() as { value: string } | null)?.value;
    if (Number(version) !== INDEX_SCHEMA_VERSION) {
      db.close();
      throw new IndexUnavailable(`the index at ${dbPath} was written by another skep version: run \`skep index\` to rebuild it`);
    }
  } catch (err) {
    if (err instanceof IndexUnavailable) throw err;
    throw new IndexUnavailable(`the index at ${dbPath} cannot be read (${(err as Error).message}): run \`skep index\` to rebuild it`);
  }
  return db;
}

function configure(db: Database): void {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA temp_store = MEMORY");
}

function ensureSchema(db: Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
  const row = db.query("SELECT value FROM meta WHERE key = 'index_schema'").get() as { value: string } | null;
  if (row && Number(row.value) === INDEX_SCHEMA_VERSION) return;
  db.transaction(() => {
    for (const t of [...INDEX_TABLES].reverse()) db.exec(`DROP TABLE IF EXISTS ${t}`);
    db.exec("DELETE FROM meta WHERE key NOT LIKE 'tasks_%'");
    db.exec(INDEX_SCHEMA.replace("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;", ""));
    db.query("INSERT OR REPLACE INTO meta(key, value) VALUES ('index_schema', ?)").run(String(INDEX_SCHEMA_VERSION));
  })();
}

export function getMeta(db: Database, key: string): string | null {
  return (db.query("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | null)?.value ?? null;
}

export function setMeta(db: Database, key: string, value: string | null): void {
  if (value === null) db.query("DELETE FROM meta WHERE key = ?").run(key);
  else db.query("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)").run(key, value);
}

/** Writes one file's extraction at a time; callers group calls into transactions. */
export class IndexWriter {
  private readonly upsertFile: Statement;
  private readonly insertSymbol: Statement;
  private readonly insertRef: Statement;
  private readonly insertImport: Statement;
  private readonly deleteSymbols: Statement;
  private readonly deleteRefs: Statement;
  private readonly deleteImports: Statement;
  private readonly deleteFileRow: Statement;
  private readonly deleteEdgesFrom: Statement;
  private readonly deleteEdgesTo: Statement;
  private readonly touch: Statement;
  private readonly fileId: Statement;
  private readonly namesOfFile: Statement;

  /** What changed since this writer was made, for the call graph to update only what it must. */
  readonly changes = {
    /** Names of symbols removed or added: references to these names may resolve differently now. */
    names: new Set<string>(),
    /** Files whose contents were rewritten (their own references need resolving again). */
    files: new Set<number>(),
    /** Paths that appeared or disappeared: import resolution may change for files importing them. */
    pathsAddedOrRemoved: new Set<string>(),
  };

  constructor(readonly db: Database) {
    this.upsertFile = db.prepare(
      `INSERT INTO files(path, lang, size, mtime_us, hash, skip_reason, syntax_errors, symbol_count, indexed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET lang = excluded.lang, size = excluded.size, mtime_us = excluded.mtime_us,
         hash = excluded.hash, skip_reason = excluded.skip_reason, syntax_errors = excluded.syntax_errors,
         symbol_count = excluded.symbol_count, indexed_at = excluded.indexed_at
       RETURNING id`,
    );
    this.insertSymbol = db.prepare(
      `INSERT INTO symbols(file_id, name, humps, words, kind, container, line, col, end_line, end_col, signature, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    this.insertRef = db.prepare("INSERT INTO refs(file_id, from_symbol, name, kind, line) VALUES (?, ?, ?, ?, ?)");
    this.insertImport = db.prepare("INSERT INTO imports(file_id, spec) VALUES (?, ?)");
    this.deleteSymbols = db.prepare("DELETE FROM symbols WHERE file_id = ?");
    this.deleteRefs = db.prepare("DELETE FROM refs WHERE file_id = ?");
    this.deleteImports = db.prepare("DELETE FROM imports WHERE file_id = ?");
    this.deleteFileRow = db.prepare("DELETE FROM files WHERE id = ?");
    this.deleteEdgesFrom = db.prepare("DELETE FROM edges WHERE from_symbol IN (SELECT id FROM symbols WHERE file_id = ?)");
    this.deleteEdgesTo = db.prepare("DELETE FROM edges WHERE to_symbol IN (SELECT id FROM symbols WHERE file_id = ?)");
    this.touch = db.prepare("UPDATE files SET size = ?, mtime_us = ? WHERE path = ?");
    this.fileId = db.prepare("SELECT id FROM files WHERE path = ?");
    this.namesOfFile = db.prepare("SELECT DISTINCT name FROM symbols WHERE file_id = ?");
  }

  /** Replace everything known about one file with a fresh extraction. Returns the new symbol ids. */
  writeParsed(stat: FileStat, hash: string, x: Extraction, now: number): number[] {
    if (!this.clearContents(stat.path)) this.changes.pathsAddedOrRemoved.add(stat.path);
    const { id: fileId } = this.upsertFile.get(
      stat.path, stat.lang, stat.size, stat.mtimeUs, hash, null, x.syntaxErrors, x.symbols.length, now,
    ) as { id: number };
    this.changes.files.add(fileId);
    const ids: number[] = [];
    for (const s of x.symbols) {
      const words = splitWords(s.name).join(" ");
      const row = this.insertSymbol.get(
        fileId, s.name, humpsOf(s.name), words, s.kind, s.container, s.line, s.col, s.endLine, s.endCol, s.signature, s.doc,
      ) as { id: number };
      ids.push(row.id);
      this.changes.names.add(s.name);
    }
    for (const r of x.refs) {
      this.insertRef.run(fileId, r.enclosing === null ? null : ids[r.enclosing]!, r.name, r.kind === "call" ? 0 : 1, r.line);
    }
    for (const spec of x.imports) this.insertImport.run(fileId, spec);
    return ids;
  }

  /** Record a file that is listed but not parsed, and why. */
  writeSkipped(stat: FileStat, hash: string | null, reason: string, now: number): void {
    if (!this.clearContents(stat.path)) this.changes.pathsAddedOrRemoved.add(stat.path);
    this.upsertFile.get(stat.path, stat.lang, stat.size, stat.mtimeUs, hash, reason, 0, 0, now);
  }

  /** Content unchanged (same hash), only size/mtime moved: remember them so the next run skips the read. */
  touchFile(path: string, size: number, mtimeUs: number): void {
    this.touch.run(size, mtimeUs, path);
  }

  deleteFile(path: string): void {
    const row = this.fileId.get(path) as { id: number } | null;
    if (!row) return;
    this.clearContents(path);
    this.deleteFileRow.run(row.id);
    this.changes.pathsAddedOrRemoved.add(path);
  }

  /** Remove a file's symbols, references, imports and edges; false when the file was not known. */
  private clearContents(path: string): boolean {
    const row = this.fileId.get(path) as { id: number } | null;
    if (!row) return false;
    for (const { name } of this.namesOfFile.all(row.id) as { name: string }[]) this.changes.names.add(name);
    this.deleteEdgesFrom.run(row.id);
    this.deleteEdgesTo.run(row.id);
    this.deleteRefs.run(row.id);
    this.deleteImports.run(row.id);
    this.deleteSymbols.run(row.id);
    return true;
  }
}

export function loadFileStates(db: Database): Map<string, FileState> {
  const out = new Map<string, FileState>();
  const rows = db
    .query("SELECT id, path, size, mtime_us AS mtimeUs, hash, skip_reason AS skipReason FROM files")
    .all() as (FileState & { path: string })[];
  for (const r of rows) out.set(r.path, { id: r.id, size: r.size, mtimeUs: r.mtimeUs, hash: r.hash, skipReason: r.skipReason });
  return out;
}

// The index store: one SQLite file in WAL mode. Only the indexer writes; readers open it read-only.
import { SkepError } from "../errors.ts";
import { Database, type Statement } from "bun:sqlite";
import { progressOn } from "../util/terminal.ts";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Extraction } from "../parser/types.ts";
import { PackedGraph } from "../graph/edges.ts";
import { refCountOf, refKindOf } from "../parser/ref-kinds.ts";
import { packExtraction, SymbolReader, type PackedExtraction } from "./packed.ts";
import {
  DEFERRED_INDEXES,
  FTS_TRIGGER_NAMES,
  FTS_TRIGGERS,
  INDEX_SCHEMA,
  INDEX_SCHEMA_VERSION,
  INDEX_TABLES,
} from "./schema.ts";

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

/** The index cannot be read (missing, damaged, from a newer skep): the message names the file and the fix. */
export class IndexUnavailable extends SkepError {
  constructor(message: string) {
    super("unavailable", message);
  }
}

export const isIndexUnavailable = (err: unknown): boolean => err instanceof IndexUnavailable;

/**
 * SQLite found the file damaged: SQLITE_CORRUPT (and its extended codes) or SQLITE_NOTADB.
 * bun:sqlite names the code in `err.code` ("SQLITE_CORRUPT", errno 11).
 */
export function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB");
}

/** Open the index for writing, creating or rebuilding it when missing, corrupt or of another schema. */
export function openWritable(dbPath: string): Database {
  return openWritableFile(dbPath, true);
}

/** `replace`: a file damaged behind its header is replaced (once: the replacement is opened with false). */
function openWritableFile(dbPath: string, replace: boolean): Database {
  mkdirSync(dirname(dbPath), { recursive: true });
  let db: Database | undefined;
  try {
    db = new Database(dbPath, { create: true });
    configure(db);
    db.query("SELECT count(*) FROM sqlite_master").get(); // forces a read of the header
  } catch (err) {
    // Not a database (or damaged beyond use): keep the file aside for inspection, start afresh.
    // (A connection that could not read the header never opened the WAL: nothing to finalize.)
    db?.close();
    moveAside(dbPath, err);
    db = new Database(dbPath, { create: true });
    configure(db);
  }
  try {
    ensureSchema(db);
  } catch (err) {
    // The header and schema read fine but the pages behind them (meta, or a table a schema change
    // drops) are damaged. Only damage: a busy or read-only file must not cost the index.
    if (!replace || !isCorruptionError(err)) {
      db.close();
      throw err;
    }
    return replaceDamaged(db, err).db;
  }
  return db;
}

/**
 * Close a damaged writable index, move its file aside (see moveAside) and open an empty one in its
 * place. The new connection is the caller's from then on; `db` is closed.
 */
export function replaceDamaged(db: Database, reason: unknown): { db: Database; aside: string } {
  const dbPath = db.filename;
  if (db.inTransaction) {
    try {
      db.exec("ROLLBACK");
    } catch {
      // the close below drops the transaction anyway
    }
  }
  // Closed for good before the rename (close(true) finalizes every statement): a connection left
  // open on the renamed file would, when it finally closes, delete "index.db-wal" by name, which
  // by then is the new index's WAL.
  db.close(true);
  const aside = moveAside(dbPath, reason);
  return { db: openWritableFile(dbPath, false), aside };
}

/**
 * Move a damaged index (with its -wal and -shm, which belong to it) aside as
 * `index.db.corrupt-<ms>`, kept for inspection, and say so on stderr. Drops any damage note.
 */
function moveAside(dbPath: string, reason: unknown): string {
  const aside = `${dbPath}.corrupt-${Date.now()}`;
  renameSync(dbPath, aside);
  for (const ext of ["-wal", "-shm"]) if (existsSync(dbPath + ext)) renameSync(dbPath + ext, aside + ext);
  rmSync(dbPath + DAMAGE_NOTE, { force: true });
  // On a terminal, erase a progress line first so the message stands on a line of its own.
  const clear = progressOn(process.stderr) ? "\r\x1b[K" : "";
  process.stderr.write(`${clear}skep: ${dbPath} is damaged (${reasonText(reason)}); moved it aside as ${aside} and rebuilding the index from scratch\n`);
  return aside;
}

const reasonText = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason));

/**
 * Beside index.db, written by whoever meets damage that the writer did not: a read, or a daemon
 * run outside indexRepo. A run that changes nothing reads only a few pages, so without the note
 * `skep index` could keep saying all is well while every search fails. It names the file's inode,
 * so a note about a file that has since been replaced (a reader still on the old one) is ignored.
 */
const DAMAGE_NOTE = ".damaged";

/** The inode of the file each connection of openReadonly opened: the file it reads, even after a rename. */
const openedInode = new WeakMap<Database, number>();

/** Remember that SQLite found the index at `dbPath` damaged, for the next indexRepo to rebuild it. */
export function noteDamaged(dbPath: string, reason: unknown, db?: Database): void {
  try {
    const ino = (db && openedInode.get(db)) ?? statSync(dbPath).ino;
    writeFileSync(dbPath + DAMAGE_NOTE, `${JSON.stringify({ ino, reason: reasonText(reason) })}\n`);
  } catch {
    // A read-only .skep (or the index gone): the read still fails clearly, and a run that meets
    // the damage itself still rebuilds.
  }
}

/** Why the index at `dbPath` was noted damaged, or null. A note about another file is removed. */
export function damageNoted(dbPath: string): string | null {
  const notePath = dbPath + DAMAGE_NOTE;
  if (!existsSync(notePath)) return null;
  try {
    const note = JSON.parse(readFileSync(notePath, "utf8")) as { ino: number; reason: string };
    if (note.ino === statSync(dbPath).ino) return note.reason;
  } catch {
    // unreadable note, or no index file: nothing to rebuild
  }
  rmSync(notePath, { force: true });
  return null;
}

/**
 * What a read path throws for an error it met reading the index at `dbPath` (through `db`, when
 * open): damage becomes an IndexUnavailable naming the file, and is noted so that the `skep index`
 * it asks for rebuilds the file; any other error is returned unchanged.
 */
export function indexReadError(err: unknown, dbPath: string, db?: Database): unknown {
  if (!isCorruptionError(err)) return err;
  noteDamaged(dbPath, err, db);
  return new IndexUnavailable(`the index at ${dbPath} is damaged (${reasonText(err)}): run \`skep index\` to rebuild it`);
}

/**
 * The file this read-only connection opened is no longer at its path: moved aside as damaged and
 * rebuilt (or deleted). Long-lived readers (the daemon, the MCP server) reopen when this is true.
 */
export function indexFileReplaced(db: Database): boolean {
  const ino = openedInode.get(db);
  if (ino === undefined) return false;
  try {
    return statSync(db.filename).ino !== ino;
  } catch {
    return true;
  }
}

/** Open an existing index read-only; throws IndexUnavailable with a reason when it cannot be read. */
export function openReadonly(dbPath: string): Database {
  if (!existsSync(dbPath)) throw new IndexUnavailable(`no index at ${dbPath}: run \`skep init\` or \`skep index\``);
  let db: Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true });
    // Taken right after the open: the file this connection reads (a rename in between is not
    // worth guarding; it would only make the daemon or MCP server reopen once more).
    openedInode.set(db, statSync(dbPath).ino);
    db.exec("PRAGMA busy_timeout = 5000");
    const version = (db.query("SELECT value FROM meta WHERE key = 'index_schema'").get() as { value: string } | null)?.value;
    if (Number(version) !== INDEX_SCHEMA_VERSION) {
      db.close();
      throw new IndexUnavailable(`the index at ${dbPath} was written by another skep version: run \`skep index\` to rebuild it`);
    }
  } catch (err) {
    if (err instanceof IndexUnavailable) throw err;
    const damaged = indexReadError(err, dbPath, db);
    db?.close();
    if (damaged instanceof IndexUnavailable) throw damaged;
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
  if (row && Number(row.value) === INDEX_SCHEMA_VERSION && !isPartialBuild(db)) return;
  resetIndex(db);
}

/** Meta key set while a cold build runs without its secondary indexes and FTS triggers. */
export const BULK_MARKER = "bulk_build";
/**
 * Meta keys set while a run's call graph and ranks are behind its symbols: `graph_pending` by
 * indexRepo, `daemon_run_open` by the daemon's index worker. Each is cleared with `indexed_at`.
 */
export const GRAPH_MARKERS = ["graph_pending", "daemon_run_open"] as const;

/** A cold build was interrupted: the tables lack their indexes and triggers and must be rebuilt. */
export function isPartialBuild(db: Database): boolean {
  return getMeta(db, BULK_MARKER) !== null;
}

/** Drop every index table and create them afresh, empty (the index is derived data). */
export function resetIndex(db: Database): void {
  db.transaction(() => {
    db.exec("DROP VIEW IF EXISTS refs_by_name");
    for (const t of [...INDEX_TABLES].reverse()) db.exec(`DROP TABLE IF EXISTS ${t}`);
    db.exec("DELETE FROM meta WHERE key NOT LIKE 'tasks_%'");
    db.exec(INDEX_SCHEMA.replace("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;", ""));
    db.query("INSERT OR REPLACE INTO meta(key, value) VALUES ('index_schema', ?)").run(String(INDEX_SCHEMA_VERSION));
  })();
}

/**
 * Prepare an empty index for a cold build: drop the secondary indexes and FTS triggers, so rows go
 * in without index or FTS upkeep. finishBulkSearch() and finishBulkGraph() restore both; until
 * then a marker in meta makes any later open (after a crash) or run start over.
 */
export function beginBulkBuild(db: Database): void {
  db.transaction(() => {
    setMeta(db, BULK_MARKER, "1");
    for (const t of FTS_TRIGGER_NAMES) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
    for (const i of DEFERRED_INDEXES) db.exec(`DROP INDEX IF EXISTS ${i.name}`);
    for (const t of ["edges", "name_files", "refs", "ref_names", "imports", "supertypes", "symbols", "files"]) db.exec(`DELETE FROM ${t}`);
    db.exec("INSERT INTO symbols_fts(symbols_fts) VALUES ('delete-all')");
    db.exec("INSERT INTO symbols_tri(symbols_tri) VALUES ('delete-all')");
  })();
  // Index builds sort: a larger page cache and helper threads for the sorter (the parse workers
  // are done by then) make them cheaper.
  db.exec(`PRAGMA cache_size = -${BULK_CACHE_KIB}`);
  db.exec("PRAGMA threads = 2");
}

const BULK_CACHE_KIB = 64 * 1024;

/** After a cold build's inserts: the indexes search needs, the FTS tables filled from symbols, the triggers back. */
export function finishBulkSearch(db: Database): void {
  db.transaction(() => {
    for (const i of DEFERRED_INDEXES) if (i.name !== "edges_to") db.exec(i.sql);
    // Filled in one sorted pass rather than file by file (which would insert all over its B-tree).
    db.exec("INSERT INTO name_files(name_id, file_id) SELECT DISTINCT name_id, file_id FROM refs ORDER BY name_id, file_id");
    // What the insert trigger does row by row, in one statement per table, in rowid order (without
    // ORDER BY, SQLite reads (id, name) from the name index, and FTS5 takes rows out of order four
    // times slower). Go standard library: 0.8 s for both, against 2.1 s for FTS5's 'rebuild'.
    db.exec("INSERT INTO symbols_fts(rowid, words, container, signature, doc) SELECT id, words, container, signature, doc FROM symbols ORDER BY id");
    db.exec("INSERT INTO symbols_tri(rowid, name) SELECT id, name FROM symbols ORDER BY id");
    for (const sql of FTS_TRIGGERS) db.exec(sql);
  })();
}

/** After a cold build's edges are in: their reverse index, and the index is whole again. */
export function finishBulkGraph(db: Database): void {
  db.transaction(() => {
    for (const i of DEFERRED_INDEXES) if (i.name === "edges_to") db.exec(i.sql);
    setMeta(db, BULK_MARKER, null);
  })();
  db.exec("PRAGMA cache_size = -2000");
  db.exec("PRAGMA threads = 0");
}

export function getMeta(db: Database, key: string): string | null {
  return (db.query("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | null)?.value ?? null;
}

export function setMeta(db: Database, key: string, value: string | null): void {
  if (value === null) db.query("DELETE FROM meta WHERE key = ?").run(key);
  else db.query("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)").run(key, value);
}

/**
 * The rank a cold build inserts symbols with, until PageRank replaces it moments later. Any
 * non-integral value: SQLite stores an integral REAL (0) in no bytes and a fractional one in 8, so
 * a row inserted with 0 grows when its rank is set, and 256k growing rows split a tenth of the
 * table's pages.
 */
const RANK_PLACEHOLDER = 1e-9;

interface OldSymbol {
  id: number;
  name: string;
  kind: string;
  container: string | null;
  line: number;
  col: number;
  end_line: number;
  end_col: number;
  signature: string;
  doc: string | null;
  type_ref: string | null;
  arity: string | null;
}

const symbolKey = (name: string, kind: string, container: string | null) => `${name}\0${kind}\0${container ?? ""}`;

/**
 * Writes one file's extraction at a time; callers group calls into transactions.
 *
 * A re-parsed file keeps the ids of its symbols that still exist (same name, kind and container,
 * matched in order), so edges into them stay valid and their rank is kept; only symbols that
 * appeared or went away change which names must be resolved again.
 *
 * In bulk mode (a cold build into an empty index, see beginBulkBuild) the writer only inserts,
 * assigns symbol ids itself, and keeps what the call graph needs in memory (`graph`), so edges are
 * computed without reading anything back.
 */
export class IndexWriter {
  private readonly upsertFile: Statement;
  private readonly insertSymbol: Statement;
  private readonly insertSymbolBulk: Statement;
  private readonly insertRef: Statement;
  private readonly nameId: Statement;
  private readonly insertName: Statement;
  private readonly insertNameFile: Statement;
  private readonly nameIdsOfFile: Statement;
  private readonly deleteNameFile: Statement;
  private readonly deleteUnusedName: Statement;
  /** Bulk mode: name ids (shared with the graph) already in ref_names. */
  private readonly namesWritten = new Set<number>();
  private readonly insertImport: Statement;
  private readonly fileId: Statement;
  private readonly touch: Statement;
  private readonly symbolsOfFile: Statement;
  private readonly updatePosition: Statement;
  private readonly updateText: Statement;
  private readonly deleteSymbol: Statement;
  private readonly deleteEdgesFromSymbol: Statement;
  private readonly deleteEdgesToSymbol: Statement;
  private readonly deleteRefsOfFile: Statement;
  private readonly deleteImports: Statement;
  private readonly insertRelation: Statement;
  private readonly deleteRelations: Statement;
  private readonly deleteSymbols: Statement;
  private readonly deleteFileRow: Statement;
  private readonly deleteEdgesFrom: Statement;
  private readonly deleteEdgesTo: Statement;
  private readonly namesOfFile: Statement;
  private nextSymbolId = 0;

  /** What changed since this writer was made, for the call graph to update only what it must. */
  readonly changes = {
    /** Names of symbols removed or added: references to these names may resolve differently now. */
    names: new Set<string>(),
    /** Files whose contents were rewritten (their own references need resolving again). */
    files: new Set<number>(),
    /** Paths that appeared or disappeared: import resolution may change for files importing them. */
    pathsAddedOrRemoved: new Set<string>(),
  };

  /** Bulk mode only: every file, symbol, reference and import written (ids and name ids, packed). */
  readonly graph: PackedGraph | null;

  constructor(
    readonly db: Database,
    opts: { bulk?: boolean } = {},
  ) {
    this.graph = opts.bulk ? new PackedGraph() : null;
    if (this.graph) {
      this.nextSymbolId = ((db.query("SELECT max(id) AS n FROM symbols").get() as { n: number | null }).n ?? 0) + 1;
    }
    this.upsertFile = db.prepare(
      `INSERT INTO files(path, lang, size, mtime_us, hash, skip_reason, syntax_errors, symbol_count, indexed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET lang = excluded.lang, size = excluded.size, mtime_us = excluded.mtime_us,
         hash = excluded.hash, skip_reason = excluded.skip_reason, syntax_errors = excluded.syntax_errors,
         symbol_count = excluded.symbol_count, indexed_at = excluded.indexed_at
       RETURNING id`,
    );
    this.insertSymbol = db.prepare(
      `INSERT INTO symbols(id, file_id, name, humps, words, kind, container, line, col, end_line, end_col, signature, doc, type_ref, arity)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    this.insertSymbolBulk = db.prepare(
      `INSERT INTO symbols(id, file_id, name, humps, words, kind, container, line, col, end_line, end_col, signature, doc, type_ref, arity, rank)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertRef = db.prepare("INSERT INTO refs(file_id, from_symbol, name_id, kind, recv, args, arg_types, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    this.insertRelation = db.prepare("INSERT INTO supertypes(file_id, name, base) VALUES (?, ?, ?)");
    this.deleteRelations = db.prepare("DELETE FROM supertypes WHERE file_id = ?");
    this.nameId = db.prepare("SELECT id FROM ref_names WHERE name = ?");
    this.insertName = db.prepare("INSERT INTO ref_names(id, name) VALUES (?, ?) RETURNING id");
    this.insertNameFile = db.prepare("INSERT OR IGNORE INTO name_files(name_id, file_id) VALUES (?, ?)");
    this.nameIdsOfFile = db.prepare("SELECT DISTINCT name_id FROM refs WHERE file_id = ?");
    this.deleteNameFile = db.prepare("DELETE FROM name_files WHERE name_id = ? AND file_id = ?");
    this.deleteUnusedName = db.prepare("DELETE FROM ref_names WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM name_files WHERE name_id = ?1)");
    this.insertImport = db.prepare("INSERT INTO imports(file_id, spec) VALUES (?, ?)");
    this.fileId = db.prepare("SELECT id FROM files WHERE path = ?");
    this.touch = db.prepare("UPDATE files SET size = ?, mtime_us = ? WHERE path = ?");
    this.symbolsOfFile = db.prepare(
      "SELECT id, name, kind, container, line, col, end_line, end_col, signature, doc, type_ref, arity FROM symbols WHERE file_id = ? ORDER BY id",
    );
    // Only the position: the FTS trigger (AFTER UPDATE OF name, words, container, signature, doc) stays quiet.
    this.updatePosition = db.prepare("UPDATE symbols SET line = ?, col = ?, end_line = ?, end_col = ? WHERE id = ?");
    this.updateText = db.prepare("UPDATE symbols SET line = ?, col = ?, end_line = ?, end_col = ?, signature = ?, doc = ?, type_ref = ?, arity = ? WHERE id = ?");
    this.deleteSymbol = db.prepare("DELETE FROM symbols WHERE id = ?");
    this.deleteEdgesFromSymbol = db.prepare("DELETE FROM edges WHERE from_symbol = ?");
    this.deleteEdgesToSymbol = db.prepare("DELETE FROM edges WHERE to_symbol = ?");
    this.deleteRefsOfFile = db.prepare("DELETE FROM refs WHERE file_id = ?");
    this.deleteImports = db.prepare("DELETE FROM imports WHERE file_id = ?");
    this.deleteSymbols = db.prepare("DELETE FROM symbols WHERE file_id = ?");
    this.deleteFileRow = db.prepare("DELETE FROM files WHERE id = ?");
    this.deleteEdgesFrom = db.prepare("DELETE FROM edges WHERE from_symbol IN (SELECT id FROM symbols WHERE file_id = ?)");
    this.deleteEdgesTo = db.prepare("DELETE FROM edges WHERE to_symbol IN (SELECT id FROM symbols WHERE file_id = ?)");
    this.namesOfFile = db.prepare("SELECT DISTINCT name FROM symbols WHERE file_id = ?");
  }

  /** Replace everything known about one file with a fresh extraction. Returns the symbol ids, in extraction order. */
  writeParsed(stat: FileStat, hash: string, extraction: Extraction | PackedExtraction, now: number): number[] {
    const x = "packed" in extraction ? extraction : packExtraction(extraction);
    const prev = this.graph ? null : (this.fileId.get(stat.path) as { id: number } | null);
    let old: OldSymbol[] = [];
    let oldNameIds: number[] = [];
    if (prev) {
      old = this.symbolsOfFile.all(prev.id) as OldSymbol[];
      oldNameIds = this.dropRefs(prev.id);
      this.deleteImports.run(prev.id);
      this.deleteRelations.run(prev.id);
    } else this.changes.pathsAddedOrRemoved.add(stat.path);
    const { id: fileId } = this.upsertFile.get(
      stat.path, stat.lang, stat.size, stat.mtimeUs, hash, null, x.syntaxErrors, x.count, now,
    ) as { id: number };
    this.changes.files.add(fileId);

    const symbols = new SymbolReader(x);
    const ids = this.graph ? this.insertAll(fileId, symbols) : this.patchSymbols(fileId, old, symbols);
    const refNames = symbols.refNames();
    const nameIds = new Set<number>();
    for (let i = 0; i < refNames.length; i++) {
      const nameId = this.intern(refNames[i]!);
      nameIds.add(nameId);
      const recv = x.refReceivers[i]!;
      const from = ids[x.refEnclosing[i]!]!;
      const kc = x.refKindCount[i]!;
      const args = x.refArgs[i]!;
      const argTypes = x.refArgTypes[i]!;
      this.insertRef.run(fileId, from, nameId, refKindOf(kc), recv, args, argTypes, refCountOf(kc));
      this.graph?.addRef(from, fileId, nameId, kc, recv ? this.graph.nameId(recv) : 0, args, argTypes ? this.graph.nameId(argTypes) : 0);
    }
    for (let i = 0; i < x.relations.length; i += 2) {
      this.insertRelation.run(fileId, x.relations[i]!, x.relations[i + 1]!);
      this.graph?.relations.push({ fileId, type: x.relations[i]!, base: x.relations[i + 1]! });
    }
    if (!this.graph) {
      // (Bulk builds fill name_files in one pass at the end.)
      for (const id of nameIds) this.insertNameFile.run(id, fileId);
      for (const id of oldNameIds) if (!nameIds.has(id)) this.deleteUnusedName.run(id);
    }
    for (const spec of x.imports) this.insertImport.run(fileId, spec);
    if (this.graph) {
      this.graph.files.push({ id: fileId, path: stat.path, lang: stat.lang });
      if (x.imports.length) this.graph.imports.set(fileId, x.imports);
    }
    return ids;
  }

  /** The id of a reference name, added when new. */
  private intern(name: string): number {
    if (this.graph) {
      const id = this.graph.nameId(name);
      if (!this.namesWritten.has(id)) {
        this.insertName.get(id, name);
        this.namesWritten.add(id);
      }
      return id;
    }
    const row = this.nameId.get(name) as { id: number } | null;
    return row ? row.id : (this.insertName.get(null, name) as { id: number }).id;
  }

  /** Delete a file's references and its name_files rows; returns the name ids it referenced. */
  private dropRefs(fileId: number): number[] {
    const ids = (this.nameIdsOfFile.all(fileId) as { name_id: number }[]).map((r) => r.name_id);
    for (const id of ids) this.deleteNameFile.run(id, fileId);
    this.deleteRefsOfFile.run(fileId);
    return ids;
  }

  private insertAll(fileId: number, s: SymbolReader): number[] {
    const ids: number[] = [];
    while (s.next()) {
      const id = this.nextSymbolId++;
      this.insertSymbolBulk.run(
        id, fileId, s.name, s.humps, s.words, s.kind, s.container, s.line, s.col, s.endLine, s.endCol, s.signature, s.doc, s.typeRef, s.arity, RANK_PLACEHOLDER,
      );
      this.graph!.addSymbol(id, fileId, s.name, s.kind, s.container, s.typeRef, s.arity);
      ids.push(id);
    }
    return ids;
  }

  /** Bring a file's stored symbols in line with `x`, keeping the ids of those that still exist. */
  private patchSymbols(fileId: number, old: OldSymbol[], s: SymbolReader): number[] {
    const byKey = new Map<string, OldSymbol[]>();
    for (const o of old) {
      const k = symbolKey(o.name, o.kind, o.container);
      const list = byKey.get(k);
      if (list) list.push(o);
      else byKey.set(k, [o]);
    }
    const ids: number[] = [];
    while (s.next()) {
      const o = byKey.get(symbolKey(s.name, s.kind, s.container))?.shift();
      if (o) {
        ids.push(o.id);
        if (o.signature !== s.signature || o.doc !== s.doc || o.type_ref !== s.typeRef || o.arity !== s.arity) {
          // A changed declared or return type, or parameter count, changes what calls of it resolve to.
          if (o.type_ref !== s.typeRef || o.arity !== s.arity) this.changes.names.add(s.name);
          this.updateText.run(s.line, s.col, s.endLine, s.endCol, s.signature, s.doc, s.typeRef, s.arity, o.id);
        } else if (o.line !== s.line || o.col !== s.col || o.end_line !== s.endLine || o.end_col !== s.endCol) {
          this.updatePosition.run(s.line, s.col, s.endLine, s.endCol, o.id);
        }
        continue;
      }
      const row = this.insertSymbol.get(null, fileId, s.name, s.humps, s.words, s.kind, s.container, s.line, s.col, s.endLine, s.endCol, s.signature, s.doc, s.typeRef, s.arity) as {
        id: number;
      };
      ids.push(row.id);
      this.changes.names.add(s.name);
    }
    for (const rest of byKey.values()) {
      for (const o of rest) {
        this.deleteEdgesFromSymbol.run(o.id);
        this.deleteEdgesToSymbol.run(o.id);
        this.deleteSymbol.run(o.id);
        this.changes.names.add(o.name);
      }
    }
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

  /** false: the index did not hold the path. */
  deleteFile(path: string): boolean {
    const row = this.fileId.get(path) as { id: number } | null;
    if (!row) return false;
    this.clearContents(path);
    this.deleteFileRow.run(row.id);
    this.changes.pathsAddedOrRemoved.add(path);
    return true;
  }

  /** Remove a file's symbols, references, imports and edges; false when the file was not known. */
  private clearContents(path: string): boolean {
    const row = this.fileId.get(path) as { id: number } | null;
    if (!row) return false;
    for (const { name } of this.namesOfFile.all(row.id) as { name: string }[]) this.changes.names.add(name);
    this.deleteEdgesFrom.run(row.id);
    this.deleteEdgesTo.run(row.id);
    for (const id of this.dropRefs(row.id)) this.deleteUnusedName.run(id);
    this.deleteImports.run(row.id);
    this.deleteRelations.run(row.id);
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

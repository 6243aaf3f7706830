// A portable index: `skep index export` writes the index as a zstd-compressed SQLite file that a
// fresh clone elsewhere can adopt with `skep index import`, so a CI job builds the index once and
// every later job and developer checkout starts warm.
//
// Portable means: paths stay repo-relative (they already are), the absolute root and timings are
// dropped, and every file's mtime is zeroed so that the first index run after an import reads and
// hashes each file and parses again only those whose content hash differs from the export's.
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { EXTRACTOR_VERSION } from "../parser/version.ts";
import { INDEX_SCHEMA_VERSION } from "./schema.ts";
import { getMeta, isPartialBuild, openReadonly } from "./store.ts";

/** Bumped when what an export holds changes shape beyond the index schema itself. */
export const PORTABLE_FORMAT = "1";

/** Meta keys that mean the same on another machine; the rest (root, indexed_at, markers) are dropped. */
const PORTABLE_META = ["index_schema", "extractor", "resolver", "head", "other_files", "discovery"];

export class PortableIndexError extends Error {}

export interface ExportReport {
  files: number;
  symbols: number;
  bytes: number;
  head: string | null;
}

function counts(db: Database): { files: number; symbols: number } {
  return db.query("SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM symbols) AS symbols").get() as { files: number; symbols: number };
}

/** Write the index at `dbPath` to `outFile` (replaced whole, never half-written). */
export function exportIndex(dbPath: string, outFile: string): ExportReport {
  const src = openReadonly(dbPath);
  const tmpDb = `${outFile}.${process.pid}.db`;
  try {
    if (isPartialBuild(src) || getMeta(src, "graph_pending") !== null) {
      throw new PortableIndexError(`the index at ${dbPath} is incomplete (a build was interrupted): run \`skep index\` first`);
    }
    rmSync(tmpDb, { force: true });
    src.query("VACUUM INTO ?").run(tmpDb);
  } finally {
    src.close();
  }
  try {
    const db = new Database(tmpDb);
    let report: Omit<ExportReport, "bytes">;
    try {
      db.transaction(() => {
        db.exec("UPDATE files SET mtime_us = 0, indexed_at = 0");
        db.query(`DELETE FROM meta WHERE key NOT IN (${PORTABLE_META.map(() => "?").join(",")})`).run(...PORTABLE_META);
        db.query("INSERT OR REPLACE INTO meta(key, value) VALUES ('portable_format', ?)").run(PORTABLE_FORMAT);
      })();
      db.exec("VACUUM");
      report = { ...counts(db), head: getMeta(db, "head") };
    } finally {
      db.close();
    }
    const packed = Bun.zstdCompressSync(readFileSync(tmpDb), { level: 9 });
    const tmpOut = `${outFile}.${process.pid}.tmp`;
    writeFileSync(tmpOut, packed);
    renameSync(tmpOut, outFile);
    return { ...report, bytes: packed.length };
  } finally {
    rmSync(tmpDb, { force: true });
  }
}

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** A path an export may hold: relative, forward slashes, no `..` segment. Anything else is refused. */
const UNSAFE_PATH = "path = '' OR path LIKE '/%' OR instr(path, char(92)) > 0 OR path = '..' OR path LIKE '../%' OR path LIKE '%/../%' OR path LIKE '%/..'";

/**
 * Check `file` is an export this skep can adopt and put it in place of the index at `dbPath`.
 * The caller then runs the indexer, which re-parses only files whose content differs.
 */
export function importIndex(file: string, dbPath: string): { files: number; head: string | null } {
  if (!existsSync(file)) throw new PortableIndexError(`no such file: ${file}`);
  const bytes = new Uint8Array(readFileSync(file));
  if (bytes.length < 4 || ZSTD_MAGIC.some((b, i) => bytes[i] !== b)) throw new PortableIndexError(`${file} is not a skep index export (not zstd-compressed)`);
  let raw: Uint8Array;
  try {
    raw = Bun.zstdDecompressSync(bytes);
  } catch (err) {
    throw new PortableIndexError(`${file} is damaged: ${(err as Error).message}`);
  }
  const staged = `${dbPath}.import-${process.pid}`;
  writeFileSync(staged, raw);
  let ok = false;
  try {
    let db: Database;
    try {
      db = new Database(staged, { readonly: true });
    } catch (err) {
      throw new PortableIndexError(`${file} is not a skep index export (${(err as Error).message})`);
    }
    let result: { files: number; head: string | null };
    try {
      let format: string | null;
      try {
        format = getMeta(db, "portable_format");
      } catch {
        throw new PortableIndexError(`${file} is not a skep index export`);
      }
      if (format !== PORTABLE_FORMAT) throw new PortableIndexError(`${file} is not a skep index export this skep reads (format ${format ?? "none"}, want ${PORTABLE_FORMAT})`);
      const schema = getMeta(db, "index_schema");
      const extractor = getMeta(db, "extractor");
      if (schema !== String(INDEX_SCHEMA_VERSION) || extractor !== String(EXTRACTOR_VERSION)) {
        throw new PortableIndexError(
          `${file} was exported by another skep version (index schema ${schema}, extractor ${extractor}; this skep: ${INDEX_SCHEMA_VERSION}, ${EXTRACTOR_VERSION}): export it again with this version, or run \`skep index\``,
        );
      }
      const check = (db.query("PRAGMA quick_check").get() as { quick_check: string }).quick_check;
      if (check !== "ok") throw new PortableIndexError(`${file} is damaged: ${check}`);
      const bad = db.query(`SELECT path FROM files WHERE ${UNSAFE_PATH} LIMIT 1`).get() as { path: string } | null;
      if (bad) throw new PortableIndexError(`${file} names a path outside the repo ('${bad.path}'): refusing it`);
      result = { files: counts(db).files, head: getMeta(db, "head") };
    } finally {
      db.close();
    }
    for (const ext of ["-wal", "-shm"]) rmSync(dbPath + ext, { force: true });
    renameSync(staged, dbPath);
    ok = true;
    return result;
  } finally {
    if (!ok) rmSync(staged, { force: true });
  }
}

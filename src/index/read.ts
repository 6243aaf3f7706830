// Reads of the index beyond search and the graph: one file's symbols, and one symbol's source text
// (read from disk, bounded, and flagged when the file changed since it was indexed).
import type { Database } from "bun:sqlite";
import { closeSync, fstatSync, openSync, readSync, constants } from "node:fs";
import { join } from "node:path";
import type { SymbolRef } from "../protocol/index-answers.ts";
import { findSymbols } from "../graph/queries.ts";
import { MAX_FILE_BYTES } from "./inspect.ts";

export interface FileSymbol {
  id: number;
  name: string;
  kind: string;
  container: string | null;
  line: number;
  endLine: number;
  signature: string;
  rank: number;
  doc?: string | null;
}

export interface FileContext {
  path: string;
  lang: string;
  skipped: string | null;
  symbols: FileSymbol[];
}

/** A file's symbols in source order, or null when the index does not list the file. */
export function fileContext(db: Database, path: string, opts: { docs?: boolean } = {}): FileContext | null {
  const clean = path.replace(/^\.\//, "");
  const file = db.query("SELECT id, path, lang, skip_reason AS skipped FROM files WHERE path = ?").get(clean) as
    | { id: number; path: string; lang: string; skipped: string | null }
    | null;
  if (!file) return null;
  const rows = db
    .query(
      `SELECT id, name, kind, container, line, end_line AS endLine, signature, rank${opts.docs ? ", doc" : ""}
       FROM symbols WHERE file_id = ? ORDER BY line, col, id`,
    )
    .all(file.id) as FileSymbol[];
  return { path: file.path, lang: file.lang, skipped: file.skipped, symbols: rows };
}

export interface SymbolSource {
  symbol: SymbolRef;
  text: string;
  startLine: number;
  endLine: number;
  truncated: boolean;
  fileChanged: boolean;
}

/** The source of the symbols `spec` names (see findSymbols), at most `maxLines` lines each. */
export function symbolSource(db: Database, root: string, spec: string, opts: { maxLines?: number; limit?: number } = {}): SymbolSource[] {
  const maxLines = opts.maxLines ?? 200;
  const symbols = findSymbols(db, spec, opts.limit ?? 3);
  const stored = db.prepare("SELECT size, mtime_us AS mtimeUs FROM files WHERE path = ?");
  const cache = new Map<string, { lines: string[]; changed: boolean } | null>();
  const out: SymbolSource[] = [];
  for (const symbol of symbols) {
    let file = cache.get(symbol.path);
    if (file === undefined) {
      file = readLines(join(root, symbol.path), stored.get(symbol.path) as { size: number; mtimeUs: number } | null);
      cache.set(symbol.path, file);
    }
    if (!file) {
      out.push({ symbol, text: "", startLine: symbol.line, endLine: symbol.line - 1, truncated: false, fileChanged: true });
      continue;
    }
    const last = Math.min(symbol.endLine, file.lines.length);
    const end = Math.min(last, symbol.line + maxLines - 1);
    out.push({
      symbol,
      text: file.lines.slice(symbol.line - 1, end).join("\n"),
      startLine: symbol.line,
      endLine: end,
      truncated: end < last,
      fileChanged: file.changed,
    });
  }
  return out;
}

/** The file's lines, and whether its (size, mtime) differ from the index; null when unreadable. */
function readLines(abs: string, stored: { size: number; mtimeUs: number } | null): { lines: string[]; changed: boolean } | null {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (!st.isFile() || st.size > BigInt(MAX_FILE_BYTES)) return null;
    const buf = Buffer.allocUnsafe(Number(st.size));
    let len = 0;
    while (len < buf.length) {
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    const changed = !stored || stored.size !== Number(st.size) || stored.mtimeUs !== Number(st.mtimeNs / 1000n);
    return { lines: buf.subarray(0, len).toString("utf8").split(/\r?\n/), changed };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

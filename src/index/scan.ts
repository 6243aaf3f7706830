// Compare the files on disk with what the index knows, by (size, mtime) only: no file is read.
// The indexer acts on the result; `skep status` reports it as "changed since, not yet indexed".
import { lstatSync } from "node:fs";
import { join } from "node:path";
import type { LanguageId } from "../parser/languages.ts";
import { discover } from "./discover.ts";
import { MAX_FILE_BYTES, tooLargeReason } from "./inspect.ts";
import type { FileState } from "./store.ts";

export interface ScannedFile {
  path: string;
  lang: LanguageId;
  size: number;
  mtimeUs: number;
}

export interface Scan {
  /** New or modified by (size, mtime): must be read (and parsed, unless the hash matches). */
  changed: ScannedFile[];
  /** Listed, but skipped without reading (symlinks, too large) with the reason. */
  skipped: (ScannedFile & { reason: string })[];
  /** In the index, no longer on disk or no longer listed. */
  deleted: string[];
  unchanged: number;
  otherFiles: number;
  source: "git" | "walk";
}

export const BAD_NAME = "file name is not valid UTF-8 (not indexed)";

export function scan(root: string, known: Map<string, FileState>): Scan {
  const found = discover(root);
  const out: Scan = { changed: [], skipped: [], deleted: [], unchanged: 0, otherFiles: found.otherFiles, source: found.source };
  const seen = new Set<string>();
  for (const c of found.candidates) {
    let st;
    try {
      st = lstatSync(join(root, c.path), { bigint: true });
    } catch {
      // A name that is not valid UTF-8 reaches us decoded with U+FFFD, which names no file: say so
      // under skipped rather than drop it without a word.
      if (c.path.includes("\uFFFD")) {
        const file: ScannedFile = { path: c.path, lang: c.lang, size: 0, mtimeUs: 0 };
        const prev = known.get(c.path);
        seen.add(c.path);
        if (prev && prev.size === 0 && prev.mtimeUs === 0) out.unchanged++;
        else out.skipped.push({ ...file, reason: BAD_NAME });
      }
      continue; // listed by git but gone from disk: treated as deleted below
    }
    const file: ScannedFile = { path: c.path, lang: c.lang, size: Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n) };
    const prev = known.get(c.path);
    const same = prev !== undefined && prev.size === file.size && prev.mtimeUs === file.mtimeUs;
    let reason: string | null = null;
    if (st.isSymbolicLink()) reason = "symlink (not followed)";
    else if (!st.isFile()) continue; // a submodule or other non-file entry
    else if (file.size > MAX_FILE_BYTES) reason = tooLargeReason(file.size);
    seen.add(c.path);
    if (same) out.unchanged++;
    else if (reason) out.skipped.push({ ...file, reason });
    else out.changed.push(file);
  }
  for (const path of known.keys()) if (!seen.has(path)) out.deleted.push(path);
  return out;
}

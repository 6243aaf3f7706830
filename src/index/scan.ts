// Compare the files on disk with what the index knows, by (size, mtime) only: no file is read.
// The indexer acts on the result; `skep status` reports it as "changed since, not yet indexed".
import { lstatSync } from "node:fs";
import { join } from "node:path";
import type { LanguageId } from "../parser/languages.ts";
import { discover } from "./discover.ts";
import { MAX_FILE_BYTES, tooLargeReason } from "./inspect.ts";
import type { IndexRules } from "./rules.ts";
import type { FileState } from "./store.ts";

export interface ScannedFile {
  path: string;
  lang: LanguageId;
  size: number;
  mtimeUs: number;
  /** index.include names it: the content rules (generated, minified) do not apply. */
  forced: boolean;
  /** Unchanged by (size, mtime), but the rules changed: read again to see whether it is still in or out. */
  recheck: boolean;
}

export interface ScanOptions {
  /** The rules to apply (default: the repo's, from its config). */
  rules?: IndexRules;
  /** The rules changed since the index was written: unchanged files are read again (see ScannedFile.recheck). */
  recheck?: boolean;
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
  /** Left out by a rule (rules.ts), per reason. */
  ruleSkips: Record<string, number>;
  source: "git" | "walk";
}

export const BAD_NAME = "file name is not valid UTF-8 (not indexed)";

export function scan(root: string, known: Map<string, FileState>, opts: ScanOptions = {}): Scan {
  const found = discover(root, opts.rules);
  const out: Scan = { changed: [], skipped: [], deleted: [], unchanged: 0, otherFiles: found.otherFiles, ruleSkips: found.ruleSkips, source: found.source };
  const seen = new Set<string>();
  for (const c of found.candidates) {
    let st;
    try {
      st = lstatSync(join(root, c.path), { bigint: true });
    } catch {
      // A name that is not valid UTF-8 reaches us decoded with U+FFFD, which names no file: say so
      // under skipped rather than drop it without a word.
      if (c.path.includes("\uFFFD")) {
        const file: ScannedFile = { path: c.path, lang: c.lang, size: 0, mtimeUs: 0, forced: c.forced, recheck: false };
        const prev = known.get(c.path);
        seen.add(c.path);
        if (prev && prev.size === 0 && prev.mtimeUs === 0) out.unchanged++;
        else out.skipped.push({ ...file, reason: BAD_NAME });
      }
      continue; // listed by git but gone from disk: treated as deleted below
    }
    const file: ScannedFile = { path: c.path, lang: c.lang, size: Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n), forced: c.forced, recheck: false };
    const prev = known.get(c.path);
    const same = prev !== undefined && prev.size === file.size && prev.mtimeUs === file.mtimeUs;
    let reason: string | null = null;
    if (st.isSymbolicLink()) reason = "symlink (not followed)";
    else if (!st.isFile()) continue; // a submodule or other non-file entry
    else if (file.size > MAX_FILE_BYTES) reason = tooLargeReason(file.size);
    seen.add(c.path);
    if (reason) {
      if (same) out.unchanged++;
      else out.skipped.push({ ...file, reason });
    } else if (same && opts.recheck) out.changed.push({ ...file, recheck: true });
    else if (same) out.unchanged++;
    else out.changed.push(file);
  }
  for (const path of known.keys()) if (!seen.has(path)) out.deleted.push(path);
  return out;
}

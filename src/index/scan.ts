// Compare the files on disk with what the index knows, by (size, mtime) only: no file is read.
// The per-file rule is apply.ts's stepFor. The indexer acts on the result; `skep status` reports
// it as "changed since, not yet indexed".
import { stepFor, type StatFile } from "./apply.ts";
import { discover } from "./discover.ts";
import type { IndexRules } from "./rules.ts";
import type { FileState } from "./store.ts";

export interface ScannedFile extends StatFile {
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

export function scan(root: string, known: Map<string, FileState>, opts: ScanOptions = {}): Scan {
  const found = discover(root, opts.rules);
  const out: Scan = { changed: [], skipped: [], deleted: [], unchanged: 0, otherFiles: found.otherFiles, ruleSkips: found.ruleSkips, source: found.source };
  const seen = new Set<string>();
  for (const c of found.candidates) {
    const step = stepFor(root, c, known.get(c.path), opts.recheck);
    if (step.kind === "absent") continue; // gone from disk, or a submodule: treated as deleted below
    seen.add(c.path);
    if (step.kind === "unchanged") out.unchanged++;
    else if (step.kind === "skip") out.skipped.push({ ...step.file, recheck: false, reason: step.reason });
    else out.changed.push({ ...step.file, recheck: step.recheck });
  }
  for (const path of known.keys()) if (!seen.has(path)) out.deleted.push(path);
  return out;
}

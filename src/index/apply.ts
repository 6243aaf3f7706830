// Apply paths to an index: the one "stat, classify, parse, write" that every way into the index
// shares, so a file gets the same fate (and the same recorded skip reason) however it arrives:
//   - the full scan (indexer.ts: discover lists every path, scan.ts compares them with the index);
//   - the daemon's targeted re-index of the paths the watcher named (targeted.ts);
//   - a git worktree's overlay over its main checkout's index (overlay.ts).
// Which paths belong to the index is decided before this, by the index rules (rules.ts); here the
// hard limits apply (a name that is not UTF-8, symlinks, files over MAX_FILE_BYTES, anything that
// is not a regular file), then the parse job's content rules (binary, minified, generated), then
// the writer.
import type { Database } from "bun:sqlite";
import { lstatSync } from "node:fs";
import { join } from "node:path";
import type { EdgeChanges } from "../graph/edges.ts";
import type { LanguageId } from "../parser/languages.ts";
import { MAX_FILE_BYTES, tooLargeReason } from "./inspect.ts";
import type { ParseJob } from "./parse-job.ts";
import { parseAllForWriting, type SizedJob, type WritableResult } from "./pool.ts";
import type { ParsePlan } from "./schedule.ts";
import { IndexWriter, type FileState } from "./store.ts";

export const BAD_NAME = "file name is not valid UTF-8 (not indexed)";
export const SYMLINK = "symlink (not followed)";

/** A path with what a rule decided about it (rules.ts verdict "index"). */
export interface IndexedPath {
  path: string;
  lang: LanguageId;
  /** index.include names it: the content rules (generated, minified) do not apply. */
  forced: boolean;
}

/** A file as stat saw it. */
export interface StatFile extends IndexedPath {
  size: number;
  mtimeUs: number;
}

/** What one path comes to before any file is read. */
export type Step =
  /** Not on disk, or not a regular file or symlink (a submodule, a directory): removed if the index holds it. */
  | { kind: "absent"; path: string }
  /** Same (size, mtime) as the index holds, and nothing asks for it to be read again. */
  | { kind: "unchanged"; path: string }
  /** Recorded as skipped, without reading it. */
  | { kind: "skip"; file: StatFile; reason: string }
  /** Read (and parsed unless its hash is the one stored). `recheck`: unchanged, but the rules changed. */
  | { kind: "read"; file: StatFile; recheck: boolean };

/**
 * The per-file rule. `root` is where the file is read; `known` is the (size, mtime) the index holds
 * for it (undefined when there is none, or when the index describes another checkout, as for an
 * overlay); `recheck`: the rules changed since the index was written, so an unchanged file is read
 * again.
 */
export function stepFor(root: string, p: IndexedPath, known: { size: number; mtimeUs: number } | undefined, recheck = false): Step {
  let st;
  try {
    st = lstatSync(join(root, p.path), { bigint: true });
  } catch {
    // A name that is not valid UTF-8 reaches us decoded with U+FFFD, which names no file: say so
    // under skipped rather than drop it without a word. It is stored with size 0, mtime 0.
    if (!p.path.includes("\uFFFD")) return { kind: "absent", path: p.path };
    if (known && known.size === 0 && known.mtimeUs === 0) return { kind: "unchanged", path: p.path };
    return { kind: "skip", file: { ...p, size: 0, mtimeUs: 0 }, reason: BAD_NAME };
  }
  const link = st.isSymbolicLink();
  if (!link && !st.isFile()) return { kind: "absent", path: p.path };
  const file: StatFile = { ...p, size: Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n) };
  const same = known !== undefined && known.size === file.size && known.mtimeUs === file.mtimeUs;
  const reason = link ? SYMLINK : file.size > MAX_FILE_BYTES ? tooLargeReason(file.size) : null;
  if (reason) return same ? { kind: "unchanged", path: p.path } : { kind: "skip", file, reason };
  if (same && !recheck) return { kind: "unchanged", path: p.path };
  return { kind: "read", file, recheck: same };
}

export interface ApplyReport {
  parsed: number;
  /** Read because (size, mtime) moved (or the rules changed), but the content hash matched. */
  sameContent: number;
  unchanged: number;
  /** Files the index held that are gone (or vanished between the stat and the read). */
  deleted: number;
  /** Recorded as skipped, with a reason, in this run. */
  skipped: number;
  /** The paths whose symbols were written anew. */
  parsedPaths: string[];
  changes: EdgeChanges;
  parsePlan?: ParsePlan;
}

export interface ApplyOptions {
  /** What the index holds for a path: its hash (an unchanged file is not parsed again) and skip reason (kept for same content). */
  known: (path: string) => FileState | null | undefined;
  /** A cold build passes its bulk writer; default: a writer on `db`. */
  writer?: IndexWriter;
  workers?: number;
  /**
   * Write each file as its result arrives and commit every this many files (a long run: readers
   * see progress, a crash loses little). Without it, every file is parsed first and then all are
   * written in one transaction: readers never see part of the batch.
   */
  commitEvery?: number;
  onProgress?: (done: number, total: number) => void;
  /** One-transaction mode only: inside the transaction, before the files are written / after. */
  beforeWrite?: (readPaths: string[]) => void;
  afterWrite?: (report: ApplyReport) => void;
}

/** Apply `steps` (from stepFor, or a scan built on it) to `db`, reading files under `root`. */
export async function applySteps(db: Database, root: string, steps: Step[], opts: ApplyOptions): Promise<ApplyReport> {
  const writer = opts.writer ?? new IndexWriter(db);
  const report: ApplyReport = { parsed: 0, sameContent: 0, unchanged: 0, deleted: 0, skipped: 0, parsedPaths: [], changes: writer.changes };
  const now = Date.now();
  const reads: (Step & { kind: "read" })[] = [];
  const direct: Step[] = [];
  for (const s of steps) {
    if (s.kind === "unchanged") report.unchanged++;
    else if (s.kind === "read") reads.push(s);
    else direct.push(s);
  }
  const writeDirect = (s: Step) => {
    if (s.kind === "absent") {
      if (writer.deleteFile(s.path)) report.deleted++;
    } else if (s.kind === "skip") {
      writer.writeSkipped(s.file, null, s.reason, now);
      report.skipped++;
    }
  };
  const byPath = new Map(reads.map((s) => [s.file.path, s]));
  const jobs: SizedJob[] = reads.map(({ file, recheck }) => {
    const known = opts.known(file.path);
    return {
      lang: file.lang,
      size: file.size,
      abs: join(root, file.path),
      path: file.path,
      knownHash: known?.hash ?? null,
      forced: file.forced,
      recheck: recheck ? { knownSkipped: known?.skipReason != null } : undefined,
    };
  });
  const writeResult = (job: ParseJob, r: WritableResult) => {
    const f = byPath.get(job.path)!.file;
    if (r.kind === "parsed") {
      writer.writeParsed({ ...f, lang: r.lang, size: r.size }, r.hash, r.extraction, now);
      report.parsed++;
      report.parsedPaths.push(f.path);
    } else if (r.kind === "same") {
      // A file recorded as skipped for its content (binary, generated) keeps its reason.
      const skipReason = opts.known(f.path)?.skipReason;
      if (skipReason) writer.writeSkipped(f, r.hash, skipReason, now);
      else writer.touchFile(f.path, f.size, f.mtimeUs);
      report.sameContent++;
    } else if (r.kind === "skipped") {
      writer.writeSkipped(f, r.hash, r.reason, now);
      report.skipped++;
    } else {
      writer.deleteFile(f.path); // vanished between the stat and the read
      report.deleted++;
    }
  };

  if (opts.commitEvery === undefined) {
    const results: [ParseJob, WritableResult][] = [];
    report.parsePlan = await parseAllForWriting(jobs, (job, r) => results.push([job, r]), opts.workers);
    if (direct.length + results.length === 0) return report;
    db.transaction(() => {
      opts.beforeWrite?.(reads.map((s) => s.file.path));
      for (const s of direct) writeDirect(s);
      for (const [job, r] of results) writeResult(job, r);
      opts.afterWrite?.(report);
    })();
    return report;
  }

  const every = opts.commitEvery;
  let inTx = 0;
  const begin = () => {
    if (!db.inTransaction) db.exec("BEGIN IMMEDIATE");
  };
  const tick = () => {
    if (++inTx >= every) {
      db.exec("COMMIT");
      inTx = 0;
    }
  };
  try {
    for (const s of direct) {
      begin();
      writeDirect(s);
      tick();
    }
    let done = 0;
    opts.onProgress?.(done, jobs.length);
    report.parsePlan = await parseAllForWriting(
      jobs,
      (job, r) => {
        begin();
        writeResult(job, r);
        tick();
        opts.onProgress?.(++done, jobs.length);
      },
      opts.workers,
    );
    if (db.inTransaction) db.exec("COMMIT");
  } catch (err) {
    if (db.inTransaction) db.exec("ROLLBACK");
    throw err;
  }
  return report;
}

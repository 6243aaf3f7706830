// Re-index a handful of paths the watcher named, without rescanning the repo. The per-file rules
// are the full scan's (src/index/scan.ts): (size, mtime) first, symlinks and oversized files
// recorded as skipped, anything else that is not a regular file dropped. Which files belong to
// the index is decided as discovery decides it: by the index rules (src/index/rules.ts: not under
// .git/.skep, a language skep parses, not vendored or generated unless the config says so), and
// not ignored by git. The call graph is left to the caller (see index-worker.ts), so a burst of
// saves updates it once.
import type { Database } from "bun:sqlite";
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { gitRaw } from "../git/exec.ts";
import type { EdgeChanges } from "../graph/edges.ts";
import { MAX_FILE_BYTES } from "../index/inspect.ts";
import { runParseJob, type ParseResult } from "../index/parse-job.ts";
import { loadIndexRules } from "../index/rules.ts";
import { IndexWriter, type FileState } from "../index/store.ts";
import { languageForPath, type LanguageId } from "../parser/languages.ts";

export interface TargetedReport {
  parsed: number;
  sameContent: number;
  unchanged: number;
  deleted: number;
  skipped: number;
  changes: EdgeChanges;
}

/** null: these paths cannot be handled one by one (git could not classify them); do a full run. */
export async function indexPaths(db: Database, root: string, paths: string[]): Promise<TargetedReport | null> {
  const rules = loadIndexRules(root);
  const verdicts = new Map([...new Set(paths)].map((p) => [p, rules.verdict(p)]));
  // A path a rule leaves out is handled as an ignored one: removed if the index holds it.
  const candidates = [...verdicts].filter(([, v]) => v.kind === "index" || v.kind === "skip").map(([p]) => p).sort();
  const ignored = gitIgnored(root, candidates);
  if (ignored === null) return null;
  for (const p of candidates) if (verdicts.get(p)!.kind === "skip") ignored.add(p);

  const stateOf = db.prepare("SELECT id, size, mtime_us AS mtimeUs, hash, skip_reason AS skipReason FROM files WHERE path = ?");
  const report: TargetedReport = { parsed: 0, sameContent: 0, unchanged: 0, deleted: 0, skipped: 0, changes: { names: new Set(), files: new Set(), pathsAddedOrRemoved: new Set() } };
  type Work =
    | { kind: "delete"; path: string }
    | { kind: "skip"; stat: Stat; reason: string }
    | { kind: "parse"; stat: Stat; known: FileState | null; result: ParseResult };
  const work: Work[] = [];
  for (const path of candidates) {
    const known = stateOf.get(path) as FileState | null;
    let st;
    try {
      st = ignored.has(path) ? null : lstatSync(join(root, path), { bigint: true });
    } catch {
      st = null;
    }
    if (!st || (!st.isFile() && !st.isSymbolicLink())) {
      if (known) work.push({ kind: "delete", path });
      continue;
    }
    const stat: Stat = { path, lang: languageForPath(path)!, size: Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n) };
    if (known && known.size === stat.size && known.mtimeUs === stat.mtimeUs) {
      report.unchanged++;
      continue;
    }
    if (st.isSymbolicLink()) work.push({ kind: "skip", stat, reason: "symlink (not followed)" });
    else if (stat.size > MAX_FILE_BYTES) work.push({ kind: "skip", stat, reason: tooLargeReason(stat.size) });
    else {
      const v = verdicts.get(path)!;
      const result = await runParseJob({ abs: join(root, path), path, knownHash: known?.hash ?? null, forced: v.kind === "index" && v.forced });
      work.push({ kind: "parse", stat, known, result });
    }
  }
  if (work.length === 0) return report;

  const writer = new IndexWriter(db);
  const now = Date.now();
  db.transaction(() => {
    for (const w of work) {
      if (w.kind === "delete") {
        writer.deleteFile(w.path);
        report.deleted++;
      } else if (w.kind === "skip") {
        writer.writeSkipped(w.stat, null, w.reason, now);
        report.skipped++;
      } else {
        const r = w.result;
        if (r.kind === "parsed") {
          writer.writeParsed({ ...w.stat, lang: r.lang, size: r.size }, r.hash, r.extraction, now);
          report.parsed++;
        } else if (r.kind === "same") {
          if (w.known?.skipReason) writer.writeSkipped(w.stat, r.hash, w.known.skipReason, now);
          else writer.touchFile(w.stat.path, w.stat.size, w.stat.mtimeUs);
          report.sameContent++;
        } else if (r.kind === "skipped") {
          writer.writeSkipped(w.stat, r.hash, r.reason, now);
          report.skipped++;
        } else {
          writer.deleteFile(w.stat.path);
          report.deleted++;
        }
      }
    }
  })();
  report.changes = writer.changes;
  return report;
}

/** The reason src/index/scan.ts records for a file over the size limit (kept identical). */
function tooLargeReason(bytes: number): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `too large (${mb(bytes)} > ${mb(MAX_FILE_BYTES)})`;
}

interface Stat {
  path: string;
  lang: LanguageId;
  size: number;
  mtimeUs: number;
}

/** The paths git ignores (untracked and matching an ignore rule), or null when git cannot say. */
function gitIgnored(root: string, paths: string[]): Set<string> | null {
  if (paths.length === 0) return new Set();
  const p = gitRaw(root, ["check-ignore", "--stdin", "-z"], Buffer.from(`${paths.join("\0")}\0`));
  // 0: some are ignored, 1: none are; anything else (a path inside a submodule, no repo): unknown.
  if (p.exitCode !== 0 && p.exitCode !== 1) return null;
  return new Set(new TextDecoder().decode(p.stdout).split("\0").filter(Boolean));
}

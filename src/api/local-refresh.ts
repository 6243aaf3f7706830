// A refresh answered in this process: the index built or brought up to date here (incremental
// after the first run; a damaged file is moved aside and rebuilt). Apart from local.ts's reads:
// those reach answers.ts and, through it, every verb's zod schema (protocol/socket.ts), which
// `skep index` does not need and would pay ~30 ms of CPU to build (docs/benchmarks.md).
import { indexRepo, type IndexProgress } from "../index/indexer.ts";
import { openWritable } from "../index/store.ts";
import type { IndexAnswer } from "../protocol/index-answers.ts";
import type { DaemonPaths } from "../repo/daemon-paths.ts";

/** Build or refresh the index here (incremental after the first run; a damaged file is moved aside and rebuilt). */
export async function refreshLocally(paths: DaemonPaths, onProgress?: (p: IndexProgress) => void): Promise<IndexAnswer> {
  let db = openWritable(paths.dbPath);
  try {
    const r = await indexRepo(db, paths.root, { onProgress, onRebuilt: (fresh) => (db = fresh) });
    const files = r.files - r.skipped.length;
    return {
      root: paths.root,
      files,
      symbols: r.symbols,
      parsed: r.parsed,
      // Every indexed file was either parsed now or kept as it was; skipped files count in neither.
      unchanged: files - r.parsed,
      deleted: r.deleted,
      skipped: r.skipped,
      durationMs: Math.round(r.timings.total),
    };
  } finally {
    db.close();
  }
}

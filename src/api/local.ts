// The index answered in this process: reads from the index file opened read-only, freshness from
// a (size, mtime) rescan of the disk; a refresh indexes here. Used when no daemon serves the repo
// (api.ts decides, by the rule in fallback.ts).
import { indexRepo, type IndexProgress } from "../index/indexer.ts";
import { indexReadError, openReadonly, openWritable } from "../index/store.ts";
import type { IndexAnswer } from "../protocol/index-answers.ts";
import type { ParamsOf, ResultOf } from "../protocol/socket.ts";
import type { DaemonPaths } from "../repo/daemon-paths.ts";
import { answerRead, rescanFreshness, type ReadVerb } from "./answers.ts";

/** Answer one read verb from the index file, exactly as the daemon would. */
export function answerLocally<V extends ReadVerb>(paths: DaemonPaths, verb: V, params: ParamsOf<V>): ResultOf<V> {
  const db = openReadonly(paths.dbPath);
  try {
    return answerRead({ db, root: paths.root, fresh: rescanFreshness(paths.root) }, verb, params);
  } catch (err) {
    throw indexReadError(err, paths.dbPath, db); // damage: "run `skep index`", not a raw SQLite error
  } finally {
    db.close();
  }
}

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

// The index read in this process: reads from the index file opened read-only, freshness from a
// (size, mtime) rescan of the disk. Used when no daemon serves the repo (api.ts decides, by the
// rule in fallback.ts). A refresh here is local-refresh.ts.
import { indexReadError, openReadonly } from "../index/store.ts";
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

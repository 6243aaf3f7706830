// Answer an index read for the CLI: through the repo's daemon when one runs (its index is warm and
// its freshness comes from the watcher), else by opening the database read-only here. Both paths
// run the same functions (answers.ts), so the answers are the same. SKEP_NO_DAEMON=1 forces the
// direct path.
import { indexReadError, openReadonly } from "../index/store.ts";
import type { ParamsOf, ResultOf } from "../protocol/socket.ts";
import { answerRead, rescanFreshness, type ReadVerb } from "./answers.ts";
import { DaemonClient, DaemonError } from "../client/daemon-client.ts";
import { UnsafePath } from "../trust/ownership.ts";
import { clientSocketPath, type DaemonPaths } from "../repo/daemon-paths.ts";

export interface Asked<V extends ReadVerb> {
  answer: ResultOf<V>;
  via: "daemon" | "direct";
}

/** How long a CLI read waits for the daemon before reading the index itself. */
export const READ_TIMEOUT_MS = 2_000;

export async function askIndex<V extends ReadVerb>(paths: DaemonPaths, verb: V, params: ParamsOf<V>): Promise<Asked<V>> {
  if (process.env.SKEP_NO_DAEMON !== "1") {
    const viaDaemon = await tryDaemon(paths, verb, params);
    if (viaDaemon) return { answer: viaDaemon.answer, via: "daemon" };
  }
  return { answer: answerDirect(paths, verb, params), via: "direct" };
}

async function tryDaemon<V extends ReadVerb>(paths: DaemonPaths, verb: V, params: ParamsOf<V>): Promise<{ answer: ResultOf<V> } | null> {
  let client: DaemonClient;
  try {
    client = await DaemonClient.connect(clientSocketPath(paths), 1_000);
  } catch (err) {
    if (err instanceof UnsafePath) throw err; // a stranger's socket is an error, not "no daemon"
    return null; // no daemon (no socket, or a stale one): read the database here
  }
  try {
    // A daemon that does not answer within 2 s (stopped, wedged, or a silent impostor) gets no
    // more: the index file answers instead.
    return { answer: await client.request(verb, params, READ_TIMEOUT_MS) };
  } catch (err) {
    // The daemon went away mid-request, or is shutting down: the database is still there.
    if (err instanceof DaemonError && (err.code === "disconnected" || err.code === "unavailable" || err.code === "client_timeout")) return null;
    throw err;
  } finally {
    client.close();
  }
}

export function answerDirect<V extends ReadVerb>(paths: DaemonPaths, verb: V, params: ParamsOf<V>): ResultOf<V> {
  const db = openReadonly(paths.dbPath);
  try {
    return answerRead({ db, root: paths.root, fresh: rescanFreshness(paths.root) }, verb, params);
  } catch (err) {
    throw indexReadError(err, paths.dbPath, db); // damage: "run `skep index`", not a raw SQLite error
  } finally {
    db.close();
  }
}

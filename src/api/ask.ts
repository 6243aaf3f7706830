// Answer an index read for the CLI: through the repo's daemon when one runs (its index is warm and
// its freshness comes from the watcher), else by opening the database read-only here. Both paths
// run the same functions (answers.ts), so the answers are the same. SKEP_NO_DAEMON=1 forces the
// direct path.
import type { z } from "zod";
import { indexReadError, openReadonly } from "../index/store.ts";
import { VERBS, type ParamsOf, type ResultOf } from "../protocol/socket.ts";
import { answerFileContext, answerGraph, answerMap, answerSearch, answerStatus, answerSymbolSource, rescanFreshness, type AnswerContext } from "./answers.ts";
import { DaemonClient, DaemonError } from "./remote.ts";
import { VerbError } from "./errors.ts";
import { clientSocketPath, type DaemonPaths } from "../repo/daemon-paths.ts";

export type ReadVerb = "status" | "search" | "callers" | "callees" | "map" | "file.context" | "symbol.source";

export interface Asked<V extends ReadVerb> {
  answer: ResultOf<V>;
  via: "daemon" | "direct";
}

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
  } catch {
    return null; // no daemon (no socket, or a stale one): read the database here
  }
  try {
    return { answer: await client.request(verb, params) };
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

/** Answer a read verb from an open database, exactly as the daemon would. */
export function answerRead<V extends ReadVerb>(c: AnswerContext, verb: V, params: ParamsOf<V>): ResultOf<V> {
  const parsed = VERBS[verb].params.safeParse(params);
  if (!parsed.success) throw new VerbError("bad_params", parsed.error.message);
  const p = parsed.data as z.output<(typeof VERBS)[V]["params"]>;
  switch (verb) {
    case "status":
      return answerStatus(c) as ResultOf<V>;
    case "search":
      return answerSearch(c, p as never) as ResultOf<V>;
    case "callers":
    case "callees":
      return answerGraph(c, verb, p as never) as ResultOf<V>;
    case "map":
      return answerMap(c, p as never) as ResultOf<V>;
    case "file.context":
      return answerFileContext(c, p as never) as ResultOf<V>;
    case "symbol.source":
      return answerSymbolSource(c, p as never) as ResultOf<V>;
    default:
      throw new VerbError("unknown_verb", `not a read verb: ${verb}`);
  }
}

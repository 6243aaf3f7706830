// The index answered by the repo's daemon over its socket (warm index, freshness from its watcher).
import type { DaemonClient } from "../client/daemon-client.ts";
import { SkepError } from "../errors.ts";
import type { IndexAnswer } from "../protocol/index-answers.ts";
import type { ParamsOf, ResultOf } from "../protocol/socket.ts";
import type { ReadVerb } from "./answers.ts";

/** How long a read waits for the daemon's reply (a silent or wedged daemon counts as gone then). */
export const READ_TIMEOUT_MS = 2_000;

export function askRemote<V extends ReadVerb>(c: DaemonClient, verb: V, params: ParamsOf<V>, timeoutMs = READ_TIMEOUT_MS): Promise<ResultOf<V>> {
  return c.request(verb, params, timeoutMs);
}

/** Have the daemon (the index's only writer while it runs) rescan, and wait for the run. */
export async function refreshRemote(c: DaemonClient): Promise<IndexAnswer> {
  const r = await c.request("refresh", { wait: true, timeoutMs: 3_600_000 }, 0);
  if (!r.index) throw new SkepError("unavailable", "the daemon did not finish the re-index (see `skep daemon status`)");
  return r.index;
}

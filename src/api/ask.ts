// An index read for one CLI command: the repo's IndexApi (api.ts) asked once, then closed. Through
// the daemon when one runs (its index is warm, its freshness from the watcher), else the index file
// read here; both run answers.ts, so the answers are the same. SKEP_NO_DAEMON=1 forces the file.
import type { ParamsOf, ResultOf } from "../protocol/socket.ts";
import type { DaemonPaths } from "../repo/daemon-paths.ts";
import type { ReadVerb } from "./answers.ts";
import { RepoIndex } from "./api.ts";

export interface Asked<V extends ReadVerb> {
  answer: ResultOf<V>;
  via: "daemon" | "direct";
}

export async function askIndex<V extends ReadVerb>(paths: DaemonPaths, verb: V, params: ParamsOf<V>): Promise<Asked<V>> {
  const index = new RepoIndex(paths);
  try {
    const { value, via } = await index.ask(verb, params);
    return { answer: value, via: via === "daemon" ? "daemon" : "direct" };
  } finally {
    index.close();
  }
}

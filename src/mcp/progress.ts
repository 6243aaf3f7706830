// MCP progress for the calls that wait on the task pipeline (create_task without a daemon,
// clarify_task) or on a peer repo's task (create_remote_task, wait_remote_task): minutes, or more. When the client sent `_meta.progressToken`, each pipeline
// line ("classifying and planning...", "plan ready ...") becomes a `notifications/progress`, and a
// heartbeat repeats the last one while nothing new happens, so a client that resets its timeout on
// progress (the SDK's `resetTimeoutOnProgress`) keeps waiting. Without a token nothing is sent.
import type { ServerNotification } from "@modelcontextprotocol/sdk/types.js";

/** What a tool handler's `extra` gives us (a subset of the SDK's RequestHandlerExtra). */
export interface ProgressSource {
  _meta?: { progressToken?: string | number };
  sendNotification: (n: ServerNotification) => Promise<void>;
}

export interface Reporter {
  /** Undefined when the client asked for no progress: callers then skip the plumbing. */
  report: ((message: string) => void) | undefined;
  /**
   * No more notifications; resolves once the ones sent are written. Await it before answering, so
   * that none is written after the answer (a client drops progress for a finished call). Even so a
   * client may drop the last ones: the SDK's Client handles a notification a microtask later than
   * a response read in the same chunk.
   */
  stop(): Promise<void>;
}

export const HEARTBEAT_MS = 15_000;

export function reporter(extra: ProgressSource | undefined, heartbeatMs = HEARTBEAT_MS): Reporter {
  const token = extra?._meta?.progressToken;
  if (token === undefined || !extra) return { report: undefined, stop: async () => {} };
  const started = Date.now();
  let progress = 0;
  let last = "";
  let stopped = false;
  const pending = new Set<Promise<void>>();
  const send = (message: string) => {
    if (stopped) return;
    // progress must increase with every notification; there is no known total.
    const p = extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: ++progress, message } }).catch(() => {});
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const timer = setInterval(() => send(`${last || "working"} (${Math.round((Date.now() - started) / 1000)} s)`), heartbeatMs);
  return {
    report(message) {
      last = message;
      send(message);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([...pending]);
    },
  };
}

// A failure an agent should read: a tool error with a one-line message saying what to do next.
// The index and task calls go through the repo's SkepApi (src/api/); the in-process and the daemon
// paths throw the same SkepError (same code, same message), so one wording serves both.
import { daemonGone, describeError, SkepError } from "../errors.ts";
import { ConfigInvalid } from "../api/task-client.ts";

/** A failure the agent should read: becomes an MCP tool error with this message. */
export class ToolError extends Error {}

/** Task failures an agent can act on become one-line tool errors (the SkepApi's `wordError` for tasks). */
export function wordTaskError(err: unknown): unknown {
  if (err instanceof ToolError) return err;
  // Only a change gets here (a read is asked again in this process): it may or may not have been made.
  if (daemonGone(err)) return new ToolError(`the daemon went away during the call (${err.message}): show_task tells whether it took effect`);
  if (err instanceof ConfigInvalid) return new ToolError(`${err.path} is not valid: ${err.message}`);
  if (err instanceof SkepError) {
    if (err.code === "not_found" && /^no task #\d+$/.test(err.message)) return new ToolError(`${err.message}: list_tasks shows the ids`);
    if (err.code === "not_found" || err.code === "conflict" || err.code === "bad_params" || err.code === "unavailable") return new ToolError(oneLine(describeError(err)));
  }
  return err;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ");
}

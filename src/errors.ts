// The errors every layer throws. SkepError carries a code from the wire's vocabulary (ERROR_CODES),
// so a failure reaches a person or an agent the same whichever way its call went: thrown here by
// the domain (a task store, the index), or answered by a daemon and rethrown by its client with
// the code unchanged. The CLI turns it into an exit code, the MCP server into a tool error's text.
// UsageError and CommandFailed are the CLI's own (exit codes 2 and 1).
import type { ErrorCode } from "./protocol/socket.ts";

/** The wire's codes, plus the two only a client can observe (the daemon never sends them). */
export type SkepCode = ErrorCode | "disconnected" | "client_timeout";

export class SkepError extends Error {
  constructor(
    readonly code: SkepCode,
    message: string,
    /** What to do about it, when the message does not say (shown after it). */
    readonly fix?: string,
  ) {
    super(message);
  }

  /** The CLI's exit code: 2 for a request that can never succeed as written, 1 for everything else. */
  get exitCode(): number {
    return this.code === "bad_params" ? 2 : 1;
  }
}

/**
 * The one definition of "the daemon is gone" (for this call): the connection dropped, no reply came
 * in time, or the daemon said it takes no more requests (shutting down, or at its connection
 * limit). Anything else it answers is its answer, whatever the code. api/fallback.ts decides what
 * a front end does then; a peer link reconnects once.
 */
const GONE: readonly SkepCode[] = ["disconnected", "client_timeout", "stopping", "busy"];

export function daemonGone(err: unknown): err is SkepError {
  return err instanceof SkepError && GONE.includes(err.code);
}

/** The message and, when there is one, the fix: what the CLI prints and the MCP tool error says. */
export function describeError(err: unknown): string {
  if (err instanceof SkepError && err.fix) return `${err.message}; ${err.fix}`;
  return err instanceof Error ? err.message : String(err);
}

export class UsageError extends Error {
  readonly exitCode = 2;
}

export class CommandFailed extends Error {
  readonly exitCode = 1;
}

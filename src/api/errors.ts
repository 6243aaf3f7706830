// How an error leaves a daemon: a SkepError (src/errors.ts) goes on the wire as it is (code,
// message, fix); anything else is a bug, said as `internal`. And the HTTP status of each code.
import { ERROR_CODES, type ErrorBody, type ErrorCode } from "../protocol/socket.ts";
import { SkepError } from "../errors.ts";

/** The wire's error body (protocol/socket.ts ErrorBody) for whatever a verb threw. */
export function wireError(err: unknown): ErrorBody {
  if (err instanceof SkepError) {
    // A client-only code (a peer's connection dropped inside a verb) is not this daemon's to send.
    const code = (ERROR_CODES as readonly string[]).includes(err.code) ? (err.code as ErrorCode) : "unavailable";
    return err.fix ? { code, message: err.message, fix: err.fix } : { code, message: err.message };
  }
  return { code: "internal", message: String((err as Error)?.message ?? err) };
}

/** HTTP status for an error code. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case "bad_json":
    case "bad_request":
    case "bad_params":
      return 400;
    case "not_found":
    case "unknown_verb":
      return 404;
    case "conflict":
      return 409;
    case "too_large":
      return 413;
    case "unavailable":
    case "stopping":
    case "busy":
      return 503;
    case "timeout":
      return 504;
    default:
      return 500;
  }
}

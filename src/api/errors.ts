// An error a verb reports to its caller with a protocol error code (see ERROR_CODES).
import type { ErrorCode } from "../protocol/socket.ts";

export class VerbError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
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
      return 503;
    case "timeout":
      return 504;
    default:
      return 500;
  }
}

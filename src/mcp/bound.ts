// Bounded answers. No tool answer's text exceeds MAX_ANSWER_CHARS: a long list is cut between two
// items, a long source between two lines, and the answer ends with `next_cursor`; calling the tool
// again with the same arguments plus that cursor continues where the answer stopped. A cursor is
// tied to the tool and arguments it came from, so it cannot be replayed against another query.
import { MAX_ANSWER_CHARS } from "../protocol/mcp.ts";
import { ToolError } from "./tool-error.ts";

interface CursorBody {
  t: string;
  k: string;
  o: number;
}

/** A short fingerprint of a call's arguments (without its cursor). */
function fingerprint(args: Record<string, unknown>): string {
  const { cursor: _, ...rest } = args;
  const canonical = JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k]]));
  return Bun.hash.xxHash32(canonical).toString(36);
}

export function makeCursor(tool: string, args: Record<string, unknown>, offset: number): string {
  const body: CursorBody = { t: tool, k: fingerprint(args), o: offset };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

/** The offset a cursor continues from (0 without a cursor); ToolError for a cursor of another call. */
export function readCursor(tool: string, args: Record<string, unknown>): number {
  const raw = args.cursor;
  if (raw === undefined || raw === "") return 0;
  let body: CursorBody;
  try {
    body = JSON.parse(Buffer.from(String(raw), "base64url").toString("utf8"));
  } catch {
    throw new ToolError(`cursor '${String(raw).slice(0, 40)}' is not one this server gave out: pass next_cursor exactly as returned, or omit it to start over`);
  }
  if (!body || typeof body.o !== "number" || !Number.isInteger(body.o) || body.o < 0 || body.t !== tool) {
    throw new ToolError(`this cursor does not belong to ${tool}: pass next_cursor exactly as returned, or omit it to start over`);
  }
  if (body.k !== fingerprint(args)) {
    throw new ToolError("this cursor belongs to a call with different arguments: repeat the same arguments with it, or omit it to start over");
  }
  return body.o;
}

/** Cut a string to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more chars]`;
}

const CURSOR_ROOM = 200;

/**
 * Serialise an answer holding as many of `items` (from `offset`) as fit in the limit. `build` makes
 * the answer from the items that fit and the cursor to continue (undefined on the last page).
 */
export function pageJson<T>(
  items: T[],
  offset: number,
  build: (page: T[], nextCursor: string | undefined) => object,
  cursorAt: (nextOffset: number) => string,
  limit = MAX_ANSWER_CHARS,
): string {
  const envelope = JSON.stringify(build([], "x".repeat(CURSOR_ROOM))).length;
  let used = envelope;
  let end = offset;
  while (end < items.length) {
    const size = JSON.stringify(items[end]).length + 1;
    if (used + size > limit && end > offset) break;
    used += size;
    end++;
  }
  for (;;) {
    const next = end < items.length ? cursorAt(end) : undefined;
    const text = JSON.stringify(build(items.slice(offset, end), next));
    if (text.length <= limit || end <= offset + 1) return text.length <= limit ? text : clip(text, limit - 40);
    end--;
  }
}

// Size limits that more than one layer enforces: the wire schemas (zod), the task service and the
// MCP tools (whose messages say what to send instead) all read them from here, so they agree.

/** Longest task description, in characters. */
export const MAX_DESCRIPTION = 20_000;
/** Longest search query, in characters. */
export const MAX_QUERY = 1000;
/** Longest symbol reference (an id, `Name`, `Type.Name` or `path:line`), in characters. */
export const MAX_SYMBOL_REF = 1000;

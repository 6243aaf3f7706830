// The MCP tools' input schemas and the freshness stamp every MCP answer carries. These cross a
// process boundary (the agent's client validates against the JSON Schema generated from them), so
// they live with the other wire shapes. Descriptions are deliberately short: the whole tool list
// is sent to the model on every turn (docs/mcp.md records what it costs).
import { z } from "zod";

/** No tool answer's text exceeds this many characters; longer results end with a cursor. */
export const MAX_ANSWER_CHARS = 20_000;

// Lengths are checked by the tools themselves (with messages that say what to send): constraints
// here would only lengthen the schema every turn.
const cursor = z.string().optional().describe("next_cursor from a previous answer, to continue it");
/** A symbol: the id search_symbols returned, or a name. Ids are numbers; some clients send them as strings. */
const symbolRef = z.union([z.number(), z.string()]).describe("id from search_symbols, or Name, Type.Name, or file:line");

export const SearchSymbolsInput = {
  query: z.string().min(1).describe("name, prefix, camelCase initials, words, or a typo"),
  kinds: z.array(z.string()).optional().describe("only these kinds, e.g. function, method, class"),
  path: z.string().optional().describe("only under this dir/file, or a glob like src/** or *_test.go"),
  limit: z.number().int().min(1).max(200).default(20),
  verbose: z.boolean().default(false).describe("include doc comments"),
  cursor,
};

export const GetFileContextInput = {
  file_path: z.string().min(1).describe("repo-relative path"),
  verbose: z.boolean().default(false).describe("include doc comments"),
  cursor,
};

export const GetCallGraphInput = {
  symbol_id: symbolRef,
  direction: z.enum(["both", "callers", "callees"]).default("both"),
  depth: z.number().int().min(1).max(5).default(1),
  limit: z.number().int().min(1).max(500).default(50).describe("max symbols per direction"),
  cursor,
};

export const GetSymbolInput = {
  symbol_id: symbolRef,
  cursor,
};

export const GetOverviewInput = {
  tokens: z.number().int().min(100).max(4000).default(1024).describe("repo map budget"),
};

/** Parsed inputs (defaults applied). */
export type SearchSymbolsArgs = z.output<z.ZodObject<typeof SearchSymbolsInput>>;
export type GetFileContextArgs = z.output<z.ZodObject<typeof GetFileContextInput>>;
export type GetCallGraphArgs = z.output<z.ZodObject<typeof GetCallGraphInput>>;
export type GetSymbolArgs = z.output<z.ZodObject<typeof GetSymbolInput>>;
export type GetOverviewArgs = z.output<z.ZodObject<typeof GetOverviewInput>>;

/**
 * Where an MCP answer stands. The index's own freshness (see index-answers.ts Freshness), plus
 * how it was answered and, inside a git worktree, which index it borrowed and how many of the
 * worktree's files were parsed on demand over it.
 */
export const Stamp = z.object({
  /** The checkout the answer describes. */
  worktree: z.string(),
  head: z.string().nullable(),
  indexedHead: z.string().nullable(),
  indexedAt: z.string().nullable(),
  /** Files changed on disk and not reflected in the answer. */
  pendingFiles: z.number().int(),
  /** A few of those paths (direct reads only; the daemon reports a count). */
  pending: z.array(z.string()).optional(),
  stale: z.boolean(),
  /** daemon: answered by the repo's running daemon; direct: read from the index file. */
  via: z.enum(["daemon", "direct"]),
  /** Only in a worktree: the checkout whose index is used (the worktree's own changes are overlaid). */
  indexRoot: z.string().optional(),
  /** Only in a worktree: files that differ from the indexed commit, parsed on demand. */
  overlayFiles: z.number().int().optional(),
});
export type Stamp = z.infer<typeof Stamp>;

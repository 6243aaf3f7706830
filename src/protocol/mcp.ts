// The MCP tools' input schemas and the freshness stamp every MCP answer carries. These cross a
// process boundary (the agent's client validates against the JSON Schema generated from them), so
// they live with the other wire shapes. Descriptions are deliberately short: the whole tool list
// is sent to the model on every turn (docs/mcp.md records what it costs).
import { z } from "zod";
import { TaskStatus } from "./tasks.ts";

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

// The task tools (task-tools.ts). Ids are coerced: some clients send numbers as strings. Not
// `.int()`: that adds the largest safe integer to the schema; the tools check it instead.
const taskId = z.coerce.number().min(1);
const description = z.string().min(1).describe("what to do, in a sentence or a few");

export const ListTasksInput = {
  // One status is accepted as well, without spelling out the enum twice in the schema.
  status: z
    .preprocess((v) => (typeof v === "string" ? [v] : v), z.array(TaskStatus))
    .optional()
    .describe("only these statuses"),
  cursor,
};

export const CreateTaskInput = { description };

export const TaskIdInput = { task_id: taskId };

export const RejectTaskInput = {
  task_id: taskId,
  reason: z.string().optional(),
};

export const ClarifyTaskInput = {
  task_id: taskId,
  answers: z.array(z.object({ question: z.string(), answer: z.string() })).min(1).describe("one per question show_task lists"),
};

export const DedupTaskInput = { description };

/** Parsed inputs (defaults applied). */
export type SearchSymbolsArgs = z.output<z.ZodObject<typeof SearchSymbolsInput>>;
export type GetFileContextArgs = z.output<z.ZodObject<typeof GetFileContextInput>>;
export type GetCallGraphArgs = z.output<z.ZodObject<typeof GetCallGraphInput>>;
export type GetSymbolArgs = z.output<z.ZodObject<typeof GetSymbolInput>>;
export type GetOverviewArgs = z.output<z.ZodObject<typeof GetOverviewInput>>;
export type ListTasksArgs = z.output<z.ZodObject<typeof ListTasksInput>>;
export type CreateTaskArgs = z.output<z.ZodObject<typeof CreateTaskInput>>;
export type TaskIdArgs = z.output<z.ZodObject<typeof TaskIdInput>>;
export type RejectTaskArgs = z.output<z.ZodObject<typeof RejectTaskInput>>;
export type ClarifyTaskArgs = z.output<z.ZodObject<typeof ClarifyTaskInput>>;
export type DedupTaskArgs = z.output<z.ZodObject<typeof DedupTaskInput>>;

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

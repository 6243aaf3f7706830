// The MCP tools' input schemas and the freshness stamp every MCP answer carries. These cross a
// process boundary (the agent's client validates against the JSON Schema generated from them), so
// they live with the other wire shapes. Descriptions are deliberately short: the whole tool list
// is sent to the model on every turn (docs/mcp.md records what it costs).
import { z } from "zod";
import { Classification, TaskStatus } from "./tasks.ts";

/** No tool answer's text exceeds this many characters; longer results end with a cursor. */
export const MAX_ANSWER_CHARS = 20_000;

// Lengths, empty strings, ranges and whole numbers are checked by the tools themselves (with messages that
// say what to send): constraints here would only lengthen the schema every turn. Where the tool's
// description says what a parameter is, the parameter has no description of its own; the ones
// several tools share are spelled once, here.
// `cursor` takes an answer's `next_cursor`: the names say it.
const cursor = z.string().optional();
/** A symbol: the id search_symbols returned, or a name. Ids are numbers; some clients send them as strings. */
const symbolRef = z.union([z.number(), z.string()]).describe("id, Name, Type.Name or file:line");
const verbose = z.boolean().optional().describe("with doc comments");

export const SearchSymbolsInput = {
  query: z.string(),
  kinds: z.array(z.string()).optional().describe("e.g. function, method, class"),
  path: z.string().optional().describe("dir, file or glob"),
  limit: z.number().default(20).describe("max 200"),
  verbose,
  cursor,
};

export const GetFileContextInput = {
  file_path: z.string().describe("repo-relative"),
  verbose,
  cursor,
};

export const GetCallGraphInput = {
  symbol_id: symbolRef,
  direction: z.enum(["both", "callers", "callees"]).default("both"),
  depth: z.number().default(1).describe("max 5"),
  limit: z.number().default(50).describe("per direction, max 500"),
  cursor,
};

export const GetSymbolInput = {
  symbol_id: symbolRef,
  cursor,
};

export const GetOverviewInput = {
  tokens: z.number().default(1024).describe("100 to 4000"),
};

// The task tools (task-tools.ts). Ids are coerced: some clients send numbers as strings. Not
// `.int()`: that adds the largest safe integer to the schema; the tools check it instead.
const taskId = z.coerce.number();
const description = z.string();

export const ListTasksInput = {
  // One status is accepted as well. The statuses are checked by the tool (its error lists them):
  // spelled out here they would cost every turn.
  status: z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(z.string())).optional().describe("e.g. pending, executing"),
  cursor,
};

export const CreateTaskInput = { description };

export const TaskIdInput = { task_id: taskId };

export const RejectTaskInput = {
  task_id: taskId,
  reason: z.string().optional(),
};

export const ClarifyTaskInput = { task_id: taskId, answers: z.array(z.object({ question: z.string(), answer: z.string() })).min(1) };

export const DedupTaskInput = { description };

// The cross-repo tools (src/mcp/remote-tools.ts): a task in a peer repo of the workspace, through
// that repo's daemon; `repo` is the peer's registry name (get_overview lists the peers). Timeouts
// above their cap (600 s to classify, 3600 s to wait) are lowered to it rather than refused.
const peerRepo = z.string();

export const CreateRemoteTaskInput = {
  repo: peerRepo,
  description,
  classify_timeout_sec: z.number().default(120),
};

export const RemoteTaskIdInput = { repo: peerRepo, task_id: taskId };

export const RejectRemoteTaskInput = { repo: peerRepo, task_id: taskId, reason: z.string().optional() };

/** The answers in the order of the task's questions (get_remote_task's clarification_questions). */
export const ClarifyRemoteTaskInput = { repo: peerRepo, task_id: taskId, answers: z.array(z.string()).describe("in question order") };

export const WaitRemoteTaskInput = {
  repo: peerRepo,
  task_id: taskId,
  timeout_sec: z.number().default(1800).describe("max 3600"),
};

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
export type CreateRemoteTaskArgs = z.output<z.ZodObject<typeof CreateRemoteTaskInput>>;
export type RemoteTaskIdArgs = z.output<z.ZodObject<typeof RemoteTaskIdInput>>;
export type WaitRemoteTaskArgs = z.output<z.ZodObject<typeof WaitRemoteTaskInput>>;
export type RejectRemoteTaskArgs = z.output<z.ZodObject<typeof RejectRemoteTaskInput>>;
export type ClarifyRemoteTaskArgs = z.output<z.ZodObject<typeof ClarifyRemoteTaskInput>>;

// The cross-repo tools' answers. Their task objects are src/protocol/tasks.ts's `Task` as
// show_task shows it: nulls dropped, long strings clipped, and for a huge task the steps slimmed,
// so only the fields every task keeps are declared. `repo` is the peer's registry name.
const ShownTask = z.looseObject({ id: z.number().int(), name: z.string(), status: TaskStatus });
/** What the calling agent can do next, given the peer task's status. */
const nextActionHint = z.string();
/** Anything else to know: the peer's daemon had to be started, a timeout, unmerged work. */
const note = z.string().optional();

export const CreateRemoteTaskAnswer = z.union([
  // Classified and planned (or rejected, or waiting for answers) by the peer.
  z.strictObject({
    task_id: z.number().int(),
    name: z.string(),
    status: TaskStatus,
    classification: Classification.optional(),
    /** The peer's plan (src/protocol/tasks.ts Plan, strings clipped); absent without a valid plan. */
    plan: z.looseObject({ plan: z.array(z.looseObject({ verb: z.string(), description: z.string() })) }).optional(),
    /** The classifier's reason, or why the peer rejected it or waits. */
    reason: z.string().optional(),
    repo: z.string(),
    next_action_hint: nextActionHint,
    clarification_questions: z.array(z.string()).optional(),
    note,
  }),
  // Stored, but not classified within classify_timeout_sec: the peer goes on with it.
  z.strictObject({ task_id: z.number().int(), status: TaskStatus, repo: z.string(), note: z.string() }),
  // The peer's dedup found the work: nothing was created. task_id: the peer task that has it (none when the code has it).
  z.strictObject({ duplicate: z.literal(true), reason: z.string(), task_id: z.number().int().optional(), repo: z.string(), note: z.string() }),
]);
export type CreateRemoteTaskAnswer = z.infer<typeof CreateRemoteTaskAnswer>;

export const GetRemoteTaskAnswer = z.strictObject({
  task: ShownTask,
  repo: z.string(),
  next_action_hint: nextActionHint,
  /** While the task is pending_clarification: what the peer asks (answered on the peer). */
  clarification_questions: z.array(z.string()).optional(),
  note,
});
export type GetRemoteTaskAnswer = z.infer<typeof GetRemoteTaskAnswer>;

export const ApproveRemoteTaskAnswer = z.strictObject({
  task: z.looseObject({ id: z.number().int(), name: z.string(), status: TaskStatus, reason: z.string().optional() }),
  repo: z.string(),
  next_action_hint: nextActionHint,
  note,
});
export type ApproveRemoteTaskAnswer = z.infer<typeof ApproveRemoteTaskAnswer>;

export const WaitRemoteTaskAnswer = z.strictObject({
  task: ShownTask,
  /** The final status the wait ended on. */
  outcome: z.enum(["done", "failed", "interrupted", "rejected"]),
  repo: z.string(),
  next_action_hint: nextActionHint,
  /** failed, interrupted or rejected: why, in a few lines. */
  error_summary: z.string().optional(),
  note,
});
export type WaitRemoteTaskAnswer = z.infer<typeof WaitRemoteTaskAnswer>;

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
  /** Why it is stale: files changed, or an index run that did not finish (call graph, ranks, search). */
  staleReason: z.string().nullable().optional(),
  /** daemon: answered by the repo's running daemon; direct: read from the index file. */
  via: z.enum(["daemon", "direct"]),
  /** Only in a worktree: the checkout whose index is used (the worktree's own changes are overlaid). */
  indexRoot: z.string().optional(),
  /** Only in a worktree: files that differ from the indexed commit, parsed on demand. */
  overlayFiles: z.number().int().optional(),
});
export type Stamp = z.infer<typeof Stamp>;

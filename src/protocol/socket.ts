// The daemon's wire protocol: one JSON object per line over the Unix socket (and the same verbs,
// params and results over the HTTP sidecar). Requests `{id, verb, params}`; replies
// `{id, ok: true, result}` or `{id, ok: false, error: {code, message}}`; after `subscribe`, event
// lines `{event, seq, time, data}` interleave with replies. docs/protocol.md documents every shape.
// Index answers reuse the schemas of `--json` output (index-answers.ts), so a verb's result is
// byte-for-byte what `skep <command> --json` prints.
import { z } from "zod";
import { MAX_QUERY, MAX_SYMBOL_REF } from "./limits.ts";
import { CallGraphAnswer, Freshness, IndexAnswer, RepoMapAnswer, SearchAnswer, StatusAnswer, SymbolRef } from "./index-answers.ts";
import {
  CostAnswer,
  TASK_EVENTS,
  TaskAnswer,
  TaskClarifyParams,
  TaskCreateAnswer,
  TaskCreateParams,
  TaskDeleteAnswer,
  TaskDeleteParams,
  TaskApproveParams,
  TaskIdParams,
  TaskListAnswer,
  TaskListParams,
  TaskRejectParams,
  TaskWaitAnswer,
  TaskWaitParams,
} from "./tasks.ts";

/** Longest accepted request line (socket) or body (HTTP), in bytes. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export const RequestId = z.union([z.string().max(200), z.number().finite()]);
export type RequestId = z.infer<typeof RequestId>;

export const Request = z.object({
  id: RequestId,
  verb: z.string().min(1).max(100),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type Request = z.infer<typeof Request>;

export const ERROR_CODES = [
  "bad_json", // the line is not JSON
  "bad_request", // JSON, but not a request object (missing id or verb, wrong types)
  "too_large", // the line or body exceeds MAX_REQUEST_BYTES
  "unknown_verb",
  "bad_params", // params do not match the verb's schema
  "not_found", // e.g. no such symbol or file in the index, no such task
  "conflict", // the task is not in a state that allows this (an illegal transition)
  "unavailable", // the index or the task store cannot be read (yet), or what the verb needs is missing
  "stopping", // the daemon is shutting down: ask elsewhere (the index file) or later
  "busy", // the daemon is at its connection limit: ask elsewhere or later
  "timeout",
  "internal",
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** `fix`: what to do about it, when the message does not already say. */
export const ErrorBody = z.object({ code: ErrorCode, message: z.string(), fix: z.string().optional() });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const OkReply = z.object({ id: RequestId, ok: z.literal(true), result: z.unknown() });
/** id is null when the request's own id could not be read (bad JSON, too large). */
export const ErrorReply = z.object({ id: RequestId.nullable(), ok: z.literal(false), error: ErrorBody });
export const Reply = z.union([OkReply, ErrorReply]);
export type Reply = z.infer<typeof Reply>;

// ------------------------------------------------------------------------------------ params

const Names = z.union([z.string(), z.array(z.string())]);
const positive = z.number().int().min(1);

export const SearchParams = z.strictObject({
  query: z.string().max(MAX_QUERY),
  kind: Names.optional(),
  lang: Names.optional(),
  path: z.string().max(4096).optional(),
  limit: positive.max(200).default(20),
});
export const GraphParams = z.strictObject({
  /** `Name`, `Container.Name`, or `path:line`. */
  symbol: z.string().min(1).max(MAX_SYMBOL_REF),
  depth: positive.max(5).default(1),
  limit: positive.default(50),
  /** Also list each root's implementations and what it implements (`skep impls`). */
  impls: z.boolean().optional(),
});
export const MapParams = z.strictObject({ tokens: positive.default(1024) });
export const StatusParams = z.strictObject({});
export const FileContextParams = z.strictObject({
  /** Repo-relative path, forward slashes. */
  path: z.string().min(1).max(4096),
  /** Include each symbol's doc comment. */
  docs: z.boolean().default(false),
});
export const SymbolSourceParams = z.strictObject({
  symbol: z.string().min(1).max(MAX_SYMBOL_REF),
  /** At most this many lines of source per symbol (the rest is cut, and `truncated` says so). */
  maxLines: positive.max(5000).default(200),
  /** At most this many symbols when the name matches several definitions. */
  limit: positive.max(20).default(3),
});
export const RefreshParams = z.strictObject({
  /** Wait until an index run that started after this request has finished (default true). */
  wait: z.boolean().default(true),
  /** Give up waiting after this many ms (the run goes on). */
  timeoutMs: positive.max(3_600_000).default(300_000),
});
export const EmptyParams = z.strictObject({});
export const SubscribeParams = z.strictObject({
  /** Only these event names (default: all). A trailing `*` matches a prefix: `index.*`. */
  events: z.array(z.string()).optional(),
});

// ------------------------------------------------------------------------------------ results

export const FileContextAnswer = z.object({
  path: z.string(),
  lang: z.string(),
  /** Why the file is listed but not parsed, or null. */
  skipped: z.string().nullable(),
  symbols: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      kind: z.string(),
      container: z.string().nullable(),
      line: z.number().int(),
      endLine: z.number().int(),
      signature: z.string(),
      rank: z.number(),
      doc: z.string().nullable().optional(),
    }),
  ),
  freshness: Freshness,
});
export type FileContextAnswer = z.infer<typeof FileContextAnswer>;

export const SymbolSourceAnswer = z.object({
  symbols: z.array(
    z.object({
      symbol: SymbolRef,
      /** The definition's lines as they are on disk now. */
      text: z.string(),
      startLine: z.number().int(),
      endLine: z.number().int(),
      truncated: z.boolean(),
      /** The file changed on disk since it was indexed: the lines may not be the symbol's any more. */
      fileChanged: z.boolean(),
    }),
  ),
  freshness: Freshness,
});
export type SymbolSourceAnswer = z.infer<typeof SymbolSourceAnswer>;

export const RefreshAnswer = z.object({
  /** False when `wait` was false or the wait timed out: a run is queued or running. */
  finished: z.boolean(),
  index: IndexAnswer.nullable(),
  freshness: Freshness,
});
export type RefreshAnswer = z.infer<typeof RefreshAnswer>;

export const DaemonInfo = z.object({
  pid: z.number().int(),
  version: z.string(),
  root: z.string(),
  socket: z.string(),
  http: z.string().nullable(),
  startedAt: z.string(),
  uptimeMs: z.number(),
  /** What the indexer is doing: idle, or running an update (and how many more are queued). */
  indexer: z.object({ state: z.enum(["starting", "idle", "running"]), queued: z.boolean(), runs: z.number().int(), lastError: z.string().nullable() }),
  /** Directories under watch; `degraded` when some could not be watched (freshness then rescans). */
  watcher: z.object({ directories: z.number().int(), degraded: z.boolean() }),
  connections: z.number().int(),
  /** Requests answered since start (socket and HTTP), errors included. */
  requests: z.number().int(),
  /** The LLM variables the daemon's tasks see (ANTHROPIC_*, CLAUDE_*, proxies, CA files): name → short sha256 of the value, never the value. */
  llmEnv: z.record(z.string(), z.string()).optional(),
});
export type DaemonInfo = z.infer<typeof DaemonInfo>;

export const StopAnswer = z.object({ stopping: z.literal(true) });
export const SubscribeAnswer = z.object({ subscribed: z.literal(true), seq: z.number().int() });

/** Every verb: its params and result schemas. The socket and HTTP servers dispatch through this table. */
export const VERBS = {
  ping: { params: EmptyParams, result: DaemonInfo, read: true, doc: "Who is serving: pid, version, root, indexer and watcher state" },
  status: { params: StatusParams, result: StatusAnswer, read: true, doc: "Index size, languages, changed and skipped files (as `skep status --json`)" },
  search: { params: SearchParams, result: SearchAnswer, read: true, doc: "Symbol search (as `skep search --json`)" },
  callers: { params: GraphParams, result: CallGraphAnswer, read: true, doc: "Who calls a symbol (as `skep callers --json`)" },
  callees: { params: GraphParams, result: CallGraphAnswer, read: true, doc: "What a symbol calls (as `skep callees --json`)" },
  map: { params: MapParams, result: RepoMapAnswer, read: true, doc: "The ranked repo map (as `skep map --json`)" },
  "file.context": { params: FileContextParams, result: FileContextAnswer, read: true, doc: "A file's symbols with signatures (and docs)" },
  "symbol.source": { params: SymbolSourceParams, result: SymbolSourceAnswer, read: true, doc: "The source text of a symbol, bounded" },
  refresh: { params: RefreshParams, result: RefreshAnswer, read: false, doc: "Re-index now (and wait for it)" },
  subscribe: { params: SubscribeParams, result: SubscribeAnswer, read: false, doc: "Turn this connection into an event stream" },
  stop: { params: EmptyParams, result: StopAnswer, read: false, doc: "Drain in-flight requests and exit" },
  "task.create": { params: TaskCreateParams, result: TaskCreateAnswer, read: false, doc: "Dedup, then store a task and start classifying it (or, dryRun, classify and plan without storing)" },
  "task.list": { params: TaskListParams, result: TaskListAnswer, read: true, doc: "This repo's tasks, oldest first" },
  "task.show": { params: TaskIdParams, result: TaskAnswer, read: true, doc: "One task with its plan, steps and tokens" },
  "task.approve": { params: TaskApproveParams, result: TaskAnswer, read: false, doc: "Approve a classified or pending task (`from`: sent from another repo); the executor queues it" },
  "task.reject": { params: TaskRejectParams, result: TaskAnswer, read: false, doc: "Reject a task (final)" },
  "task.clarify": { params: TaskClarifyParams, result: TaskAnswer, read: false, doc: "Answer a task's questions and classify it again (answers when the pipeline is done)" },
  "task.run": { params: TaskIdParams, result: TaskAnswer, read: false, doc: "Queue an approved, failed or interrupted task for execution" },
  "task.interrupt": { params: TaskIdParams, result: TaskAnswer, read: false, doc: "Stop a running or queued task; it keeps its worktree and branch" },
  "task.done": { params: TaskIdParams, result: TaskAnswer, read: false, doc: "Mark a task done by hand" },
  "task.delete": { params: TaskDeleteParams, result: TaskDeleteAnswer, read: false, doc: "Delete a task, its files, worktree and (by default) branch" },
  "task.wait": { params: TaskWaitParams, result: TaskWaitAnswer, read: true, doc: "Answer when the task is classified, or final" },
  cost: { params: EmptyParams, result: CostAnswer, read: true, doc: "Token ledger totals per task, per purpose and for the repo" },
} as const;
export type Verb = keyof typeof VERBS;
export type ParamsOf<V extends Verb> = z.input<(typeof VERBS)[V]["params"]>;
export type ResultOf<V extends Verb> = z.infer<(typeof VERBS)[V]["result"]>;

export function isVerb(v: string): v is Verb {
  return Object.hasOwn(VERBS, v);
}

// ------------------------------------------------------------------------------------ events

export const IndexStartedData = z.object({ mode: z.enum(["full", "paths"]), paths: z.number().int() });
export const IndexSearchableData = z.object({ mode: z.enum(["full", "paths"]), paths: z.array(z.string()) });
export const IndexUpdatedData = z.object({
  mode: z.enum(["full", "paths"]),
  parsed: z.number().int(),
  deleted: z.number().int(),
  files: z.number().int(),
  symbols: z.number().int(),
  durationMs: z.number(),
  /** Paths the watcher reported for this run (at most 200; `pathsTotal` counts all). */
  paths: z.array(z.string()),
  pathsTotal: z.number().int(),
  freshness: Freshness,
});
export const IndexFailedData = z.object({ message: z.string() });
export const HeadMovedData = z.object({ from: z.string().nullable(), to: z.string().nullable() });
export const DaemonStoppingData = z.object({ reason: z.string() });

export const EVENTS = {
  "index.started": IndexStartedData,
  "index.searchable": IndexSearchableData,
  "index.updated": IndexUpdatedData,
  "index.failed": IndexFailedData,
  "head.moved": HeadMovedData,
  "daemon.stopping": DaemonStoppingData,
  ...TASK_EVENTS,
} as const;
export type EventName = keyof typeof EVENTS;
export type EventData<E extends EventName> = z.infer<(typeof EVENTS)[E]>;

export const Event = z.object({
  event: z.string(),
  /** Increases by one per event the daemon publishes (gaps mean a filtered or dropped event). */
  seq: z.number().int(),
  time: z.string(),
  data: z.unknown(),
});
export type Event = z.infer<typeof Event>;

/** `.skep/http.json`, mode 0600. */
export const HttpInfo = z.object({ url: z.string(), token: z.string().regex(/^[0-9a-f]{64}$/), pid: z.number().int() });
export type HttpInfo = z.infer<typeof HttpInfo>;

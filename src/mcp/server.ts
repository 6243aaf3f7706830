// `skep mcp`: the stdio MCP server. One table of tools (toolTable): five read-only tools over the
// repo's index (see tools.ts), eight over its task queue (task-tools.ts), six over the task
// queues of the workspace's peer repos (remote-tools.ts, listed only when there are peers) and
// four over coordinator runs (run-tools.ts, listed only in a workspace), lean descriptions (the tool list is re-sent to the model every turn; docs/mcp.md records its
// size), answers bounded and stamped. stdout carries only protocol messages; diagnostics go to
// stderr.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ShapeOutput, ZodRawShapeCompat } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import {
  ApproveRemoteTaskAnswer,
  CreateRemoteTaskAnswer,
  CreateTaskAnswer,
  DecidedRemoteTaskAnswer,
  DecidedTaskAnswer,
  DedupTaskAnswer,
  DeleteTaskAnswer,
  GetCallGraphAnswer,
  GetFileContextAnswer,
  GetOverviewAnswer,
  GetRemoteTaskAnswer,
  GetSymbolAnswer,
  ListTasksAnswer,
  RunAnswer,
  SearchSymbolsAnswer,
  TaskAnswer,
  WaitRemoteTaskAnswer,
} from "../protocol/mcp-answers.ts";
import {
  ClarifyRemoteTaskInput,
  ClarifyTaskInput,
  CreateRemoteTaskInput,
  CreateTaskInput,
  DedupTaskInput,
  GetCallGraphInput,
  GetFileContextInput,
  GetOverviewInput,
  GetSymbolInput,
  ListTasksInput,
  RejectRemoteTaskInput,
  RejectTaskInput,
  RemoteTaskIdInput,
  SearchSymbolsInput,
  TaskIdInput,
  WaitRemoteTaskInput,
} from "../protocol/mcp.ts";
import { ACTIVE_STATUSES } from "../protocol/tasks.ts";
import { VERSION } from "../version.ts";
import { answered, failure, registerTool } from "./register.ts";
import { type McpRepo, openMcpRepo } from "./repo.ts";
import { type ProgressSource, reporter } from "./progress.ts";
import { RemoteTools } from "./remote-tools.ts";
import { RunTools } from "./run-tools.ts";
import { CoordinateInput, RunIdInput, WaitRunInput } from "../protocol/runs.ts";
import { serveUntilClosed } from "./stdio-guard.ts";
import { TaskTools } from "./task-tools.ts";
import { Tools } from "./tools.ts";

export const INSTRUCTIONS =
  "Code index of this repository (symbols, signatures, call graph, ranked map). Prefer it to grep/read for finding definitions, callers and file outlines. Every answer's `index` says how fresh it is; `pending` files changed since indexing. Also the repo's task queue: tasks are planned, then run on their own branch once approved.";

/**
 * Tool descriptions: one line each, what it answers and when to use it. The parameters a
 * description explains have no description of their own, and what the answer holds is in its
 * outputSchema: the list is re-sent every turn (bench:mcp prints each tool's share).
 */
export const DESCRIPTIONS = {
  search_symbols: "Find symbols by name, prefix, camelCase initials, words or typo.",
  get_file_context: "One file's symbols with signatures and line ranges.",
  get_call_graph: "Callers, callees and implementations of a symbol; each edge says how it was resolved.",
  get_symbol: "Source code of one symbol, read from disk.",
  get_overview: "Languages, size, and the top files and symbols (PageRank) within `tokens`.",
  list_tasks: "This repo's tasks, newest first.",
  create_task: "Queue a task: dedup, classify, plan. Nothing runs before approve_task.",
  show_task: "One task in full: plan, steps, result, questions, next step.",
  approve_task: "Approve a planned task to run on its own branch. Only with the user's go-ahead.",
  reject_task: "Reject a task (final).",
  clarify_task: "Answer a task's questions; waits for the new plan.",
  delete_task: "Delete a task (not queued or executing); its branch is kept.",
  dedup_task: "Would this task duplicate a task or existing code? Creates nothing.",
  create_remote_task: "Queue a task in a peer repo; waits for its plan.",
  get_remote_task: "A peer repo's task in full, with the next step.",
  approve_remote_task: "Approve a peer repo's planned task. Only with the user's go-ahead.",
  reject_remote_task: "Reject a peer repo's task (final). Only with the user's go-ahead.",
  clarify_remote_task: "Answer a peer repo's task's questions; waits for its new plan.",
  wait_remote_task: "Wait until a peer repo's task is done, failed, interrupted or rejected.",
  coordinate: "Plan a change across the workspace's repos (contract, specs) for approve_run.",
  show_run: "A coordinator run in full, with the next step.",
  approve_run: "Approve a run: a task per repo, then a review. Only with the user's go-ahead.",
  wait_run: "Wait until a run ends or needs a person.",
} as const;

/** Where a tool is listed: every repo; only where the workspace has peer repos; only in a workspace. */
type ToolScope = "repo" | "peers" | "workspace";
type Extra = ProgressSource & { signal: AbortSignal };
type Report = ((message: string) => void) | undefined;

type Wrap = (extra: Extra, progress: boolean, answer: (report: Report) => Promise<string>) => Promise<string>;

/** One row of the tool table: a tool's name, input, answer schema, annotations, where it is listed, and its answer. */
interface ToolEntry {
  name: ToolName;
  scope: ToolScope;
  /** The answer's full schema (src/protocol/mcp-answers.ts). */
  output: z.ZodType;
  register(server: McpServer, wrap: Wrap): void;
}
export type ToolName = keyof typeof DESCRIPTIONS;

/** Each tool's answer schema (src/protocol/mcp-answers.ts): every answer is checked against it before it is sent. */
export const OUTPUTS: Record<ToolName, z.ZodType> = {
  search_symbols: SearchSymbolsAnswer,
  get_file_context: GetFileContextAnswer,
  get_call_graph: GetCallGraphAnswer,
  get_symbol: GetSymbolAnswer,
  get_overview: GetOverviewAnswer,
  list_tasks: ListTasksAnswer,
  create_task: CreateTaskAnswer,
  show_task: TaskAnswer,
  approve_task: DecidedTaskAnswer,
  reject_task: DecidedTaskAnswer,
  clarify_task: TaskAnswer,
  delete_task: DeleteTaskAnswer,
  dedup_task: DedupTaskAnswer,
  create_remote_task: CreateRemoteTaskAnswer,
  get_remote_task: GetRemoteTaskAnswer,
  approve_remote_task: ApproveRemoteTaskAnswer,
  reject_remote_task: DecidedRemoteTaskAnswer,
  clarify_remote_task: DecidedRemoteTaskAnswer,
  wait_remote_task: WaitRemoteTaskAnswer,
  coordinate: RunAnswer,
  show_run: RunAnswer,
  approve_run: RunAnswer,
  wait_run: RunAnswer,
};

/** A table row, typed by its input shape (the SDK checks the arguments against it before `answer`). */
function tool<S extends ZodRawShapeCompat>(
  name: ToolName,
  input: S,
  annotations: ToolAnnotations,
  answer: (args: ShapeOutput<S>, extra: Extra, report: Report) => Promise<string>,
  opts: { scope?: ToolScope; progress?: boolean } = {},
): ToolEntry {
  const output = OUTPUTS[name];
  return {
    name,
    scope: opts.scope ?? "repo",
    output,
    register: (server, wrap) =>
      registerTool(server, { name, description: DESCRIPTIONS[name], input, output, annotations }, async (args, extra: Extra) => {
        try {
          return answered(name, await wrap(extra, opts.progress ?? false, (report) => answer(args, extra, report)), output);
        } catch (err) {
          return failure(err);
        }
      }),
  };
}

const readOnly = { readOnlyHint: true };
// A tool that is not read-only is taken as destructive unless it says otherwise (MCP's default).
const changes = { destructiveHint: false };
const destroys = { destructiveHint: true };

/** Every tool the server can list, in listing order. */
export function toolTable(tools: Tools, tasks: TaskTools, remote: RemoteTools, runs: RunTools): ToolEntry[] {
  return [
    tool("search_symbols", SearchSymbolsInput, readOnly, (args) => tools.searchSymbols(args)),
    tool("get_file_context", GetFileContextInput, readOnly, (args) => tools.getFileContext(args)),
    tool("get_call_graph", GetCallGraphInput, readOnly, (args) => tools.getCallGraph(args)),
    tool("get_symbol", GetSymbolInput, readOnly, (args) => tools.getSymbol(args)),
    tool("get_overview", GetOverviewInput, readOnly, (args) => tools.getOverview(args)),
    // The pipeline and a peer's work can take minutes: the calls that wait on them report
    // progress when the client asked for it (progress: true).
    tool("list_tasks", ListTasksInput, readOnly, (args) => tasks.listTasks(args)),
    tool("create_task", CreateTaskInput, changes, (args, extra, report) => tasks.createTask(args, report, extra.signal), { progress: true }),
    tool("show_task", TaskIdInput, readOnly, (args) => tasks.showTask(args)),
    tool("approve_task", TaskIdInput, changes, (args) => tasks.approveTask(args)),
    tool("reject_task", RejectTaskInput, destroys, (args) => tasks.rejectTask(args)),
    tool("clarify_task", ClarifyTaskInput, changes, (args, extra, report) => tasks.clarifyTask(args, report, extra.signal), { progress: true }),
    tool("delete_task", TaskIdInput, destroys, (args) => tasks.deleteTask(args)),
    tool("dedup_task", DedupTaskInput, readOnly, (args) => tasks.dedupTask(args)),
    // A peer repo's task queue, through its daemon (remote-tools.ts). create waits for the peer's
    // plan and wait for the end: both relay the peer task's events as progress.
    tool("create_remote_task", CreateRemoteTaskInput, changes, (args, extra, report) => remote.createRemoteTask(args, report, extra.signal), { scope: "peers", progress: true }),
    tool("get_remote_task", RemoteTaskIdInput, readOnly, (args, extra) => remote.getRemoteTask(args, extra.signal), { scope: "peers" }),
    tool("approve_remote_task", RemoteTaskIdInput, changes, (args, extra) => remote.approveRemoteTask(args, extra.signal), { scope: "peers" }),
    tool("reject_remote_task", RejectRemoteTaskInput, destroys, (args, extra) => remote.rejectRemoteTask(args, extra.signal), { scope: "peers" }),
    tool("clarify_remote_task", ClarifyRemoteTaskInput, changes, (args, extra, report) => remote.clarifyRemoteTask(args, report, extra.signal), { scope: "peers", progress: true }),
    tool("wait_remote_task", WaitRemoteTaskInput, readOnly, (args, extra, report) => remote.waitRemoteTask(args, report, extra.signal), { scope: "peers", progress: true }),
    // Coordinator runs across the workspace (run-tools.ts): coordinate waits for the draft,
    // wait_run for the end.
    tool("coordinate", CoordinateInput, changes, (args, extra, report) => runs.coordinate(args, report, extra.signal), { scope: "workspace", progress: true }),
    tool("show_run", RunIdInput, readOnly, (args) => runs.showRun(args), { scope: "workspace" }),
    tool("approve_run", RunIdInput, changes, (args) => runs.approveRun(args), { scope: "workspace" }),
    tool("wait_run", WaitRunInput, readOnly, (args, extra, report) => runs.waitRun(args, report, extra.signal), { scope: "workspace", progress: true }),
  ];
}

/** The server over the repo's one SkepApi (`repo.api`: index and tasks, daemon or this process by its rule). */
export function createServer(repo: McpRepo, remote = new RemoteTools(repo), runs = new RunTools(repo)): McpServer {
  const server = new McpServer({ name: "skep", version: VERSION }, { instructions: INSTRUCTIONS });
  const tools = new Tools(repo.api.index, async () =>
    (await repo.api.tasks.list(ACTIVE_STATUSES)).value.map((t) => ({ id: t.id, name: t.name, status: t.status })),
  );
  const tasks = new TaskTools(repo);
  const wrap: Wrap = async (extra, progress, answer) => {
    const r = progress ? reporter(extra) : null;
    try {
      return await answer(r?.report);
    } finally {
      r?.stop();
    }
  };
  // Cross-repo tools are listed only where they can do something: the peer tools where the
  // workspace has peers, the run tools in a workspace. Elsewhere they would cost every turn
  // their share of the tool list for nothing (bench:mcp prints each tool's share).
  const listed = { repo: true, peers: remote.available(), workspace: runs.available() };
  for (const entry of toolTable(tools, tasks, remote, runs)) if (listed[entry.scope]) entry.register(server, wrap);
  return server;
}

/** Serve on stdin/stdout until the client closes stdin. */
export async function serveStdio(repoFlag: string | undefined, opts: { daemon?: boolean } = {}): Promise<void> {
  // A bad --repo fails here, at start. A missing index is not fatal: the tools say how to build
  // one, and pick it up once it exists.
  const repo = await openMcpRepo(repoFlag, opts);
  const remote = new RemoteTools(repo);
  const runs = new RunTools(repo);
  const server = createServer(repo, remote, runs);
  await serveUntilClosed(server);
  await runs.close();
  remote.close();
  await repo.api.close();
}

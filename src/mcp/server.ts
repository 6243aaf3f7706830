// `skep mcp`: the stdio MCP server. Five read-only tools over the repo's index (see tools.ts),
// eight over its task queue (task-tools.ts) and four over the task queues of the workspace's peer
// repos (remote-tools.ts), lean descriptions (the tool list is re-sent to the model every turn; docs/mcp.md records its
// size), answers bounded and stamped. stdout carries only protocol messages; diagnostics go to
// stderr.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import {
  ClarifyTaskInput,
  CreateRemoteTaskInput,
  CreateTaskInput,
  DedupTaskInput,
  GetCallGraphInput,
  GetFileContextInput,
  GetOverviewInput,
  GetSymbolInput,
  ListTasksInput,
  RejectTaskInput,
  RemoteTaskIdInput,
  SearchSymbolsInput,
  TaskIdInput,
  WaitRemoteTaskInput,
} from "../protocol/mcp.ts";
import { ACTIVE_STATUSES } from "../protocol/tasks.ts";
import { VERSION } from "../version.ts";
import { IndexBackend, ToolError } from "./backend.ts";
import { type ProgressSource, reporter } from "./progress.ts";
import { RemoteTools } from "./remote-tools.ts";
import { RunTools } from "./run-tools.ts";
import { CoordinateInput, RunIdInput, WaitRunInput } from "../protocol/runs.ts";
import { guardedInput } from "./stdio-guard.ts";
import { TaskBackend } from "./task-backend.ts";
import { TaskTools } from "./task-tools.ts";
import { Tools } from "./tools.ts";

export const INSTRUCTIONS =
  "Code index of this repository (symbols, signatures, call graph, ranked map). Prefer it to grep/read for finding definitions, callers and file outlines. Every answer's `index` says how fresh it is; `pending` files changed since indexing. Also the repo's task queue: tasks are planned, then run on their own branch once approved.";

/** Tool descriptions: one line each, what it answers and when to use it. */
export const DESCRIPTIONS = {
  search_symbols: "Find symbols (functions, types, methods...) by name, prefix, camelCase initials, words or typo. Returns ids, locations, signatures.",
  get_file_context: "Outline of one file: its symbols with signatures and line ranges (docs with verbose).",
  get_call_graph: "Callers, callees and implementations of a symbol, up to depth hops; each edge says how it was resolved (type, interface, import, name).",
  get_symbol: "Source code of one symbol (function, class...), read from disk.",
  get_overview: "Repo overview: languages, size, and the most important files and symbols (PageRank) within a token budget.",
  list_tasks: "This repo's tasks, newest first: id, name, status, classification, branch, tokens.",
  create_task: "Queue a task: dedup, then classify and plan it. Nothing runs before approve_task.",
  show_task: "One task in full: plan, steps, tokens, result, open questions, and what can happen next.",
  approve_task: "Approve a planned task so it runs on its own branch. Only with the user's go-ahead.",
  reject_task: "Reject a task (final).",
  clarify_task: "Answer a task's questions; it is classified and planned again (waits for that).",
  delete_task: "Delete a task (not while queued or executing). Its branch is kept.",
  dedup_task: "Does this task description duplicate a task or existing code? Creates nothing.",
  create_remote_task: "Queue a task in a peer repo of the workspace; waits for the peer's classification and plan.",
  get_remote_task: "A peer repo's task: status, plan, result, questions, next step.",
  approve_remote_task: "Approve a peer repo's planned task so it runs there. Only with the user's go-ahead.",
  wait_remote_task: "Wait until a peer repo's task is done, failed, interrupted or rejected.",
  coordinate: "Plan one change across the workspace's repos: a contract and a spec per repo, for approve_run.",
  show_run: "A coordinator run: status, contract, specs, workers, verdicts, tokens.",
  approve_run: "Approve a run for all its repos: a task per repo, then a review. Only with the user's go-ahead.",
  wait_run: "Wait until a run is done, failed, interrupted or needs a person.",
} as const;

function ok(text: string): CallToolResult {
  return { content: [{ type: "text", text }] };
}

function fail(err: unknown): CallToolResult {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ToolError) && process.env.SKEP_DEBUG && err instanceof Error) console.error(err.stack);
  return { content: [{ type: "text", text: `Error: ${message}` }], isError: true };
}

export function createServer(backend: IndexBackend, taskBackend: TaskBackend, remote = new RemoteTools(taskBackend), runs = new RunTools(taskBackend)): McpServer {
  const server = new McpServer({ name: "skep", version: VERSION }, { instructions: INSTRUCTIONS });
  const tools = new Tools(backend, async () =>
    (await taskBackend.list(ACTIVE_STATUSES)).value.map((t) => ({ id: t.id, name: t.name, status: t.status })),
  );
  const tasks = new TaskTools(taskBackend);
  const readOnly = { readOnlyHint: true };
  // A tool that is not read-only is taken as destructive unless it says otherwise (MCP's default).
  const changes = { destructiveHint: false };
  const destroys = { destructiveHint: true };
  const run = (fn: () => Promise<string>) => async (): Promise<CallToolResult> => {
    try {
      return ok(await fn());
    } catch (err) {
      return fail(err);
    }
  };
  server.registerTool(
    "search_symbols",
    { description: DESCRIPTIONS.search_symbols, inputSchema: SearchSymbolsInput, annotations: readOnly },
    (args) => run(() => tools.searchSymbols(args))(),
  );
  server.registerTool(
    "get_file_context",
    { description: DESCRIPTIONS.get_file_context, inputSchema: GetFileContextInput, annotations: readOnly },
    (args) => run(() => tools.getFileContext(args))(),
  );
  server.registerTool(
    "get_call_graph",
    { description: DESCRIPTIONS.get_call_graph, inputSchema: GetCallGraphInput, annotations: readOnly },
    (args) => run(() => tools.getCallGraph(args))(),
  );
  server.registerTool(
    "get_symbol",
    { description: DESCRIPTIONS.get_symbol, inputSchema: GetSymbolInput, annotations: readOnly },
    (args) => run(() => tools.getSymbol(args))(),
  );
  server.registerTool(
    "get_overview",
    { description: DESCRIPTIONS.get_overview, inputSchema: GetOverviewInput, annotations: readOnly },
    (args) => run(() => tools.getOverview(args))(),
  );
  // The pipeline and a peer's work can take minutes: the calls that wait on them report progress
  // when the client asked for it.
  const withProgress = (extra: ProgressSource, fn: (report: ((m: string) => void) | undefined) => Promise<string>) => {
    const r = reporter(extra);
    return run(() => fn(r.report).finally(() => r.stop()))();
  };
  server.registerTool(
    "list_tasks",
    { description: DESCRIPTIONS.list_tasks, inputSchema: ListTasksInput, annotations: readOnly },
    (args) => run(() => tasks.listTasks(args))(),
  );
  server.registerTool(
    "create_task",
    { description: DESCRIPTIONS.create_task, inputSchema: CreateTaskInput, annotations: changes },
    (args, extra) => withProgress(extra, (report) => tasks.createTask(args, report, extra.signal)),
  );
  server.registerTool(
    "show_task",
    { description: DESCRIPTIONS.show_task, inputSchema: TaskIdInput, annotations: readOnly },
    (args) => run(() => tasks.showTask(args))(),
  );
  server.registerTool(
    "approve_task",
    { description: DESCRIPTIONS.approve_task, inputSchema: TaskIdInput, annotations: changes },
    (args) => run(() => tasks.approveTask(args))(),
  );
  server.registerTool(
    "reject_task",
    { description: DESCRIPTIONS.reject_task, inputSchema: RejectTaskInput, annotations: destroys },
    (args) => run(() => tasks.rejectTask(args))(),
  );
  server.registerTool(
    "clarify_task",
    { description: DESCRIPTIONS.clarify_task, inputSchema: ClarifyTaskInput, annotations: changes },
    (args, extra) => withProgress(extra, (report) => tasks.clarifyTask(args, report, extra.signal)),
  );
  server.registerTool(
    "delete_task",
    { description: DESCRIPTIONS.delete_task, inputSchema: TaskIdInput, annotations: destroys },
    (args) => run(() => tasks.deleteTask(args))(),
  );
  server.registerTool(
    "dedup_task",
    { description: DESCRIPTIONS.dedup_task, inputSchema: DedupTaskInput, annotations: readOnly },
    (args) => run(() => tasks.dedupTask(args))(),
  );
  // A peer repo's task queue, through its daemon (remote-tools.ts). create waits for the peer's
  // plan and wait for the end: both relay the peer task's events as progress.
  server.registerTool(
    "create_remote_task",
    { description: DESCRIPTIONS.create_remote_task, inputSchema: CreateRemoteTaskInput, annotations: changes },
    (args, extra) => withProgress(extra, (report) => remote.createRemoteTask(args, report, extra.signal)),
  );
  server.registerTool(
    "get_remote_task",
    { description: DESCRIPTIONS.get_remote_task, inputSchema: RemoteTaskIdInput, annotations: readOnly },
    (args, extra) => run(() => remote.getRemoteTask(args, extra.signal))(),
  );
  server.registerTool(
    "approve_remote_task",
    { description: DESCRIPTIONS.approve_remote_task, inputSchema: RemoteTaskIdInput, annotations: changes },
    (args, extra) => run(() => remote.approveRemoteTask(args, extra.signal))(),
  );
  server.registerTool(
    "wait_remote_task",
    { description: DESCRIPTIONS.wait_remote_task, inputSchema: WaitRemoteTaskInput, annotations: readOnly },
    (args, extra) => withProgress(extra, (report) => remote.waitRemoteTask(args, report, extra.signal)),
  );
  // Coordinator runs across the workspace (run-tools.ts): coordinate waits for the draft, wait_run
  // for the end. Only in a workspace, the one place a run can be: elsewhere the four would cost
  // every turn about 1,500 characters of tool list for nothing.
  if (!runs.available()) return server;
  server.registerTool(
    "coordinate",
    { description: DESCRIPTIONS.coordinate, inputSchema: CoordinateInput, annotations: changes },
    (args, extra) => withProgress(extra, (report) => runs.coordinate(args, report, extra.signal)),
  );
  server.registerTool("show_run", { description: DESCRIPTIONS.show_run, inputSchema: RunIdInput, annotations: readOnly }, (args) => run(() => runs.showRun(args))());
  server.registerTool("approve_run", { description: DESCRIPTIONS.approve_run, inputSchema: RunIdInput, annotations: changes }, (args) => run(() => runs.approveRun(args))());
  server.registerTool(
    "wait_run",
    { description: DESCRIPTIONS.wait_run, inputSchema: WaitRunInput, annotations: readOnly },
    (args, extra) => withProgress(extra, (report) => runs.waitRun(args, report, extra.signal)),
  );
  return server;
}

/** Serve on stdin/stdout until the client closes stdin. */
export async function serveStdio(repo: string | undefined, opts: { daemon?: boolean } = {}): Promise<void> {
  // A bad --repo fails here, at start. A missing index is not fatal: the tools say how to build
  // one, and pick it up once it exists.
  const backend = new IndexBackend(repo, opts);
  const taskBackend = new TaskBackend(repo);
  const remote = new RemoteTools(taskBackend);
  const runs = new RunTools(taskBackend);
  const server = createServer(backend, taskBackend, remote, runs);
  // Lines the SDK would drop silently get their JSON-RPC error instead (stdio-guard.ts).
  const transport = new StdioServerTransport(guardedInput(process.stdin, process.stdout), process.stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
    process.stdin.once("close", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => {});
  await runs.close();
  remote.close();
  backend.close();
  await taskBackend.close();
}

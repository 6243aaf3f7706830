// `skep mcp`: the stdio MCP server. Five read-only tools over the repo's index (see tools.ts),
// lean descriptions (the tool list is re-sent to the model every turn; docs/mcp.md records its
// size), answers bounded and stamped. stdout carries only protocol messages; diagnostics go to
// stderr.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { GetCallGraphInput, GetFileContextInput, GetOverviewInput, GetSymbolInput, SearchSymbolsInput } from "../protocol/mcp.ts";
import { VERSION } from "../version.ts";
import { IndexBackend, ToolError } from "./backend.ts";
import { Tools } from "./tools.ts";

export const INSTRUCTIONS =
  "Code index of this repository (symbols, signatures, call graph, ranked map). Prefer it to grep/read for finding definitions, callers and file outlines. Every answer's `index` says how fresh it is; `pending` files changed since indexing.";

/** Tool descriptions: one line each, what it answers and when to use it. */
export const DESCRIPTIONS = {
  search_symbols: "Find symbols (functions, types, methods...) by name, prefix, camelCase initials, words or typo. Returns ids, locations, signatures.",
  get_file_context: "Outline of one file: its symbols with signatures and line ranges (docs with verbose).",
  get_call_graph: "Callers and callees of a symbol, up to depth hops.",
  get_symbol: "Source code of one symbol (function, class...), read from disk.",
  get_overview: "Repo overview: languages, size, and the most important files and symbols (PageRank) within a token budget.",
} as const;

function ok(text: string): CallToolResult {
  return { content: [{ type: "text", text }] };
}

function fail(err: unknown): CallToolResult {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ToolError) && process.env.SKEP_DEBUG && err instanceof Error) console.error(err.stack);
  return { content: [{ type: "text", text: `Error: ${message}` }], isError: true };
}

export function createServer(backend: IndexBackend): McpServer {
  const server = new McpServer({ name: "skep", version: VERSION }, { instructions: INSTRUCTIONS });
  const tools = new Tools(backend);
  const readOnly = { readOnlyHint: true };
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
  return server;
}

/** Serve on stdin/stdout until the client closes stdin. */
export async function serveStdio(repo: string | undefined, opts: { daemon?: boolean } = {}): Promise<void> {
  // A bad --repo fails here, at start. A missing index is not fatal: the tools say how to build
  // one, and pick it up once it exists.
  const backend = new IndexBackend(repo, opts);
  const server = createServer(backend);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
    process.stdin.once("close", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => {});
  backend.close();
}

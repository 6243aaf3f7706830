// `skep mcp workspace`: a read-only MCP server over several repos of a workspace, for a
// coordinator run's LLM calls (src/coordinator/). It offers the five index tools of `skep mcp`,
// each with a `repo` argument naming the repo it reads, answered by the very same handlers
// (tools.ts) over that repo's own SkepApi's index (its daemon, else its index file). Nothing here can
// write: no task tools, no remote task tools.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { GetCallGraphInput, GetFileContextInput, GetOverviewInput, GetSymbolInput, SearchSymbolsInput } from "../protocol/mcp.ts";
import { VERSION } from "../version.ts";
import type { WorkspaceRepo } from "../workspace/registry.ts";
import { openApi, type SkepApi } from "../api/api.ts";
import type { CheckoutIndex } from "../api/checkout-index.ts";
import { repoContext } from "../repo/repo.ts";
import { ToolError } from "./tool-error.ts";
import { answered, failure, registerTool } from "./register.ts";
import { DESCRIPTIONS, OUTPUTS } from "./server.ts";
import { serveUntilClosed } from "./stdio-guard.ts";
import { Tools } from "./tools.ts";

export const WORKSPACE_INSTRUCTIONS =
  "Code indexes of several repositories of one workspace (symbols, signatures, call graph, ranked map), read-only. Every tool takes `repo`: the repository to read.";

export class WorkspaceTools {
  private readonly open = new Map<string, { api: Promise<SkepApi<CheckoutIndex>>; tools: Promise<Tools> }>();

  constructor(readonly repos: readonly WorkspaceRepo[]) {}

  /** The handlers of one repo, over its SkepApi opened on first use. */
  of(name: string): Promise<Tools> {
    const repo = this.repos.find((r) => r.name.toLowerCase() === String(name).toLowerCase());
    if (!repo) throw new ToolError(`no repo '${name}' here; the repos are: ${this.repos.map((r) => r.name).join(", ")}`);
    let hit = this.open.get(repo.name);
    if (!hit) {
      const ctx = repoContext(repo.path);
      const api = openApi(ctx, ctx, "server");
      hit = { api, tools: api.then((a) => new Tools(a.index)) };
      this.open.set(repo.name, hit);
    }
    return hit.tools;
  }

  async close(): Promise<void> {
    for (const { api } of this.open.values()) await (await api).close();
    this.open.clear();
  }
}

export function createWorkspaceServer(tools: WorkspaceTools): McpServer {
  const server = new McpServer({ name: "skep", version: VERSION }, { instructions: `${WORKSPACE_INSTRUCTIONS} Repos: ${tools.repos.map((r) => r.name).join(", ")}.` });
  const repo = z.string().min(1).describe(`repository: ${tools.repos.map((r) => r.name).join(" | ")}`);
  const readOnly = { readOnlyHint: true };
  // The same descriptions and answer schemas as `skep mcp`'s index tools, with `repo` added.
  type IndexTool = "search_symbols" | "get_file_context" | "get_call_graph" | "get_symbol" | "get_overview";
  const spec = <S extends z.ZodRawShape>(name: IndexTool, input: S) => ({ name, description: DESCRIPTIONS[name], input: { repo, ...input }, output: OUTPUTS[name], annotations: readOnly });
  const run = async (name: IndexTool, fn: () => Promise<string>): Promise<CallToolResult> => {
    try {
      return answered(name, await fn(), OUTPUTS[name]);
    } catch (err) {
      return failure(err);
    }
  };
  registerTool(server, spec("search_symbols", SearchSymbolsInput), ({ repo: r, ...args }) => run("search_symbols", async () => (await tools.of(r)).searchSymbols(args)));
  registerTool(server, spec("get_file_context", GetFileContextInput), ({ repo: r, ...args }) => run("get_file_context", async () => (await tools.of(r)).getFileContext(args)));
  registerTool(server, spec("get_call_graph", GetCallGraphInput), ({ repo: r, ...args }) => run("get_call_graph", async () => (await tools.of(r)).getCallGraph(args)));
  registerTool(server, spec("get_symbol", GetSymbolInput), ({ repo: r, ...args }) => run("get_symbol", async () => (await tools.of(r)).getSymbol(args)));
  registerTool(server, spec("get_overview", GetOverviewInput), ({ repo: r, ...args }) => run("get_overview", async () => (await tools.of(r)).getOverview(args)));
  return server;
}

/** Serve `repos` on stdin/stdout until the client closes stdin. */
export async function serveWorkspaceStdio(repos: readonly WorkspaceRepo[]): Promise<void> {
  // SKEP_DIR names one repo's store; here every repo reads its own `.skep/`.
  delete process.env.SKEP_DIR;
  const tools = new WorkspaceTools(repos);
  const server = createWorkspaceServer(tools);
  await serveUntilClosed(server);
  await tools.close();
}

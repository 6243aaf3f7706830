// `skep mcp` (= `skep mcp serve`): the stdio MCP server for coding agents. `skep mcp install`:
// register it with Claude Code and print the same for Cursor and Codex.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { resolve } from "node:path";
import { claudeConfigPath, install, InstallError, otherClientSnippets, serverEntry } from "../../mcp/install.ts";
import { serveStdio } from "../../mcp/server.ts";
import { CommandFailed, UsageError } from "../../errors.ts";
import { serveWorkspaceStdio } from "../../mcp/workspace-server.ts";
import { findWorkspace, workspaceRepos } from "../../workspace/registry.ts";
import { InstallAnswer } from "../../protocol/cli-answers.ts";
import { printJson } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";

const serve = defineCommand({
  meta: { name: "serve", description: "Serve the index over MCP on stdin/stdout (what an agent's MCP config runs)" },
  args: {
    ...repoArgs,
    daemon: { type: "boolean", description: "Ask the repo's daemon when it runs (--no-daemon: always read the index file)", default: true },
  },
  async run({ args }) {
    await serveStdio(args.repo, { daemon: args.daemon });
  },
});

const workspace = defineCommand({
  meta: { name: "workspace", description: "Serve several repos' indexes read-only over MCP (each tool takes `repo`; what a coordinator run's LLM calls get)" },
  args: {
    workspace: { type: "string", description: "The workspace directory (default: the one above the current directory)", valueHint: "dir" },
    repos: { type: "string", description: "Repos to serve, comma-separated (default: every repo of the workspace)", valueHint: "a,b" },
  },
  async run({ args }) {
    const ws = args.workspace ? resolve(args.workspace) : findWorkspace(process.cwd());
    if (!ws) throw new UsageError("no skep workspace above the current directory; pass --workspace DIR");
    let all;
    try {
      all = workspaceRepos(ws);
    } catch (err) {
      throw new CommandFailed(`the workspace registry cannot be read: ${(err as Error).message}`);
    }
    const wanted = args.repos ? String(args.repos).split(",").map((s) => s.trim()).filter(Boolean) : all.map((r) => r.name);
    const repos = wanted.map((n) => {
      const hit = all.find((r) => r.name.toLowerCase() === n.toLowerCase());
      if (!hit) throw new UsageError(`no repo named '${n}' in the workspace ${ws}; its repos are: ${all.map((r) => r.name).join(", ") || "none"}`);
      return hit;
    });
    if (!repos.length) throw new UsageError(`the workspace ${ws} has no repos registered`);
    await serveWorkspaceStdio(repos);
  },
});

const installCmd = defineCommand({
  meta: { name: "install", description: "Register skep with Claude Code (project .mcp.json or user config); print Cursor and Codex snippets" },
  args: {
    scope: { type: "string", description: "project (<repo>/.mcp.json) or user (~/.claude.json)", default: "project", valueHint: "project|user" },
    name: { type: "string", description: "Server name in the config (default skep)", default: "skep" },
    ...repoArgs,
    ...jsonArg,
  },
  async run({ args }) {
    const scope = args.scope;
    if (scope !== "project" && scope !== "user") throw new UsageError(`--scope must be project or user, not '${scope}'`);
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(args.name)) throw new UsageError(`--name must be letters, digits, '_', '-' or '.', not '${args.name}'`);
    const root = scope === "project" ? repoContext(args.repo).root : "";
    const entry = serverEntry();
    let r;
    try {
      r = install(claudeConfigPath(scope, root), args.name, entry);
    } catch (err) {
      if (err instanceof InstallError) throw new CommandFailed(err.message);
      throw err;
    }
    const snippets = otherClientSnippets(args.name, entry);
    if (args.json) return printJson(InstallAnswer, { ...r, ...snippets });
    const verb = { added: "Installed", updated: "Updated", unchanged: "Already installed:" }[r.status];
    console.log(`${verb} MCP server '${r.name}' in ${r.file}`);
    console.log(`  command: ${[entry.command, ...entry.args].join(" ")}`);
    if (r.status !== "unchanged") console.log("Restart Claude Code (or run /mcp) to pick it up.");
    if (scope === "project") console.log("Claude Code asks once before it starts a server from a project's .mcp.json.");
    console.log(`\nCursor (.cursor/mcp.json in the project, or ~/.cursor/mcp.json):\n${snippets.cursor}`);
    console.log(`\nCodex (~/.codex/config.toml):\n${snippets.codex}`);
  },
});

export const mcpCommand = defineCommand({
  meta: TOP.mcp,
  subCommands: { serve, install: installCmd, workspace },
  default: "serve",
} as Parameters<typeof defineCommand>[0]);

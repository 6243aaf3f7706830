// The MCP config handed to `claude --mcp-config`: one stdio server, skep's own MCP server for the
// repo or worktree the call works in. Written to a private temp dir (0700 dir, 0600 file) because
// it names paths the caller may not want others to read, and removed after the call.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

/** src/main.ts, for running skep from source. */
const MAIN_TS = resolve(import.meta.dir, "../main.ts");

/**
 * The command line that starts this skep: the compiled binary itself, or, when running from
 * source (bun executing a .ts entry), bun plus the absolute path of src/main.ts. Not Bun.main:
 * under `bun test` or in a worker that is some other file.
 */
export function skepCommand(): string[] {
  const main = Bun.main;
  const compiled = main.startsWith("/$bunfs/") || main.includes("~BUN");
  const isBun = /^bun(-debug)?(\.exe)?$/.test(basename(process.execPath));
  if (!compiled && isBun && /\.(ts|tsx|js|mjs|cjs)$/.test(main)) return [process.execPath, MAIN_TS];
  return [process.execPath];
}

export interface McpConfigFile {
  path: string;
  /** Remove the file and its private directory (idempotent). */
  dispose(): void;
}

/** What the server serves: one repo or worktree, or (the coordinator's calls) several repos of a workspace, read-only. */
export type McpTarget = string | { workspace: string; repos: string[] };

/** The argv that starts skep's MCP server for a target: `skep mcp --repo <repo>`, or `skep mcp workspace ...`. */
export function mcpServerCommand(target: McpTarget, command: string[] = skepCommand()): string[] {
  if (typeof target !== "string") return [...command, "mcp", "workspace", "--workspace", target.workspace, "--repos", target.repos.join(",")];
  return [...command, "mcp", "--repo", target];
}

/**
 * The config JSON: the server above as the stdio server named `skep`. SKEP_MCP_TASKS=read: skep's
 * own LLM calls (classify, plan, steps) may read the task queue but never create, approve, reject,
 * clarify or delete tasks. Every backend gives its server this environment.
 */
export const MCP_SERVER_ENV = { SKEP_MCP_TASKS: "read" } as const;

export function mcpConfigFor(target: McpTarget, command: string[] = skepCommand()): string {
  const [bin, ...args] = mcpServerCommand(target, command);
  return JSON.stringify({ mcpServers: { skep: { type: "stdio", command: bin, args, env: { ...MCP_SERVER_ENV } } } });
}

export function writeMcpConfig(repo: McpTarget, command?: string[]): McpConfigFile {
  const dir = mkdtempSync(join(tmpdir(), "skep-mcp-config-")); // created 0700
  const path = join(dir, "mcp.json");
  writeFileSync(path, mcpConfigFor(repo, command), { mode: 0o600 });
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

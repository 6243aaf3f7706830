// `skep mcp install`: register skep with Claude Code, the way `claude mcp add` itself would.
//   --scope project: `<repo>/.mcp.json` (shared with the team through git; Claude Code asks each
//                    user once before starting a project server);
//   --scope user:    `~/.claude.json` (or `$CLAUDE_CONFIG_DIR/.claude.json`), top-level `mcpServers`,
//                    which is where `claude mcp add --scope user` writes (verified with 2.1.197).
// The entry runs this very skep by absolute path with `mcp` and no `--repo`: Claude Code starts
// MCP servers in its working directory, so one entry serves whichever repo, or worktree, the agent
// works in. Only our own key is touched; every other server and setting is kept as it was, and a
// file that is not valid JSON is left alone with an error. Running it twice changes nothing.
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { selfCommand } from "../client/control.ts";
import { writeFileAtomic } from "../util/fs.ts";

export interface ServerEntry {
  type: "stdio";
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface InstallResult {
  file: string;
  name: string;
  status: "added" | "updated" | "unchanged";
  entry: ServerEntry;
  /** The entry that was there before, when it differed. */
  previous?: unknown;
}

export class InstallError extends Error {}

export function serverEntry(command = selfCommand()): ServerEntry {
  return { type: "stdio", command: command[0]!, args: [...command.slice(1), "mcp"], env: {} };
}

export function claudeConfigPath(scope: "project" | "user", repoRoot: string): string {
  if (scope === "project") return join(repoRoot, ".mcp.json");
  const dir = process.env.CLAUDE_CONFIG_DIR || homedir();
  return join(dir, ".claude.json");
}

export function install(file: string, name: string, entry: ServerEntry): InstallResult {
  let doc: Record<string, unknown> = {};
  let mode = file.endsWith(".claude.json") ? 0o600 : 0o644;
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8");
    mode = statSync(file).mode & 0o777;
    if (text.trim() !== "") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new InstallError(`${file} is not valid JSON (${(err as Error).message}); fix it by hand, nothing was written`);
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new InstallError(`${file} does not hold a JSON object; nothing was written`);
      }
      doc = parsed as Record<string, unknown>;
    }
  }
  const servers = doc.mcpServers ?? {};
  if (servers === null || typeof servers !== "object" || Array.isArray(servers)) {
    throw new InstallError(`${file}: "mcpServers" is not an object; nothing was written`);
  }
  const previous = (servers as Record<string, unknown>)[name];
  if (previous !== undefined && sameEntry(previous, entry)) return { file, name, status: "unchanged", entry };
  doc.mcpServers = { ...(servers as Record<string, unknown>), [name]: entry };
  writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`, mode);
  return { file, name, status: previous === undefined ? "added" : "updated", entry, ...(previous === undefined ? {} : { previous }) };
}

function sameEntry(a: unknown, b: ServerEntry): boolean {
  if (!a || typeof a !== "object") return false;
  const x = a as Partial<ServerEntry>;
  return (x.type ?? "stdio") === b.type && x.command === b.command && JSON.stringify(x.args ?? []) === JSON.stringify(b.args) && JSON.stringify(x.env ?? {}) === JSON.stringify(b.env);
}

/** The same server for other clients, to paste by hand. */
export function otherClientSnippets(name: string, entry: ServerEntry): { cursor: string; codex: string } {
  const cursor = JSON.stringify({ mcpServers: { [name]: { command: entry.command, args: entry.args } } }, null, 2);
  const toml = (s: string) => JSON.stringify(s); // a TOML basic string is a JSON string for these characters
  const codex = [`[mcp_servers.${/^[A-Za-z0-9_-]+$/.test(name) ? name : toml(name)}]`, `command = ${toml(entry.command)}`, `args = [${entry.args.map(toml).join(", ")}]`].join("\n");
  return { cursor, codex };
}

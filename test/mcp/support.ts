// Scaffolding for the MCP tests: temp git repos indexed in-process, and a real MCP client (the SDK's
// `Client` over stdio) talking to a real `bun src/main.ts mcp` child. Everything a test starts is
// registered and torn down by cleanupAll() (call it in afterAll/afterEach).
import { expect } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync, lstatSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";
import { OUTPUTS, type ToolName } from "../../src/mcp/server.ts";
import { BUN, MAIN, onCleanup, PROJECT, tempDir as sharedTempDir } from "../support/temp.ts";
import { git as gitUntrimmed, writeFiles } from "../helpers/git-repo.ts";

export { BUN, cleanupAll, MAIN, onCleanup, PROJECT, TMP } from "../support/temp.ts";
export { writeFiles };

/** Environment for children: nothing from the developer's skep or Claude set-up leaks in. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith("SKEP_") || k.startsWith("CLAUDE") || k.startsWith("ANTHROPIC") || k === "TMUX") continue;
    env[k] = v;
  }
  return { ...env, SKEP_NO_TMUX: "1", SKEP_WORKERS: "1", ...extra };
}

export function tempDir(prefix = "skep-mcp-"): string {
  return sharedTempDir(prefix);
}

/** git's output, trimmed (helpers/git-repo.ts runs it). */
export function git(cwd: string, ...args: string[]): string {
  return gitUntrimmed(cwd, ...args).trim();
}

/** A git repo with these files committed on `main` (`.skep/` excluded the way `skep init` does). */
export function makeRepo(files: Record<string, string>, dir?: string): string {
  const root = dir ?? tempDir();
  mkdirSync(root, { recursive: true });
  writeFiles(root, files);
  git(root, "init", "-q");
  writeFileSync(join(root, ".git", "info", "exclude"), ".skep/\n");
  git(root, "add", "-A");
  git(root, "commit", "-qm", "init");
  return root;
}

export async function indexAt(root: string): Promise<void> {
  let db = openWritable(join(root, ".skep", "index.db"));
  try {
    await indexRepo(db, root, { workers: 1, onRebuilt: (fresh) => (db = fresh) });
    // Fold the WAL into the file now: otherwise the checkpoint happens whenever this connection is
    // finally released (after its statements are collected), and the file's bytes move under tests
    // that check nobody writes it.
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

/** A small TypeScript + Go project: a call chain, docs, a class with methods, a README. */
export const SAMPLE: Record<string, string> = {
  "src/greet.ts": [
    "/** Greets someone by name. */",
    "export function greet(name: string): string {",
    "  return format(`hello ${name}`);",
    "}",
    "",
    "/** Wraps a message. */",
    "export function format(message: string): string {",
    "  return `[${message}]`;",
    "}",
    "",
  ].join("\n"),
  "src/app.ts": [
    'import { greet } from "./greet";',
    "",
    "export class App {",
    "  /** Runs the app. */",
    "  run(): string {",
    '    return greet("world");',
    "  }",
    "",
    "  stop(): void {}",
    "}",
    "",
    "export function startApp(): string {",
    "  return new App().run();",
    "}",
    "",
  ].join("\n"),
  "go/server.go": "package server\n\n// Serve runs the server.\nfunc Serve() int { return listen() }\n\nfunc listen() int { return 1 }\n",
  "README.md": "# sample\n",
};

export interface Mcp {
  client: Client;
  /** Call a tool; returns its text and whether it is a tool error. */
  call(name: string, args?: Record<string, unknown>): Promise<{ text: string; isError: boolean }>;
  /** Call a tool that must succeed; returns its JSON answer. */
  json(name: string, args?: Record<string, unknown>): Promise<Record<string, any>>;
  close(): Promise<void>;
}

/**
 * Every answer comes twice: as JSON text and, the same object, as structuredContent matching the
 * tool's answer schema (src/protocol/mcp-answers.ts); an error carries text only.
 */
export function expectStructured(name: string, result: object): void {
  const r = result as { content?: unknown; structuredContent?: unknown; isError?: unknown };
  const text = (r.content as { text: string }[])[0]!.text;
  if (r.isError) {
    expect(r.structuredContent).toBeUndefined();
    return;
  }
  expect(r.structuredContent).toEqual(JSON.parse(text));
  const schema = OUTPUTS[name as ToolName];
  if (!schema) return; // an unknown tool: the SDK's own error
  const parsed = schema.safeParse(r.structuredContent);
  expect(parsed.error?.issues ?? []).toEqual([]);
}

/** Start `skep mcp` (stdio) for `repo` and connect the SDK client to it. */
export async function connect(repo: string | null, opts: { env?: Record<string, string>; args?: string[]; cwd?: string } = {}): Promise<Mcp> {
  const transport = new StdioClientTransport({
    command: BUN,
    args: [MAIN, "mcp", ...(repo === null ? [] : ["--repo", repo]), ...(opts.args ?? [])],
    env: childEnv(opts.env),
    cwd: opts.cwd ?? PROJECT,
    stderr: "pipe",
  });
  const client = new Client({ name: "skep-test", version: "0.0.0" });
  await client.connect(transport);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await client.close(); // closes stdin, then SIGTERM, then SIGKILL: the child is gone after this
  };
  onCleanup(close);
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const r = await client.callTool({ name, arguments: args });
    const content = r.content as { type: string; text: string }[];
    expect(content).toHaveLength(1);
    expect(content[0]!.type).toBe("text");
    expectStructured(name, r);
    return { text: content[0]!.text, isError: r.isError === true };
  };
  return {
    client,
    call,
    async json(name, args = {}) {
      const r = await call(name, args);
      if (r.isError) throw new Error(`${name} failed: ${r.text}`);
      return JSON.parse(r.text);
    },
    close,
  };
}

/** Every file under `root` (symlinks as their target text) with its content, except `skip` paths. */
export function snapshot(root: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      const rel = abs.slice(root.length + 1);
      if (skip(rel)) continue;
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) out.set(rel, `-> ${readlinkSync(abs)}`);
      else if (st.isDirectory()) walk(abs);
      else out.set(rel, Bun.hash(readFileSync(abs)).toString(16));
    }
  };
  walk(root);
  return out;
}

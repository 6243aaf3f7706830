// MCP server benchmark: how long `skep mcp` takes from spawn to its `initialize` answer, and the
// latency of `tools/call` for each tool (p50/p95), on a real index, with and without the repo's
// daemon, and from a git worktree (the main index plus the worktree's changed files). The client
// is the MCP SDK's own, over stdio, as an agent's client would be.
//
//   bun run bench:mcp [DIR] [--repo INDEXED_GIT_REPO] [--bin path/to/skep] [--calls 30] [--starts 10]
//                     [--edit net/http/server.go,strings/clone.go] [--list]
//
// It starts with what the tool list costs (tools/list, tool by tool) in a repo alone and in a repo
// of a workspace with a peer (every tool listed); --list prints only that.
//
// DIR defaults to the Go 1.19 standard library (/usr/share/go-1.19/src). DIR is never modified: it
// is copied to a temp dir, committed to a fresh git repo and indexed (none of that is timed).
// --repo skips that and uses a git repo that already has `.skep/index.db` (its files are not
// touched either: the worktree phase makes a `git worktree` next to a temp branch and removes it).
// --edit names the files changed in the worktree phase (one worktree and one server each).
// --bin runs a compiled skep (e.g. dist/skep after `bun run build`) instead of `bun src/main.ts`.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { DaemonClient } from "../../src/client/daemon-client.ts";
import { clientSocketPath, daemonPaths } from "../../src/repo/daemon-paths.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";
import { registerRepo } from "../../src/workspace/registry.ts";

const PROJECT = resolve(import.meta.dir, "../..");
const DEFAULT_DIR = "/usr/share/go-1.19/src";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    repo: { type: "string" },
    bin: { type: "string" },
    calls: { type: "string", default: "30" },
    starts: { type: "string", default: "10" },
    edit: { type: "string" },
    list: { type: "boolean", default: false },
  },
});
const CALLS = Number(args.calls);
const STARTS = Number(args.starts);
const command = args.bin ? [resolve(args.bin)] : [process.execPath, join(PROJECT, "src/main.ts")];

function env(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_")) out[k] = v;
  return { ...out, SKEP_NO_TMUX: "1" };
}

function git(cwd: string, ...a: string[]): string {
  const p = Bun.spawnSync(["git", "-c", "user.email=b@example.com", "-c", "user.name=bench", "-c", "init.defaultBranch=main", ...a], { cwd, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`git ${a.join(" ")}: ${p.stderr.toString()}`);
  return p.stdout.toString().trim();
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;

async function connect(repo: string): Promise<{ client: Client; initMs: number; rss: () => string }> {
  const t0 = performance.now();
  const transport = new StdioClientTransport({ command: command[0]!, args: [...command.slice(1), "mcp", "--repo", repo], env: env(), stderr: "inherit" });
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(transport); // resolves on the initialize answer
  const initMs = performance.now() - t0;
  /** The server's resident memory now (Linux /proc), for the record. */
  const rss = () => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${transport.pid}/status`, "utf8"))?.[1]);
      return `${Math.round(kb / 1024)} MB`;
    } catch {
      return "n/a";
    }
  };
  return { client, initMs, rss };
}

// ------------------------------------------------------------------------------- the workload

/** Argument sets per tool, drawn from the index so every call has a real target. */
async function workload(client: Client): Promise<Record<string, Record<string, unknown>[]>> {
  const names = ["ListenAndServe", "NewRequest", "Marshal", "Println", "ReadAll", "Dial", "Parse", "Sprintf", "Open", "Copy", "NewReader", "Join", "Sort", "Now", "Errorf"];
  const queries = [...names, "ServeHTTP", "hdr", "readRequest", "marshl", "json decoder", "LVM", "Context", "WithTimeout", "bufio", "Header"];
  const hits: { id: number; file: string }[] = [];
  for (const n of names) {
    const r = await client.callTool({ name: "search_symbols", arguments: { query: n, limit: 3 } });
    const a = JSON.parse((r.content as { text: string }[])[0]!.text);
    for (const h of a.hits ?? []) hits.push({ id: h.id, file: h.file });
  }
  if (hits.length === 0) throw new Error("the index has none of the benchmark's names: is this the Go standard library?");
  const files = [...new Set(hits.map((h) => h.file))];
  return {
    search_symbols: queries.map((query) => ({ query })),
    get_file_context: files.map((file_path) => ({ file_path })),
    get_call_graph: hits.map((h) => ({ symbol_id: h.id })),
    get_symbol: hits.map((h) => ({ symbol_id: h.id })),
    get_overview: [{}],
  };
}

interface Row {
  tool: string;
  p50: number;
  p95: number;
  n: number;
  maxChars: number;
  via: string;
}

async function measureCalls(client: Client, work: Record<string, Record<string, unknown>[]>): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [tool, sets] of Object.entries(work)) {
    const n = tool === "get_overview" ? Math.max(5, Math.floor(CALLS / 3)) : CALLS;
    const times: number[] = [];
    let maxChars = 0;
    const vias = new Set<string>();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await client.callTool({ name: tool, arguments: sets[i % sets.length] });
      times.push(performance.now() - t0);
      const text = (r.content as { text: string }[])[0]!.text;
      if (r.isError) throw new Error(`${tool} ${JSON.stringify(sets[i % sets.length])}: ${text}`);
      maxChars = Math.max(maxChars, text.length);
      vias.add(JSON.parse(text).index.via);
    }
    rows.push({ tool, p50: pct(times, 50), p95: pct(times, 95), n, maxChars, via: [...vias].join("+") });
  }
  return rows;
}

function table(title: string, rows: Row[]): string {
  const lines = [`### ${title}`, "", "| tool | p50 | p95 | calls | largest answer | via |", "|---|---:|---:|---:|---:|---|"];
  for (const r of rows) lines.push(`| ${r.tool} | ${ms(r.p50)} | ${ms(r.p95)} | ${r.n} | ${r.maxChars.toLocaleString("en")} chars | ${r.via} |`);
  return lines.join("\n");
}

// ------------------------------------------------------------------------------- daemon

async function startDaemon(repo: string): Promise<() => Promise<void>> {
  const proc = Bun.spawn([...command, "daemon", "run", "--repo", repo], { env: env(), stdout: "ignore", stderr: "ignore" });
  const paths = daemonPaths(repo, join(repo, ".skep"));
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the daemon exited with ${proc.exitCode}`);
    try {
      const c = await DaemonClient.connect(clientSocketPath(paths), 500);
      const info = await c.request("ping", {}, 5_000);
      const status = await c.request("status", {}, 120_000);
      c.close();
      if (info.indexer.state === "idle" && !info.indexer.queued && status.freshness.pendingFiles === 0) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("the daemon did not settle within 5 minutes");
    await Bun.sleep(200);
  }
  return async () => {
    proc.kill("SIGTERM");
    await proc.exited;
  };
}

// ------------------------------------------------------------------------------- main

async function prepare(): Promise<{ repo: string; cleanup: () => void }> {
  if (args.repo) {
    const repo = resolve(args.repo);
    if (!existsSync(join(repo, ".skep", "index.db"))) throw new Error(`${repo} has no .skep/index.db: run \`skep index --repo ${repo}\` first`);
    return { repo, cleanup: () => {} };
  }
  const dir = resolve(positionals[0] ?? DEFAULT_DIR);
  const tmp = mkdtempSync(join(tmpdir(), "skep-bench-mcp-"));
  const repo = join(tmp, "repo");
  console.error(`copying ${dir}, committing it to a git repo and indexing it (not timed) ...`);
  cpSync(dir, repo, { recursive: true });
  git(repo, "init", "-q");
  writeFileSync(join(repo, ".git", "info", "exclude"), ".skep/\n");
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "bench");
  const db = openWritable(join(repo, ".skep", "index.db"));
  await indexRepo(db, repo);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return { repo, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/**
 * tools/list's characters per tool (and of its outputSchema), and the whole answer's, in a repo
 * alone and in a repo of a workspace with a peer: a client re-sends the list to the model every
 * turn. The list does not depend on the index, so two empty repos do.
 */
async function toolListTables(): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), "skep-bench-list-"));
  try {
    const lone = join(tmp, "lone");
    const ws = join(tmp, "ws");
    const repos = [lone, join(ws, "app"), join(ws, "api")];
    for (const r of repos) {
      mkdirSync(r, { recursive: true });
      git(r, "init", "-q");
      git(r, "commit", "-q", "--allow-empty", "-m", "empty");
    }
    for (const r of repos.slice(1)) registerRepo(ws, r);
    const lists: { where: string; tools: { name: string; outputSchema?: unknown }[] }[] = [];
    for (const [where, repo] of [["a repo alone", lone], ["a repo of a workspace with a peer", repos[1]!]] as const) {
      const { client } = await connect(repo);
      lists.push({ where, tools: (await client.listTools()).tools });
      await client.close();
    }
    const names = lists[1]!.tools.map((t) => t.name);
    const size = (t: unknown) => (t === undefined ? "" : JSON.stringify(t).length.toLocaleString("en"));
    const rows = names.map((n) => {
      const cells = lists.map((l) => l.tools.find((t) => t.name === n));
      return `| ${n} | ${cells.map((t) => (t ? size(t) : "not listed")).join(" | ")} | ${size(cells[1]?.outputSchema)} |`;
    });
    return [
      "### tools/list: characters per tool (compact JSON)",
      "",
      `| tool | ${lists.map((l) => l.where).join(" | ")} | of which outputSchema |`,
      "|---|---:|---:|---:|",
      ...rows,
      `| total (tools/list JSON) | ${lists.map((l) => `${JSON.stringify({ tools: l.tools }).length.toLocaleString("en")} (${l.tools.length} tools)`).join(" | ")} | |`,
    ].join("\n");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (args.list) {
  console.log(await toolListTables());
  process.exit(0);
}

const { repo, cleanup } = await prepare();
const out: string[] = [];
try {
  const counts = (() => {
    const { Database } = require("bun:sqlite") as typeof import("bun:sqlite");
    const db = new Database(join(repo, ".skep", "index.db"), { readonly: true });
    const c = db.query("SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM symbols) AS symbols").get() as { files: number; symbols: number };
    db.close();
    return c;
  })();
  // What the tool list costs every turn: tools/list's JSON, tool by tool.
  out.push(await toolListTables(), "");
  out.push(`Index: ${counts.files.toLocaleString("en")} files, ${counts.symbols.toLocaleString("en")} symbols; server: ${command.map((c) => c.replace(PROJECT + "/", "")).join(" ")}`, "");

  // 1. Start-up: spawn to initialize answer.
  const inits: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const { client, initMs } = await connect(repo);
    inits.push(initMs);
    await client.close();
  }
  out.push(`### Start-up (spawn → initialize answer), ${STARTS} runs`, "", `p50 ${ms(pct(inits, 50))}, p95 ${ms(pct(inits, 95))}`, "");

  // 2. Calls without the daemon.
  const { client, rss } = await connect(repo);
  const work = await workload(client);
  out.push(table("tools/call without the daemon (index file read directly)", await measureCalls(client, work)), "", `Server RSS after these calls: ${rss()}`, "");

  // 3. Calls through the daemon.
  const stopDaemon = await startDaemon(repo);
  try {
    out.push(table("tools/call through the daemon", await measureCalls(client, work)), "");
  } finally {
    await stopDaemon();
  }
  await client.close();

  // 4. From a git worktree with one changed file: a heavily connected file, then a leaf.
  const edits = (args.edit ?? "net/http/server.go,strings/clone.go").split(",").filter(Boolean);
  for (const [i, target] of edits.entries()) {
    const wt = join(mkdtempSync(join(tmpdir(), "skep-bench-wt-")), "wt");
    const branch = `skep-bench-${Date.now().toString(36)}-${i}`;
    git(repo, "worktree", "add", "-q", wt, "-b", branch);
    try {
      if (!existsSync(join(wt, target))) {
        out.push(`(worktree edit of ${target} skipped: no such file)`, "");
        continue;
      }
      writeFileSync(join(wt, target), `${readFileSync(join(wt, target), "utf8")}\n// changed in the worktree\n`);
      // A fresh checkout's files share the second its git index was written in, so git cannot trust
      // their stat data ("racy git") and re-reads them on every diff until something refreshes the
      // index. The MCP server never writes it (GIT_OPTIONAL_LOCKS=0); an agent's first `git status`
      // does. Do that, as a session in a worktree would.
      git(wt, "status", "--porcelain");
      const w = await connect(wt);
      const t0 = performance.now();
      const first = await w.client.callTool({ name: "search_symbols", arguments: { query: "ListenAndServe" } });
      const firstMs = performance.now() - t0;
      const stamp = JSON.parse((first.content as { text: string }[])[0]!.text).index;
      out.push(
        `### From a git worktree, 1 changed file: ${target} (overlayFiles ${stamp.overlayFiles})`,
        "",
        `First call (copies the main index into memory, parses the changed file, re-resolves the references its names touch): ${ms(firstMs)}`,
        "",
      );
      if (i === 0) {
        // The worktree's own answers pick the targets (ids survive a re-parse, but stay honest).
        out.push(table("later calls from the worktree", await measureCalls(w.client, await workload(w.client))), "", `Server RSS (the in-memory copy of the index included): ${w.rss()}`, "");
      }
      await w.client.close();
    } finally {
      git(repo, "worktree", "remove", "--force", wt);
      git(repo, "branch", "-D", branch);
    }
  }
} finally {
  cleanup();
}
console.log(out.join("\n"));

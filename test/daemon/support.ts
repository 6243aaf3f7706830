// Scaffolding for the daemon tests: real git repos in temp dirs, real daemon child processes
// (`bun src/main.ts daemon run`), real sockets and HTTP. Every daemon and temp dir a test makes is
// registered and torn down by cleanupAll() (call it in afterEach).
import { Database } from "bun:sqlite";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { DaemonClient } from "../../src/client/daemon-client.ts";
import { DAEMON_ENV } from "../../src/client/control.ts";
import { clientSocketPath, daemonPaths, type DaemonPaths } from "../../src/repo/daemon-paths.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { INDEX_TABLES } from "../../src/index/schema.ts";
import { openWritable } from "../../src/index/store.ts";
import type { DaemonInfo, Event, HttpInfo } from "../../src/protocol/socket.ts";
import { BUN, MAIN, onCleanup, PROJECT, tempDir as sharedTempDir } from "../support/temp.ts";
import { git as gitUntrimmed, writeFiles } from "../helpers/git-repo.ts";

export { BUN, cleanupAll, MAIN, onCleanup, PROJECT, TMP } from "../support/temp.ts";
export { writeFiles };

/** Environment for every child: no tmux, no stray SKEP_DIR, a private tmux socket dir just in case. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "TMUX") env[k] = v;
  return { ...env, SKEP_NO_TMUX: "1", SKEP_WORKERS: "2", ...extra };
}

export function tempDir(prefix = "skep-daemon-"): string {
  return sharedTempDir(prefix);
}

/** git's output, trimmed (helpers/git-repo.ts runs it). */
export function git(cwd: string, ...args: string[]): string {
  return gitUntrimmed(cwd, ...args).trim();
}

/** A git repo with these files committed on `main`. */
export function makeRepo(files: Record<string, string>, opts: { git?: boolean; dir?: string } = {}): string {
  const root = opts.dir ?? tempDir();
  mkdirSync(root, { recursive: true });
  writeFiles(root, files);
  if (opts.git !== false) {
    git(root, "init", "-q");
    writeFileSync(join(root, ".git", "info", "exclude"), ".skep/\n");
    git(root, "add", "-A");
    git(root, "commit", "-qm", "init");
  }
  return root;
}

/** A small TypeScript + Go project whose functions call each other. */
export function sampleFiles(n = 6): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    files[`src/mod${i}.ts`] = `/** Module ${i}. */\nexport function handler${i}(x: number): number {\n  return helper${(i + 1) % n}(x) + ${i};\n}\n\nexport function helper${i}(x: number): number {\n  return x * ${i};\n}\n`;
  }
  files["go/server.go"] = "package server\n\n// Serve runs it.\nfunc Serve() int { return listen() }\n\nfunc listen() int { return 1 }\n";
  files["README.md"] = "# sample\n";
  return files;
}

export function run(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd: opts.cwd ?? PROJECT, env: childEnv(opts.env), stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

export interface RunningDaemon {
  root: string;
  paths: DaemonPaths;
  proc: Subprocess;
  client(): Promise<DaemonClient>;
  http(): HttpInfo;
  stop(): Promise<number | null>;
}

export function pathsFor(root: string): DaemonPaths {
  return daemonPaths(root, join(root, ".skep"));
}

/** Start `skep daemon run` as a child and wait until it answers ping. */
export async function startDaemon(root: string, opts: { env?: Record<string, string>; args?: string[] } = {}): Promise<RunningDaemon> {
  const paths = pathsFor(root);
  const proc = Bun.spawn([BUN, MAIN, "daemon", "run", "--repo", root, ...(opts.args ?? [])], {
    cwd: PROJECT,
    env: childEnv({ ...DAEMON_ENV, ...opts.env }),
    stdout: "ignore",
    stderr: "pipe",
  });
  const clients: DaemonClient[] = [];
  const d: RunningDaemon = {
    root,
    paths,
    proc,
    async client() {
      const c = await DaemonClient.connect(clientSocketPath(paths));
      clients.push(c);
      return c;
    },
    http() {
      return JSON.parse(require("node:fs").readFileSync(paths.http, "utf8")) as HttpInfo;
    },
    async stop() {
      for (const c of clients) c.close();
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
      const code = await proc.exited;
      clearTimeout(killer);
      return code;
    },
  };
  onCleanup(async () => {
    await d.stop(); // before its repo is removed: a running daemon may still write under .skep/
  });
  await waitForPing(paths, proc);
  return d;
}

export async function waitForPing(paths: DaemonPaths, proc?: Subprocess, timeoutMs = 30_000): Promise<DaemonInfo> {
  const deadline = Date.now() + timeoutMs;
  let lastErr = "";
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null) {
      const err = proc.stderr && typeof proc.stderr !== "number" ? await new Response(proc.stderr as ReadableStream).text() : "";
      throw new Error(`daemon exited with ${proc.exitCode}: ${err}`);
    }
    try {
      const c = await DaemonClient.connect(clientSocketPath(paths), 500);
      try {
        return await c.request("ping", {}, 2_000);
      } finally {
        c.close();
      }
    } catch (err) {
      lastErr = (err as Error).message;
    }
    await Bun.sleep(30);
  }
  throw new Error(`daemon did not answer: ${lastErr}`);
}

/**
 * Wait until the daemon has indexed everything it knows about: nothing queued or running and no
 * pending files. `changed` is a change the caller just made that must produce a run (its events
 * may not have arrived yet): wait for an index.updated event after `sinceSeq` first.
 */
export async function settle(c: DaemonClient, events: Event[], sinceSeq: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!events.some((e) => e.event === "index.updated" && e.seq > sinceSeq)) {
    if (Date.now() > deadline) throw new Error(`no index.updated after seq ${sinceSeq}; events: ${events.map((e) => e.event).join(",")}`);
    await Bun.sleep(10);
  }
  for (;;) {
    const info = await c.request("ping");
    const status = await c.request("status");
    if (info.indexer.state === "idle" && !info.indexer.queued && status.freshness.pendingFiles === 0) return;
    if (Date.now() > deadline) throw new Error(`daemon did not settle: ${JSON.stringify(info.indexer)} pending ${status.freshness.pendingFiles}`);
    await Bun.sleep(20);
  }
}

/** A subscribed client collecting every event. */
export async function eventLog(d: RunningDaemon): Promise<{ client: DaemonClient; events: Event[]; seq: number }> {
  const client = await d.client();
  const events: Event[] = [];
  const seq = await client.subscribe((e) => events.push(e));
  return { client, events, seq };
}

/** Build a cold index of `root` in a fresh database (outside the repo). */
export async function coldIndex(root: string): Promise<string> {
  const dir = tempDir("skep-cold-");
  const dbPath = join(dir, "index.db");
  const db = openWritable(dbPath);
  try {
    await indexRepo(db, root);
  } finally {
    db.close();
  }
  return dbPath;
}

/**
 * The index as comparable data: every column of every index table, with row ids replaced by what
 * they point at (a file's path, a symbol's path:line:col:kind:name) and timestamps left out, so
 * two indexes built differently compare equal when they hold the same facts. Read from the live
 * schema, so the comparison follows schema changes. Ranks are returned apart, because the store
 * only rewrites a rank that moved by more than 1 %.
 */
export function dumpIndex(dbPath: string): { rows: Record<string, string[]>; ranks: Map<string, number> } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const symKey = (expr: string) =>
      `(SELECT f_.path || ':' || s_.line || ':' || s_.col || ':' || s_.kind || ':' || s_.name FROM symbols s_ JOIN files f_ ON f_.id = s_.file_id WHERE s_.id = ${expr})`;
    const rows: Record<string, string[]> = {};
    const tables = (db.query("SELECT name FROM sqlite_master WHERE type = 'table'").values() as [string][]).map((r) => r[0]);
    // The index's own tables, except full-text shadows and the interned-name table (its ids are
    // replaced by the names wherever they are used).
    const compared = INDEX_TABLES.filter((t) => tables.includes(t) && !/fts|tri|^ref_names$/.test(t));
    const hasNames = tables.includes("ref_names");
    for (const table of compared) {
      const cols = (db.query(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      const exprs: string[] = [];
      for (const col of cols) {
        if (col === "id" || col === "rank" || col === "indexed_at") continue;
        if (col === "file_id") exprs.push(`(SELECT path FROM files WHERE id = t.file_id)`);
        else if (col === "name_id" && hasNames) exprs.push(`(SELECT name FROM ref_names WHERE id = t.name_id)`);
        else if (col === "from_symbol" || col === "to_symbol" || col === "symbol_id") exprs.push(symKey(`t.${col}`));
        else if (col === "weight") exprs.push("round(t.weight, 9)");
        else exprs.push(`t.${col}`);
      }
      rows[table] = (db.query(`SELECT ${exprs.join(", ")} FROM ${table} t`).values() as unknown[][]).map((r) => JSON.stringify(r)).sort();
    }
    const ranks = new Map<string, number>();
    for (const [k, r] of db.query(`SELECT ${symKey("s.id")}, s.rank FROM symbols s`).values() as [string, number][]) ranks.set(k, r);
    return { rows, ranks };
  } finally {
    db.close();
  }
}

/** Symbol keys whose ranks differ by more than `tolerance` (relative). */
export function rankDifferences(a: Map<string, number>, b: Map<string, number>, tolerance = 0.03): string[] {
  const out: string[] = [];
  for (const [k, ra] of a) {
    const rb = b.get(k);
    if (rb === undefined) continue;
    if (Math.abs(ra - rb) > tolerance * Math.max(ra, rb, 1e-6)) out.push(`${k}: ${ra} vs ${rb}`);
  }
  return out;
}

/** Raw line-level access to the socket, for malformed input. */
export async function rawSocket(path: string): Promise<{ write(data: string | Uint8Array): void; lines(n: number, timeoutMs?: number): Promise<Record<string, unknown>[]>; end(): void; closed: Promise<void> }> {
  let buf = "";
  const got: Record<string, unknown>[] = [];
  let wake: (() => void) | null = null;
  let markClosed!: () => void;
  const closed = new Promise<void>((r) => (markClosed = r));
  const queue: Buffer[] = [];
  const flush = (sock: { write(b: Buffer): number }) => {
    while (queue.length) {
      const b = queue[0]!;
      const n = sock.write(b);
      if (n >= b.length) queue.shift();
      else {
        queue[0] = b.subarray(Math.max(0, n));
        return;
      }
    }
  };
  const s = await Bun.connect({
    unix: path,
    socket: {
      drain: (sock) => flush(sock),
      data(_s, chunk) {
        buf += chunk.toString("utf8");
        let nl = buf.indexOf("\n");
        while (nl !== -1) {
          got.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
          nl = buf.indexOf("\n");
        }
        wake?.();
      },
      close: () => markClosed(),
      error: () => markClosed(),
    },
  });
  return {
    write: (data) => {
      queue.push(Buffer.from(data));
      if (queue.length === 1) flush(s);
    },
    async lines(n, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (got.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${got.length} of ${n} lines: ${JSON.stringify(got)}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
      return got.splice(0, n);
    },
    end: () => s.end(),
    closed,
  };
}

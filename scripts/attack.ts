// The red-team report's 48 attacks (../shared/notes/redteam-2026-12-05.md) as a regression table:
//
//   bun run attack [--only 6,13] [--connections 4000]
//
// Each row is an attack, what must happen, and what happened. An attack with a test in the suite
// names that test file (the suite is where it runs); the others, too slow or too heavy for the
// suite (thousands of connections, big lines and bodies, slow clients), run here against a real
// daemon (`bun src/main.ts daemon run`) on a scratch repo, and their result is measured now.
// Attacks that need a second user id, a tmpfs or the Go stdlib (the report's setup) say so and are
// not re-run here. Exit 1 when an attack that ran failed.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DAEMON_ENV } from "../src/client/control.ts";
import { DaemonClient } from "../src/client/daemon-client.ts";
import { clientSocketPath, daemonPaths } from "../src/repo/daemon-paths.ts";
import { clientFdBudget, clientLimits } from "../src/util/fds.ts";
import { floodHttp, floodSocket, openFds } from "../test/support/flood.ts";

const PROJECT = resolve(import.meta.dir, "..");
const { values: args } = parseArgs({ options: { only: { type: "string" }, connections: { type: "string", default: "4000" } } });
const only = args.only ? new Set(args.only.split(",").map(Number)) : null;
const CONNECTIONS = Number(args.connections);

interface Attack {
  n: number;
  attack: string;
  expected: string;
  /** Test files in the suite that re-run it. */
  tests?: string[];
  /** Why it is not re-run here. */
  setup?: string;
  run?: (d: Daemon) => Promise<string>;
}

interface Daemon {
  root: string;
  proc: ReturnType<typeof Bun.spawn>;
  socket: string;
  url: string;
  token: string;
  client(): Promise<DaemonClient>;
}

class Failed extends Error {}
function check(ok: boolean, what: string): void {
  if (!ok) throw new Failed(what);
}

const ATTACKS: Attack[] = [
  { n: 1, attack: "committed .skep/config.json with claude_bin; committed tasks.db", expected: "nothing from the repo runs until trusted; committed store ignored", tests: ["test/trust/committed-config.test.ts"] },
  { n: 2, attack: "task step rewrites or deletes the worktree's .git", expected: "step fails; user's branch, index, files untouched", tests: ["test/tasks/git-guard.test.ts"] },
  { n: 3, attack: "workspace registry planted by another user", expected: "refused with the reason", tests: ["test/trust/ownership.test.ts"] },
  { n: 4, attack: "kill -9 between the symbols and call-graph phases", expected: "answers say stale with the reason; next run finishes", tests: ["test/index/phases.test.ts"] },
  { n: 5, attack: ".skep/agent.sock.path pointing at another user's socket", expected: "an error, never a stranger's answers", tests: ["test/trust/socket.test.ts"] },
  {
    n: 6,
    attack: `${CONNECTIONS} idle HTTP connections without a token`,
    expected: "owner's HTTP, socket and indexing work; daemon fds bounded",
    tests: ["test/daemon/connections.test.ts (1,100)", "test/daemon/http-bounds.test.ts"],
    run: async (d) => {
      const port = Number(new URL(d.url).port);
      const before = openFds(d.proc.pid!) ?? 0;
      const flood = await floodHttp(port, CONNECTIONS);
      const limits = clientLimits(clientFdBudget());
      for (let i = 0; i < 200 && flood.closedByPeer() < CONNECTIONS - limits.http.maxUnauthenticated; i++) await Bun.sleep(50);
      const fds = (openFds(d.proc.pid!) ?? 0) - before;
      const r = await fetch(`${d.url}/v1/ping`, { headers: { authorization: `Bearer ${d.token}` } });
      const c = await d.client();
      await c.request("ping", {}, 5_000);
      appendFileSync(join(d.root, "src/a.ts"), "\nexport function attackSix(): number {\n  return 6;\n}\n");
      await c.request("refresh", { wait: true, timeoutMs: 60_000 }, 65_000);
      const hits = (await c.request("search", { query: "attackSix" })).hits.length;
      c.close();
      flood.release();
      check(r.status === 200, `owner's HTTP answered ${r.status}`);
      check(hits > 0, "the edit was not indexed");
      check(fds <= 3 * limits.http.maxUnauthenticated + 32, `daemon holds ${fds} more fds`);
      return `${flood.closedByPeer()} of ${CONNECTIONS} closed by the daemon; +${fds} fds; owner HTTP 200, ping ok, edit indexed`;
    },
  },
  { n: 7, attack: ".skep is a committed symlink to another user's directory", expected: "refused with a clear message", tests: ["test/trust/ownership.test.ts"] },
  { n: 8, attack: "ping and interrupt during a step's commit of many files", expected: "pings answered during the commit; interrupt stops it", tests: ["test/daemon/responsive.test.ts"], setup: "30,000 files: `bun run bench:daemon-responsive`" },
  { n: 9, attack: "disk full (a failing write) at task start", expected: "task failed with the reason, never stuck executing", tests: ["test/daemon/task-start-failure.test.ts"] },
  { n: 10, attack: "corrupt tasks.db", expected: "named as the task store, with path and fix", tests: ["test/daemon/task-store-damage.test.ts"] },
  { n: 11, attack: "truncated tasks.db, then a new task", expected: "moved aside; ids not reused", tests: ["test/tasks/store-ids.test.ts"] },
  { n: 12, attack: "wedged daemon (SIGSTOP), silent impostor socket", expected: "reads answer from the file after 2 s; status says it does not answer", tests: ["test/mcp/frozen-daemon.test.ts", "test/trust/socket.test.ts"] },
  {
    n: 13,
    attack: "idle Unix socket connections beyond the cap",
    expected: "the owner's new connection is served (longest idle evicted)",
    tests: ["test/daemon/connections.test.ts"],
    run: async (d) => {
      const limits = clientLimits(clientFdBudget());
      const flood = await floodSocket(d.socket, limits.socket + 100);
      const c = await d.client();
      const info = await c.request("ping", {}, 5_000);
      c.close();
      flood.release();
      check(info.connections <= limits.socket, `${info.connections} connections held`);
      return `${limits.socket + 100} idle connections: ${flood.closedByPeer()} evicted; owner's ping ok (${info.connections} held, cap ${limits.socket})`;
    },
  },
  { n: 14, attack: "MCP: unknown method, non-JSON line, batch", expected: "-32601, -32700, an error for the batch", tests: ["test/mcp/jsonrpc.test.ts"] },
  { n: 15, attack: "file name that is not valid UTF-8", expected: "listed under skipped with the reason", tests: ["test/index/bad-names.test.ts"] },
  { n: 16, attack: "disk full during init / daemon start", expected: "start prints the logged error, or says nothing could be logged", tests: ["test/daemon/start-failure.test.ts (/dev/full as the log)"] },
  { n: 17, attack: "skep init in a bare repo", expected: "refused", tests: ["test/cli/init-guard.test.ts"] },
  { n: 18, attack: "HTTP Host: evil.com / Origin with a valid token", expected: "403", tests: ["test/daemon/http-bounds.test.ts"] },
  {
    n: 19,
    attack: "socket fuzz: 5,000 mutated and random lines",
    expected: "every line answered, no internal error, connection stays open",
    tests: ["test/daemon/socket.test.ts (a few kinds)"],
    run: async (d) => {
      let seed = 19;
      const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
      const verbs = ["ping", "search", "callers", "map", "task.show", "nope", "refresh"];
      const lines: string[] = [];
      for (let i = 0; i < 5000; i++) {
        const kind = i % 4;
        lines.push(kind === 0 ? Array.from({ length: 1 + Math.floor(rnd() * 80) }, () => String.fromCharCode(33 + Math.floor(rnd() * 94))).join("") : JSON.stringify({ id: i, verb: verbs[Math.floor(rnd() * verbs.length)], params: kind === 1 ? { query: String(rnd()) } : kind === 2 ? [1, 2] : { id: -1, limit: "x" } }));
      }
      const replies = (await rawLine(d.socket, lines.join("\n"), 5000)).split("\n").filter(Boolean);
      const internal = replies.filter((r) => r.includes('"internal"')).length;
      check(replies.length >= 5000, `${replies.length} replies to 5,000 lines`);
      const c = await d.client();
      const alive = await c.request("ping", {}, 5_000);
      c.close();
      check(internal === 0, `${internal} internal errors`);
      check(!!alive.pid, "no ping after the fuzz");
      return `5,000 lines: ${replies.length} replies, 0 internal errors; ping ok afterwards`;
    },
  },
  {
    n: 20,
    attack: "socket: a 20 MB line, then a request",
    expected: "too_large, then the next request answered",
    tests: ["test/daemon/socket.test.ts (1 MB)"],
    run: async (d) => {
      const reply = await rawLine(d.socket, `${"x".repeat(20 * 1024 * 1024)}\n${JSON.stringify({ id: 2, verb: "ping", params: {} })}`, 2);
      check(reply.includes("too_large") && reply.includes('"id":2'), `replies: ${reply.slice(0, 200)}`);
      return "too_large, then the ping answered";
    },
  },
  {
    n: 21,
    attack: "socket: 500 concurrent connections, one ping each",
    expected: "500 answered",
    tests: ["test/daemon/socket.test.ts (50)"],
    run: async (d) => {
      const t = performance.now();
      const answers = await Promise.all(Array.from({ length: 500 }, async () => {
        const c = await d.client();
        try {
          return (await c.request("ping", {}, 30_000)).pid;
        } finally {
          c.close();
        }
      }));
      check(answers.every(Boolean), "a ping went unanswered");
      return `500/500 in ${Math.round(performance.now() - t)} ms`;
    },
  },
  { n: 22, attack: "200,000 pipelined requests, replies never read", expected: "cut off at the 64 MiB backlog", setup: "memory-heavy; the backlog cap is in socket-server.ts and http-gate.ts" },
  { n: 23, attack: "20,000 pipelined refresh waits", expected: "bounded memory, ping ok", setup: "memory-heavy; not re-run" },
  { n: 24, attack: "HTTP: no, wrong, query-string or Basic token; preflight", expected: "401 with WWW-Authenticate, no CORS", tests: ["test/daemon/http.test.ts"] },
  { n: 25, attack: "HTTP bound address", expected: "127.0.0.1 only", tests: ["test/daemon/http.test.ts"] },
  { n: 26, attack: "HTTP: random method × verb × body × query", expected: "no 5xx", tests: ["test/daemon/http.test.ts (each kind)"] },
  {
    n: 27,
    attack: "HTTP: 5 MB body with the token",
    expected: "413; the server stays up",
    tests: ["test/daemon/http.test.ts"],
    run: async (d) => {
      const r = await fetch(`${d.url}/v1/search`, { method: "POST", headers: { authorization: `Bearer ${d.token}` }, body: "x".repeat(5 * 1024 * 1024) }).catch((e: Error) => e);
      const after = await fetch(`${d.url}/v1/ping`, { headers: { authorization: `Bearer ${d.token}` } });
      check(after.status === 200, "the sidecar went down");
      return `${r instanceof Error ? `connection closed (${r.message})` : r.status}; ping 200 afterwards`;
    },
  },
  {
    n: 28,
    attack: "HTTP slowloris: half a request head, never finished",
    expected: "closed within the head timeout (5 s)",
    run: async (d) => {
      const port = Number(new URL(d.url).port);
      const t = performance.now();
      const flood = await floodHttp(port, 10, `GET /v1/ping HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
      for (let i = 0; i < 200 && flood.closedByPeer() < 10; i++) await Bun.sleep(50);
      const s = (performance.now() - t) / 1000;
      flood.release();
      check(flood.closedByPeer() === 10, `${flood.closedByPeer()} of 10 closed`);
      return `10/10 closed after ${s.toFixed(1)} s`;
    },
  },
  { n: 29, attack: "timing of the token compare", expected: "no measurable difference", setup: "statistical; the compare hashes both sides (http-server.ts)" },
  { n: 30, attack: "file permissions under umask 000", expected: ".skep 0700, secrets 0600", tests: ["test/daemon/lifecycle.test.ts"] },
  { n: 31, attack: "kill -9 ×5 during a cold index", expected: "converges byte-identical", tests: ["test/index/phases.test.ts"] },
  { n: 32, attack: "kill -9 during a step and during git add", expected: "interrupted; resume commits once", tests: ["test/daemon/tasks.test.ts"] },
  { n: 33, attack: "damaged or truncated index.db", expected: "clear message; skep index rebuilds", tests: ["test/index/robustness.test.ts"] },
  { n: 34, attack: "NUL bytes, huge sparse file, symlink loops, odd names, deep nesting", expected: "skipped with reasons or indexed", tests: ["test/index/robustness.test.ts"] },
  { n: 35, attack: "100k files; appends during a re-index; branch switches", expected: "all indexed, exact counts", setup: "large; `bun run bench:index` and test/daemon/watcher.test.ts" },
  { n: 36, attack: "shallow clone, submodule, repo with no commits", expected: "indexed", tests: ["test/index/robustness.test.ts (no commits)"] },
  { n: 37, attack: "MCP traversal: ../, absolute, symlinks", expected: "refused", tests: ["test/mcp/paths.test.ts"] },
  { n: 38, attack: "MCP: indexed file replaced by a symlink to /etc/passwd", expected: "cannot be read since it was indexed", tests: ["test/mcp/paths.test.ts"] },
  { n: 39, attack: "MCP: 300 concurrent calls, huge params, bad cursors", expected: "all answered, clear errors", tests: ["test/mcp/bounded.test.ts"] },
  { n: 40, attack: "MCP: a client that never reads stdout", expected: "bounded memory, alive", setup: "long; not re-run" },
  { n: 41, attack: "task description with $(…), backticks, NUL", expected: "nothing executed", tests: ["test/tasks/pipeline.test.ts"] },
  { n: 42, attack: "plan target_file and step writes outside the worktree", expected: "refused, task failed", tests: ["test/llm/script.test.ts"] },
  { n: 43, attack: "test_cmd with `; rm -rf`", expected: "untrusted: not run; trusted: argv, no shell", tests: ["test/tasks/test-run.test.ts"] },
  { n: 44, attack: "test_cmd changed after trust", expected: "not run; doctor says it changed", tests: ["test/cli/ops.test.ts"] },
  { n: 45, attack: "two approves / runs at once; delete while running", expected: "refused with the reason", tests: ["test/daemon/tasks.test.ts", "test/tasks/queue.test.ts"] },
  { n: 46, attack: "planted daemon.pid, then daemon stop", expected: "no unrelated process signalled", tests: ["test/daemon/stop-zombie.test.ts"] },
  { n: 47, attack: "resource use at idle", expected: "0 CPU ticks idle", setup: "`bun run bench:daemon` (idle rows)" },
  {
    n: 48,
    attack: "repo deleted under a running daemon",
    expected: "the daemon exits",
    run: async (d) => {
      rmSync(d.root, { recursive: true, force: true });
      for (let i = 0; i < 200 && d.proc.exitCode === null; i++) await Bun.sleep(50);
      check(d.proc.exitCode !== null, "still running 10 s later");
      return `exited (code ${d.proc.exitCode})`;
    },
  },
];

/** Send raw bytes on a fresh socket connection and collect `lines` reply lines. */
async function rawLine(path: string, text: string, lines = 1): Promise<string> {
  let got = "";
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  // The socket takes what fits; the rest goes out on drain.
  let rest = Buffer.from(`${text}\n`);
  const pump = (s: { write(b: Buffer): number }) => {
    while (rest.length) {
      const n = s.write(rest);
      if (n <= 0) return;
      rest = rest.subarray(n);
    }
  };
  const s = await Bun.connect({
    unix: path,
    socket: {
      data(_s, chunk) {
        got += chunk.toString();
        if (got.split("\n").length > lines) done();
      },
      drain: (sock) => pump(sock),
      close: () => done(),
    },
  });
  pump(s);
  await Promise.race([finished, Bun.sleep(60_000)]);
  s.end();
  return got;
}

const work = mkdtempSync(join(tmpdir(), "skep-attack-"));
const procs: ReturnType<typeof Bun.spawn>[] = [];

async function daemon(): Promise<Daemon> {
  const root = join(work, `repo-${procs.length}`);
  mkdirSync(join(root, "src"), { recursive: true });
  writeFileSync(join(root, "src/a.ts"), "export function a(): number {\n  return 1;\n}\n");
  const git = (...a: string[]) => Bun.spawnSync(["git", ...a], { cwd: root });
  git("init", "-q");
  git("add", "-A");
  git("-c", "user.name=a", "-c", "user.email=a@example.com", "commit", "-qm", "a");
  const env = { ...process.env, SKEP_NO_TMUX: "1", SKEP_HOME: join(work, "home"), ...DAEMON_ENV };
  Bun.spawnSync([process.execPath, join(PROJECT, "src/main.ts"), "init", "--no-daemon", "--repo", root], { env: { ...env, SKEP_NO_DAEMON: "1" } });
  const proc = Bun.spawn([process.execPath, join(PROJECT, "src/main.ts"), "daemon", "run", "--repo", root], { env, stdout: "ignore", stderr: "ignore" });
  procs.push(proc);
  const paths = daemonPaths(root, join(root, ".skep"));
  const socket = clientSocketPath(paths);
  for (let i = 0; ; i++) {
    try {
      (await DaemonClient.connect(socket, 500)).close();
      if (!(await Bun.file(paths.http).exists())) throw new Error("no http.json yet");
      break;
    } catch {
      if (i > 600) throw new Error("the daemon did not start");
      await Bun.sleep(50);
    }
  }
  const http = JSON.parse(await Bun.file(paths.http).text()) as { url: string; token: string };
  return { root, proc, socket, url: http.url, token: http.token, client: () => DaemonClient.connect(socket) };
}

const rows: { n: number; attack: string; expected: string; result: string }[] = [];
let failures = 0;
try {
  for (const a of ATTACKS) {
    if (only && !only.has(a.n)) continue;
    let result: string;
    if (a.run) {
      const d = await daemon();
      try {
        result = `held: ${await a.run(d)}`;
      } catch (err) {
        failures++;
        result = `**failed**: ${(err as Error).message}`;
      } finally {
        d.proc.kill("SIGTERM");
        await d.proc.exited;
      }
      process.stderr.write(`#${a.n} ${result}\n`);
    } else if (a.tests) result = `in the suite: ${a.tests.join(", ")}`;
    else result = `not re-run: ${a.setup}`;
    rows.push({ n: a.n, attack: a.attack, expected: a.expected, result });
  }
} finally {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
}

console.log("| # | attack | expected | result |");
console.log("|--:|---|---|---|");
for (const r of rows) console.log(`| ${r.n} | ${r.attack} | ${r.expected} | ${r.result.replace(/\|/g, "\\|")} |`);
process.exit(failures ? 1 : 0);

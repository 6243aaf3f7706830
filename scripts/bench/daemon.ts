// Daemon benchmark: search latency through the socket next to a fresh CLI process, edit-to-
// searchable latency, and what the daemon costs while idle.
//
//   bun run bench:daemon [DIR] [--queries 300] [--cli 30] [--edits 100] [--idle 60] [--source] [--keep]
//
// DIR defaults to the Go 1.19 standard library (/usr/share/go-1.19/src). It is never modified: it is
// copied to a temp dir and committed to a fresh git repo there (the copy is not timed), indexed cold
// by `skep index`, then served by `skep daemon run`. The CLI columns run the compiled binary (built
// to the temp dir first; --source runs `bun src/main.ts` instead).
//
//   search     one socket connection, sequential requests, p50/p95/p99 (exact, prefix, typo queries)
//   CLI        a fresh `skep search` process per query: reading the database itself (SKEP_NO_DAEMON=1,
//              which includes its (size, mtime) freshness scan), and through the daemon
//   edits      append a new function to a file, time until a search through the socket finds it
//              (the daemon is idle before each edit; the call graph update is timed too)
//   idle       CPU time of the daemon over --idle seconds with nothing happening, then over the
//              next --idle seconds (after --idle seconds idle), and its RSS
//
// The table goes to stdout, the full record to bench-results/daemon-<time>.json.
import { Database } from "bun:sqlite";
import { appendFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DaemonClient } from "../../src/client/daemon-client.ts";
import { DAEMON_ENV } from "../../src/client/control.ts";
import type { Event } from "../../src/protocol/socket.ts";
import { env, pct, sh } from "./daemon-shell.ts";

const PROJECT = resolve(import.meta.dir, "../..");
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    queries: { type: "string", default: "300" },
    cli: { type: "string", default: "30" },
    edits: { type: "string", default: "100" },
    idle: { type: "string", default: "60" },
    source: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const DIR = resolve(positionals[0] ?? "/usr/share/go-1.19/src");
const QUERIES = Number(args.queries);
const CLI_RUNS = Number(args.cli);
const EDITS = Number(args.edits);
const IDLE_S = Number(args.idle);

// Deterministic choices so runs are comparable.
let seed = 7;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : "-");
const log = (msg: string) => process.stderr.write(`${msg}\n`);

const work = mkdtempSync(join(tmpdir(), "skep-bench-daemon-"));
const root = join(work, "repo");
let daemon: ReturnType<typeof Bun.spawn> | null = null;

try {
  // ------------------------------------------------------------------ set-up (not timed)
  log(`copying ${DIR} to ${root} and committing it to git...`);
  sh(["cp", "-r", DIR, root], work);
  sh(["git", "init", "-q"], root);
  writeFileSync(join(root, ".git/info/exclude"), ".skep/\n");
  sh(["git", "add", "-A"], root);
  sh(["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-qm", "bench"], root);

  let skep: string[];
  if (args.source) skep = [process.execPath, join(PROJECT, "src/main.ts")];
  else {
    const bin = join(work, "skep");
    log("building the binary...");
    sh([process.execPath, "scripts/build.ts", "--outfile", bin], PROJECT);
    skep = [bin];
  }

  log("cold index (skep index)...");
  const t0 = performance.now();
  const idx = JSON.parse(sh([...skep, "index", "--json", "--repo", root], root, { SKEP_NO_DAEMON: "1" }));
  const coldMs = performance.now() - t0;
  log(`  ${idx.files} files, ${idx.symbols} symbols in ${(coldMs / 1000).toFixed(1)} s`);

  // ------------------------------------------------------------------ the daemon
  const daemonLog = join(work, "daemon.log");
  const logFd = openSync(daemonLog, "a");
  // As `skep daemon start` runs it (DAEMON_ENV: no repeating GC timer).
  daemon = Bun.spawn([...skep, "daemon", "run", "--repo", root], { cwd: root, env: env(DAEMON_ENV), stdout: logFd, stderr: logFd });
  const sock = join(root, ".skep/agent.sock");
  let client: DaemonClient | null = null;
  const startDeadline = Date.now() + 120_000;
  while (!client) {
    try {
      client = await DaemonClient.connect(sock, 500);
    } catch {
      if (Date.now() > startDeadline || daemon.exitCode !== null) throw new Error(`daemon did not start: ${readFileSync(daemonLog, "utf8")}`);
      await Bun.sleep(50);
    }
  }
  const c = client;
  await c.request("refresh", { wait: true, timeoutMs: 600_000 }, 0);
  const pid = daemon.pid;
  const startRss = rssKb(pid);

  // ------------------------------------------------------------------ queries
  const db = new Database(join(root, ".skep/index.db"), { readonly: true });
  const names = (db.query("SELECT DISTINCT name FROM symbols WHERE length(name) >= 6").values() as [string][]).map((r) => r[0]);
  db.close();
  const pick = () => names[Math.floor(rnd() * names.length)]!;
  const typo = (n: string) => {
    const i = 1 + Math.floor(rnd() * (n.length - 2));
    return n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2);
  };
  const queries: { cls: string; q: string }[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const n = pick();
    const cls = ["exact", "prefix", "typo"][i % 3]!;
    queries.push({ cls, q: cls === "exact" ? n : cls === "prefix" ? n.slice(0, 4) : typo(n) });
  }
  for (const { q } of queries.slice(0, 20)) await c.request("search", { query: q }); // warm-up
  const socketTimes: number[] = [];
  const byClass = new Map<string, number[]>();
  for (const { cls, q } of queries) {
    const t = performance.now();
    await c.request("search", { query: q });
    const dt = performance.now() - t;
    socketTimes.push(dt);
    byClass.set(cls, [...(byClass.get(cls) ?? []), dt]);
  }
  log(`socket search: p50 ${ms(pct(socketTimes, 50))} ms, p95 ${ms(pct(socketTimes, 95))} ms`);

  const cliDirect: number[] = [];
  const cliDaemon: number[] = [];
  for (const { q } of queries.slice(0, CLI_RUNS)) {
    for (const [list, extra] of [[cliDirect, { SKEP_NO_DAEMON: "1" }], [cliDaemon, {}]] as const) {
      const t = performance.now();
      sh([...skep, "search", q, "--json", "--repo", root], root, extra);
      list.push(performance.now() - t);
    }
  }
  log(`CLI search: direct p50 ${ms(pct(cliDirect, 50))} ms, through the daemon p50 ${ms(pct(cliDaemon, 50))} ms`);

  // ------------------------------------------------------------------ edits
  const events: Event[] = [];
  const watch = await DaemonClient.connect(sock);
  let wake: (() => void) | null = null;
  await watch.subscribe((e) => {
    events.push(e);
    wake?.();
  });
  const nextEvent = async (pred: (e: Event) => boolean, from: number, timeoutMs = 600_000): Promise<Event> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = events.slice(from).find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error("timed out waiting for an event");
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 1000);
      });
    }
  };
  // Files the index holds and parsed: a file the index rules leave out (vendor/, testdata/, code
  // marked generated) would never become searchable, and the edit's wait would never end.
  const held = new Database(join(root, ".skep/index.db"), { readonly: true });
  const goFiles = held
    .query<{ path: string }, []>("SELECT path FROM files WHERE skip_reason IS NULL AND path LIKE '%.go' AND size < 100000 ORDER BY path")
    .all()
    .map((r) => r.path)
    .filter((p) => !p.includes("testdata/"));
  held.close();
  const edited = new Set<string>();
  const editFile = () => {
    for (;;) {
      const p = goFiles[Math.floor(rnd() * goFiles.length)]!;
      if (!edited.has(p)) {
        edited.add(p);
        return p;
      }
    }
  };
  const searchable: number[] = [];
  const graphDone: number[] = [];
  const modes = new Map<string, number>();
  for (let i = -1; i < EDITS; i++) {
    // i = -1 is a warm-up (the first paths run loads the Go grammar in the index worker).
    const path = editFile();
    const name = `ZzBenchProbe${i + 1}x${Math.floor(rnd() * 1e6)}`;
    const from = events.length;
    const t = performance.now();
    appendFileSync(join(root, path), `\nfunc ${name}() int { return ${i} }\n`);
    let found = -1;
    let scan = from;
    while (found < 0) {
      const e = await nextEvent((x) => x.event === "index.searchable" || x.event === "index.updated", scan);
      scan = events.indexOf(e) + 1;
      const r = await c.request("search", { query: name, limit: 1 });
      if (r.hits[0]?.name === name) found = performance.now() - t;
    }
    const updated = await nextEvent((x) => x.event === "index.updated" && ((x.data as { paths: string[] }).paths.includes(path) || (x.data as { mode: string }).mode === "full"), from);
    const done = performance.now() - t;
    if (i >= 0) {
      searchable.push(found);
      graphDone.push(done);
      const mode = (updated.data as { mode: string }).mode;
      modes.set(mode, (modes.get(mode) ?? 0) + 1);
    }
    // Let the daemon go idle before the next edit.
    for (;;) {
      const info = await c.request("ping");
      if (info.indexer.state === "idle" && !info.indexer.queued) break;
      await nextEvent((x) => x.event === "index.updated", events.length, 60_000).catch(() => undefined);
    }
    if (i >= 0 && (i + 1) % 10 === 0) log(`  ${i + 1}/${EDITS} edits: searchable p50 ${ms(pct(searchable, 50))} ms, p95 ${ms(pct(searchable, 95))} ms`);
  }
  watch.close();

  // ------------------------------------------------------------------ idle
  log(`idle for ${IDLE_S} s...`);
  c.close();
  await Bun.sleep(2_000);
  const ticks = Number(sh(["getconf", "CLK_TCK"], work).trim()) || 100;
  // CPU time in 10 s windows: first the --idle seconds after the last request (the runtime's
  // garbage collector settles after the edits), then the same again, measured after those idle
  // seconds: the daemon itself has nothing to do, nothing of it runs on a timer.
  const windows: number[] = [];
  let last = cpuTicks(pid);
  for (let left = 2 * IDLE_S; left > 0; left -= 10) {
    if (left === IDLE_S) log(`measuring the next ${IDLE_S} s...`);
    await Bun.sleep(Math.min(10, left) * 1000);
    const now = cpuTicks(pid);
    windows.push(((now - last) / ticks) * 1000);
    last = now;
  }
  const settleWindows = windows.slice(0, Math.ceil(IDLE_S / 10));
  const idleWindows = windows.slice(Math.ceil(IDLE_S / 10));
  const settleCpuMs = settleWindows.reduce((a, b) => a + b, 0);
  const idleCpuMs = idleWindows.reduce((a, b) => a + b, 0);
  const idleWallMs = IDLE_S * 1000;
  const idleRss = rssKb(pid);
  const threads = Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

  const record = {
    when: new Date().toISOString(),
    dir: DIR,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
    cli: args.source ? "bun src/main.ts" : "compiled binary",
    index: { files: idx.files, symbols: idx.symbols, coldMs },
    search: {
      n: socketTimes.length,
      socket: { p50Ms: pct(socketTimes, 50), p95Ms: pct(socketTimes, 95), p99Ms: pct(socketTimes, 99) },
      byClass: Object.fromEntries([...byClass].map(([k, xs]) => [k, { p50Ms: pct(xs, 50), p95Ms: pct(xs, 95) }])),
      cliDirect: { n: cliDirect.length, p50Ms: pct(cliDirect, 50), p95Ms: pct(cliDirect, 95), p99Ms: pct(cliDirect, 99) },
      cliThroughDaemon: { n: cliDaemon.length, p50Ms: pct(cliDaemon, 50), p95Ms: pct(cliDaemon, 95), p99Ms: pct(cliDaemon, 99) },
    },
    edits: {
      n: searchable.length,
      modes: Object.fromEntries(modes),
      searchable: { p50Ms: pct(searchable, 50), p95Ms: pct(searchable, 95), p99Ms: pct(searchable, 99), maxMs: Math.max(...searchable) },
      graphUpdated: { p50Ms: pct(graphDone, 50), p95Ms: pct(graphDone, 95) },
    },
    idle: { seconds: idleWallMs / 1000, cpuMs: idleCpuMs, cpuMsPer10s: idleWindows, settleCpuMs, settleCpuMsPer10s: settleWindows, cpuPercent: (idleCpuMs / idleWallMs) * 100, rssMb: idleRss / 1024, rssAfterStartMb: startRss / 1024, threads },
  };

  const rows: [string, string][] = [
    ["index", `${idx.files} files, ${idx.symbols} symbols (cold build ${(coldMs / 1000).toFixed(1)} s)`],
    ["search via socket", `p50 ${ms(record.search.socket.p50Ms)} ms  p95 ${ms(record.search.socket.p95Ms)} ms  p99 ${ms(record.search.socket.p99Ms)} ms  (${socketTimes.length} queries)`],
    ...[...byClass.keys()].map((k): [string, string] => [`  ${k}`, `p50 ${ms(pct(byClass.get(k)!, 50))} ms  p95 ${ms(pct(byClass.get(k)!, 95))} ms`]),
    ["CLI process, direct", `p50 ${ms(record.search.cliDirect.p50Ms)} ms  p95 ${ms(record.search.cliDirect.p95Ms)} ms  p99 ${ms(record.search.cliDirect.p99Ms)} ms  (${cliDirect.length} runs)`],
    ["CLI process, via daemon", `p50 ${ms(record.search.cliThroughDaemon.p50Ms)} ms  p95 ${ms(record.search.cliThroughDaemon.p95Ms)} ms  p99 ${ms(record.search.cliThroughDaemon.p99Ms)} ms`],
    ["edit -> searchable", `p50 ${ms(record.edits.searchable.p50Ms)} ms  p95 ${ms(record.edits.searchable.p95Ms)} ms  p99 ${ms(record.edits.searchable.p99Ms)} ms  max ${ms(record.edits.searchable.maxMs)} ms  (${searchable.length} edits)`],
    ["edit -> graph updated", `p50 ${ms(record.edits.graphUpdated.p50Ms)} ms  p95 ${ms(record.edits.graphUpdated.p95Ms)} ms`],
    [`first ${IDLE_S} s idle`, `CPU ${ms(settleCpuMs)} ms (per 10 s: ${settleWindows.map((x) => Math.round(x)).join(", ")} ms)`],
    [`next ${IDLE_S} s idle`, `CPU ${ms(idleCpuMs)} ms (${record.idle.cpuPercent.toFixed(3)} %; per 10 s: ${idleWindows.map((x) => Math.round(x)).join(", ")} ms), RSS ${record.idle.rssMb.toFixed(0)} MB, ${threads} threads`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`\nskep daemon benchmark: ${DIR} (${record.machine.cpus} CPUs, load ${loadavg().map((x) => x.toFixed(1)).join(" ")})`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  mkdirSync(join(PROJECT, "bench-results"), { recursive: true });
  const out = join(PROJECT, "bench-results", `daemon-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`\nfull record: ${out}`);
} finally {
  if (daemon && daemon.exitCode === null) {
    daemon.kill("SIGTERM");
    await daemon.exited;
  }
  if (args.keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

function cpuTicks(pid: number): number {
  // Fields after the command name (which may contain spaces): utime is the 14th field, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(rest[11]) + Number(rest[12]);
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
}

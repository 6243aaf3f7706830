// Daemon responsiveness benchmark: how long a socket `ping` waits while the daemon is busy, for two
// versions of skep in the same run (A/B), with the idle daemon as the baseline.
//
//   bun run bench:daemon-responsive [--ref main] [--files 30000] [--go /usr/share/go-1.19/src]
//                                   [--every 10] [--skip-index] [--keep]
//
// Side A is the tree of git ref --ref (extracted with `git archive` to a temp dir, sharing this
// checkout's node_modules); side B is this checkout as it is. Each runs `skep daemon run` from its
// own source (`bun src/main.ts`). Pings are open loop: one is sent every --every ms whatever is still
// outstanding, so a daemon whose event loop is held for 7 s shows 700 late pings, not one.
//
//   idle       pings for 3 s against the idle daemon (the baseline)
//   commit     a task step (script backend) whose worktree gets --files new files (10% Python, so
//              the symbol diff has code to parse): pings from the end of the step's LLM call until
//              the task is done (git add, commit, checkout check, symbol diff, worktree removal)
//   interrupt  the same task; 500 ms into the commit `task.interrupt` is sent: the time until its
//              answer, and the task's final status
//   index      a cold index of the Go standard library copy (index.db removed, daemon started):
//              pings from the daemon's first answer until the index is built
//
// The files are written by this script (as an LLM CLI would, from another process) during a step
// call that waits 25 s (BENCH_STEP_DELAY_MS), so writing them is not the daemon's work. The table goes to stdout, the
// full record to bench-results/daemon-responsive-<time>.json.
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DAEMON_ENV } from "../../src/client/control.ts";
import { DaemonClient } from "../../src/client/daemon-client.ts";
import type { Event } from "../../src/protocol/socket.ts";
import { env, pct, sh } from "./daemon-shell.ts";

const PROJECT = resolve(import.meta.dir, "../..");
const { values: args } = parseArgs({
  options: {
    ref: { type: "string", default: "main" },
    files: { type: "string", default: "30000" },
    go: { type: "string", default: "/usr/share/go-1.19/src" },
    every: { type: "string", default: "10" },
    "skip-index": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const FILES = Number(args.files);
const EVERY_MS = Number(args.every);
const STEP_DELAY_MS = Number(process.env.BENCH_STEP_DELAY_MS ?? 25_000);
const log = (msg: string) => process.stderr.write(`${msg}\n`);

const fmt = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(0)) : "-");

interface Side {
  label: string;
  tree: string;
}

const work = mkdtempSync(join(tmpdir(), "skep-bench-responsive-"));
const home = join(work, "home");
mkdirSync(home);
const daemons = new Set<ReturnType<typeof Bun.spawn>>();

/** Side A: the ref's tree, extracted (no worktree registered in this repository). */
function extract(ref: string): Side {
  const tree = join(work, `tree-${ref.replace(/[^A-Za-z0-9._-]/g, "_")}`);
  mkdirSync(tree);
  const tar = Bun.spawnSync(["git", "archive", "--format=tar", ref], { cwd: PROJECT, stdout: "pipe" });
  if (tar.exitCode !== 0) throw new Error(`git archive ${ref} failed`);
  Bun.spawnSync(["tar", "-x", "-C", tree], { stdin: tar.stdout });
  symlinkSync(join(PROJECT, "node_modules"), join(tree, "node_modules"));
  const sha = sh(["git", "rev-parse", "--short", ref], PROJECT).trim();
  return { label: `A ${ref} (${sha})`, tree };
}

function skep(side: Side): string[] {
  return [process.execPath, join(side.tree, "src/main.ts")];
}

async function startDaemon(side: Side, root: string): Promise<{ c: DaemonClient; proc: ReturnType<typeof Bun.spawn> }> {
  const logFd = openSync(join(work, `daemon-${daemons.size}.log`), "a");
  const proc = Bun.spawn([...skep(side), "daemon", "run", "--repo", root], { cwd: root, env: env({ ...DAEMON_ENV, SKEP_HOME: home }), stdout: logFd, stderr: logFd });
  daemons.add(proc);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      return { c: await DaemonClient.connect(join(root, ".skep/agent.sock"), 500), proc };
    } catch {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`the daemon did not start (see ${work})`);
      await Bun.sleep(20);
    }
  }
}

async function stopDaemon(d: { c: DaemonClient; proc: ReturnType<typeof Bun.spawn> }): Promise<void> {
  d.c.close();
  d.proc.kill("SIGTERM");
  await d.proc.exited;
  daemons.delete(d.proc);
}

/** Open-loop pings until `until` settles: each ping's latency. */
async function pingDuring(c: DaemonClient, until: Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  const inflight: Promise<void>[] = [];
  let over = false;
  void until.finally(() => (over = true));
  while (!over) {
    const t = performance.now();
    inflight.push(c.request("ping", {}, 600_000).then(() => void times.push(performance.now() - t)));
    await Bun.sleep(EVERY_MS);
  }
  await Promise.all(inflight);
  return times;
}

interface Row {
  scenario: string;
  side: string;
  pings: number;
  p50: number;
  p99: number;
  max: number;
  windowMs: number;
  note: string;
}
const rows: Row[] = [];
function record(scenario: string, side: Side, times: number[], windowMs: number, note = ""): void {
  const row = { scenario, side: side.label, pings: times.length, p50: pct(times, 50), p99: pct(times, 99), max: Math.max(...times), windowMs, note };
  rows.push(row);
  log(`  ${scenario} ${side.label}: ${row.pings} pings, p50 ${fmt(row.p50)} ms, p99 ${fmt(row.p99)} ms, max ${fmt(row.max)} ms over ${fmt(windowMs)} ms ${note}`);
}

function taskRepo(side: Side, name: string): string {
  const root = join(work, name);
  mkdirSync(join(root, "src"), { recursive: true });
  writeFileSync(join(root, "src/main.py"), "def main():\n    return 1\n");
  sh(["git", "init", "-q", "-b", "main"], root);
  sh(["git", "add", "-A"], root);
  sh(["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-qm", "base"], root);
  sh([...skep(side), "init", "--no-daemon", "--repo", root], root, { SKEP_NO_DAEMON: "1", SKEP_HOME: home });
  const plan = { plan: [{ verb: "add", target_file: "gen/f0.txt", description: "generate files", acceptance: "they exist", depends_on: [] }] };
  const classify = { classification: "small", confidence: 0.9, reason: "one step", needs_clarification: false, clarifying_questions: [], reject_reason: null };
  const script = {
    answers: [
      { purpose: "classify", text: JSON.stringify(classify) },
      { purpose: "plan", text: JSON.stringify(plan) },
      { purpose: "step", text: "done", delayMs: STEP_DELAY_MS },
      { purpose: "step", text: "done again" },
    ],
  };
  writeFileSync(join(root, ".skep/script.json"), JSON.stringify(script));
  writeFileSync(join(root, ".skep/config.json"), JSON.stringify({ llm: "script", llm_script: ".skep/script.json", test_cmd: null }));
  return root;
}

/** Run one task whose step leaves FILES new files; `during` gets the moment the step's call ends. */
async function commitScenario(side: Side, name: string, during: (c: DaemonClient, taskId: number, stepEnd: number, terminal: Promise<unknown>) => Promise<void>): Promise<string> {
  const root = taskRepo(side, name);
  const d = await startDaemon(side, root);
  const events = await DaemonClient.connect(join(root, ".skep/agent.sock"));
  let stepStarted: (t: number) => void = () => {};
  const step = new Promise<number>((r) => (stepStarted = r));
  await events.subscribe((e: Event) => {
    const p = e.data as { message?: string };
    if (e.event === "task.progress" && p.message?.startsWith("step 1/1")) stepStarted(performance.now());
  }, ["task.progress"]);
  const created = await d.c.request("task.create", { description: "generate many files", dryRun: false }, 120_000);
  const id = created.task!.id;
  await d.c.request("task.wait", { id, until: "classified", timeoutMs: 120_000 }, 125_000);
  // A small task may be approved by the repo's policy already.
  await d.c.request("task.approve", { id }).catch(() => {});
  const t0 = await step;
  const wt = (await d.c.request("task.show", { id })).task.worktree!;
  const gen = join(wt, "gen");
  mkdirSync(gen);
  for (let i = 0; i < FILES; i++) {
    const py = i % 10 === 0;
    writeFileSync(join(gen, `f${i}.${py ? "py" : "txt"}`), py ? `def f${i}(x):\n    return x + ${i}\n` : `file ${i}\n`);
  }
  const written = performance.now() - t0;
  if (written > STEP_DELAY_MS - 500) log(`  warning: writing ${FILES} files took ${fmt(written)} ms, close to the step's ${STEP_DELAY_MS} ms`);
  const terminal = d.c.request("task.wait", { id, until: "terminal", timeoutMs: 600_000 }, 605_000);
  await during(d.c, id, t0 + STEP_DELAY_MS, terminal);
  const final = (await terminal).task;
  events.close();
  await stopDaemon(d);
  return `${final.status}${final.steps[0]?.commit ? ", committed" : ", no commit"}`;
}

async function run(): Promise<void> {
  log(`work dir ${work}; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`);
  const dirty = sh(["git", "status", "--porcelain", "--untracked-files=no"], PROJECT).trim() !== "";
  const sides: Side[] = [extract(args.ref!), { label: `B HEAD (${sh(["git", "rev-parse", "--short", "HEAD"], PROJECT).trim()}${dirty ? "+changes" : ""})`, tree: PROJECT }];

  log(`commit: a step leaving ${FILES} files`);
  for (const side of sides) {
    let times: number[] = [];
    let window = 0;
    let idle: number[] = [];
    const status = await commitScenario(side, `commit-${sides.indexOf(side)}`, async (c, _id, stepEnd, terminal) => {
      idle = await pingDuring(c, Bun.sleep(3_000));
      await Bun.sleep(Math.max(0, stepEnd - 200 - performance.now()));
      const t = performance.now();
      times = await pingDuring(c, terminal);
      window = performance.now() - t;
    });
    record("idle (baseline)", side, idle, 3_000);
    record("commit", side, times, window, `(task ${status})`);
  }

  log("interrupt 500 ms into the commit");
  for (const side of sides) {
    let answerMs = NaN;
    let times: number[] = [];
    const status = await commitScenario(side, `interrupt-${sides.indexOf(side)}`, async (c, id, stepEnd, terminal) => {
      await Bun.sleep(Math.max(0, stepEnd + 500 - performance.now()));
      const t = performance.now();
      const interrupted = c.request("task.interrupt", { id }, 600_000).catch((err: Error) => err.message);
      times = await pingDuring(c, interrupted);
      answerMs = performance.now() - t;
      await terminal;
    });
    record("interrupt", side, times, answerMs, `(answer after ${fmt(answerMs)} ms; task ${status})`);
  }

  if (!args["skip-index"] && existsSync(args.go!)) {
    log(`index: a cold index of ${args.go}`);
    const root = join(work, "go");
    cpSync(args.go!, root, { recursive: true });
    sh(["git", "init", "-q"], root);
    sh(["git", "add", "-A"], root);
    sh(["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-qm", "go"], root);
    for (const side of sides) {
      rmSync(join(root, ".skep"), { recursive: true, force: true });
      sh([...skep(side), "init", "--no-daemon", "--repo", root], root, { SKEP_NO_DAEMON: "1", SKEP_HOME: home });
      for (const f of ["index.db", "index.db-wal", "index.db-shm"]) rmSync(join(root, ".skep", f), { force: true });
      const d = await startDaemon(side, root);
      const t = performance.now();
      const built = d.c.request("refresh", { wait: true, timeoutMs: 600_000 }, 605_000);
      const times = await pingDuring(d.c, built);
      const window = performance.now() - t;
      const files = (await d.c.request("status", {})) as { files?: { indexed?: number } };
      record("cold index", side, times, window, `(${files.files?.indexed ?? "?"} files)`);
      await stopDaemon(d);
    }
  }

  console.log(`\n### Socket ping while the daemon works (open loop, one ping every ${EVERY_MS} ms; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)})\n`);
  console.log("| scenario | side | pings | p50 ms | p99 ms | max ms | window ms | note |");
  console.log("|---|---|--:|--:|--:|--:|--:|---|");
  for (const r of rows) console.log(`| ${r.scenario} | ${r.side} | ${r.pings} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${fmt(r.windowMs)} | ${r.note} |`);
  const out = join(PROJECT, "bench-results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `daemon-responsive-${Date.now()}.json`), JSON.stringify({ files: FILES, every: EVERY_MS, rows }, null, 2));
}

// Interrupted (Ctrl-C, kill): stop the daemons started here before leaving.
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    for (const p of daemons) p.kill("SIGKILL");
    if (!args.keep) rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

try {
  await run();
} finally {
  for (const p of daemons) p.kill("SIGKILL");
  if (!args.keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}

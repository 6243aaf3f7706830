// Start-up benchmark: whole-process wall time of short skep commands, against a compiled Bun
// hello-world measured in the same run (the floor any compiled Bun program pays), and optionally
// against skep built from another commit (--baseline REF), interleaved run by run so load on a
// shared machine hits every column alike.
//
//   bun run bench:startup [--runs 30] [--baseline main] [--go DIR | --no-go]
//
// Repos: the polyglot fixture (test/fixtures/languages, 14 languages) and, unless --no-go, the Go
// 1.19 standard library (/usr/share/go-1.19/src, copied to a temp git repo; never modified).
// Commands: --version, --help, status --oneline (in the fixture: no tasks, no workspace; and in a
// workspace of three repos with tasks, as the tmux status line runs it), search with no daemon (SKEP_NO_DAEMON=1), and
// search through a warm daemon (one daemon per repo, started by the current build, serving both).
// Binaries are built as the release builds them (scripts/compile.ts, no source map). Medians in ms.
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DaemonClient } from "../../src/client/daemon-client.ts";
import { DAEMON_ENV } from "../../src/client/control.ts";
import type { TaskStatus } from "../../src/protocol/tasks.ts";
import { TaskStore } from "../../src/tasks/store.ts";
import { QUIET_MS } from "../../src/tasks/counts-cache.ts";
import { buildCommit, CompressedGrammars, compileSkep } from "../compile.ts";

const PROJECT = resolve(import.meta.dir, "../..");
const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "30" },
    baseline: { type: "string" },
    go: { type: "string", default: "/usr/share/go-1.19/src" },
    "no-go": { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const log = (m: string) => process.stderr.write(`${m}\n`);
const work = mkdtempSync(join(tmpdir(), "skep-bench-startup-"));
const daemons: ReturnType<typeof Bun.spawn>[] = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(work, "home"), SKEP_NO_TMUX: "1", ...extra };
}

function sh(cmd: string[], cwd: string, extra: Record<string, string> = {}): string {
  const p = Bun.spawnSync(cmd, { cwd, env: env(extra), stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${p.exitCode}: ${p.stderr.toString()}`);
  return p.stdout.toString();
}

function gitRepo(dir: string): void {
  sh(["git", "init", "-q"], dir);
  sh(["git", "add", "-A"], dir);
  sh(["git", "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-q", "-m", "bench"], dir);
}

async function build(): Promise<{ hello: string; after: string; before: string | null }> {
  mkdirSync(join(work, "home"), { recursive: true });
  writeFileSync(join(work, "hello.ts"), 'console.log("hello");\n');
  const hello = join(work, "hello");
  const r = await Bun.build({ entrypoints: [join(work, "hello.ts")], compile: { outfile: hello } });
  if (!r.success) throw new Error(r.logs.map(String).join("\n"));
  const grammars = new CompressedGrammars(19);
  const after = join(work, "after", "skep");
  await compileSkep({ outfile: after, sourcemap: "none", commit: buildCommit(), grammars, bytecode: true });
  let before: string | null = null;
  if (args.baseline) {
    const tree = join(work, "baseline-src");
    sh(["git", "worktree", "add", "--detach", "-q", tree, args.baseline], PROJECT);
    symlinkSync(join(PROJECT, "node_modules"), join(tree, "node_modules"));
    before = join(work, "before", "skep");
    // Built as this tree's binary is (no source map, bytecode), by the baseline's own compile.ts.
    if (existsSync(join(tree, "scripts/compile.ts"))) {
      const script = `import { buildCommit, CompressedGrammars, compileSkep } from "./scripts/compile.ts";
await compileSkep({ outfile: ${JSON.stringify(before)}, sourcemap: "none", commit: buildCommit(), grammars: new CompressedGrammars(19), bytecode: true });`;
      writeFileSync(join(tree, "bench-build.ts"), script);
      sh([process.execPath, "bench-build.ts"], tree);
    } else sh([process.execPath, "scripts/build.ts", "--outfile", before], tree);
  }
  return { hello, after, before };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** One run: wall time, and CPU time (user + system, the process and what it waited for), in ms. */
interface Sample {
  wall: number;
  cpu: number;
}

function timeOnce(cmd: string[], cwd: string, extra: Record<string, string>): Sample {
  const t = performance.now();
  const p = Bun.spawnSync(cmd, { cwd, env: env(extra), stdout: "ignore", stderr: "ignore" });
  const wall = performance.now() - t;
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${p.exitCode}`);
  return { wall, cpu: Number(p.resourceUsage?.cpuTime.total ?? 0) / 1000 };
}

/** The baseline's copy of a repo. */
const beforeRoot = (root: string) => `${root}-before`;

async function startDaemon(bin: string, root: string): Promise<void> {
  const fd = openSync(join(work, `daemon-${daemons.length}.log`), "a");
  const d = Bun.spawn([bin, "daemon", "run", "--repo", root], { cwd: root, env: env(DAEMON_ENV), stdout: fd, stderr: fd });
  daemons.push(d);
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      const c = await DaemonClient.connect(join(root, ".skep/agent.sock"), 500);
      await c.request("refresh", { wait: true, timeoutMs: 600_000 }, 0);
      c.close();
      return;
    } catch (err) {
      if (Date.now() > deadline || d.exitCode !== null) throw new Error(`daemon did not start: ${(err as Error).message}`);
      await Bun.sleep(100);
    }
  }
}

/**
 * What the tmux status line sees in a cockpit: a workspace of three repos, each with a task store
 * holding tasks in several states (the registry and every store are read). Returns one repo's path.
 */
function busyWorkspace(bin: string): string {
  const ws = join(work, "ws");
  const statuses: TaskStatus[][] = [["pending"], ["approved", "queued", "executing"], ["pending_clarification"], ["approved", "queued", "executing", "done"]];
  for (const name of ["api", "web", "docs"]) {
    const root = join(ws, name);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "README.md"), `# ${name}\n`);
    gitRepo(root);
    sh([bin, "init", "--workspace", ws, "--no-daemon"], root, { SKEP_NO_DAEMON: "1" });
    const store = TaskStore.open(join(root, ".skep"));
    for (const path of statuses) {
      const id = store.insert({ name: `${name}-${path.at(-1)}`, description: "bench" });
      for (const to of path) store.transition(id, to);
    }
    store.close();
  }
  return join(ws, "api");
}

interface Medians {
  hello: number;
  after: number;
  before: number | null;
}

interface Row {
  name: string;
  wall: Medians;
  cpu: Medians;
}

async function main(): Promise<void> {
  const loadStart = loadavg().map((l) => l.toFixed(2)).join(" ");
  log("building hello-world, skep (this tree)" + (args.baseline ? ` and skep at ${args.baseline}` : ""));
  const bins = await build();
  const repos: { label: string; root: string; query: string }[] = [];
  const poly = join(work, "polyglot");
  cpSync(join(PROJECT, "test/fixtures/languages"), poly, { recursive: true });
  gitRepo(poly);
  repos.push({ label: "polyglot", root: poly, query: "OrderService" });
  if (!args["no-go"] && existsSync(args.go!)) {
    const go = join(work, "go");
    log(`copying ${args.go} into a git repo`);
    cpSync(args.go!, go, { recursive: true });
    gitRepo(go);
    repos.push({ label: "go stdlib", root: go, query: "NewReader" });
  } else log(args["no-go"] ? "--no-go: the polyglot fixture only" : `no Go stdlib at ${args.go}: --go DIR, or apt install golang-1.19-src`);
  for (const r of repos) {
    log(`indexing ${r.label}`);
    sh([bins.after, "index"], r.root, { SKEP_NO_DAEMON: "1" });
    // The baseline reads its own copy, indexed by itself: an index schema may differ between them.
    if (bins.before) {
      cpSync(r.root, beforeRoot(r.root), { recursive: true, filter: (src) => !src.includes("/.skep") });
      sh([bins.before, "index"], beforeRoot(r.root), { SKEP_NO_DAEMON: "1" });
    }
  }

  const wsRepo = busyWorkspace(bins.after);
  // The line between changes (the usual case): every store untouched for longer than the counts
  // cache's quiet period, so the warm-up run keeps their counts. And the line right after a task
  // moved in one repo: that store written (its mtime set to now) before every run.
  await Bun.sleep(QUIET_MS + 200);
  const justWritten = join(wsRepo, ".skep/tasks.db");
  const cases: { name: string; args: string[]; cwd: string; extra: Record<string, string>; warm?: string; own?: boolean; before?: () => void }[] = [
    { name: "--version", args: ["--version"], cwd: poly, extra: {} },
    { name: "--help", args: ["--help"], cwd: poly, extra: {} },
    { name: "status --oneline", args: ["status", "--oneline"], cwd: poly, extra: { SKEP_NO_DAEMON: "1" } },
    { name: "status --oneline (workspace)", args: ["status", "--oneline", "--tmux"], cwd: wsRepo, extra: { SKEP_NO_DAEMON: "1" } },
    { name: "status --oneline (ws, 1 store just written)", args: ["status", "--oneline", "--tmux"], cwd: wsRepo, extra: { SKEP_NO_DAEMON: "1" }, before: () => utimesSync(justWritten, new Date(), new Date()) },
  ];
  for (const r of repos) cases.push({ name: `search, no daemon (${r.label})`, args: ["search", r.query], cwd: r.root, extra: { SKEP_NO_DAEMON: "1" }, own: true });
  for (const r of repos) cases.push({ name: `search, warm daemon (${r.label})`, args: ["search", r.query], cwd: r.root, extra: {}, warm: r.root, own: true });

  const rows: Row[] = [];
  for (const c of cases) {
    if (c.warm) await startDaemon(bins.after, c.warm);
    if (c.warm && bins.before) await startDaemon(bins.before, beforeRoot(c.warm));
    const beforeCwd = c.own ? beforeRoot(c.cwd) : c.cwd;
    log(`${c.name}: ${RUNS} runs`);
    const t = { hello: [] as Sample[], after: [] as Sample[], before: [] as Sample[] };
    // One warm-up each, then interleaved.
    timeOnce([bins.hello], c.cwd, {});
    timeOnce([bins.after, ...c.args], c.cwd, c.extra);
    if (bins.before) timeOnce([bins.before, ...c.args], beforeCwd, c.extra);
    for (let i = 0; i < RUNS; i++) {
      t.hello.push(timeOnce([bins.hello], c.cwd, {}));
      c.before?.();
      t.after.push(timeOnce([bins.after, ...c.args], c.cwd, c.extra));
      c.before?.();
      if (bins.before) t.before.push(timeOnce([bins.before, ...c.args], beforeCwd, c.extra));
    }
    const of = (k: keyof Sample): Medians => ({
      hello: median(t.hello.map((x) => x[k])),
      after: median(t.after.map((x) => x[k])),
      before: bins.before ? median(t.before.map((x) => x[k])) : null,
    });
    rows.push({ name: c.name, wall: of("wall"), cpu: of("cpu") });
  }

  const f = (x: number | null) => (x === null ? "-" : x.toFixed(1));
  const plus = (x: number) => `${x < 0 ? "" : "+"}${x.toFixed(1)}`;
  const print = (title: string, pick: (r: Row) => Medians) => {
    const head = ["command", "hello-world", ...(bins.before ? [`skep ${args.baseline}`, `${args.baseline} - hello`] : []), "skep (this tree)", "this - hello"];
    const table = [
      head,
      ...rows.map((r) => {
        const m = pick(r);
        return [r.name, f(m.hello), ...(m.before !== null ? [f(m.before), plus(m.before - m.hello)] : []), f(m.after), plus(m.after - m.hello)];
      }),
    ];
    const w = head.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    console.log(title);
    for (const row of table) console.log(row.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  "));
  };
  print(`startup, median of ${RUNS} whole-process runs, wall ms, ${new Date().toISOString()}, load average ${loadStart} at the start, ${loadavg().map((l) => l.toFixed(2)).join(" ")} at the end`, (r) => r.wall);
  // CPU time moves less with the load of other processes than wall time does.
  print("CPU time (user + system), median ms", (r) => r.cpu);
  console.log(`binary sizes: skep ${(Bun.file(bins.after).size / 2 ** 20).toFixed(1)} MiB${bins.before ? `, baseline ${(Bun.file(bins.before).size / 2 ** 20).toFixed(1)} MiB` : ""}, hello-world ${(Bun.file(bins.hello).size / 2 ** 20).toFixed(1)} MiB`);
}

try {
  await main();
} finally {
  for (const d of daemons) {
    d.kill("SIGTERM");
    await d.exited;
  }
  if (args.baseline) Bun.spawnSync(["git", "worktree", "remove", "--force", join(work, "baseline-src")], { cwd: PROJECT });
  rmSync(work, { recursive: true, force: true });
}

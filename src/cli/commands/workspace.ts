// `skep workspace [list|watch]`: the repos registered in the workspace, and the live dashboard of
// every repo's tasks. Both read each repo's `.skep/tasks.db` read-only; on a terminal the dashboard
// also approves and rejects, through the task's repo's daemon (src/cli/watch-live.ts).
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { colorOn as stdoutColorOn } from "../../util/terminal.ts";
import { resolve } from "node:path";
import { isLocked } from "../../util/lock.ts";
import { daemonPaths } from "../../repo/daemon-paths.ts";
import { ACTIVE_STATUSES, type TaskStatus } from "../../protocol/tasks.ts";
import { WatchFrame, WorkspaceListAnswer } from "../../protocol/workspace.ts";
import { formatInterval, renderFrame, watchFrame } from "../../cockpit/dashboard.ts";
import { live, pipedWidth, withRuns } from "../watch-live.ts";
import { findScope, readRepo, STATUS_ORDER, type Scope } from "../../cockpit/snapshot.ts";
import { CommandFailed, UsageError } from "../../errors.ts";
import { printJson } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";

const DEFAULT_INTERVAL_MS = 2000;

/** Below this a refresh re-reads every store faster than anyone can read the screen. */
const MIN_INTERVAL_MS = 500;

/** The scope from `--repo` (else the current directory); a command needs at least one repo. */
function scopeOf(repo: string | undefined): Scope {
  const scope = findScope(resolve(repo || process.cwd()));
  if (scope.kind === "none") throw new CommandFailed(`no skep workspace or repo at ${resolve(repo || process.cwd())} (run \`skep init\` in a repo; \`skep init --workspace DIR\` groups repos)`);
  return scope;
}

/** "2s", "500ms", "1.5s", "1m", or a bare number of seconds. */
export function parseInterval(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
  if (!m) throw new UsageError(`--interval must be a duration such as 2s, 500ms or 1m, not '${raw}'`);
  const value = Number(m[1]);
  return Math.round(m[2] === "ms" ? value : m[2] === "m" ? value * 60_000 : value * 1000);
}

const colorOn = () => stdoutColorOn(process.stdout);

const watch = defineCommand({
  meta: { name: "watch", description: "Live dashboard of every repo's tasks: select with arrows or j/k, a approves, r rejects, Enter shows, l follows the log, c answers questions, ? keys, q quits (--once: one frame)" },
  args: {
    interval: { type: "string", description: "Refresh interval (default 2s, at least 500ms)", valueHint: "dur" },
    once: { type: "boolean", description: "Print one frame and exit (for scripts)" },
    ...repoArgs,
    ...jsonArg,
  } as const,
  async run({ args }) {
    let intervalMs = args.interval === undefined ? DEFAULT_INTERVAL_MS : parseInterval(String(args.interval));
    if (intervalMs < MIN_INTERVAL_MS) {
      if (!args.once && !args.json) console.error(`note: --interval ${formatInterval(intervalMs)} is below the ${MIN_INTERVAL_MS}ms floor; refreshing every ${MIN_INTERVAL_MS}ms`);
      intervalMs = MIN_INTERVAL_MS;
    }
    const start = resolve(args.repo || process.cwd());
    const scope = scopeOf(args.repo); // fails before any screen handling when there is nothing to watch
    // A JSON stream of frames helps no one: --json is one frame.
    if (args.once || args.json) {
      const frame = withRuns(watchFrame(scope));
      if (args.json) printJson(WatchFrame, frame);
      else {
        const tty = !!process.stdout.isTTY;
        console.log(renderFrame(frame, { width: tty ? (process.stdout.columns ?? null) : pipedWidth(), height: null, color: colorOn() }).join("\n"));
      }
      if (frame.problem) process.exitCode = 1;
      return;
    }
    await live(start, intervalMs);
  },
});

/** "3 (1 executing, 1 pending)": all tasks, then the ones in flight by status. */
function taskSummary(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((s, k) => s + k, 0);
  const open = STATUS_ORDER.filter((s): s is TaskStatus => ACTIVE_STATUSES.includes(s) && !!counts[s]).map((s) => `${counts[s]} ${s}`);
  return `${total}${open.length ? ` (${open.join(", ")})` : ""}`;
}

const list = defineCommand({
  meta: { name: "list", alias: "ls", description: "The workspace's repos: path, whether it exists, daemon, task counts" },
  args: { ...repoArgs, ...jsonArg } as const,
  run({ args }) {
    const scope = scopeOf(args.repo);
    const repos = scope.repos.map((r) => {
      const snap = readRepo(r, { tokens: true });
      const exists = snap.state !== "missing";
      const tasks = snap.tasks.length;
      const inFlight = snap.tasks.filter((t) => ACTIVE_STATUSES.includes(t.status)).length;
      const { tasks: _, ...rest } = snap;
      return { ...rest, exists, daemonRunning: exists && isLocked(daemonPaths(r.path, r.skepDir).lock), tasks, inFlight };
    });
    if (scope.problem) process.exitCode = 1;
    if (args.json) return printJson(WorkspaceListAnswer, { scope: scope.kind === "repo" ? "repo" : "workspace", workspace: scope.workspace, problem: scope.problem, repos });
    if (scope.kind === "repo") console.log(`no workspace above ${scope.repos[0].path}: this repo alone`);
    else console.log(`workspace ${scope.workspace} (${repos.length} repo${repos.length === 1 ? "" : "s"})`);
    if (scope.problem) return console.error(`skep: the workspace registry cannot be read: ${scope.problem}`);
    if (!repos.length) return console.log("no repos registered (run `skep init --workspace DIR` in each repo)");
    const cells = repos.map((r) => [r.name, r.daemonRunning ? "running" : "-", r.state === "ok" ? taskSummary(r.counts) : (r.problem ?? r.state), r.path]);
    const header = ["NAME", "DAEMON", "TASKS", "PATH"];
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const row = (c: string[]) => c.map((cell, i) => (i < c.length - 1 ? cell.padEnd(widths[i]!) : cell)).join("  ");
    console.log(row(header));
    for (const c of cells) console.log(row(c));
  },
});

export const workspaceCommand = defineCommand({
  meta: TOP.workspace,
  subCommands: { list, watch },
  default: "list",
} as Parameters<typeof defineCommand>[0]);

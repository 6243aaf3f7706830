// `skep workspace [list|watch]`: the repos registered in the workspace, and the live dashboard of
// every repo's tasks. Both read each repo's `.skep/tasks.db` read-only; no daemon is asked.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { colorOn as stdoutColorOn, interactive } from "../../util/terminal.ts";
import { writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { isLocked } from "../../util/lock.ts";
import { daemonPaths } from "../../repo/daemon-paths.ts";
import { ACTIVE_STATUSES, type TaskStatus } from "../../protocol/tasks.ts";
import { WatchFrame, WorkspaceListAnswer } from "../../protocol/workspace.ts";
import { bellFor, formatInterval, renderFrame, watchFrame } from "../../cockpit/dashboard.ts";
import { runsInFlight } from "../../coordinator/store.ts";
import { readConfig } from "../../config/config.ts";
import { findScope, readRepo, STATUS_ORDER, type Scope } from "../../cockpit/snapshot.ts";
import { CommandFailed, UsageError } from "../../errors.ts";
import { printJson } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";

const DEFAULT_INTERVAL_MS = 2000;

/** The frame with the workspace's coordinator runs in flight (none when they cannot be read). */
function withRuns(frame: WatchFrame): WatchFrame {
  try {
    const runs = runsInFlight(frame.workspace);
    return runs ? { ...frame, runs } : frame;
  } catch {
    return frame; // a damaged run record is reported by `skep run show`, not here
  }
}

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

/** Piped output is cut only when COLUMNS says how wide the reader is. */
function pipedWidth(): number | null {
  const c = Number(process.env.COLUMNS);
  return Number.isInteger(c) && c > 0 ? c : null;
}

const watch = defineCommand({
  meta: { name: "watch", description: "Live dashboard of every repo's tasks (q or Ctrl-C quits; --once: one frame)" },
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

/**
 * The live dashboard: the alternate screen, redrawn in place every interval and on resize, the
 * terminal restored however it ends (q, Ctrl-C, SIGTERM, SIGHUP, an error). Piped, plain frames
 * follow one another instead (no escape codes in a log).
 */
async function live(start: string, intervalMs: number): Promise<void> {
  const out = process.stdout;
  const frameAt = () => {
    const scope = findScope(start);
    // The registry may be deleted while watching: say so in place rather than exit.
    if (scope.kind === "none") return null;
    return withRuns(watchFrame(scope));
  };
  // CI runners that give a job a pseudo-terminal still want a log, not a redrawn screen.
  if (!interactive(out)) {
    for (;;) {
      const f = frameAt();
      out.write(`${f ? renderFrame(f, { width: pipedWidth(), height: null, color: false, intervalMs }).join("\n") : `no skep workspace or repo at ${start}`}\n\n`);
      await Bun.sleep(intervalMs);
    }
  }

  const stdin = process.stdin;
  let restored = false;
  // Every write to the terminal goes through here: once the terminal is gone (its pane, session or
  // tmux server closed) a write fails with EIO, and the dashboard exits instead of living on.
  const write = (text: string) => {
    try {
      writeSync(1, text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EAGAIN") quit(1);
    }
  };
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      if (stdin.isTTY) stdin.setRawMode(false);
      writeSync(1, "\x1b[?25h\x1b[?1049l"); // cursor back, leave the alternate screen
    } catch {
      // the terminal is gone: nothing to restore
    }
  };
  function quit(code: number): never {
    restore();
    process.exit(code);
  }
  process.on("exit", restore);
  process.on("SIGINT", () => quit(0));
  process.on("SIGTERM", () => quit(0));
  process.on("SIGHUP", () => quit(0));

  let wake: (() => void) | null = null;
  if (stdin.isTTY) {
    // Raw: one key quits without Enter (Ctrl-C arrives as a byte then, not as SIGINT).
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", (buf: Buffer) => {
      const key = buf.toString();
      if (key === "q" || key === "Q" || key === "\x03" || key === "\x1b") quit(0);
      else wake?.(); // any other key redraws now
    });
    // A hung-up terminal reads as end of file (or EIO): nobody is watching any more.
    stdin.on("end", () => quit(0));
    stdin.on("error", () => quit(0));
  }
  process.on("SIGWINCH", () => wake?.());

  write("\x1b[?1049h\x1b[?25l"); // alternate screen, cursor hidden
  let seen: Set<string> | null = null;
  try {
    for (;;) {
      const f = frameAt();
      if (f) {
        const bell = bellFor(f, seen, quietRepos(f));
        if (bell.ring) write("\x07"); // a task started waiting for a person: tmux flags the window
        seen = bell.waiting;
      }
      const lines = f
        ? renderFrame(f, { width: out.columns ?? 80, height: out.rows ?? 24, color: colorOn(), intervalMs })
        : [`no skep workspace or repo at ${start} any more (q quits)`];
      // Home, each line cleared to its end, then everything below: no flicker, no stale rows.
      write(`\x1b[H${lines.map((l) => `${l}\x1b[K`).join("\r\n")}\x1b[J`);
      await new Promise<void>((done) => {
        const timer = setTimeout(done, intervalMs);
        wake = () => {
          clearTimeout(timer);
          done();
        };
      });
      wake = null;
    }
  } finally {
    restore();
  }
}

/** Repos whose config turns the bell off (approval_watchdog: false). */
function quietRepos(f: WatchFrame): Set<string> {
  const quiet = new Set<string>();
  for (const r of f.repos) {
    try {
      if (readConfig(join(r.path, ".skep"))?.approval_watchdog === false) quiet.add(r.name);
    } catch {
      // an invalid config: the bell rings, as by default
    }
  }
  return quiet;
}

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

// `skep workspace watch` on a person's terminal: the live dashboard, and the answers a person gives
// from it. Keys: ↑/↓ or k/j select a task; a approves it; r rejects it (asking for a reason);
// Enter shows it (plan, steps, peer links); l follows its log; c opens its questions
// (clarify.md) in $VISUAL/$EDITOR; ? lists the keys; q, Esc or Ctrl-C quits. Approve and reject
// go through the task's repo's daemon when it runs (which then executes an approved task), else
// its task store here, exactly as `skep task approve|reject --repo <repo>` would.
// The screen is the alternate one, redrawn every interval, on resize and after each key; the
// terminal is restored however the command ends, and it ends with its terminal (SIGHUP, end of
// input, a write failing with EIO).
import { closeSync, existsSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { TaskClient } from "../api/task-client.ts";
import { bellFor, fit, renderFrame, watchFrame } from "../cockpit/dashboard.ts";
import { findScope, type ScopeRepo } from "../cockpit/snapshot.ts";
import { readConfig } from "../config/config.ts";
import { runsInFlight } from "../coordinator/store.ts";
import type { WatchFrame, WatchTask } from "../protocol/workspace.ts";
import { daemonPaths } from "../repo/daemon-paths.ts";
import { taskFiles } from "../tasks/paths.ts";
import { withTaskStore } from "../tasks/store.ts";
import { colorOn, interactive, terminalText } from "../util/terminal.ts";
import { showTask } from "./task-print.ts";

/** The frame with the workspace's coordinator runs in flight (none when they cannot be read). */
export function withRuns(frame: WatchFrame): WatchFrame {
  try {
    const runs = runsInFlight(frame.workspace);
    return runs ? { ...frame, runs } : frame;
  } catch {
    return frame; // a damaged run record is reported by `skep run show`, not here
  }
}

/** Piped output is cut only when COLUMNS says how wide the reader is. */
export function pipedWidth(): number | null {
  const c = Number(process.env.COLUMNS);
  return Number.isInteger(c) && c > 0 ? c : null;
}

export const KEY_HELP = [
  "↑ ↓  k j   select a task",
  "a          approve the selected task (its daemon then executes it)",
  "r          reject it: type the reason, Enter sends, Esc cancels",
  "Enter      show it: status, plan, steps, peer links",
  "l          follow its log (Esc or q: back)",
  "c          answer its questions: clarify.md in $VISUAL or $EDITOR (then: skep task clarify)",
  "?          this list",
  "q Esc ^C   quit",
];

/** A keystroke: a named key or one printable character. */
export type Key = "up" | "down" | "pageup" | "pagedown" | "enter" | "esc" | "backspace" | "ctrl-c" | { char: string };

/** The keys in what a terminal sent (one read may hold several, as pasted or sent by tmux). */
export function keysOf(input: string): Key[] {
  const keys: Key[] = [];
  const named: [string, Key][] = [
    ["\x1b[A", "up"],
    ["\x1bOA", "up"],
    ["\x1b[B", "down"],
    ["\x1bOB", "down"],
    ["\x1b[5~", "pageup"],
    ["\x1b[6~", "pagedown"],
  ];
  for (let i = 0; i < input.length; ) {
    const hit = named.find(([seq]) => input.startsWith(seq, i));
    if (hit) {
      keys.push(hit[1]);
      i += hit[0].length;
      continue;
    }
    const c = input[i]!;
    if (c === "\x1b") {
      // Another escape sequence (a function key): skipped whole; a lone Esc is Esc.
      const seq = /^\x1b(?:\[[0-9;?]*[ -\/]*[@-~]|O.)/.exec(input.slice(i));
      if (seq) i += seq[0].length;
      else {
        keys.push("esc");
        i++;
      }
      continue;
    }
    i++;
    if (c === "\r" || c === "\n") keys.push("enter");
    else if (c === "\x7f" || c === "\b") keys.push("backspace");
    else if (c === "\x03") keys.push("ctrl-c");
    else if (c >= " ") keys.push({ char: c });
  }
  return keys;
}

type View =
  | { kind: "table" }
  | { kind: "help" }
  | { kind: "show"; task: WatchTask; top: number }
  | { kind: "log"; task: WatchTask }
  | { kind: "reason"; task: WatchTask; text: string };

const taskKey = (t: { repo: string; id: number }) => `${t.repo}#${t.id}`;

/** Run the live dashboard until the person quits or the terminal goes. */
export async function live(start: string, intervalMs: number): Promise<void> {
  const out = process.stdout;
  const frameAt = () => {
    const scope = findScope(start);
    // The registry may be deleted while watching: say so in place rather than exit.
    if (scope.kind === "none") return null;
    return { frame: withRuns(watchFrame(scope)), repos: scope.repos };
  };
  // CI runners that give a job a pseudo-terminal still want a log, not a redrawn screen.
  if (!interactive(out)) {
    for (;;) {
      const f = frameAt()?.frame;
      out.write(`${f ? renderFrame(f, { width: pipedWidth(), height: null, color: false, intervalMs }).join("\n") : `no skep workspace or repo at ${start}`}\n\n`);
      await Bun.sleep(intervalMs);
    }
  }

  const stdin = process.stdin;
  const keyed = !!stdin.isTTY;
  let restored = true;
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
  const enterScreen = () => {
    restored = false;
    if (keyed) {
      stdin.setRawMode(true); // one key acts without Enter (Ctrl-C arrives as a byte, not SIGINT)
      stdin.resume();
    }
    write("\x1b[?1049h\x1b[?25l"); // alternate screen, cursor hidden
  };
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      if (keyed) stdin.setRawMode(false);
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

  let view: View = { kind: "table" };
  let selected: string | null = null;
  let message = "";
  let current: { frame: WatchFrame; repos: ScopeRepo[] } | null = null;
  let wake: (() => void) | null = null;
  let busy = false; // an approve/reject on its way: keys wait, the screen keeps refreshing
  const redraw = () => wake?.();

  const selectedTask = (): WatchTask | null => current?.frame.tasks.find((t) => taskKey(t) === selected) ?? null;
  const repoOf = (t: WatchTask) => current?.repos.find((r) => r.name === t.repo) ?? null;
  const move = (by: number) => {
    const tasks = current?.frame.tasks ?? [];
    if (!tasks.length) return;
    const at = tasks.findIndex((t) => taskKey(t) === selected);
    const next = Math.max(0, Math.min(tasks.length - 1, (at < 0 ? 0 : at) + by));
    selected = taskKey(tasks[next]!);
  };

  /** Approve or reject through the repo's daemon (or its store here); the outcome in the message line. */
  const decide = async (t: WatchTask, verb: "approve" | "reject", reason?: string) => {
    const repo = repoOf(t);
    if (!repo) return void (message = `${taskKey(t)}: its repo is not in the workspace any more`);
    busy = true;
    message = `${verb === "approve" ? "approving" : "rejecting"} ${taskKey(t)}…`;
    redraw();
    let api: TaskClient | null = null;
    try {
      const { TaskClient } = await import("../api/task-client.ts"); // only when a person decides
      api = await TaskClient.open({ root: repo.path, skepDir: repo.skepDir, dbPath: daemonPaths(repo.path, repo.skepDir).dbPath });
      const done = verb === "approve" ? await api.approve(t.id) : await api.reject(t.id, reason || undefined);
      message =
        verb === "approve"
          ? `${taskKey(t)} approved; ${done.via === "daemon" ? "its daemon executes it" : `no daemon runs in ${repo.name}: skep task run ${t.id} --repo ${repo.path}`}`
          : `${taskKey(t)} rejected`;
    } catch (err) {
      message = `${taskKey(t)}: ${(err as Error).message.split("\n")[0]}`;
    } finally {
      await api?.close().catch(() => undefined);
      busy = false;
      redraw();
    }
  };

  /** The task's clarify.md in the person's editor, the dashboard's screen left meanwhile. */
  const editClarify = (t: WatchTask) => {
    const repo = repoOf(t);
    const file = repo ? taskFiles(repo.skepDir, t.id).clarify : null;
    if (!repo || !file || t.status !== "pending_clarification" || !existsSync(file)) {
      message = `${taskKey(t)} has no questions to answer (${t.status})`;
      return;
    }
    restore();
    if (keyed) stdin.pause();
    // The person's own editor, from their own environment; the file is the only argument.
    const r = Bun.spawnSync(["sh", "-c", 'exec ${VISUAL:-${EDITOR:-vi}} "$1"', "sh", file], { stdin: "inherit", stdout: "inherit", stderr: "inherit" });
    enterScreen();
    message =
      r.exitCode === 0
        ? `${taskKey(t)}: answers saved; send them: skep task clarify ${t.id} --repo ${repo.path}`
        : `${taskKey(t)}: the editor exited with ${r.exitCode}; ${file} is as it left it`;
  };

  const onKey = (key: Key) => {
    const ch = typeof key === "object" ? key.char : null;
    if (key === "ctrl-c") quit(0);
    if (view.kind === "reason") {
      const v = view;
      if (key === "esc") view = { kind: "table" };
      else if (key === "enter") {
        view = { kind: "table" };
        void decide(v.task, "reject", v.text.trim());
      } else if (key === "backspace") v.text = v.text.slice(0, -1);
      else if (ch) v.text += ch;
      return;
    }
    if (view.kind !== "table") {
      if (view.kind === "show" && (key === "down" || ch === "j" || key === "pagedown")) view.top += key === "pagedown" ? 10 : 1;
      else if (view.kind === "show" && (key === "up" || ch === "k" || key === "pageup")) view.top = Math.max(0, view.top - (key === "pageup" ? 10 : 1));
      else if (key === "esc" || key === "enter" || ch === "q" || ch === "Q" || (view.kind === "help" && ch === "?")) view = { kind: "table" };
      return;
    }
    message = "";
    if (key === "esc" || ch === "q" || ch === "Q") quit(0);
    if (key === "up" || ch === "k") return move(-1);
    if (key === "down" || ch === "j") return move(1);
    if (key === "pageup") return move(-10);
    if (key === "pagedown") return move(10);
    if (ch === "?") return void (view = { kind: "help" });
    const t = selectedTask();
    if (!t) {
      if (ch && "arlc".includes(ch)) message = "no task selected";
      return;
    }
    if (ch === "a") void decide(t, "approve");
    else if (ch === "r") view = { kind: "reason", task: t, text: "" };
    else if (key === "enter") view = { kind: "show", task: t, top: 0 };
    else if (ch === "l") view = { kind: "log", task: t };
    else if (ch === "c") editClarify(t);
  };

  if (keyed) {
    stdin.on("data", (buf: Buffer) => {
      if (busy) return;
      for (const key of keysOf(buf.toString())) onKey(key);
      redraw();
    });
    // A hung-up terminal reads as end of file (or EIO): nobody is watching any more.
    stdin.on("end", () => quit(0));
    stdin.on("error", () => quit(0));
  }
  process.on("SIGWINCH", redraw);

  enterScreen();
  let seen: Set<string> | null = null;
  try {
    for (;;) {
      current = frameAt();
      const f = current?.frame ?? null;
      if (f) {
        const bell = bellFor(f, seen, quietRepos(f));
        if (bell.ring) write("\x07"); // a task started waiting for a person: tmux flags the window
        seen = bell.waiting;
        if (!selected || !f.tasks.some((t) => taskKey(t) === selected)) selected = f.tasks[0] ? taskKey(f.tasks[0]) : null;
      }
      const width = out.columns ?? 80;
      const height = out.rows ?? 24;
      const lines = screen({ view, frame: f, start, width, height, intervalMs, selected, message, keyed, repoOf });
      // Home, each line cleared to its end, then everything below: no flicker, no stale rows.
      write(`\x1b[H${lines.map((l) => `${l}\x1b[K`).join("\r\n")}\x1b[J`);
      await new Promise<void>((done) => {
        const timer = setTimeout(done, view.kind === "log" ? Math.min(intervalMs, 500) : intervalMs);
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

interface ScreenInput {
  view: View;
  frame: WatchFrame | null;
  start: string;
  width: number;
  height: number;
  intervalMs: number;
  selected: string | null;
  message: string;
  keyed: boolean;
  repoOf: (t: WatchTask) => ScopeRepo | null;
}

/** The lines of one screen: the table (with the selection and a message line), or a view over it. */
function screen(s: ScreenInput): string[] {
  const clip = (l: string) => fit(l, s.width);
  const color = colorOn(process.stdout);
  const dim = (l: string) => (color ? `\x1b[2m${l}\x1b[0m` : l);
  if (s.view.kind === "help") return ["skep workspace watch: keys", "", ...KEY_HELP.map(clip), "", dim("any of Esc, q, Enter or ? goes back")];
  if (s.view.kind === "show" || s.view.kind === "log") {
    const t = s.view.task;
    const repo = s.repoOf(t);
    const body = repo ? (s.view.kind === "show" ? showLines(repo, t) : logTail(repo, t, s.height - 2)) : [`${t.repo} is not in the workspace any more`];
    const title = s.view.kind === "show" ? `${t.repo} task #${t.id}  ·  j/k scroll, Esc or q: back` : `${t.repo} task #${t.id} log (following)  ·  Esc or q: back`;
    const top = s.view.kind === "show" ? Math.min(s.view.top, Math.max(0, body.length - (s.height - 2))) : 0;
    if (s.view.kind === "show") s.view.top = top;
    return [dim(clip(title)), "", ...body.slice(top, top + s.height - 2).map(clip)];
  }
  if (!s.frame) return [`no skep workspace or repo at ${s.start} any more (q quits)`];
  const index = s.keyed ? s.frame.tasks.findIndex((t) => taskKey(t) === s.selected) : -1;
  const lines = renderFrame(s.frame, { width: s.width, height: s.height - 1, color, intervalMs: s.intervalMs, selected: s.keyed ? Math.max(0, index) : undefined });
  let bottom = "";
  if (s.view.kind === "reason") bottom = `reject ${taskKey(s.view.task)}: reason (Enter sends, Esc cancels): ${s.view.text}`;
  else if (s.message) bottom = s.message;
  else if (s.keyed) return [...lines, dim(clip("↑↓ select · a approve · r reject · Enter show · l log · c clarify · ? keys · q quit"))];
  return [...lines, clip(bottom)];
}

/** What `skep task show` prints for the task, read from its repo's store. */
function showLines(repo: ScopeRepo, t: WatchTask): string[] {
  try {
    const task = withTaskStore(repo.skepDir, (store) => store.get(t.id), { readOnly: true });
    return task ? showTask(task, repo.skepDir, repo.path).split("\n") : [`${taskKey(t)}: no task store`];
  } catch (err) {
    return [`${taskKey(t)}: ${(err as Error).message}`];
  }
}

/** The last `n` lines of the task's log, control characters dropped (the model's text is data). */
function logTail(repo: ScopeRepo, t: WatchTask, n: number): string[] {
  const file = taskFiles(repo.skepDir, t.id).log;
  if (!existsSync(file)) return [`(task #${t.id} has no log yet)`];
  const size = statSync(file).size;
  const len = Math.min(size, 256 * 1024);
  const buf = Buffer.alloc(len);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
  }
  const text = terminalText(buf.toString("utf8"));
  return text.replace(/\n$/, "").split("\n").slice(-Math.max(1, n));
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

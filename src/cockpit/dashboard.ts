// The workspace dashboard as text: one frame of `skep workspace watch` (header with counts, the
// task table fitted to the terminal, unreadable repos, the token total) and the one-line summary
// `skep status --oneline` prints for tmux. Pure functions of a snapshot, so tests and the live
// loop render the same frame.
import { ACTIVE_STATUSES, type TaskStatus } from "../protocol/tasks.ts";
import type { OnelineAnswer, TokenSum, WatchFrame } from "../protocol/workspace.ts";
import { onelineOf, type RepoCounts } from "./oneline.ts";
import { readRepo, type RepoTasks, type Scope, sortTasks, sumTokens } from "./snapshot.ts";

/** Read every repo of the scope once and assemble the frame (also what `--json` prints). */
export function watchFrame(scope: Scope, now = new Date()): WatchFrame {
  const repos = scope.repos.map((r) => readRepo(r));
  const tasks = sortTasks(repos);
  const count = (statuses: readonly TaskStatus[]) => tasks.filter((t) => statuses.includes(t.status)).length;
  return {
    scope: scope.kind === "repo" ? "repo" : "workspace",
    workspace: scope.workspace,
    problem: scope.problem,
    at: now.toISOString(),
    counts: {
      repos: repos.length,
      inFlight: count(ACTIVE_STATUSES),
      executing: count(["executing"]),
      waitingApproval: count(["pending"]),
      needsClarification: count(["pending_clarification"]),
    },
    repos: repos.map(({ tasks: _, ...r }) => r),
    tasks,
    total: sumTokens(repos),
  };
}

export interface RenderOptions {
  /** Terminal columns; null: no truncation (piped output a script reads whole). */
  width: number | null;
  /** Terminal rows; null: every task is listed. */
  height: number | null;
  color: boolean;
  /** Live mode: the refresh interval shown in the title. */
  intervalMs?: number;
  /** Interactive: the index in `f.tasks` of the row shown selected (reverse video), kept on screen. */
  selected?: number;
}

const n = (x: number) => x.toLocaleString("en-US");
const plural = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;

const SGR: Partial<Record<TaskStatus | "problem" | "dim" | "bold", string>> = {
  executing: "1;32",
  queued: "36",
  approved: "36",
  pending: "33",
  pending_clarification: "35",
  created: "34",
  classified: "34",
  interrupted: "31",
  failed: "1;31",
  done: "2",
  rejected: "2",
  problem: "31",
  dim: "2",
  bold: "1",
};

export function renderFrame(f: WatchFrame, o: RenderOptions): string[] {
  const paint = (text: string, key: keyof typeof SGR) => (o.color && SGR[key] && text ? `\x1b[${SGR[key]}m${text}\x1b[0m` : text);
  const clip = (line: string) => (o.width === null ? line : fitAnsi(line, o.width));
  const c = f.counts;
  const where = f.scope === "workspace" ? `workspace ${f.workspace}` : `repo ${f.repos[0]?.path ?? "?"} (no workspace above it: this repo alone)`;
  const live = o.intervalMs !== undefined ? `  ·  every ${formatInterval(o.intervalMs)}, q quits${o.selected !== undefined ? ", ? keys" : ""}` : "";
  const head = [
    clip(`${paint("skep", "bold")} ${where}  ·  ${f.at.slice(11, 19)} UTC${live}`),
    clip(
      [
        plural(c.repos, "repo"),
        `${c.inFlight} ${c.inFlight === 1 ? "task" : "tasks"} in flight`,
        `${c.executing} executing`,
        `${c.waitingApproval} waiting for approval`,
        `${c.needsClarification} ${c.needsClarification === 1 ? "needs" : "need"} clarification`,
      ].join(" • "),
    ),
    "",
  ];
  if (f.problem) return [...head, clip(paint(`the workspace registry cannot be read: ${f.problem}`, "problem"))];
  // Coordinator runs above the tasks: their workers are among the tasks below.
  if (f.runs?.length) head.push(...f.runs.map((r) => clip(`run ${r.id} ${r.status}: ${r.spec.split("\n")[0]}${r.workers.length ? `  [${r.workers.join(", ")}]` : ""}`)), "");

  const now = Date.parse(f.at);
  const rows = f.tasks.map((t) => ({
    id: `#${t.id}`,
    repo: t.repo,
    name: t.name,
    // A parked task: executing, but its delegate step waits on a peer's task.
    status: t.waitingOn ? `waiting ${t.waitingOn.repo}#${t.waitingOn.taskId}` : t.status,
    key: t.status,
    cls: t.classification ?? "-",
    age: age(now - Date.parse(t.createdAt)),
    tokens: t.tokens.calls ? n(t.tokens.effectiveInput) : "-",
    branch: t.branch ?? "",
  }));
  const problems = f.repos.filter((r) => r.state !== "ok");
  const H = { id: "ID", repo: "REPO", name: "NAME", status: "STATUS", cls: "CLASS", age: "AGE", tokens: "TOKENS", branch: "BRANCH" };
  const w = (key: keyof typeof H, extra: string[] = []) => Math.max(H[key].length, ...rows.map((r) => r[key].length), ...extra.map((s) => s.length));
  const repoNames = problems.map((p) => p.name);
  const W = {
    id: w("id", problems.map(() => "-")),
    repo: Math.min(20, w("repo", repoNames)),
    status: w("status"),
    cls: w("cls"),
    age: w("age"),
    tokens: w("tokens"),
  };
  const SEP = "  ";
  const fixed = W.id + W.repo + W.status + W.cls + W.age + W.tokens + SEP.length * 7;
  const wantName = w("name");
  const wantBranch = w("branch");
  let nameW = wantName;
  let branchW = wantBranch;
  if (o.width !== null && fixed + wantName + wantBranch > o.width) {
    // NAME and BRANCH share what the fixed columns leave; NAME keeps at least a readable stub.
    const avail = Math.max(0, o.width - fixed);
    nameW = Math.min(wantName, Math.max(8, avail - wantBranch, Math.ceil(avail * 0.55)));
    branchW = Math.max(0, avail - nameW);
  }
  const line = (r: typeof H, statusKey?: TaskStatus) =>
    clip(
      [
        r.id.padEnd(W.id),
        fit(r.repo, W.repo).padEnd(W.repo),
        fit(r.name, nameW).padEnd(nameW),
        paintPadded(r.status, W.status, statusKey, paint),
        r.cls.padEnd(W.cls),
        r.age.padStart(W.age),
        r.tokens.padStart(W.tokens),
        fit(r.branch, branchW),
      ]
        .join(SEP)
        .trimEnd(),
    );

  const table = [clip(paint(line(H), "dim"))];
  const problemLines = problems.map((p) =>
    clip(`${"-".padEnd(W.id)}${SEP}${fit(p.name, W.repo).padEnd(W.repo)}${SEP}${paint(p.problem ?? p.state, p.state === "no_store" ? "dim" : "problem")}`),
  );
  const footer = ["", clip(footerLine(f.total, f.scope))];
  const sel = o.selected !== undefined && o.selected >= 0 && o.selected < rows.length ? o.selected : null;
  // The selected row in reverse video, uncoloured inside (a colour's reset would end the reverse).
  const selectedLine = (r: (typeof rows)[number]) => `\x1b[7m${o.width === null ? line(r) : line(r).padEnd(o.width)}\x1b[0m`;
  let taskLines = rows.map((r, i) => (i === sel ? selectedLine(r) : line(r, r.key)));
  if (!rows.length) taskLines = [paint(f.repos.length ? "no tasks yet (create one: skep task create \"...\")" : "no repos registered (skep init --workspace DIR in each repo)", "dim")];
  if (o.height !== null) {
    // Keep the header, the table head, unreadable repos and the footer on screen; cut the tasks.
    const room = Math.max(1, o.height - head.length - table.length - problemLines.length - footer.length);
    if (taskLines.length > room && sel === null) taskLines = [...taskLines.slice(0, room - 1), paint(`… ${taskLines.length - room + 1} more (enlarge the window, or: skep tasks --all)`, "dim")];
    else if (taskLines.length > room) {
      // Scrolled so the selected row stays in view.
      const shown = Math.max(1, room - 1);
      const start = Math.max(0, Math.min(sel! - shown + 1, taskLines.length - shown));
      const hidden = taskLines.length - shown;
      taskLines = [...taskLines.slice(start, start + shown), paint(`… ${hidden} more not shown (↑↓ scrolls)`, "dim")];
    }
  }
  return [...head, ...table, ...taskLines, ...problemLines, ...footer];
}

function footerLine(t: TokenSum, scope: WatchFrame["scope"]): string {
  return `${scope} total: ${n(t.effectiveInput)} effective input tokens over ${plural(t.calls, "LLM call")} (input + cache reads / 10, as \`skep cost\` counts)`;
}

function paintPadded(text: string, width: number, key: TaskStatus | undefined, paint: (t: string, k: keyof typeof SGR) => string): string {
  // Pad first, colour the word only: escape codes must not count towards the column width.
  const pad = " ".repeat(Math.max(0, width - text.length));
  return (key ? paint(text, key) : text) + pad;
}

/** Cut to `width` columns, marking the cut with an ellipsis. */
export function fit(text: string, width: number): string {
  if (width <= 0) return "";
  if (text.length <= width) return text;
  return width === 1 ? "…" : `${text.slice(0, width - 1)}…`;
}

/** fit() for a line that may hold SGR escape codes: only visible characters count. */
function fitAnsi(line: string, width: number): string {
  if (visibleLength(line) <= width) return line;
  let out = "";
  let seen = 0;
  for (let i = 0; i < line.length; ) {
    const esc = /^\x1b\[[0-9;]*m/.exec(line.slice(i));
    if (esc) {
      out += esc[0];
      i += esc[0].length;
      continue;
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    // Reset after the ellipsis when the line is coloured, so a cut inside a colour does not bleed.
    if (seen === width - 1) return `${out}…${line.includes("\x1b[") ? "\x1b[0m" : ""}`;
    out += ch;
    seen++;
    i += ch.length;
  }
  return out;
}

function visibleLength(line: string): number {
  return [...line.replace(/\x1b\[[0-9;]*m/g, "")].length;
}

/** "42s", "5m", "3h", "2d": how long ago a task was created. */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function formatInterval(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

// ------------------------------------------------------------------------------------ oneline

/** The status line (oneline.ts) over a scope, each repo read whole (readRepo): `skep status --oneline` reads counts only (status-line.ts). */
export function oneline(scope: Scope, opts: { tmux?: boolean } = {}): OnelineAnswer {
  return onelineOf(scope, scope.repos.map((r) => countsOf(readRepo(r, { tokens: false }))), opts);
}

/** What the status line needs of a repo read whole. */
export function countsOf(r: RepoTasks): RepoCounts {
  const waiting = r.tasks.filter((t) => t.status === "pending" || t.status === "pending_clarification").map((t) => ({ id: t.id, status: t.status, createdAt: t.createdAt }));
  return { name: r.name, unreadable: r.state === "missing" || r.state === "unreadable", byStatus: r.counts, waiting };
}

// ------------------------------------------------------------------------------------ bell

/** "backend#2": a task's key across the workspace. */
const waitKey = (t: { repo: string; id: number }) => `${t.repo}#${t.id}`;

/**
 * The tasks of a frame waiting for a person, and whether one of them started waiting since the
 * last frame in a repo whose approval_watchdog is on: the dashboard then rings the bell, once for
 * that task. `seen` is null on the first frame (nothing rings for what already waited then).
 */
export function bellFor(frame: WatchFrame, seen: Set<string> | null, quietRepos: Set<string>): { waiting: Set<string>; ring: boolean } {
  const waiting = new Set(frame.tasks.filter((t) => t.status === "pending" || t.status === "pending_clarification").map(waitKey));
  const ring = seen !== null && frame.tasks.some((t) => waiting.has(waitKey(t)) && !seen.has(waitKey(t)) && !quietRepos.has(t.repo));
  return { waiting, ring };
}

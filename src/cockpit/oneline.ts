// `◠ 2 exec · 1 pending · 1 needs clarify · 🔔 api#5 waiting approval`: the one line `skep status
// --oneline` prints for tmux, from each repo's task counts. Apart from the dashboard (dashboard.ts,
// whose oneline() feeds it full snapshots) so the status line's own path (status-line.ts) loads
// nothing but this and the counts reader.
import type { TaskStatus } from "../protocol/tasks.ts";
import type { OnelineAnswer } from "../protocol/workspace.ts";
import type { Scope } from "./scope.ts";

/** What the line needs of one repo of the scope (its tasks per status, and those waiting for a person). */
export interface RepoCounts {
  name: string;
  /** The repo's path is gone, or its task store cannot be read. */
  unreadable: boolean;
  byStatus: Record<string, number>;
  /** Tasks pending approval or clarification, in id order. */
  waiting: { id: number; status: string; createdAt: string }[];
}

/**
 * What is in flight across the scope and the oldest task waiting for a person. `repos`: the
 * scope's repos in its order. `tmux`: colour with tmux's own #[…] style markup (status-right does
 * not interpret ANSI escapes).
 */
export function onelineOf(scope: Scope, repos: RepoCounts[], opts: { tmux?: boolean } = {}): OnelineAnswer {
  const style = (text: string, s: string) => (opts.tmux ? `#[${s}]${text}#[default]` : text);
  const base = { executing: 0, queued: 0, pending: 0, needsClarification: 0, planning: 0, waiting: null, unreadable: 0 };
  if (scope.kind === "none") return { ...base, scope: "none", text: "◠ (no skep repo)" };
  if (scope.problem) return { ...base, scope: "workspace", text: `◠ ${style("(workspace registry unreadable)", "fg=red")}` };
  const count = (...statuses: TaskStatus[]) => repos.reduce((sum, r) => sum + statuses.reduce((n, s) => n + (r.byStatus[s] ?? 0), 0), 0);
  // Oldest first: the one that has waited longest for an answer (ties: repo order, then id).
  const waiting = repos
    .flatMap((r) => r.waiting.map((t) => ({ ...t, repo: r.name })))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id))[0];
  const a: OnelineAnswer = {
    scope: scope.kind,
    text: "",
    executing: count("executing"),
    queued: count("approved", "queued"),
    pending: count("pending"),
    needsClarification: count("pending_clarification"),
    planning: count("created", "classified"),
    waiting: waiting ? { repo: waiting.repo, id: waiting.id, status: waiting.status as TaskStatus } : null,
    unreadable: repos.filter((r) => r.unreadable).length,
  };
  const parts: string[] = [];
  if (a.executing) parts.push(style(`${a.executing} exec`, "fg=green"));
  if (a.queued) parts.push(`${a.queued} queued`);
  if (a.planning) parts.push(`${a.planning} planning`);
  if (a.pending) parts.push(`${a.pending} pending`);
  if (a.needsClarification) parts.push(`${a.needsClarification} needs clarify`);
  if (waiting) {
    const who = `${scope.kind === "workspace" ? waiting.repo : ""}#${waiting.id}`;
    parts.push(style(`🔔 ${who} ${waiting.status === "pending" ? "waiting approval" : "needs clarify"}`, "fg=yellow,bold"));
  }
  if (a.unreadable) parts.push(style(`⚠ ${a.unreadable} unreadable`, "fg=red"));
  a.text = `◠ ${parts.length ? parts.join(" · ") : "idle"}`;
  return a;
}

// What every repo of a workspace is doing right now, read straight from each repo's
// `.skep/tasks.db` (read-only; no daemon is asked and git is never run), for `workspace watch`,
// `workspace list` and `status --oneline`. A repo whose tasks cannot be read is reported with the
// reason, never skipped silently and never allowed to fail the whole view.
import { existsSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import type { Task, TaskStatus } from "../protocol/tasks.ts";
import type { RepoSnapshot, TokenSum, WatchTask } from "../protocol/workspace.ts";
import { tasksDbPath, type TaskSummary, withTaskStore } from "../tasks/store.ts";
import { workspaceRepos } from "../workspace/registry.ts";
import { locate, type Scope, scopeAt, type ScopeRepo } from "./scope.ts";

export type { Scope, ScopeRepo } from "./scope.ts";

/**
 * The scope seen from `start` (scope.ts): the workspace above the repo containing it (the main
 * checkout's, from a linked worktree), else that repo alone, else nothing.
 */
export function findScope(start: string): Scope {
  return scopeAt(locate(start), workspaceRepos);
}

/** One repo's tasks as the views need them. */
export interface RepoTasks extends RepoSnapshot {
  tasks: TaskSummary[];
}

const NO_TOKENS: TokenSum = { calls: 0, input: 0, cacheRead: 0, effectiveInput: 0 };

/** Read one repo's store read-only; `tokens: false` skips the ledger (the status line has no use for it). */
export function readRepo(repo: ScopeRepo, opts: { tokens?: boolean } = {}): RepoTasks {
  const base = { name: repo.name, path: repo.path, counts: {}, tokens: NO_TOKENS, tasks: [] };
  if (!existsSync(repo.path)) return { ...base, state: "missing", problem: `repo path is gone: ${repo.path}` };
  const noStore = `no task store yet (no ${shortPath(repo.path, tasksDbPath(repo.skepDir))}: no task was created here)`;
  if (!existsSync(tasksDbPath(repo.skepDir))) return { ...base, state: "no_store", problem: noStore };
  try {
    const read = withTaskStore(
      repo.skepDir,
      (store) => {
        const tasks = store.summaries({ tokens: opts.tokens ?? true });
        const t = opts.tokens === false ? null : store.totals();
        const tokens: TokenSum = t ? { calls: t.calls, input: t.input, cacheRead: t.cacheRead, effectiveInput: t.effectiveInput } : NO_TOKENS;
        return { tasks, tokens };
      },
      { readOnly: true },
    );
    // Removed between the existsSync above and the open: the same as never created.
    if (!read) return { ...base, state: "no_store", problem: noStore };
    const counts: Record<string, number> = {};
    for (const t of read.tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
    return { ...base, state: "ok", problem: null, counts, tokens: read.tokens, tasks: read.tasks };
  } catch (err) {
    return { ...base, state: "unreadable", problem: `${shortPath(repo.path, tasksDbPath(repo.skepDir))} cannot be read: ${(err as Error).message}` };
  }
}

/** `.skep/tasks.db` when under the repo (the row already names it), else the full path (SKEP_DIR). */
function shortPath(root: string, path: string): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

/** Dashboard order: what is running, then what waits on the machine, then on a person, then history. */
export const STATUS_ORDER: readonly TaskStatus[] = [
  "executing",
  "queued",
  "approved",
  "pending",
  "pending_clarification",
  "created",
  "classified",
  "interrupted",
  "failed",
  "done",
  "rejected",
];

/** Every repo's tasks in STATUS_ORDER, newest first within a status (creation time, then id). */
export function sortTasks(repos: RepoTasks[]): WatchTask[] {
  const rank = new Map(STATUS_ORDER.map((s, i) => [s, i]));
  const all: WatchTask[] = repos.flatMap((r) =>
    r.tasks.map((t) => ({
      repo: r.name,
      id: t.id,
      name: t.name,
      status: t.status,
      classification: t.classification,
      branch: t.branch,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      tokens: t.tokens,
      waitingOn: t.waitingOn,
    })),
  );
  return all.sort(
    (a, b) => (rank.get(a.status) ?? 99) - (rank.get(b.status) ?? 99) || (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id - a.id),
  );
}

/** Token sums across repos (each repo's own total already counts all its calls). */
export function sumTokens(repos: RepoTasks[]): TokenSum {
  const input = repos.reduce((s, r) => s + r.tokens.input, 0);
  const cacheRead = repos.reduce((s, r) => s + r.tokens.cacheRead, 0);
  return { calls: repos.reduce((s, r) => s + r.tokens.calls, 0), input, cacheRead, effectiveInput: repos.reduce((s, r) => s + r.tokens.effectiveInput, 0) };
}

/**
 * The task that has waited longest for a person (pending approval or answers) in the scope, read
 * whole through each repo's TaskApi (its daemon when one runs, else its store here, as `skep task
 * list --repo` reads it): what a person acts on comes from where the actions go. A repo whose tasks
 * cannot be read is passed over: the dashboard says why. (The snapshot above stays one read-only
 * summary query per `tasks.db`: the TaskApi has no such summary with token sums, and a status line
 * every few seconds and a live frame every second over every repo would pay a daemon round trip
 * per repo each time.)
 */
export async function oldestWaiting(scope: Scope): Promise<{ repo: ScopeRepo; task: Task } | null> {
  let best: { repo: ScopeRepo; task: Task } | null = null;
  for (const repo of scope.repos) {
    // No store: nothing waits there, and a read makes none.
    if (!existsSync(tasksDbPath(repo.skepDir))) continue;
    let api: import("../api/task-client.ts").TaskClient | null = null;
    let tasks: Task[] = [];
    try {
      // Imported here: `status --oneline` shares this file and must not load the task service.
      const { TaskClient } = await import("../api/task-client.ts");
      api = await TaskClient.open({ root: repo.path, skepDir: repo.skepDir, dbPath: `${repo.skepDir}/index.db` });
      tasks = (await api.list(["pending", "pending_clarification"])).value;
    } catch {
      continue; // unreadable: the dashboard says so
    } finally {
      await api?.close();
    }
    for (const task of tasks) if (!best || task.createdAt < best.task.createdAt) best = { repo, task };
  }
  return best;
}

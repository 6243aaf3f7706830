// What every repo of a workspace is doing right now, read straight from each repo's
// `.skep/tasks.db` (read-only; no daemon is asked and git is never run), for `workspace watch`,
// `workspace list` and `status --oneline`. A repo whose tasks cannot be read is reported with the
// reason, never skipped silently and never allowed to fail the whole view.
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Task, TaskStatus } from "../protocol/tasks.ts";
import type { RepoSnapshot, TokenSum, WatchTask } from "../protocol/workspace.ts";
import { tasksDbPath, type TaskSummary, withTaskStore } from "../tasks/store.ts";
import { skepHome } from "../trust/store.ts";
import { findWorkspace, workspaceRepos } from "../workspace/registry.ts";

/** What a view covers: a workspace's registered repos, the repo alone outside one, or nothing. */
export type Scope =
  | { kind: "workspace"; workspace: string; repos: ScopeRepo[]; problem: string | null }
  | { kind: "repo"; workspace: null; repos: [ScopeRepo]; problem: null }
  | { kind: "none"; workspace: null; repos: []; problem: null };

export interface ScopeRepo {
  name: string;
  path: string;
  skepDir: string;
}

/**
 * The scope seen from `start`: the workspace above the repo containing it (the main checkout's,
 * from a linked worktree), else that repo alone, else nothing. Walks the directories itself
 * instead of asking git, so a status line that runs every few seconds stays in the milliseconds.
 */
export function findScope(start: string): Scope {
  const from = resolve(start);
  const root = repoRootAbove(from);
  const ws = findWorkspace(root ?? from);
  if (ws) {
    try {
      const repos = workspaceRepos(ws).map((r) => ({ name: r.name, path: r.path, skepDir: join(r.path, ".skep") }));
      return { kind: "workspace", workspace: ws, repos, problem: null };
    } catch (err) {
      return { kind: "workspace", workspace: ws, repos: [], problem: (err as Error).message };
    }
  }
  if (!root) return { kind: "none", workspace: null, repos: [], problem: null };
  // SKEP_DIR moves this repo's `.skep/` (as every other command honours it); a workspace's repos keep theirs.
  const skepDir = process.env.SKEP_DIR ? resolve(process.env.SKEP_DIR) : join(root, ".skep");
  return { kind: "repo", workspace: null, repos: [{ name: basename(root), path: root, skepDir }], problem: null };
}

/**
 * The nearest directory at or above `dir` that is a repo: one holding a skep store
 * (`.skep/tasks.db` or `.skep/config.json`) or a `.git` directory. A linked worktree (`.git` is a
 * file naming `<main>/.git/worktrees/<name>`) stands for its main checkout, where tasks live.
 * `~/.skep` (skep's per-user files) is not a repo's store.
 */
function repoRootAbove(dir: string): string | null {
  const userDirs = new Set([skepHome(), join(process.env.HOME || homedir(), ".skep")]);
  for (let d = dir; ; d = dirname(d)) {
    const skep = join(d, ".skep");
    if (!userDirs.has(skep) && (existsSync(join(skep, "tasks.db")) || existsSync(join(skep, "config.json")))) return d;
    const git = join(d, ".git");
    const kind = statKind(git);
    if (kind === "dir") return d;
    if (kind === "file") return mainCheckoutFromGitFile(git) ?? d;
    if (dirname(d) === d) return null;
  }
}

function statKind(path: string): "dir" | "file" | null {
  try {
    const s = statSync(path);
    return s.isDirectory() ? "dir" : "file";
  } catch {
    return null;
  }
}

/** `gitdir: /src/app/.git/worktrees/x` → /src/app; null for anything else (a submodule's `.git` file). */
function mainCheckoutFromGitFile(path: string): string | null {
  try {
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(path, "utf8"));
    const gitdir = m?.[1] ? resolve(dirname(path), m[1]) : null;
    const w = gitdir ? /^(.*)\/\.git\/worktrees\/[^/]+$/.exec(gitdir) : null;
    return w?.[1] ?? null;
  } catch {
    return null;
  }
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

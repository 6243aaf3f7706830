// What the MCP server holds: the repo's one SkepApi (src/api/: index reads and task verbs, each
// through the daemon or in this process by the one rule there) and where the server was started.
// Tasks belong to the repo, not to a checkout: started in a linked git worktree (a task's own, or
// one the user made), the task side acts on the main checkout's store and daemon, never on a
// `.skep/` of the worktree's; the index side reads the main checkout's index with the worktree's
// changed files overlaid (api/checkout-index.ts).
import { realpathSync } from "node:fs";
import { basename, join, relative, resolve, sep, isAbsolute } from "node:path";
import { openApi, type SkepApi } from "../api/api.ts";
import type { CheckoutIndex } from "../api/checkout-index.ts";
import { repoContext, taskRepoContext } from "../repo/repo.ts";
import { wordTaskError } from "./tool-error.ts";

/** Where the repo's tasks live, seen from the checkout the server was started in. */
export interface TaskPlace {
  /** The checkout the server was started in. */
  worktree: string;
  /** The main checkout: tasks branch from it and live in its store. */
  root: string;
  skepDir: string;
  /** The index beside the store (dedup's index layer). */
  dbPath: string;
  /** Started inside one of the repo's task worktrees (`<skepDir>/worktrees/task-<id>-…`): that id, or 0 when unknown. */
  taskWorktree: number | null;
}

/** The server's repo: its SkepApi (task failures worded as tool errors) and where it was started. */
export interface McpRepo {
  api: SkepApi<CheckoutIndex>;
  place: TaskPlace;
}

/** Throws UsageError when `repoFlag` is not a directory. `daemon: false`: the index file always. */
export async function openMcpRepo(repoFlag: string | undefined, opts: { daemon?: boolean } = {}): Promise<McpRepo> {
  const place = taskPlace(repoFlag);
  const api = await openApi(repoContext(repoFlag), place, "server", { daemon: opts.daemon, wordError: wordTaskError });
  return { api, place };
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}

/** The real path, or the resolved one when it does not exist. */
export function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The repo's task store for a server started at `repoFlag` (or the current directory). In a linked
 * worktree that is the main checkout's `.skep/` (or SKEP_DIR, which names the store for every
 * checkout of the repo).
 */
export function taskPlace(repoFlag: string | undefined): TaskPlace {
  const checkout = repoContext(repoFlag);
  const { root, skepDir, dbPath } = taskRepoContext(repoFlag);
  let taskWorktree: number | null = null;
  // The executor puts every task's worktree at <skepDir>/worktrees/task-<id>-<slug> (tasks/paths.ts).
  const worktrees = real(join(skepDir, "worktrees"));
  // Only a linked worktree can sit there: a main checkout holds its .skep/, not the other way round.
  if (inside(worktrees, real(checkout.root))) {
    const top = relative(worktrees, real(checkout.root)).split(sep)[0]!;
    taskWorktree = Number(/^task-(\d+)(?:-|$)/.exec(basename(top))?.[1] ?? 0);
  }
  return { worktree: checkout.root, root, skepDir, dbPath, taskWorktree };
}

// Where the MCP server's task tools act. Tasks belong to the repo, not to a checkout: started in
// a linked git worktree (a task's own, or one the user made), the server acts on the main
// checkout's task store and daemon, never on a `.skep/` of the worktree's (the index side does the
// same, see backend.ts). Whether a call goes through the daemon or a TaskService in this process
// is TaskClient's choice (src/daemon/task-client.ts), the same as the CLI's.
import { realpathSync } from "node:fs";
import { basename, join, relative, resolve, sep, isAbsolute } from "node:path";
import { repoContext, taskRepoContext } from "../repo/repo.ts";
import { ConfigInvalid, type Done, type Op, TaskClient } from "../api/task-client.ts";
import { ToolError } from "./backend.ts";
import { daemonGone, describeError, SkepError } from "../errors.ts";

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

/**
 * The task verbs (src/daemon/task-client.ts, shared with the CLI) at the task store of the server's
 * checkout, with failures an agent can act on worded as one-line tool errors.
 */
export class TaskBackend extends TaskClient {
  declare readonly place: TaskPlace;

  /** Throws UsageError when `repoFlag` is not a directory. */
  constructor(repoFlag: string | undefined) {
    super(taskPlace(repoFlag));
  }

  protected override async call<T>(op: Op<T>): Promise<Done<T>> {
    try {
      return await super.call(op);
    } catch (err) {
      throw asToolError(err);
    }
  }
}

/**
 * Task failures an agent can act on become one-line tool errors. The in-process and the daemon
 * paths throw the same SkepError (same code, same message), so one wording serves both.
 */
function asToolError(err: unknown): unknown {
  if (err instanceof ToolError) return err;
  // Only a change gets here (TaskClient asks a read again itself): it may or may not have been made.
  if (daemonGone(err)) return new ToolError(`the daemon went away during the call (${err.message}): show_task tells whether it took effect`);
  if (err instanceof ConfigInvalid) return new ToolError(`${err.path} is not valid: ${err.message}`);
  if (err instanceof SkepError) {
    if (err.code === "not_found" && /^no task #\d+$/.test(err.message)) return new ToolError(`${err.message}: list_tasks shows the ids`);
    if (err.code === "not_found" || err.code === "conflict" || err.code === "bad_params" || err.code === "unavailable") return new ToolError(oneLine(describeError(err)));
  }
  return err;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ");
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

// Where the MCP server's task tools act, and through whom. Tasks belong to the repo, not to a
// checkout: started in a linked git worktree (a task's own, or one the user made), the server acts
// on the main checkout's task store and daemon, never on a `.skep/` of the worktree's (the index
// side does the same, see backend.ts). Each call goes through the repo's daemon when one runs: it
// owns the execution queue, so an approval there starts the task. Otherwise a TaskService in this
// process does the work, as the CLI does without a daemon (src/daemon/task-client.ts); the
// pipeline then runs here, inline.
import { existsSync, realpathSync } from "node:fs";
import { basename, join, relative, resolve, sep, isAbsolute } from "node:path";
import { repoContext, taskRepoContext } from "../cli/repo.ts";
import { DaemonClient, DaemonError } from "../daemon/client.ts";
import { clientSocketPath, daemonPaths } from "../daemon/paths.ts";
import { loadConfig } from "../daemon/task-host.ts";
import type { Event } from "../protocol/socket.ts";
import type { Task, TaskCreateAnswer, TaskDeleteAnswer, TaskStatus } from "../protocol/tasks.ts";
import { TaskError, TaskService } from "../tasks/service.ts";
import { IllegalTransition } from "../tasks/states.ts";
import { TaskNotFound, tasksDbPath } from "../tasks/store.ts";
import { ToolError } from "./backend.ts";

export type Via = "daemon" | "local";
export type OnProgress = (message: string) => void;
export type Answers = { question: string; answer: string }[];

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

/** An operation's two ways: through the daemon, or here. */
interface Op<T> {
  daemon: (c: DaemonClient) => Promise<T>;
  local: () => Promise<T> | T;
  /** Safe to redo here when the daemon goes away mid-call (reads). */
  idempotent: boolean;
}

/** Long waits for the pipeline (the MCP client's own timeout is what really bounds them). */
const WAIT_MS = 3_600_000;

export class TaskBackend {
  readonly place: TaskPlace;
  private service: TaskService | null = null;
  private client: DaemonClient | null = null;
  private subscribed = false;
  private retryAt = 0;
  /** Progress listeners per task id, for the pipeline runs a call is waiting on. */
  private readonly listeners = new Map<number, Set<OnProgress>>();
  /** Aborted at close: an inline pipeline stops its LLM calls instead of outliving the server. */
  private readonly lifetime = new AbortController();
  private readonly inflight = new Set<Promise<unknown>>();

  /** Throws UsageError when `repoFlag` is not a directory. */
  constructor(repoFlag: string | undefined) {
    this.place = taskPlace(repoFlag);
  }

  /** The statuses' tasks (all without a filter), oldest first. */
  list(statuses?: readonly TaskStatus[]): Promise<{ value: Task[]; via: Via }> {
    return this.run({
      daemon: async (c) => (await c.request("task.list", statuses ? { statuses: [...statuses] } : {})).tasks,
      // No store yet: no tasks, and nothing is created for a read.
      local: () => (this.hasStore() ? this.local().list({ statuses }) : []),
      idempotent: true,
    });
  }

  show(id: number): Promise<{ value: Task; via: Via }> {
    return this.run({
      daemon: async (c) => (await c.request("task.show", { id })).task,
      local: () => {
        if (!this.hasStore()) throw new TaskNotFound(id);
        return this.local().get(id);
      },
      idempotent: true,
    });
  }

  /**
   * Dedup and store. Through the daemon this answers at once (the daemon classifies in the
   * background); here the pipeline runs inline, so the answer carries the gated task.
   * `classifyError` says why a task stayed `created` (the inline pipeline stopped).
   */
  create(description: string, opts: { onProgress?: OnProgress; signal?: AbortSignal }): Promise<{ value: TaskCreateAnswer & { classifyError?: string }; via: Via }> {
    return this.run({
      daemon: (c) => c.request("task.create", { description, dryRun: false }, WAIT_MS),
      local: async () => {
        const svc = this.local(true);
        const signal = this.signal(opts.signal);
        const created = await svc.create(description, { signal });
        if (!created.task) return created;
        const id = created.task.id;
        try {
          const task = await this.following(id, opts.onProgress, () => svc.classify(id, signal));
          return { ...created, task };
        } catch (err) {
          return { ...created, task: svc.get(id), classifyError: (err as Error).message };
        }
      },
      idempotent: false,
    });
  }

  approve(id: number): Promise<{ value: Task; via: Via }> {
    return this.run({ daemon: async (c) => (await c.request("task.approve", { id })).task, local: () => this.local().approve(id), idempotent: false });
  }

  reject(id: number, reason?: string): Promise<{ value: Task; via: Via }> {
    return this.run({ daemon: async (c) => (await c.request("task.reject", { id, reason })).task, local: () => this.local().reject(id, reason), idempotent: false });
  }

  /** Answer the questions; the pipeline runs again and this resolves when the task is gated. */
  clarify(id: number, answers: Answers, opts: { onProgress?: OnProgress; signal?: AbortSignal }): Promise<{ value: Task; via: Via }> {
    return this.run({
      daemon: (c) =>
        this.following(id, opts.onProgress, async () => {
          if (opts.onProgress) await this.subscribe(c);
          return (await c.request("task.clarify", { id, answers }, WAIT_MS)).task;
        }),
      local: () => {
        const svc = this.local(true);
        return this.following(id, opts.onProgress, () => svc.clarify(id, answers, this.signal(opts.signal)));
      },
      idempotent: false,
    });
  }

  /** Delete the task and its files; its branch is always kept (deleting work is for a person, with git). */
  delete(id: number): Promise<{ value: TaskDeleteAnswer; via: Via }> {
    return this.run({
      daemon: (c) => c.request("task.delete", { id, deleteBranch: false }),
      local: () => ({ id, ...this.local().delete(id, { deleteBranch: false }) }),
      idempotent: false,
    });
  }

  /** Stop inline pipelines (a task whose classification stops stays `created`), then close. */
  async close(): Promise<void> {
    this.lifetime.abort();
    if (this.inflight.size) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // A cleared timer: a pending one would keep the process alive after the server is done.
      await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
    }
    this.client?.close();
    this.client = null;
    this.service?.close();
    this.service = null;
  }

  // ---------------------------------------------------------------------------------------------

  private signal(call: AbortSignal | undefined): AbortSignal {
    return call ? AbortSignal.any([call, this.lifetime.signal]) : this.lifetime.signal;
  }

  private hasStore(): boolean {
    return existsSync(tasksDbPath(this.place.skepDir));
  }

  /** The in-process service (opened once); `fresh` re-reads the config (before the LLM is asked). */
  private local(fresh = false): TaskService {
    const { root, skepDir, dbPath } = this.place;
    let config;
    try {
      config = fresh || !this.service ? loadConfig(skepDir) : null;
    } catch (err) {
      throw new ToolError(`${join(skepDir, "config.json")} is not valid: ${(err as Error).message}`);
    }
    if (!this.service) {
      this.service = new TaskService({ root, skepDir, dbPath, config: config!, onProgress: (id, message) => this.emit(id, message) });
    } else if (config) this.service.deps.config = config;
    // Tasks whose runner died are interrupted, not left executing (the CLI does this per command).
    this.service.reconcile();
    return this.service;
  }

  private async following<T>(id: number, onProgress: OnProgress | undefined, fn: () => Promise<T>): Promise<T> {
    if (!onProgress) return fn();
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(onProgress);
    try {
      return await fn();
    } finally {
      set.delete(onProgress);
      if (!set.size) this.listeners.delete(id);
    }
  }

  private emit(id: number, message: string): void {
    for (const fn of this.listeners.get(id) ?? []) fn(message);
  }

  /** Get the daemon's task.progress events on this connection (once per connection). */
  private async subscribe(c: DaemonClient): Promise<void> {
    if (this.subscribed) return;
    this.subscribed = true;
    await c.subscribe((e: Event) => {
      const d = e.data as { taskId?: number; message?: string };
      if (e.event === "task.progress" && typeof d.taskId === "number" && d.message) this.emit(d.taskId, d.message);
    }, ["task.progress"]);
  }

  /** The daemon's connection when one serves this repo (checked per call: it may start or stop). */
  private async daemon(): Promise<DaemonClient | null> {
    if (process.env.SKEP_NO_DAEMON === "1") return null;
    if (this.client && !this.client.isClosed) return this.client;
    this.client = null;
    this.subscribed = false;
    if (Date.now() < this.retryAt) return null;
    const socket = clientSocketPath(daemonPaths(this.place.root, this.place.skepDir));
    if (!existsSync(socket)) return null;
    try {
      this.client = await DaemonClient.connect(socket, 1_000);
    } catch {
      this.retryAt = Date.now() + 1_000; // a stale socket file: look again in a second
      return null;
    }
    return this.client;
  }

  private async run<T>(op: Op<T>): Promise<{ value: T; via: Via }> {
    const c = await this.daemon();
    try {
      if (c) {
        try {
          return { value: await op.daemon(c), via: "daemon" };
        } catch (err) {
          if (!(err instanceof DaemonError) || !["disconnected", "unavailable", "client_timeout"].includes(err.code)) throw err;
          c.close();
          // A read is simply asked again here; a change may or may not have been made.
          if (!op.idempotent) throw new ToolError(`the daemon went away during the call (${err.message}): show_task tells whether it took effect`);
        }
      }
      const local = Promise.resolve().then(op.local);
      this.inflight.add(local);
      try {
        return { value: await local, via: "local" };
      } finally {
        this.inflight.delete(local);
      }
    } catch (err) {
      throw asToolError(err);
    }
  }
}

/** Task failures an agent can act on become one-line tool errors. */
function asToolError(err: unknown): unknown {
  if (err instanceof ToolError) return err;
  if (err instanceof TaskNotFound) return new ToolError(`${err.message}: list_tasks shows the ids`);
  if (err instanceof IllegalTransition || err instanceof TaskError) return new ToolError(oneLine(err.message));
  if (err instanceof DaemonError) {
    if (err.code === "not_found" && /^no task #\d+$/.test(err.message)) return new ToolError(`${err.message}: list_tasks shows the ids`);
    if (err.code === "not_found" || err.code === "conflict" || err.code === "bad_params") return new ToolError(oneLine(err.message));
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

function real(path: string): string {
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

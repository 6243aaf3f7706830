// The task verbs for every front end (the CLI's `task` commands, the MCP server's task tools):
// through the repo's daemon when one answers (it owns the execution queue, so an approval there
// starts the task, and it publishes progress), else a TaskService in this process (the pipeline
// and `task run` then run here, through the same queue code the daemon runs: tasks/queue.ts). Each
// verb is one pair (daemon, local), chosen by the one fallback rule (fallback.ts), so a verb is
// added once; both sides end in the same TaskService, so the results (and errors) match.
import { existsSync } from "node:fs";
import { DaemonLink, withFallback, type Done, type Op } from "./fallback.ts";
import { join } from "node:path";
import type { Event } from "../protocol/socket.ts";
import type { CostAnswer, Task, TaskCreateAnswer, TaskDeleteAnswer, TaskStatus } from "../protocol/tasks.ts";
import { TaskService } from "../tasks/service.ts";
import { TaskQueue } from "../tasks/queue.ts";
import { TaskNotFound, taskStoreError, tasksDbPath } from "../tasks/store.ts";
import { SQLiteError } from "bun:sqlite";
import { alive } from "../util/pid.ts";
import { loadConfig } from "../config/config.ts";
import { costAnswer } from "../tasks/cost.ts";
import type { DaemonClient } from "../client/daemon-client.ts";
import { clientSocketPath, daemonPaths } from "../repo/daemon-paths.ts";

export type { Done, Op, Via } from "./fallback.ts";
export type Progress = (message: string) => void;
export type Answers = { question: string; answer: string }[];
/** `classifyError`: why an inline pipeline stopped, the task left as stored. */
export type CreateAnswer = TaskCreateAnswer & { classifyError?: Error };

/** Where the repo's tasks live: the main checkout's, also from a linked worktree (taskRepoContext). */
export interface TaskRoot {
  root: string;
  skepDir: string;
  /** The index beside the store (dedup's index layer). */
  dbPath: string;
}

/** `.skep/config.json` cannot be read, so no task service can start; the message is the reader's. */
export class ConfigInvalid extends Error {
  constructor(
    readonly path: string,
    cause: Error,
  ) {
    super(cause.message);
  }
}

/** Long waits for the pipeline and execution: the person, or the MCP client's timeout, bounds them. */
const WAIT_MS = 3_600_000;

export class TaskClient {
  private service: TaskService | null = null;
  /** The repo's daemon, found by the one fallback rule (fallback.ts). */
  private readonly link: DaemonLink;
  /** The serial queue of tasks run in this process (tasks/queue.ts, taking only what is run here). */
  private tasks: TaskQueue | null = null;
  private client: DaemonClient | null = null;
  /** Decided once (`open`): no looking for the daemon again, no falling back. */
  private pinned = false;
  private subscribed = false;
  /** Progress listeners per task id; null: the task a waiting create is about to make. */
  private readonly listeners = new Map<number | null, Set<Progress>>();
  /** Aborted at close: an inline pipeline stops its LLM calls instead of outliving its caller. */
  private readonly lifetime = new AbortController();
  private readonly inflight = new Set<Promise<unknown>>();

  /**
   * Unpinned (a long-lived server): the daemon is looked for at each call, as it may start or stop.
   * `wordError`: how the front end words a failed call (the MCP server's one-line tool errors).
   */
  constructor(
    readonly place: TaskRoot,
    private readonly opts: { wordError?: (err: unknown) => unknown } = {},
  ) {
    this.link = new DaemonLink(() => clientSocketPath(daemonPaths(place.root, place.skepDir)));
  }

  /**
   * For one CLI command: the daemon if it answers now, else this process for the command's whole
   * life, with its store opened (and tasks whose runner died reconciled) at once when it exists.
   */
  static async open(place: TaskRoot, opts: { wordError?: (err: unknown) => unknown } = {}): Promise<TaskClient> {
    const tasks = new TaskClient(place, opts);
    // No tasks.db yet: it is made by the first write, not by a read (list, show, cost).
    if (!(await tasks.daemon()) && tasks.hasStore()) tasks.local();
    tasks.pinned = true;
    return tasks;
  }

  /** The statuses' tasks (all without a filter), oldest first. */
  list(statuses?: readonly TaskStatus[]): Promise<Done<Task[]>> {
    return this.call({
      daemon: async (c) => (await c.request("task.list", statuses ? { statuses: [...statuses] } : {})).tasks,
      // No store yet: no tasks, and nothing is created for a read.
      local: () => (this.hasStore() ? this.local().list({ statuses }) : []),
      read: true,
    });
  }

  show(id: number): Promise<Done<Task>> {
    return this.call({
      daemon: async (c) => (await c.request("task.show", { id })).task,
      local: () => {
        if (!this.hasStore()) throw new TaskNotFound(id);
        return this.local().get(id);
      },
      read: true,
    });
  }

  /**
   * Dedup and store, then classify, plan and gate. Here the pipeline runs inline, so the answer
   * carries the gated task. Through the daemon the answer comes at once (it classifies in the
   * background) unless `wait`: then when the task is gated. A waiting caller (one command, one
   * task) also gets the lines from before the new id is known; a server with concurrent calls
   * follows by id only, or it would get another call's lines.
   */
  create(description: string, opts: { dryRun?: boolean; wait?: boolean; onProgress?: Progress; signal?: AbortSignal }): Promise<Done<CreateAnswer>> {
    const early = opts.wait ? opts.onProgress : undefined;
    return this.call({
      daemon: async (c) => {
        const created = await this.daemonFollowing(c, null, early, () => c.request("task.create", { description, dryRun: !!opts.dryRun }, WAIT_MS));
        if (!created.task || opts.dryRun || !opts.wait) return created;
        const id = created.task.id;
        const waited = await this.following(id, early, () => c.request("task.wait", { id, until: "classified", timeoutMs: WAIT_MS }, WAIT_MS + 5_000));
        return { ...created, task: waited.task };
      },
      local: () =>
        this.following(null, early, async (): Promise<CreateAnswer> => {
          const svc = this.local(true);
          if (opts.dryRun) return svc.dryRun(description);
          const signal = this.signal(opts.signal);
          const created = await svc.create(description, { signal });
          if (!created.task) return created;
          const id = created.task.id;
          try {
            return { ...created, task: await this.following(id, opts.onProgress, () => svc.classify(id, signal)) };
          } catch (err) {
            return { ...created, task: svc.get(id), classifyError: err as Error };
          }
        }),
    });
  }

  approve(id: number): Promise<Done<Task>> {
    return this.call({ daemon: async (c) => (await c.request("task.approve", { id })).task, local: () => this.local().approve(id) });
  }

  reject(id: number, reason?: string): Promise<Done<Task>> {
    return this.call({ daemon: async (c) => (await c.request("task.reject", { id, reason })).task, local: () => this.local().reject(id, reason) });
  }

  /** The answers given, or read from the task's clarify.md; the pipeline runs again and this resolves when the task is gated. */
  clarify(id: number, opts: { answers?: Answers; onProgress?: Progress; signal?: AbortSignal }): Promise<Done<Task>> {
    return this.call({
      daemon: (c) => this.daemonFollowing(c, id, opts.onProgress, async () => (await c.request("task.clarify", { id, answers: opts.answers }, WAIT_MS)).task),
      local: () => {
        const svc = this.local(true);
        return this.following(id, opts.onProgress, () => svc.clarify(id, opts.answers, this.signal(opts.signal)));
      },
    });
  }

  /**
   * run and resume. Through the daemon: queue it (the daemon's queue executes it) and, with
   * `follow`, wait for its final state. Here: execute it in this process, in the foreground, whatever
   * `follow` says; Ctrl-C or SIGTERM interrupt it cleanly.
   */
  run(id: number, opts: { follow: boolean; onProgress?: Progress }): Promise<Done<Task>> {
    return this.call({
      daemon: (c) =>
        this.daemonFollowing(c, id, opts.follow ? opts.onProgress : undefined, async () => {
          const queued = (await c.request("task.run", { id })).task;
          if (!opts.follow) return queued;
          return (await c.request("task.wait", { id, until: "terminal", timeoutMs: WAIT_MS }, WAIT_MS + 5_000)).task;
        }),
      // The same queue the daemon runs, taking only what is run here; it may park the task while
      // a delegate step waits and run another task run here meanwhile.
      local: () => {
        const queue = this.queue();
        const queued = queue.run(id);
        if (queued.status === "done") return Promise.resolve(queued); // its commits were merged already
        return this.following(id, opts.onProgress, () => foreground((signal) => this.settle(queue, id, signal)));
      },
    });
  }

  /** Here, a task run by another `skep task run` process: signal that process and wait for it to settle. */
  interrupt(id: number): Promise<Done<Task>> {
    return this.call({
      daemon: async (c) => (await c.request("task.interrupt", { id }, 60_000)).task,
      local: async () => {
        const svc = this.local();
        const here = await this.queue().interrupt(id);
        if (here !== "elsewhere") return here;
        const pid = svc.store.internals(id).runnerPid;
        if (pid !== null && alive(pid)) {
          process.kill(pid, "SIGTERM");
          for (let i = 0; i < 300 && svc.store.status(id) === "executing" && alive(pid); i++) await Bun.sleep(100);
        }
        svc.reconcile();
        return svc.get(id);
      },
    });
  }

  done(id: number): Promise<Done<Task>> {
    return this.call({ daemon: async (c) => (await c.request("task.done", { id })).task, local: () => this.local().done(id) });
  }

  /** Delete the task and its files (and its branch when `deleteBranch`). */
  delete(id: number, deleteBranch: boolean): Promise<Done<TaskDeleteAnswer>> {
    return this.call({
      daemon: (c) => c.request("task.delete", { id, deleteBranch }),
      local: async () => ({ id, ...(await this.local().delete(id, { deleteBranch })) }),
    });
  }

  cost(): Promise<Done<CostAnswer>> {
    return this.call({ daemon: (c) => c.request("cost", {}), local: () => costAnswer(this.hasStore() ? this.local() : null, this.place.root), read: true });
  }

  /** Stop inline pipelines (a task whose classification stops stays `created`), then close. */
  async close(): Promise<void> {
    this.lifetime.abort();
    // Tasks executing here (a parked one too) are interrupted, as a stopping daemon does.
    await this.tasks?.stop();
    this.tasks = null;
    if (this.inflight.size) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // A cleared timer: a pending one would keep the process alive after the caller is done.
      await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
    }
    this.link.drop();
    this.client = null;
    this.service?.close();
    this.service = null;
  }

  // ---------------------------------------------------------------------------------------------

  /** Every verb goes through here: the fallback rule (fallback.ts), then the front end's wording of a failure. */
  private async call<T>(op: Op<T>): Promise<Done<T>> {
    try {
      const c = await this.daemon();
      return await withFallback(c, this.link, op, { pinned: this.pinned, local: (run) => this.track(run) });
    } catch (err) {
      throw this.opts.wordError ? this.opts.wordError(err) : err;
    }
  }

  /** An inline call, remembered until it ends (close waits for it). */
  private async track<T>(run: () => Promise<T> | T): Promise<T> {
    const local = Promise.resolve().then(run);
    this.inflight.add(local);
    try {
      return await local;
    } catch (err) {
      // Read here, a SQLite error is the task store's (the index is not involved): name that file.
      if (err instanceof SQLiteError) throw taskStoreError(err, tasksDbPath(this.place.skepDir), "run the command again");
      throw err;
    } finally {
      this.inflight.delete(local);
    }
  }

  /** The daemon's connection when one serves the repo. */
  private async daemon(): Promise<DaemonClient | null> {
    // Decided at open: a closed connection then fails the call (rule 3), it never turns local.
    if (this.pinned) return this.client;
    const c = await this.link.connect();
    if (c !== this.client) this.subscribed = false;
    this.client = c;
    return c;
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
      throw new ConfigInvalid(join(skepDir, "config.json"), err as Error);
    }
    if (!this.service) {
      this.service = new TaskService({ root, skepDir, dbPath, config: config!, onProgress: (id, message) => this.emit(id, message) });
    } else if (config) this.service.deps.config = config;
    // Tasks whose runner died (a killed daemon or `task run`) are interrupted, not left executing;
    // the ones this process's queue executes (a parked one too) are not orphans.
    this.service.reconcile(this.tasks?.executingHere);
    return this.service;
  }

  private queue(): TaskQueue {
    const service = this.local();
    // No log of its own here: an executor's error reaches the caller through `settled`.
    this.tasks ??= new TaskQueue(service, { take: "asked", log: () => undefined });
    return this.tasks;
  }

  /** Task `id`'s execution here to its end; `signal` (Ctrl-C, SIGTERM, close) interrupts it. */
  private async settle(queue: TaskQueue, id: number, signal: AbortSignal): Promise<Task> {
    const combined = this.signal(signal);
    const stop = () => void queue.interrupt(id);
    combined.addEventListener("abort", stop, { once: true });
    try {
      if (combined.aborted) await queue.interrupt(id);
      return await queue.settled(id);
    } finally {
      combined.removeEventListener("abort", stop);
    }
  }

  private signal(call: AbortSignal | undefined): AbortSignal {
    return call ? AbortSignal.any([call, this.lifetime.signal]) : this.lifetime.signal;
  }

  /** `fn` gets task `id`'s progress lines (null: any task's) while `body` runs. */
  private async following<T>(id: number | null, fn: Progress | undefined, body: () => Promise<T>): Promise<T> {
    if (!fn) return body();
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    try {
      return await body();
    } finally {
      set.delete(fn);
      if (!set.size) this.listeners.delete(id);
    }
  }

  /** `following`, with the daemon's progress events subscribed to first. */
  private async daemonFollowing<T>(c: DaemonClient, id: number | null, fn: Progress | undefined, body: () => Promise<T>): Promise<T> {
    if (fn) await this.subscribe(c);
    return this.following(id, fn, body);
  }

  private emit(id: number, message: string): void {
    // A set: a listener following both the new task and "any task" gets each line once.
    for (const fn of new Set([...(this.listeners.get(id) ?? []), ...(this.listeners.get(null) ?? [])])) fn(message);
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
}

/** Run `fn` with a signal that Ctrl-C or SIGTERM aborts: a task executing in the foreground stops cleanly. */
async function foreground<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

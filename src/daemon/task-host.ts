// The daemon's side of tasks: it runs the pipeline for new tasks, executes approved tasks one at a
// time (serial within a repo), answers `task.wait` when the awaited transition happens (never by
// polling), and publishes every status change on the event bus.
import { loadConfig } from "../config/config.ts";
import { TERMINAL_STATUSES, type CostAnswer, type Task, type TaskStatus, type TaskWaitAnswer } from "../protocol/tasks.ts";
import { TaskService, type CreateResult } from "../tasks/service.ts";
import { costAnswer } from "../tasks/cost.ts";
import type { EventBus } from "./bus.ts";
import { VerbError } from "../api/errors.ts";
import type { DaemonPaths } from "../repo/daemon-paths.ts";

export class TaskHost {
  readonly service: TaskService;
  private running: { id: number; controller: AbortController; done: Promise<unknown> } | null = null;
  private classifying = new Map<number, AbortController>();
  private stopped = false;
  private scheduling = false;

  constructor(
    private readonly paths: DaemonPaths,
    private readonly bus: EventBus,
    private readonly log: (msg: string) => void,
  ) {
    this.service = new TaskService({
      root: paths.root,
      skepDir: paths.skepDir,
      dbPath: paths.dbPath,
      config: loadConfig(paths.skepDir),
      onProgress: (taskId, message, stepSeq) => bus.publish("task.progress", { taskId, message, stepSeq }),
    });
    this.service.store.onTransition((e) => {
      bus.publish("task.status", e);
      log(`task #${e.taskId}: ${e.from ?? "new"} -> ${e.to}${e.reason ? ` (${e.reason.split("\n")[0]})` : ""}`);
    });
  }

  /** After a restart: orphans become interrupted, unfinished pipelines run again, the queue resumes. */
  start(): void {
    const orphans = this.service.reconcile();
    if (orphans.length) this.log(`interrupted ${orphans.length} task(s) left executing by a previous daemon: ${orphans.map((i) => `#${i}`).join(" ")}`);
    for (const t of this.service.list({ statuses: ["created"] })) this.classifyInBackground(t.id);
    this.schedule();
  }

  async create(p: { description: string; dryRun: boolean; sourceRepo?: string; sourceTaskId?: number }): Promise<CreateResult> {
    this.refreshConfig();
    if (p.dryRun) return this.service.dryRun(p.description);
    const created = await this.service.create(p.description, { sourceRepo: p.sourceRepo, sourceTaskId: p.sourceTaskId });
    // After the reply is on its way: the creator learns the id before the pipeline's first event.
    if (created.task) {
      const id = created.task.id;
      setImmediate(() => this.classifyInBackground(id));
    }
    return created;
  }

  approve(id: number): Task {
    const task = this.service.approve(id);
    this.schedule();
    return task;
  }

  async clarify(id: number, answers?: { question: string; answer: string }[]): Promise<Task> {
    this.refreshConfig();
    const controller = new AbortController();
    this.classifying.set(id, controller);
    try {
      const task = await this.service.clarify(id, answers, controller.signal);
      this.schedule();
      return task;
    } finally {
      this.classifying.delete(id);
    }
  }

  /** run and resume: queue the task; the serial executor takes it when free. */
  run(id: number): Task {
    // Already running here: the caller just follows it.
    if (this.running?.id === id) return this.service.get(id);
    this.service.enqueue(id);
    this.schedule();
    return this.service.get(id);
  }

  async interrupt(id: number): Promise<Task> {
    if (this.running?.id === id) {
      this.running.controller.abort();
      await this.running?.done;
      return this.service.get(id);
    }
    const idle = this.service.interruptIdle(id);
    if (idle) return idle;
    // Executing, but not here: another process (`task run` without this daemon) runs it.
    throw new VerbError("conflict", `task #${id} is executing in another process (pid ${this.service.store.internals(id).runnerPid ?? "?"}); stop that process`);
  }

  /** Resolve when the task reaches the awaited point (or the timeout passes). */
  wait(id: number, until: "classified" | "terminal", timeoutMs: number): Promise<TaskWaitAnswer> {
    const reached = (s: TaskStatus) => (until === "terminal" ? TERMINAL_STATUSES.includes(s) : s !== "created");
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (timedOut: boolean) => {
        if (settled) return;
        settled = true;
        off();
        clearTimeout(timer);
        try {
          resolve({ task: this.service.get(id), timedOut });
        } catch (err) {
          reject(err);
        }
      };
      // Answered a microtask later: the pipeline moves a task to `classified`, stores its steps and
      // gates it (pending, approved, ...) in one synchronous run, and the waiter wants the gated task.
      const off = this.service.store.onTransition((e) => e.taskId === id && reached(e.to) && queueMicrotask(() => finish(false)));
      const timer = setTimeout(() => finish(true), timeoutMs);
      // Subscribed first, then checked: a transition between the two cannot be missed.
      if (reached(this.service.store.status(id))) finish(false);
    });
  }

  delete(id: number, deleteBranch: boolean) {
    const r = this.service.delete(id, { deleteBranch });
    this.bus.publish("task.deleted", { taskId: id });
    return { id, ...r };
  }

  cost(): CostAnswer {
    return costAnswer(this.service, this.paths.root);
  }

  /** Interrupt the running task and stop taking new ones (daemon shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.classifying.values()) c.abort();
    if (this.running) {
      this.running.controller.abort();
      await this.running.done;
    }
    this.service.close();
  }

  private classifyInBackground(id: number): void {
    const controller = new AbortController();
    this.classifying.set(id, controller);
    this.service
      .classify(id, controller.signal)
      .then(() => this.schedule())
      .catch((err) => this.log(`task #${id}: classification stopped: ${(err as Error).message}`))
      .finally(() => this.classifying.delete(id));
  }

  /** Start the next task if none is executing: queued first (oldest), then approved. */
  private schedule(): void {
    if (this.stopped || this.running || this.scheduling) return;
    this.scheduling = true;
    try {
      const next = this.service.list({ statuses: ["queued"] })[0] ?? this.service.list({ statuses: ["approved"] })[0];
      if (!next) return;
      if (next.status === "approved") this.service.enqueue(next.id);
      this.refreshConfig();
      const controller = new AbortController();
      const done = this.service
        .execute(next.id, controller.signal)
        .catch((err) => this.log(`task #${next.id}: executor error: ${(err as Error).stack ?? err}`))
        .finally(() => {
          this.running = null;
          queueMicrotask(() => this.schedule());
        });
      this.running = { id: next.id, controller, done };
    } catch (err) {
      this.log(`scheduler: ${(err as Error).message}`);
    } finally {
      this.scheduling = false;
    }
  }

  private refreshConfig(): void {
    try {
      this.service.deps.config = loadConfig(this.paths.skepDir);
    } catch (err) {
      throw new VerbError("bad_params", (err as Error).message);
    }
  }
}

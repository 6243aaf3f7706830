// The serial execution queue of one repo's tasks, run by both hosts: the daemon (it takes every
// queued or approved task of the store, oldest queued first) and a process without a daemon (it
// takes only the tasks `run` was given here). One task holds the queue's slot at a time. A task
// whose delegate step waits on a peer repo parks: it stays `executing`, its step `waiting`, and
// the slot goes to the next task; when the peer finishes, the parked task takes the slot back as
// soon as it is free (before any new task), woken by the peer's own answer, never by polling.
// `wait` answers when the awaited transition happens, and created tasks can be classified in the
// background.
import { type RemoteApprover, TERMINAL_STATUSES, type Task, type TaskStatus, type TaskWaitAnswer } from "../protocol/tasks.ts";
import type { Parking } from "./executor.ts";
import type { CreateResult, TaskService } from "./service.ts";

export interface QueueOptions {
  /** "all": every queued or approved task of the store (the daemon); "asked": only the tasks `run` was given in this process. */
  take: "all" | "asked";
  /** Lines for the host's log (executor errors, the scheduler's own problems). */
  log: (message: string) => void;
  /** Before anything reads the config: the host reloads it (and may throw, refusing the operation). */
  refreshConfig?: () => void;
}

interface Execution {
  controller: AbortController;
  /** Settles when the executor returns (with the task) or throws. */
  done: Promise<Task>;
}

export class TaskQueue {
  /** The task holding the slot (executing and not parked), or null. */
  private active: number | null = null;
  /** Every task executing in this process: the active one and the parked ones. */
  private readonly executions = new Map<number, Execution>();
  /** Parked tasks whose peer finished, waiting for the slot (first come, first served). */
  private readonly resuming: { id: number; take: () => void }[] = [];
  /** take "asked": the tasks `run` was given here and that have not finished. */
  private readonly asked = new Set<number>();
  private readonly classifying = new Map<number, AbortController>();
  private stopped = false;
  private scheduling = false;

  constructor(
    readonly service: TaskService,
    private readonly opts: QueueOptions,
  ) {}

  /** The ids executing in this process (active or parked): not orphans, whatever their runner pid says. */
  get executingHere(): ReadonlySet<number> {
    return new Set(this.executions.keys());
  }

  /** After a restart: unfinished pipelines run again, and the queue takes what is waiting. */
  start(): void {
    for (const t of this.service.list({ statuses: ["created"] })) this.classifyInBackground(t.id);
    this.schedule();
  }

  /** Dedup and store; the pipeline then runs in the background (the creator learns the id first). */
  async create(p: { description: string; dryRun: boolean; sourceRepo?: string; sourceTaskId?: number }): Promise<CreateResult> {
    this.opts.refreshConfig?.();
    if (p.dryRun) return this.service.dryRun(p.description);
    const created = await this.service.create(p.description, { sourceRepo: p.sourceRepo, sourceTaskId: p.sourceTaskId });
    if (created.task) {
      const id = created.task.id;
      setImmediate(() => this.classifyInBackground(id));
    }
    return created;
  }

  /** `from`: an approval sent from another repo, checked against this repo's config as it is now. */
  approve(id: number, from?: RemoteApprover): Task {
    if (from) this.opts.refreshConfig?.();
    const task = this.service.approve(id, from);
    this.schedule();
    return task;
  }

  async clarify(id: number, answers?: { question: string; answer: string }[]): Promise<Task> {
    this.opts.refreshConfig?.();
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

  /** run and resume: put the task in line; the queue executes it when the slot is free. */
  run(id: number): Task {
    // Already executing here (parked or not): the caller just follows it.
    if (this.executions.has(id)) return this.service.get(id);
    const task = this.service.enqueue(id);
    if (task.status === "queued" && this.opts.take === "asked") this.asked.add(id);
    this.schedule();
    return this.service.get(id);
  }

  /**
   * Resolve when task `id`'s execution here ends (with the task as it then is); reject with the
   * executor's own error. A task not in this queue's hands resolves as it is now.
   */
  async settled(id: number): Promise<Task> {
    const started = this.executions.get(id);
    if (started) return started.done;
    if (this.service.store.status(id) === "queued" && (this.opts.take === "all" || this.asked.has(id))) {
      await this.wait(id, "executing", 0);
      const running = this.executions.get(id);
      if (running) return running.done;
    }
    return this.service.get(id);
  }

  /**
   * Interrupt: a task executing here is stopped (parked or not) and settles interrupted; a queued
   * one leaves the line. "elsewhere": it executes in another process, which is the one to stop it.
   */
  async interrupt(id: number): Promise<Task | "elsewhere"> {
    const running = this.executions.get(id);
    if (running) {
      running.controller.abort();
      await running.done.catch(() => undefined);
      return this.service.get(id);
    }
    this.asked.delete(id);
    return this.service.interruptIdle(id) ?? "elsewhere";
  }

  /**
   * Resolve when the task reaches the awaited point, or after `timeoutMs` (0: no bound):
   * `classified` = past the pipeline, `executing` = started or past it, `terminal` = final.
   */
  wait(id: number, until: "classified" | "executing" | "terminal", timeoutMs: number): Promise<TaskWaitAnswer> {
    const reached = (s: TaskStatus) =>
      until === "terminal" ? TERMINAL_STATUSES.includes(s) : until === "executing" ? s !== "queued" : s !== "created";
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (timedOut: boolean) => {
        if (settled) return;
        settled = true;
        off();
        if (timer) clearTimeout(timer);
        try {
          resolve({ task: this.service.get(id), timedOut });
        } catch (err) {
          reject(err);
        }
      };
      // Answered a microtask later: the pipeline moves a task to `classified`, stores its steps and
      // gates it (pending, approved, ...) in one synchronous run, and the waiter wants the gated task.
      const off = this.service.store.onTransition((e) => e.taskId === id && reached(e.to) && queueMicrotask(() => finish(false)));
      const timer = timeoutMs > 0 ? setTimeout(() => finish(true), timeoutMs) : null;
      // Subscribed first, then checked: a transition between the two cannot be missed.
      if (reached(this.service.store.status(id))) finish(false);
    });
  }

  /** Interrupt every task executing here (parked ones too) and take no new ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.classifying.values()) c.abort();
    for (const r of this.resuming.splice(0)) r.take();
    const all = [...this.executions.values()];
    for (const e of all) e.controller.abort();
    await Promise.allSettled(all.map((e) => e.done));
  }

  classifyInBackground(id: number): void {
    const controller = new AbortController();
    this.classifying.set(id, controller);
    this.service
      .classify(id, controller.signal)
      .then(() => this.schedule())
      .catch((err) => this.opts.log(`task #${id}: classification stopped: ${(err as Error).message}`))
      .finally(() => this.classifying.delete(id));
  }

  // ---------------------------------------------------------------------------------------------

  /** Give the free slot away: to a parked task whose peer finished, else to the next task in line. */
  private schedule(): void {
    if (this.stopped || this.active !== null || this.scheduling) return;
    const resumer = this.resuming.shift();
    if (resumer) {
      this.active = resumer.id;
      resumer.take();
      return;
    }
    this.scheduling = true;
    try {
      const next = this.next();
      if (!next) return;
      if (next.status === "approved") this.service.enqueue(next.id);
      this.opts.refreshConfig?.();
      this.begin(next.id);
    } catch (err) {
      this.opts.log(`scheduler: ${(err as Error).message}`);
    } finally {
      this.scheduling = false;
    }
  }

  /** Queued first (oldest), then approved; a process without a daemon takes only what it was asked to run. */
  private next(): Task | null {
    const queued = this.service.list({ statuses: ["queued"] });
    if (this.opts.take === "asked") return queued.find((t) => this.asked.has(t.id)) ?? null;
    return queued[0] ?? this.service.list({ statuses: ["approved"] })[0] ?? null;
  }

  private begin(id: number): void {
    const controller = new AbortController();
    this.active = id;
    const parking: Parking = { park: () => this.park(id), resume: (signal) => this.resume(id, signal) };
    const done = this.service.execute(id, controller.signal, parking);
    this.executions.set(id, { controller, done });
    done
      .catch((err) => this.opts.log(`task #${id}: executor error: ${(err as Error).stack ?? err}`))
      .finally(() => {
        this.executions.delete(id);
        this.asked.delete(id);
        if (this.active === id) this.active = null;
        queueMicrotask(() => this.schedule());
      });
  }

  /** Task `id` waits on a peer: its slot goes to the next task. */
  private park(id: number): void {
    if (this.active !== id) return;
    this.opts.log(`task #${id}: parked while its delegate step waits on a peer; the queue goes on`);
    this.active = null;
    queueMicrotask(() => this.schedule());
  }

  /** Task `id`'s peer finished: resolves when it holds the slot again (at once when free), or when `signal` aborts. */
  private resume(id: number, signal: AbortSignal): Promise<void> {
    if (this.active === id || signal.aborted) return Promise.resolve();
    if (this.active === null && !this.stopped) {
      this.active = id;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const entry = {
        id,
        take: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      // Interrupted while in line for the slot: it goes on without it, only to settle interrupted.
      const onAbort = () => {
        const at = this.resuming.indexOf(entry);
        if (at >= 0) this.resuming.splice(at, 1);
        resolve();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.resuming.push(entry);
    });
  }
}

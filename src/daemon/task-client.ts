// Task operations for the CLI: through the repo's daemon when one runs (it owns the execution
// queue and publishes progress), else in this process (the pipeline and `task run` then run in
// the foreground). Both paths call the same TaskService, so the results are the same.
import type { Event } from "../protocol/socket.ts";
import type { CostAnswer, Task, TaskCreateAnswer, TaskDeleteAnswer } from "../protocol/tasks.ts";
import { TaskService } from "../tasks/service.ts";
import { alive } from "../util/pid.ts";
import { DaemonClient } from "./client.ts";
import { clientSocketPath, type DaemonPaths } from "./paths.ts";
import { costAnswer, loadConfig } from "./task-host.ts";

export type Progress = (taskId: number, message: string) => void;

export interface TaskApi {
  readonly via: "daemon" | "local";
  create(description: string, opts: { dryRun: boolean; onProgress?: Progress }): Promise<TaskCreateAnswer>;
  list(): Promise<Task[]>;
  show(id: number): Promise<Task>;
  approve(id: number): Promise<Task>;
  reject(id: number, reason?: string): Promise<Task>;
  clarify(id: number, onProgress?: Progress): Promise<Task>;
  /** Queue (daemon) or execute here (local); `follow` waits for the final state, printing progress. */
  run(id: number, opts: { follow: boolean; onProgress?: Progress }): Promise<Task>;
  interrupt(id: number): Promise<Task>;
  done(id: number): Promise<Task>;
  delete(id: number, deleteBranch: boolean): Promise<TaskDeleteAnswer>;
  cost(): Promise<CostAnswer>;
  close(): void;
}

/** The daemon's API when it answers (SKEP_NO_DAEMON=1 forces local), else a local one. */
export async function openTasks(paths: DaemonPaths): Promise<TaskApi> {
  if (process.env.SKEP_NO_DAEMON !== "1") {
    try {
      const client = await DaemonClient.connect(clientSocketPath(paths), 1_000);
      return new DaemonTasks(client);
    } catch {
      // no daemon: work here
    }
  }
  return new LocalTasks(paths);
}

const WAIT_MS = 3_600_000;

class DaemonTasks implements TaskApi {
  readonly via = "daemon" as const;
  private progress: { id: number | null; fn: Progress } | null = null;
  private subscribed = false;

  constructor(private readonly client: DaemonClient) {}

  private async follow(onProgress: Progress | undefined, id: number | null): Promise<void> {
    if (!onProgress) return;
    this.progress = { id, fn: onProgress };
    if (this.subscribed) return;
    this.subscribed = true;
    await this.client.subscribe((e: Event) => {
      const d = e.data as { taskId?: number; message?: string; to?: string; reason?: string | null };
      if (!this.progress || (this.progress.id !== null && d.taskId !== this.progress.id)) return;
      if (e.event === "task.progress" && d.message) this.progress.fn(d.taskId!, d.message);
    }, ["task.progress"]);
  }

  async create(description: string, opts: { dryRun: boolean; onProgress?: Progress }): Promise<TaskCreateAnswer> {
    // Progress of a new task: its id is not known until the reply, so take the next one's lines.
    await this.follow(opts.onProgress, null);
    const created = await this.client.request("task.create", { description, dryRun: opts.dryRun }, WAIT_MS);
    if (!created.task || opts.dryRun) return created;
    if (this.progress) this.progress.id = created.task.id;
    const waited = await this.client.request("task.wait", { id: created.task.id, until: "classified", timeoutMs: WAIT_MS }, WAIT_MS + 5_000);
    return { ...created, task: waited.task };
  }

  async list() {
    return (await this.client.request("task.list", {})).tasks;
  }
  async show(id: number) {
    return (await this.client.request("task.show", { id })).task;
  }
  async approve(id: number) {
    return (await this.client.request("task.approve", { id })).task;
  }
  async reject(id: number, reason?: string) {
    return (await this.client.request("task.reject", { id, reason })).task;
  }
  async clarify(id: number, onProgress?: Progress) {
    await this.follow(onProgress, id);
    return (await this.client.request("task.clarify", { id }, WAIT_MS)).task;
  }
  async run(id: number, opts: { follow: boolean; onProgress?: Progress }) {
    if (opts.follow) await this.follow(opts.onProgress, id);
    const queued = (await this.client.request("task.run", { id })).task;
    if (!opts.follow) return queued;
    return (await this.client.request("task.wait", { id, until: "terminal", timeoutMs: WAIT_MS }, WAIT_MS + 5_000)).task;
  }
  async interrupt(id: number) {
    return (await this.client.request("task.interrupt", { id }, 60_000)).task;
  }
  async done(id: number) {
    return (await this.client.request("task.done", { id })).task;
  }
  delete(id: number, deleteBranch: boolean) {
    return this.client.request("task.delete", { id, deleteBranch });
  }
  cost() {
    return this.client.request("cost", {});
  }
  close() {
    this.client.close();
  }
}

class LocalTasks implements TaskApi {
  readonly via = "local" as const;
  private readonly service: TaskService;
  private progress: Progress | null = null;

  constructor(private readonly paths: DaemonPaths) {
    this.service = new TaskService({
      root: paths.root,
      skepDir: paths.skepDir,
      dbPath: paths.dbPath,
      config: loadConfig(paths.skepDir),
      onProgress: (id, message) => this.progress?.(id, message),
    });
    // Tasks whose runner died (a killed daemon or `task run`) are interrupted, not left "executing".
    this.service.reconcile();
  }

  async create(description: string, opts: { dryRun: boolean; onProgress?: Progress }): Promise<TaskCreateAnswer> {
    this.progress = opts.onProgress ?? null;
    if (opts.dryRun) return this.service.dryRun(description);
    const created = await this.service.create(description);
    if (!created.task) return created;
    return { ...created, task: await this.service.classify(created.task.id) };
  }
  async list() {
    return this.service.list();
  }
  async show(id: number) {
    return this.service.get(id);
  }
  async approve(id: number) {
    return this.service.approve(id);
  }
  async reject(id: number, reason?: string) {
    return this.service.reject(id, reason);
  }
  async clarify(id: number, onProgress?: Progress) {
    this.progress = onProgress ?? null;
    return this.service.clarify(id);
  }
  /** Without a daemon the task runs here, in the foreground; Ctrl-C or SIGTERM interrupts it cleanly. */
  async run(id: number, opts: { follow: boolean; onProgress?: Progress }) {
    this.progress = opts.onProgress ?? null;
    this.service.enqueue(id);
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      return await this.service.execute(id, controller.signal);
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
  /** A task run by another `skep task run` process: signal that process and wait for it to settle. */
  async interrupt(id: number) {
    const idle = this.service.interruptIdle(id);
    if (idle) return idle;
    const pid = this.service.store.internals(id).runnerPid;
    if (pid !== null && alive(pid)) {
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 300 && this.service.store.status(id) === "executing" && alive(pid); i++) await Bun.sleep(100);
    }
    this.service.reconcile();
    return this.service.get(id);
  }
  async done(id: number) {
    return this.service.done(id);
  }
  async delete(id: number, deleteBranch: boolean) {
    return { id, ...this.service.delete(id, { deleteBranch }) };
  }
  async cost() {
    return costAnswer(this.service, this.paths.root);
  }
  close() {
    this.service.close();
  }
}

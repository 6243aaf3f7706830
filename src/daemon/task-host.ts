// The daemon's side of tasks: its TaskService and the repo's serial queue (tasks/queue.ts, which
// takes every approved task, one at a time, parking one that waits on a peer), with every status
// change published on the event bus and written to the daemon's log.
import { loadConfig } from "../config/config.ts";
import type { CostAnswer, RemoteApprover, Task, TaskWaitAnswer } from "../protocol/tasks.ts";
import { TaskService, type CreateResult } from "../tasks/service.ts";
import { TaskQueue } from "../tasks/queue.ts";
import { costAnswer } from "../tasks/cost.ts";
import type { EventBus } from "./bus.ts";
import type { DaemonPaths } from "../repo/daemon-paths.ts";
import { SkepError } from "../errors.ts";

export class TaskHost {
  readonly service: TaskService;
  readonly queue: TaskQueue;

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
    this.queue = new TaskQueue(this.service, { take: "all", log, refreshConfig: () => this.refreshConfig() });
  }

  /** After a restart: orphans become interrupted, unfinished pipelines run again, the queue resumes. */
  start(): void {
    const orphans = this.service.reconcile();
    if (orphans.length) this.log(`interrupted ${orphans.length} task(s) left executing by a previous daemon: ${orphans.map((i) => `#${i}`).join(" ")}`);
    this.queue.start();
  }

  create(p: { description: string; dryRun: boolean; sourceRepo?: string; sourceTaskId?: number }): Promise<CreateResult> {
    return this.queue.create(p);
  }

  approve(id: number, from?: RemoteApprover): Task {
    return this.queue.approve(id, from);
  }

  clarify(id: number, answers?: { question: string; answer: string }[]): Promise<Task> {
    return this.queue.clarify(id, answers);
  }

  run(id: number): Task {
    return this.queue.run(id);
  }

  async interrupt(id: number): Promise<Task> {
    const r = await this.queue.interrupt(id);
    // Executing, but not here: another process (`task run` without this daemon) runs it.
    if (r === "elsewhere") throw new SkepError("conflict", `task #${id} is executing in another process (pid ${this.service.store.internals(id).runnerPid ?? "?"}); stop that process`);
    return r;
  }

  wait(id: number, until: "classified" | "terminal", timeoutMs: number): Promise<TaskWaitAnswer> {
    return this.queue.wait(id, until, timeoutMs);
  }

  async delete(id: number, deleteBranch: boolean) {
    const r = await this.service.delete(id, { deleteBranch });
    this.bus.publish("task.deleted", { taskId: id });
    return { id, ...r };
  }

  cost(): CostAnswer {
    return costAnswer(this.service, this.paths.root);
  }

  /** Interrupt the running (and parked) tasks and stop taking new ones (daemon shutdown). */
  async stop(): Promise<void> {
    await this.queue.stop();
    this.service.close();
  }

  private refreshConfig(): void {
    try {
      this.service.deps.config = loadConfig(this.paths.skepDir);
    } catch (err) {
      throw new SkepError("bad_params", (err as Error).message);
    }
  }
}

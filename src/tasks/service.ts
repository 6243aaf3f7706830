// Every task operation, for both hosts: the daemon (which also owns the serial execution queue)
// and the CLI when no daemon runs. Status changes go through TaskStore.transition() only.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alive } from "../util/pid.ts";
import { SkepError } from "../errors.ts";
import { deleteBranch, removeWorktree } from "../git/worktree.ts";
import type { LlmBackend } from "../llm/backend.ts";
import { describeLlmProblems, llmProblems } from "../llm/preflight.ts";
import { backendFor } from "../llm/select.ts";
import { readableLines } from "../llm/stream-text.ts";
import type { RepoConfig } from "../protocol/config.ts";
import { MAX_DESCRIPTION } from "../protocol/limits.ts";
import { ACTIVE_STATUSES, TERMINAL_STATUSES, type DedupResult, type LlmPurpose, type RemoteApprover, type Task, type TaskStatus } from "../protocol/tasks.ts";
import { runDedup } from "./dedup/check.ts";
import { appendTaskLog, executeTask, type Parking } from "./executor.ts";
import { taskName } from "./format.ts";
import { mergedInto } from "./merged.ts";
import { parseClarify, classifyAndPlan, type TaskDeps } from "./pipeline.ts";
import { taskFiles } from "./paths.ts";
import { TaskStore } from "./store.ts";

export interface ServiceOptions {
  root: string;
  skepDir: string;
  dbPath: string;
  config: RepoConfig;
  /** Inject backends (tests); default: from the config (src/llm/select.ts). */
  backends?: (purpose: LlmPurpose) => { backend: LlmBackend; model?: string };
  /** Progress lines for people, beside the task's log file. */
  onProgress?: (taskId: number, message: string, stepSeq: number | null) => void;
  /** Raw LLM CLI / test output lines (also appended to the task's log). */
  onOutput?: (taskId: number, line: string) => void;
}

/** A task operation refused: the code says how (the wire's codes, src/errors.ts). */
export class TaskError extends SkepError {
  constructor(message: string, code: "not_found" | "bad_params" | "conflict" | "unavailable" = "conflict") {
    super(code, message);
  }
}

export interface CreateResult {
  task: Task | null;
  duplicate: DedupResult | null;
  /** --dry-run: the task as it would have been, nothing stored. */
  dryRun: boolean;
}

export class TaskService {
  readonly store: TaskStore;
  readonly deps: TaskDeps;

  /** Tasks this process is executing right now (see settleStranded). */
  private readonly executing = new Set<number>();

  constructor(readonly opts: ServiceOptions) {
    this.store = TaskStore.open(opts.skepDir);
    this.deps = this.depsFor(this.store, opts.skepDir);
  }

  private depsFor(store: TaskStore, skepDir: string): TaskDeps {
    const o = this.opts;
    const deps: TaskDeps = {
      store,
      root: o.root,
      skepDir,
      dbPath: o.dbPath,
      config: o.config,
      // The config as it is now (the daemon reloads it before each operation), not at start.
      backends: o.backends ?? ((purpose) => backendFor(purpose, deps.config, o.root)),
      progress: (id, message, seq) => {
        if (skepDir === o.skepDir) appendTaskLog(skepDir, id, `[${new Date().toISOString()}] ${message}`);
        o.onProgress?.(id, message, seq ?? null);
      },
    };
    return deps;
  }

  close(): void {
    this.store.close();
  }

  // ------------------------------------------------------------------------------ create

  /** A task whose LLM CLI cannot start could never run: refuse before storing or calling anything. */
  private checkLlm(): void {
    if (this.opts.backends) return; // injected (tests): nothing to look for
    const problems = llmProblems(this.deps.config, this.opts.root);
    if (problems.length) throw new TaskError(`${describeLlmProblems(problems)}. Nothing was created (skep doctor checks the set-up)`, "unavailable");
  }

  /**
   * Dedup, then (unless a duplicate) store the task as created. The pipeline is started by the
   * caller (`classify`), so a daemon can answer before the LLM calls finish.
   */
  async create(description: string, opts: { sourceRepo?: string | null; sourceTaskId?: number | null; signal?: AbortSignal } = {}): Promise<CreateResult> {
    const text = description.trim();
    if (!text) throw new TaskError("the task description is empty", "bad_params");
    if (text.length > MAX_DESCRIPTION) throw new TaskError(`the task description is longer than ${MAX_DESCRIPTION} characters`, "bad_params");
    this.checkLlm();
    const dedup = await runDedup(this.deps, text, { signal: opts.signal });
    if (dedup.result.duplicate) return { task: null, duplicate: dedup.result, dryRun: false };
    const id = this.store.insert({ name: taskName(text), description: text, sourceRepo: opts.sourceRepo, sourceTaskId: opts.sourceTaskId });
    this.store.adoptCalls(dedup.callIds, id);
    this.deps.progress?.(id, `task #${id} created`);
    return { task: this.store.get(id), duplicate: null, dryRun: false };
  }

  /**
   * Classify and plan a created task and gate it. An unexpected failure (not a failed LLM call:
   * those are handled inside) parks the task as pending with the reason, so it never sits in
   * `created` with nobody to move it; a cancelled run leaves it created, to be classified again.
   */
  async classify(id: number, signal?: AbortSignal): Promise<Task> {
    try {
      return await classifyAndPlan(this.deps, id, { signal });
    } catch (err) {
      if (signal?.aborted || this.store.status(id) !== "created") throw err;
      this.store.transition(id, "pending", { from: ["created"], reason: `classification failed: ${(err as Error).message}` });
      return this.store.get(id);
    }
  }

  /** Everything create + classify would do, in a scratch store: nothing of the task is kept; the LLM calls are (they were paid for). */
  async dryRun(description: string): Promise<CreateResult> {
    const text = description.trim();
    if (!text) throw new TaskError("the task description is empty", "bad_params");
    this.checkLlm();
    const dedup = await runDedup(this.deps, text, {});
    if (dedup.result.duplicate) return { task: null, duplicate: dedup.result, dryRun: true };
    const scratchDir = mkdtempSync(join(tmpdir(), "skep-dry-run-"));
    const scratch = TaskStore.open(scratchDir);
    try {
      const id = scratch.insert({ name: taskName(text), description: text });
      const scratchDeps = this.depsFor(scratch, scratchDir);
      scratchDeps.config = this.deps.config;
      const task = await classifyAndPlan(scratchDeps, id);
      for (const call of scratch.calls()) this.store.recordCall({ taskId: null, purpose: call.purpose, attempt: call.attempt, result: ledgerResult(call) });
      return { task, duplicate: null, dryRun: true };
    } finally {
      scratch.close();
      rmSync(scratchDir, { recursive: true, force: true });
    }
  }

  // ------------------------------------------------------------------------------ decisions

  /**
   * Approve task `id`. `from`: sent from another repo of the workspace (on the person's behalf, or
   * by an agent there); refused when this repo's config says `accept_remote_approval: false`.
   */
  approve(id: number, from?: RemoteApprover): Task {
    const status = this.store.status(id);
    if (from && !this.deps.config.accept_remote_approval) {
      throw new TaskError(
        `${from.repo}${from.taskId !== null ? ` task #${from.taskId}` : ""} may not approve task #${id}: this repo's .skep/config.json says accept_remote_approval: false, so a person approves it here (\`skep task approve ${id}\`)`,
      );
    }
    if (status === "created") throw new TaskError(`task #${id} is not classified yet; wait for its plan (skep task show ${id})`);
    if (status === "pending_clarification") throw new TaskError(`task #${id} needs clarification first: answer ${taskFiles(this.opts.skepDir, id).clarify}, then \`skep task clarify ${id}\``);
    const task = this.store.get(id);
    if (!task.plan) throw new TaskError(`task #${id} has no valid plan to approve; clarify it, or reject it`);
    const reason = !from
      ? "approved"
      : from.taskId !== null
        ? `approved by ${from.repo} task #${from.taskId} on behalf of the person who approved its plan there`
        : `approved from ${from.repo} (approve_remote_task)`;
    this.store.transition(id, "approved", { from: ["classified", "pending"], reason });
    return this.store.get(id);
  }

  reject(id: number, reason?: string): Task {
    this.store.transition(id, "rejected", { reason: reason?.trim() || "rejected" });
    return this.store.get(id);
  }

  /** Mark a task done by hand (any state but executing). */
  done(id: number): Task {
    this.store.transition(id, "done", { reason: "marked done by hand" });
    return this.store.get(id);
  }

  /**
   * Record the answers (given, or read from the task's clarify.md) and send the task through the
   * pipeline again. The stored description stays as written; answers travel beside it.
   */
  async clarify(id: number, answers?: { question: string; answer: string }[], signal?: AbortSignal): Promise<Task> {
    const status = this.store.status(id);
    if (status !== "pending_clarification") throw new TaskError(`task #${id} is ${status}, not waiting for clarification`);
    const file = taskFiles(this.opts.skepDir, id).clarify;
    let pairs = answers;
    if (!pairs) {
      if (!existsSync(file)) throw new TaskError(`no questions file at ${file}`);
      pairs = parseClarify(readFileSync(file, "utf8"));
    }
    const answered = pairs.filter((p) => p.answer.trim());
    if (!answered.length) throw new TaskError(`no answers yet: write them after the A lines in ${file}`, "bad_params");
    const prior = this.store.internals(id).clarifications;
    this.store.transition(id, "created", { from: ["pending_clarification"], reason: `clarified (${answered.length} answer${answered.length === 1 ? "" : "s"})`, patch: { clarifications: [...prior, ...answered], questions: [] } });
    if (existsSync(file)) {
      const archive = taskFiles(this.opts.skepDir, id).clarifyArchive;
      mkdirSync(archive, { recursive: true });
      renameSync(file, join(archive, `clarify-${Date.now()}.md`));
    }
    return this.classify(id, signal);
  }

  /** Delete a task and its files; refuses while it runs. Its branch goes too unless it has unmerged work and `keepBranch`. */
  async delete(id: number, opts: { deleteBranch?: boolean } = {}): Promise<{ deleted: true; branchDeleted: boolean }> {
    const task = this.store.get(id);
    if (task.status === "executing" || task.status === "queued") throw new TaskError(`task #${id} is ${task.status}; interrupt it first (skep task interrupt ${id})`);
    let branchDeleted = false;
    if (task.worktree) {
      try {
        await removeWorktree(this.opts.root, task.worktree, { force: true });
      } catch {
        // already gone
      }
    }
    if (task.branch && opts.deleteBranch !== false) {
      try {
        deleteBranch(this.opts.root, task.branch, { force: true });
        branchDeleted = true;
      } catch {
        // never created, or already deleted
      }
    }
    this.store.delete(id);
    rmSync(taskFiles(this.opts.skepDir, id).dir, { recursive: true, force: true });
    return { deleted: true, branchDeleted };
  }

  // ------------------------------------------------------------------------------ execution

  /** Put a task in line for execution: approved, failed or interrupted → queued. */
  enqueue(id: number): Task {
    this.settleStranded(id);
    const status = this.store.status(id);
    if (status === "pending" || status === "classified") throw new TaskError(`task #${id} is waiting for approval: \`skep task approve ${id}\``);
    if (status === "created") throw new TaskError(`task #${id} is not classified yet`);
    if (status === "pending_clarification") throw new TaskError(`task #${id} needs clarification first (\`skep task clarify ${id}\`)`);
    if (status === "executing") {
      const pid = this.store.internals(id).runnerPid;
      throw new TaskError(`task #${id} is already executing${pid ? ` (pid ${pid})` : ""}; \`skep task logs -f ${id}\` follows it`);
    }
    if (status === "queued") return this.store.get(id);
    // Merged by hand (settled now or when the store was opened): done, nothing to run again.
    if (status === "interrupted" && this.settleMerged().includes(id)) return this.store.get(id);
    if (status === "done" && this.store.get(id).reason?.startsWith("merged:")) return this.store.get(id);
    this.store.transition(id, "queued", { from: ["approved", "failed", "interrupted"], reason: status === "approved" ? null : `resumed from ${status}` });
    return this.store.get(id);
  }

  /**
   * `task interrupt` of a task no runner is working on: a queued task leaves the line
   * (interrupted); anything but executing is refused. Null for an executing task: its runner
   * (the daemon, or a `task run` process) is the one to stop it.
   */
  interruptIdle(id: number): Task | null {
    if (this.settleStranded(id)) return this.store.get(id);
    const status = this.store.status(id);
    if (status === "executing") return null;
    if (status === "queued") {
      this.store.transition(id, "interrupted", { from: ["queued"], reason: "taken out of the queue by `task interrupt`" });
      return this.store.get(id);
    }
    if (status === "created") throw new TaskError(`task #${id} is being classified, not executed: nothing to interrupt (wait for its plan, then reject or delete it)`);
    throw new TaskError(`task #${id} is ${status}: nothing to interrupt`);
  }

  /** Execute a queued task to its final state (the caller owns the signal: interrupt aborts it). */
  async execute(id: number, signal: AbortSignal, parking?: Parking): Promise<Task> {
    this.executing.add(id);
    try {
      return await executeTask(this.deps, id, {
        signal,
        parking,
        onOutput: (taskId, line) => {
          for (const readable of readableLines(line)) appendTaskLog(this.opts.skepDir, taskId, readable);
          this.opts.onOutput?.(taskId, line);
        },
      });
    } finally {
      this.executing.delete(id);
    }
  }

  /**
   * A task recorded as executing by this very process, which no longer runs it: its run stopped
   * without recording its end (the store could not be written then, e.g. a full disk). It becomes
   * interrupted, so `run`, `resume` and `interrupt` work on it instead of answering "already
   * executing (pid <this daemon>)".
   */
  private settleStranded(id: number): boolean {
    if (this.executing.has(id) || this.store.status(id) !== "executing" || this.store.internals(id).runnerPid !== process.pid) return false;
    const task = this.store.get(id);
    for (const s of task.steps) if (s.status === "running") this.store.updateStep(id, s.seq, { status: "pending" });
    this.store.transition(id, "interrupted", { from: ["executing"], reason: `its run stopped without recording how it ended (see the daemon's log); \`skep task resume ${id}\` continues from the first unfinished step`, patch: { runner_pid: null } });
    return true;
  }

  /**
   * Tasks left `executing` by a process that is gone (a daemon or `task run` killed outright)
   * become interrupted, with their worktree and branch; returns their ids. `executingHere`: the
   * tasks this process's queue runs (a parked one among them), which are not orphans.
   */
  reconcile(executingHere: ReadonlySet<number> = new Set()): number[] {
    const orphans: number[] = [];
    for (const t of this.store.list({ statuses: ["executing"] })) {
      if (executingHere.has(t.id)) continue;
      const pid = this.store.internals(t.id).runnerPid;
      if (pid !== null && pid !== process.pid && alive(pid)) continue;
      for (const s of t.steps) if (s.status === "running" || s.status === "waiting") this.store.updateStep(t.id, s.seq, { status: "pending" });
      try {
        this.store.transition(t.id, "interrupted", {
          from: ["executing"],
          reason: `the process running it${pid ? ` (pid ${pid})` : ""} is gone; \`skep task resume ${t.id}\` continues from the first unfinished step`,
          patch: { runner_pid: null },
        });
        orphans.push(t.id);
      } catch {
        // another process reconciled it first
      }
    }
    this.settleMerged();
    return orphans;
  }

  /** Interrupted tasks whose commits are all in their base branch were merged: they are done. */
  settleMerged(): number[] {
    const settled: number[] = [];
    for (const t of this.store.list({ statuses: ["interrupted"] })) {
      const base = mergedInto(this.opts.root, t);
      if (!base) continue;
      try {
        this.store.transition(t.id, "done", { from: ["interrupted"], reason: `merged: its commits are all in ${base}` });
        settled.push(t.id);
      } catch {
        // moved on meanwhile
      }
    }
    return settled;
  }

  list(filter: { statuses?: readonly TaskStatus[] } = {}): Task[] {
    return this.store.list(filter);
  }

  get(id: number): Task {
    return this.store.get(id);
  }

  active(): Task[] {
    return this.store.list({ statuses: ACTIVE_STATUSES });
  }

  isTerminal(id: number): boolean {
    return TERMINAL_STATUSES.includes(this.store.status(id));
  }
}


function ledgerResult(call: ReturnType<TaskStore["calls"]>[number]) {
  return {
    ok: call.ok,
    text: "",
    error: call.error,
    usage: { input: call.input, output: call.output, cacheCreation: call.cacheCreation, cacheRead: call.cacheRead },
    costUsd: call.costUsd,
    durationMs: call.durationMs,
    exitCode: call.exitCode,
    model: call.model,
    sessionId: null,
    backend: call.backend,
    aborted: false,
  };
}

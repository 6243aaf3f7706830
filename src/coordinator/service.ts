// Every run operation, for the CLI (`skep coordinate`, `skep runs`, `skep run ...`) and the MCP
// server's run tools alike. A run is driven (coordinator stage, workers, review) by the process
// that drafts, approves or resumes it; its pid is on the run, so `run interrupt` from another
// terminal signals it, and a run whose driver is gone is reconciled to `interrupted` by the next
// operation (as tasks are).
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";
import { readConfig } from "../config/config.ts";
import { backendFor } from "../llm/select.ts";
import { RepoConfig } from "../protocol/config.ts";
import { type ReviewAnswer, type Run, type RunRepo, type RunShowAnswer, SETTLED_RUN_STATUSES } from "../protocol/runs.ts";
import { writeFileAtomic } from "../util/fs.ts";
import { alive } from "../util/pid.ts";
import { CREATE_TIMEOUT_MS, PeerAborted, PeerLink } from "../workspace/peer-link.ts";
import { parseClarify } from "../tasks/pipeline.ts";
import { findWorkspace, workspaceRepos } from "../workspace/registry.ts";
import { branchContractTable } from "./contracts.ts";
import { draftRun, oneLine, orderingText, readAnswer } from "./draft.ts";
import type { StageDeps } from "./llm-call.ts";
import { reportMarkdown, runTokens } from "./report.ts";
import { type ContractTable, reviewRun } from "./review.ts";
import { IllegalRunTransition } from "./states.ts";
import { driverGone, RunNotFound, RunStore } from "./store.ts";
import { interruptWorkers, runSource, runWorkers } from "./workers.ts";
import { SkepError } from "../errors.ts";

/** A request the run cannot take: `usage` for a bad argument (exit 2), `refused` otherwise (exit 1). */
export class RunError extends Error {
  constructor(
    message: string,
    readonly code: "usage" | "refused" = "refused",
  ) {
    super(message);
  }
}

export interface RunServiceOptions {
  /** The planner backend for a run's stages (tests inject theirs); default: the configRepo's `backendFor("plan")`. */
  backend?: StageDeps["backend"];
  contractTable?: ContractTable;
}

/** How often a wait asks whether the run's driver is still alive (a killed one leaves no file change behind). */
const DRIVER_CHECK_MS = 1000;

export class RunService {
  readonly store: RunStore;

  constructor(
    readonly workspace: string,
    private readonly opts: RunServiceOptions = {},
  ) {
    this.store = new RunStore(workspace);
  }

  /** The service of the workspace above `start`; a RunError when there is none. */
  static near(start: string, opts: RunServiceOptions = {}): RunService {
    const ws = findWorkspace(resolve(start));
    if (!ws) throw new RunError(`no skep workspace above ${resolve(start)}: a run spans the repos of a workspace (register them with \`skep init --workspace DIR\`)`);
    return new RunService(ws, opts);
  }

  /** The run's repos by registry name (case-insensitive), default every repo of the workspace. */
  repos(names?: readonly string[]): RunRepo[] {
    let all: RunRepo[];
    try {
      all = workspaceRepos(this.workspace);
    } catch (err) {
      throw new RunError(`the workspace registry cannot be read: ${(err as Error).message}`);
    }
    if (!all.length) throw new RunError(`the workspace ${this.workspace} has no repos registered (\`skep init --workspace ${this.workspace}\` in each repo)`);
    if (!names?.length) return all;
    const out: RunRepo[] = [];
    for (const n of names) {
      const hit = all.find((r) => r.name.toLowerCase() === n.trim().toLowerCase());
      if (!hit) throw new RunError(`no repo named '${n}' in the workspace ${this.workspace}; its repos are: ${all.map((r) => r.name).join(", ")}`, "usage");
      if (!out.includes(hit)) out.push(hit);
    }
    return out;
  }

  /** Runs whose driving process is gone (killed) become interrupted, as tasks' executors are reconciled. */
  reconcile(): void {
    for (const run of this.store.list()) {
      if (!driverGone(run)) continue;
      const was = run.status;
      try {
        this.store.transition(run.id, "interrupted", {
          from: [was],
          reason: `the process ${run.driverPid === null ? "driving it" : `driving it (pid ${run.driverPid})`} is gone while ${was}; \`skep run resume ${run.id}\` continues`,
          patch: { driverPid: null },
        });
      } catch (err) {
        if (!(err instanceof IllegalRunTransition)) throw err; // moved meanwhile
      }
    }
  }

  /**
   * Start a run: stored as drafting, then the coordinator stage (this process drives it). The run
   * ends pending: with specs waiting for approval, or with the reason there are none.
   */
  async coordinate(spec: string, o: { repos?: readonly string[]; from?: string; signal?: AbortSignal; say?: (m: string) => void }): Promise<Run> {
    const text = spec.trim();
    if (!text) throw new RunError("the change to coordinate is empty", "usage");
    const repos = this.repos(o.repos);
    const from = o.from ? repos.find((r) => sameDir(r.path, o.from!)) : undefined;
    const run = this.store.create({ spec: text, repos, configRepo: (from ?? repos[0]!).name });
    this.store.setDriver(run.id, process.pid);
    const say = this.sayer(run.id, o.say);
    say(`run ${run.id} across ${repos.map((r) => r.name).join(", ")}: drafting the contract and the per-repo specs`);
    return this.draft(run.id, o.signal, say);
  }

  /** The coordinator stage of run `id` (drafting), stoppable by the caller's signal or `run interrupt`. */
  private async draft(id: number, signal: AbortSignal | undefined, say: (m: string) => void): Promise<Run> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    this.aborts.set(id, ctl);
    const unwatch = this.store.watchInterrupt(id, () => ctl.abort());
    try {
      const run = this.store.get(id);
      return await draftRun(this.stageDeps(run, say), run, ctl.signal);
    } catch (err) {
      return this.failUnexpected(id, err);
    } finally {
      unwatch();
      this.aborts.delete(id);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The person's go-ahead for the whole run: its workers are created and followed, then the review. Resolves when the run settles. */
  async approve(id: number, o: { signal?: AbortSignal; say?: (m: string) => void } = {}): Promise<Run> {
    this.reconcile();
    const run = this.store.get(id);
    if (run.status === "pending_clarification") throw new RunError(`run ${id} needs clarification first: answer ${this.store.files(id).clarify}, then \`skep run clarify ${id}\``);
    if (run.status !== "pending") throw new RunError(`run ${id} is ${run.status}; only a pending run can be approved${run.status === "failed" || run.status === "interrupted" ? ` (\`skep run resume ${id}\` continues it)` : ""}`);
    if (!readAnswer(this.store.files(id).coordinator)) throw new RunError(`run ${id} has no valid specs to approve (${run.reason ?? "none drafted"}); \`skep run resume ${id}\` asks the coordinator again`);
    return this.drive(id, "running", o);
  }

  /** `--auto`: a run touching several repos is approved only when every spec is small. */
  autoRefusal(id: number): string | null {
    const answer = readAnswer(this.store.files(id).coordinator);
    if (!answer) return `run ${id} has no valid specs`;
    if (answer.specs.length <= 1) return null;
    const large = answer.specs.filter((s) => s.size !== "small").map((s) => s.repo);
    return large.length ? `--auto approves a run over several repos only when every spec is small; ${large.join(", ")} ${large.length === 1 ? "is" : "are"} large` : null;
  }

  /** Continue a failed, interrupted (or spec-less pending) run where it stopped. */
  async resume(id: number, o: { signal?: AbortSignal; say?: (m: string) => void } = {}): Promise<Run> {
    this.reconcile();
    const run = this.store.get(id);
    const answer = readAnswer(this.store.files(id).coordinator);
    const resumable = run.status === "failed" || run.status === "interrupted" || (run.status === "pending" && !answer);
    if (run.status === "pending_clarification") throw new RunError(`run ${id} waits for answers: write them in ${this.store.files(id).clarify}, then \`skep run clarify ${id}\``);
    if (!resumable) throw new RunError(`run ${id} is ${run.status}; resume continues a failed or interrupted run${run.status === "pending" ? ` (approve it: \`skep run approve ${id}\`)` : ""}`);
    if (!answer) {
      const say = this.sayer(id, o.say);
      this.store.transition(id, "drafting", { reason: "drafting again", patch: { driverPid: process.pid } });
      say(`run ${id}: drafting again`);
      return this.draft(id, o.signal, say);
    }
    const allDone = run.workers.every((w) => w.status === "done");
    return this.drive(id, allDone ? "reviewing" : "running", o);
  }

  /**
   * Record a person's answers to the coordinator's questions (given, or read from the run's
   * clarify.md) and draft again with them, as `task clarify` classifies and plans again.
   */
  async clarify(id: number, o: { answers?: { question: string; answer: string }[]; signal?: AbortSignal; say?: (m: string) => void } = {}): Promise<Run> {
    this.reconcile();
    const run = this.store.get(id);
    const files = this.store.files(id);
    if (run.status !== "pending_clarification") throw new RunError(`run ${id} is ${run.status}, not waiting for clarification`);
    let pairs = o.answers;
    if (!pairs) {
      if (!existsSync(files.clarify)) throw new RunError(`no questions file at ${files.clarify}`);
      pairs = parseClarify(readFileSync(files.clarify, "utf8"));
    }
    const answered = pairs.filter((p) => p.answer.trim());
    if (!answered.length) throw new RunError(`no answers yet: write them after the A lines in ${files.clarify}`, "usage");
    const say = this.sayer(id, o.say);
    this.store.transition(id, "drafting", {
      reason: `clarified (${answered.length} answer${answered.length === 1 ? "" : "s"}): drafting again`,
      patch: { clarifications: [...run.clarifications, ...answered], questions: [], driverPid: process.pid },
    });
    if (existsSync(files.clarify)) {
      mkdirSync(files.clarifyArchive, { recursive: true });
      renameSync(files.clarify, join(files.clarifyArchive, `clarify-${Date.now()}.md`));
    }
    say(`run ${id}: drafting again with ${answered.length} answer${answered.length === 1 ? "" : "s"}`);
    return this.draft(id, o.signal, say);
  }

  reject(id: number, reason?: string): Run {
    this.reconcile();
    const run = this.store.get(id);
    if (run.status === "running" || run.status === "reviewing" || run.status === "drafting") throw new RunError(`run ${id} is ${run.status}; interrupt it first (\`skep run interrupt ${id}\`)`);
    return this.store.transition(id, "rejected", { reason: reason?.trim() || "rejected by a person" });
  }

  /**
   * Stop a run: its driver (this process or another) is signalled and the run settles as
   * interrupted; the worker tasks still queued or executing are interrupted in their repos.
   */
  async interrupt(id: number, o: { say?: (m: string) => void } = {}): Promise<Run> {
    this.reconcile();
    const run = this.store.get(id);
    const say = this.sayer(id, o.say);
    if (run.status !== "running" && run.status !== "reviewing" && run.status !== "drafting") throw new RunError(`run ${id} is ${run.status}; only a drafting, running or reviewing run can be interrupted`);
    const busy = (r: Run) => r.status === "running" || r.status === "reviewing" || r.status === "drafting";
    if (run.driverPid !== null && alive(run.driverPid)) {
      // The driver (this process or another: a terminal, an agent's MCP server) watches for the request and settles the run.
      this.store.requestInterrupt(id);
      const settled = await this.store.waitFor(id, (r) => !busy(r) || driverGone(r), 60_000, undefined, DRIVER_CHECK_MS);
      if (settled.timedOut) throw new RunError(`run ${id}'s driver (pid ${run.driverPid}) did not stop within 60s`);
      this.reconcile();
    } else {
      this.store.transition(id, "interrupted", { reason: "interrupted by a person", patch: { driverPid: null } });
    }
    await interruptWorkers(this.store.get(id), say);
    return this.store.get(id);
  }

  delete(id: number): void {
    this.reconcile();
    const run = this.store.get(id);
    if (run.status === "running" || run.status === "reviewing" || run.status === "drafting") throw new RunError(`run ${id} is ${run.status}; interrupt it first (\`skep run interrupt ${id}\`)`);
    this.store.delete(id);
  }

  list(): Run[] {
    this.reconcile();
    return this.store.list();
  }

  show(id: number): RunShowAnswer {
    this.reconcile();
    const run = this.store.get(id);
    const f = this.store.files(id);
    const answer = readAnswer(f.coordinator);
    let review: ReviewAnswer | null = null;
    try {
      review = existsSync(f.review) ? (JSON.parse(readFileSync(f.review, "utf8")) as ReviewAnswer) : null;
    } catch {
      review = null;
    }
    return {
      run,
      contract: answer?.contract ?? null,
      specs: answer?.specs ?? [],
      files: { dir: f.dir, contract: existsSync(f.contract) ? f.contract : null, report: existsSync(f.report) ? f.report : null, log: f.log },
      review,
      tokens: runTokens(this.store, run),
    };
  }

  /** Resolve once the run settles (pending, done, failed, rejected, interrupted) or after `timeoutMs`. */
  async wait(id: number, timeoutMs: number, signal?: AbortSignal, onChange?: (run: Run) => void): Promise<{ run: Run; timedOut: boolean }> {
    this.reconcile();
    const r = await this.store.waitFor(
      id,
      (run) => {
        onChange?.(run);
        return SETTLED_RUN_STATUSES.includes(run.status) || driverGone(run);
      },
      timeoutMs,
      signal,
      DRIVER_CHECK_MS,
    );
    this.reconcile(); // a driver that died while we waited: the run is interrupted now
    return { ...r, run: this.store.get(id) };
  }

  /**
   * A broken contract item becomes a task in one repo of the run, on a person's word: its
   * description names the item, the verdict's note and both sides' file:line.
   */
  async followUp(id: number, itemId: string, repoName: string | undefined, say?: (m: string) => void): Promise<{ repo: string; taskId: number; status: string }> {
    const shown = this.show(id);
    const item = shown.review?.items.find((i) => i.id === itemId);
    const contract = shown.contract?.items.find((c) => c.id === itemId);
    if (!shown.review || !item || !contract) throw new RunError(`run ${id} has no reviewed contract item '${itemId}'${shown.review ? ` (items: ${shown.review.items.map((i) => i.id).join(", ")})` : " (it has not been reviewed)"}`, "usage");
    if (item.verdict !== "broken") throw new RunError(`item ${itemId} of run ${id} ${item.verdict}; only a broken item becomes a follow-up task`);
    const name = repoName ?? item.sides[0]?.repo ?? contract.producer;
    const repo = shown.run.repos.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (!repo) throw new RunError(`'${name}' is not one of run ${id}'s repos (${shown.run.repos.map((r) => r.name).join(", ")})`, "usage");
    const description = [
      `Fix contract item ${contract.id} (${contract.kind}) \`${contract.name}\` of skep run ${id}, which the review found broken: ${oneLine(item.note, 800)}`,
      `Sides: ${item.sides.map((s) => `${s.repo} ${s.file}:${s.line}`).join("; ") || "not given"}.`,
      `The contract: ${oneLine(contract.description, 600)} (producer ${contract.producer}; consumers ${contract.consumers.join(", ")}).`,
      `The run's change: ${oneLine(shown.run.spec, 300)}`,
    ].join("\n");
    const link = new PeerLink(repo, { signal: new AbortController().signal, onEvent: () => {}, say: say ?? (() => {}) });
    try {
      await link.open();
      const created = await link.request("task.create", { description, sourceRepo: runSource(id) }, CREATE_TIMEOUT_MS);
      if (!created.task) throw new RunError(`${repo.name} created no task: its dedup says the work exists (${created.duplicate?.reason ?? "no reason given"})`);
      this.store.log(id, `follow-up for ${itemId}: ${repo.name} task #${created.task.id}`);
      return { repo: repo.name, taskId: created.task.id, status: created.task.status };
    } catch (err) {
      if (err instanceof SkepError) throw new RunError(`${repo.name}'s daemon refused the task: ${err.message}`);
      throw err;
    } finally {
      link.close();
    }
  }

  // --------------------------------------------------------------------------------- driving

  private readonly aborts = new Map<number, AbortController>();

  /** Drive run `id` from `stage` to a settled state in this process. */
  private async drive(id: number, stage: "running" | "reviewing", o: { signal?: AbortSignal; say?: (m: string) => void }): Promise<Run> {
    const say = this.sayer(id, o.say);
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    o.signal?.addEventListener("abort", onAbort, { once: true });
    this.aborts.set(id, ctl);
    const unwatch = this.store.watchInterrupt(id, () => ctl.abort());
    let run = this.store.transition(id, stage, { reason: stage === "running" ? "approved: the workers run" : "every worker is done: reviewing", patch: { driverPid: process.pid } });
    try {
      const answer = readAnswer(this.store.files(id).coordinator)!;
      if (stage === "running") {
        const order = orderingText(answer.specs);
        say(`run ${id} approved: one task per repo (${run.repos.map((r) => r.name).join(", ")})${order ? `; ${order}` : ", all at once"}`);
        const config = this.config(run);
        const { failed } = await runWorkers({ store: this.store, say, timeoutMs: config.delegate_timeout_sec * 1000 }, run, answer, ctl.signal);
        if (failed) {
          const others = this.store.get(id).workers.filter((w) => w.status !== "done" && w.taskId !== null && !failed.startsWith(`${w.repo}:`));
          const going = others.length ? `; ${others.map((w) => `${w.repo} task #${w.taskId}`).join(", ")} go${others.length === 1 ? "es" : ""} on in ${others.length === 1 ? "its repo" : "their repos"}` : "";
          return this.store.transition(id, "failed", { reason: `worker ${failed}${going}`, patch: { driverPid: null } });
        }
        run = this.store.transition(id, "reviewing", { reason: "every worker is done: reviewing", patch: { driverPid: process.pid } });
      }
      say(`run ${id}: every worker is done; reviewing the branches as a system`);
      const answerNow = readAnswer(this.store.files(id).coordinator)!;
      const res = await reviewRun({ ...this.stageDeps(run, say), contractTable: this.opts.contractTable ?? branchContractTable }, this.store.get(id), answerNow, ctl.signal);
      if (!res.ok) {
        if (res.aborted) throw new PeerAborted("aborted");
        return this.store.transition(id, "failed", { reason: `the review gave no usable verdicts (${res.error}); \`skep run resume ${id}\` reviews again`, patch: { driverPid: null } });
      }
      const final = this.store.get(id);
      const tokens = runTokens(this.store, final);
      writeFileAtomic(this.store.files(id).report, reportMarkdown(final, answerNow, res.review, res.diffs, tokens, res.table));
      const broken = res.review.items.filter((i) => i.verdict === "broken").map((i) => i.id);
      const untested = res.review.items.filter((i) => i.verdict === "untested").map((i) => i.id);
      const verdict = `${res.review.items.length - broken.length - untested.length} holds${broken.length ? `, broken: ${broken.join(", ")}` : ""}${untested.length ? `, untested: ${untested.join(", ")}` : ""}`;
      say(`run ${id} reviewed: ${verdict}; report: ${this.store.files(id).report}`);
      return this.store.transition(id, "done", { reason: `reviewed: ${verdict}`, patch: { driverPid: null } });
    } catch (err) {
      if (err instanceof PeerAborted || ctl.signal.aborted) {
        const cur = this.store.get(id);
        return this.store.transition(id, "interrupted", {
          reason: `interrupted while ${cur.status}; \`skep run resume ${id}\` continues (worker tasks keep their branches)`,
          patch: { driverPid: null },
        });
      }
      return this.failUnexpected(id, err);
    } finally {
      o.signal?.removeEventListener("abort", onAbort);
      this.aborts.delete(id);
      unwatch();
    }
  }

  /** Abort every run this process drives (the MCP server closing): each settles as interrupted. */
  abortAll(): void {
    for (const ctl of this.aborts.values()) ctl.abort();
  }

  private failUnexpected(id: number, err: unknown): Run {
    const cur = this.store.get(id);
    if (SETTLED_RUN_STATUSES.includes(cur.status)) throw err;
    return this.store.transition(id, "failed", { reason: `failed while ${cur.status}: ${(err as Error)?.message ?? String(err)}`, patch: { driverPid: null } });
  }

  private config(run: Run): RepoConfig {
    const repo = run.repos.find((r) => r.name === run.configRepo) ?? run.repos[0]!;
    return readConfig(join(repo.path, ".skep")) ?? RepoConfig.parse({});
  }

  private stageDeps(run: Run, say: (m: string) => void): StageDeps {
    const config = this.config(run);
    const repo = run.repos.find((r) => r.name === run.configRepo) ?? run.repos[0]!;
    return { store: this.store, config, say, backend: this.opts.backend ?? (() => backendFor("plan", config, repo.path)) };
  }

  private sayer(id: number, outer?: (m: string) => void): (m: string) => void {
    return (m) => {
      this.store.log(id, m);
      outer?.(m);
    };
  }
}

function sameDir(a: string, b: string): boolean {
  return resolve(a) === resolve(b);
}

export { RunNotFound };

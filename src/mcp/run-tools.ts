// The coordinator run tools: a coding agent starts and follows a run across the workspace's repos
// (src/coordinator/). `coordinate` drafts and answers once the run waits for approval;
// `approve_run` makes this server the run's driver (workers, review) in the background and answers
// at once; `wait_run` blocks server-side until the run settles: the run store is watched (inotify),
// nothing polls. Closing the server interrupts the runs it drives (resume continues them).
import { RunError, RunService } from "../coordinator/service.ts";
import { RunNotFound } from "../coordinator/store.ts";
import { IllegalRunTransition } from "../coordinator/states.ts";
import type { RunShowAnswer } from "../protocol/runs.ts";
import { findWorkspace } from "../workspace/registry.ts";
import { ToolError } from "./tool-error.ts";
import { refuseDecisions } from "./task-tools.ts";
import type { McpRepo } from "./repo.ts";

/** wait_run's bound per call; the agent calls again to keep waiting. */
export const WAIT_RUN_MAX_SEC = 3600;

export class RunTools {
  private service: RunService | null = null;
  private readonly driving = new Set<Promise<unknown>>();

  constructor(private readonly repo: McpRepo) {}

  /** Runs need a workspace above the repo (checked when the server starts). */
  available(): boolean {
    try {
      return findWorkspace(this.repo.place.root) !== null;
    } catch {
      return false; // another user's workspace above the repo: not ours to coordinate in
    }
  }

  private runs(): RunService {
    try {
      this.service ??= RunService.near(this.repo.place.root);
    } catch (err) {
      throw new ToolError((err as Error).message);
    }
    return this.service;
  }

  async coordinate(args: { spec: string; repos?: string[] }, report?: (m: string) => void, signal?: AbortSignal): Promise<string> {
    await refuseDecisions(this.repo, "coordinate");
    if (!args.spec.trim()) throw new ToolError("spec is empty: say what should change, in a few sentences");
    return this.guard(async () => {
      const svc = this.runs();
      const run = await svc.coordinate(args.spec, { repos: args.repos, from: this.repo.place.root, signal, say: report });
      return answer(svc.show(run.id), run.status === "pending" && svc.show(run.id).specs.length ? "show the user the contract and specs; approve_run only with their go-ahead" : undefined);
    });
  }

  async showRun(args: { id: number }): Promise<string> {
    runId(args);
    return this.guard(async () => answer(this.runs().show(args.id)));
  }

  async approveRun(args: { id: number }): Promise<string> {
    await refuseDecisions(this.repo, "approve_run");
    runId(args);
    return this.guard(async () => {
      const svc = this.runs();
      const before = svc.show(args.id);
      if (before.run.status !== "pending") throw new RunError(`run ${args.id} is ${before.run.status}; only a pending run can be approved`);
      const drive = svc.approve(args.id).catch(() => {}); // its outcome is on the run
      this.driving.add(drive);
      void drive.finally(() => this.driving.delete(drive));
      // approve() moves the run to running before its first await: the answer shows it so.
      return answer(svc.show(args.id), "wait_run follows it to the end");
    });
  }

  async waitRun(args: { id: number; timeout_sec?: number }, report?: (m: string) => void, signal?: AbortSignal): Promise<string> {
    runId(args);
    return this.guard(async () => {
      const svc = this.runs();
      const bound = Math.min(args.timeout_sec ?? WAIT_RUN_MAX_SEC, WAIT_RUN_MAX_SEC) * 1000;
      // Progress: each change of the run's status, as the same watch sees it.
      let last = "";
      const { timedOut } = await svc.wait(args.id, bound, signal, (r) => {
        const line = `run ${r.id} ${r.status}${r.reason ? `: ${r.reason}` : ""}`;
        if (line !== last) report?.(line);
        last = line;
      });
      return answer(svc.show(args.id), timedOut ? "still going: call wait_run again" : undefined);
    });
  }

  /** Interrupt the runs this server drives and wait (bounded) until they have settled. */
  async close(): Promise<void> {
    this.service?.abortAll();
    await Promise.race([Promise.allSettled([...this.driving]), Bun.sleep(10_000)]);
  }

  private async guard(fn: () => Promise<string>): Promise<string> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RunError || err instanceof RunNotFound || err instanceof IllegalRunTransition) throw new ToolError(err.message);
      throw err;
    }
  }
}

function runId(args: { id: number }): void {
  if (!Number.isSafeInteger(args.id) || args.id < 1) throw new ToolError(`id ${args.id} is not a run id: coordinate answered the run's id`);
}

/** A run for a model: status, reason, contract items, specs, workers, verdicts, tokens, files. */
function answer(s: RunShowAnswer, hint?: string): string {
  const r = s.run;
  return JSON.stringify({
    id: r.id,
    status: r.status,
    reason: r.reason ?? undefined,
    repos: r.repos.map((x) => x.name),
    contract: s.contract?.items.map((c) => ({ id: c.id, kind: c.kind, name: c.name, producer: c.producer, consumers: c.consumers })),
    specs: s.specs.map((x) => ({ repo: x.repo, size: x.size, after: x.after.length ? x.after : undefined, summary: x.summary })),
    workers: r.workers.filter((w) => w.taskId !== null).map((w) => ({ repo: w.repo, task_id: w.taskId, status: w.status, branch: w.branch ?? undefined })),
    verdicts: s.review?.items.map((i) => ({ id: i.id, verdict: i.verdict, sides: i.sides.map((x) => `${x.repo} ${x.file}:${x.line}`), note: i.note || undefined })),
    tokens: { calls: s.tokens.total.calls, effective_input: s.tokens.total.effectiveInput, output: s.tokens.total.output },
    contract_file: s.files.contract ?? undefined,
    report_file: s.files.report ?? undefined,
    next_action_hint: hint,
  });
}

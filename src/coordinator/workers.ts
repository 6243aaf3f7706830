// The workers of an approved run: one task per repo, created through that repo's daemon (started
// when none runs, as for a delegate step: src/workspace/peer-link.ts) with the repo's spec as its
// description and the run as its source. Each task plans, executes and tests in its own worktree
// exactly as any task does. Repos with no ordering between them run at the same time; a repo with
// `after` starts when those workers are done (it awaits their promises: nothing polls). The task
// id is recorded on the run before anything waits, so a resume waits on the same task.
import type { RepoSpec, Run, RunRepo, RunWorker } from "../protocol/runs.ts";
import type { Event } from "../protocol/socket.ts";
import type { Task, TaskStatus } from "../protocol/tasks.ts";
import { CREATE_TIMEOUT_MS, PeerAborted, PeerLink } from "../workspace/peer-link.ts";
import { oneLine, workerDescription } from "./draft.ts";
import type { CoordinatorAnswer } from "../protocol/runs.ts";
import type { RunStore } from "./store.ts";
import { SkepError } from "../errors.ts";

export interface WorkerDeps {
  store: RunStore;
  say: (message: string) => void;
  /** How long one worker may take, from its (re)start: the config's delegate_timeout_sec. */
  timeoutMs: number;
}

/** Why one worker did not finish. */
class WorkerFailed extends Error {}

/** The run's source on its worker tasks: the gate reads it as "delegated" (a small task is approved at once). */
export function runSource(runId: number): string {
  return `run ${runId}`;
}

/**
 * Run every worker not yet done; resolve with the first failure's reason (the others are left
 * running in their repos and waited on again by a resume), or null when all are done.
 */
export async function runWorkers(deps: WorkerDeps, run: Run, answer: CoordinatorAnswer, signal: AbortSignal): Promise<{ failed: string | null }> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  const started = new Map<string, Promise<void>>();
  let firstFailure: string | null = null;
  const bySpec = new Map(answer.specs.map((s) => [s.repo, s]));
  const start = (repo: RunRepo): Promise<void> => {
    const existing = started.get(repo.name);
    if (existing) return existing;
    const spec = bySpec.get(repo.name)!;
    const p = (async () => {
      for (const dep of spec.after) {
        const depRepo = run.repos.find((r) => r.name === dep)!;
        await start(depRepo); // rejects when that worker failed: this one never starts
      }
      if (stop.signal.aborted) throw new PeerAborted("aborted");
      if (spec.after.length) deps.say(`${repo.name}: ${spec.after.join(", ")} done; starting`);
      await runWorker(deps, run, answer, spec, repo, stop.signal);
    })();
    p.catch((err) => {
      if (err instanceof PeerAborted || stop.signal.aborted) return;
      firstFailure ??= (err as Error).message;
      stop.abort(); // stops waiting on the others; their tasks go on in their repos
    });
    started.set(repo.name, p);
    return p;
  };
  await Promise.allSettled(run.repos.map(start));
  signal.removeEventListener("abort", onAbort);
  if (firstFailure) return { failed: firstFailure };
  if (signal.aborted) throw new PeerAborted("aborted");
  return { failed: null };
}

async function runWorker(deps: WorkerDeps, run: Run, answer: CoordinatorAnswer, spec: RepoSpec, repo: RunRepo, signal: AbortSignal): Promise<void> {
  const { store } = deps;
  const recorded = store.get(run.id).workers.find((w) => w.repo === repo.name);
  if (recorded?.status === "done") return;
  let taskId: number | null = recorded?.taskId ?? null;
  const say = (m: string) => deps.say(`${repo.name}: ${m}`);
  const seen = (t: Task) => store.updateWorker(run.id, repo.name, { taskId: t.id, status: t.status, branch: t.branch, baseCommit: t.baseCommit, reason: t.reason });
  // Events of the new task can arrive in the same read as task.create's reply, before taskId is
  // set: they wait here and are relayed once the id is known.
  const early: Event[] = [];
  const onEvent = (e: Event) => {
    const d = e.data as { taskId?: number; to?: TaskStatus; reason?: string | null; message?: string };
    if (taskId === null) {
      if (early.length < 200) early.push(e);
      return;
    }
    if (d.taskId !== taskId) return;
    if (e.event === "task.status" && d.to) {
      store.updateWorker(run.id, repo.name, { status: d.to });
      say(`task #${taskId}: ${d.to}${d.reason ? ` (${oneLine(d.reason, 200)})` : ""}`);
    } else if (e.event === "task.progress" && d.message) say(`#${taskId}: ${d.message}`);
  };
  const fail = (why: string): never => {
    store.updateWorker(run.id, repo.name, { reason: why });
    throw new WorkerFailed(`${repo.name}: ${why}`);
  };
  const link = new PeerLink({ name: repo.name, path: repo.path }, { signal, onEvent, say });
  const deadline = Date.now() + deps.timeoutMs;
  try {
    await link.open();
    let task: Task | null = null;
    if (taskId !== null) {
      try {
        task = (await link.request("task.show", { id: taskId }, 30_000)).task;
        say(`waiting again for task #${taskId} (${task.status})`);
      } catch (err) {
        if (!(err instanceof SkepError && err.code === "not_found")) throw err;
        say(`task #${taskId} is gone (deleted there?); creating it again`);
        taskId = null;
      }
    }
    if (!task) {
      const created = await link.request("task.create", { description: workerDescription(run, answer, spec), sourceRepo: runSource(run.id) }, CREATE_TIMEOUT_MS);
      if (!created.task) fail(`its dedup says the work exists already (${created.duplicate?.reason ?? "no reason given"}); no task was created`);
      task = created.task!;
      taskId = task.id;
      say(`created task #${task.id}`);
      for (const e of early.splice(0)) onEvent(e);
    }
    seen(task);
    const wait = async (until: "classified" | "terminal") => {
      const r = await link.waitTask(task!.id, until, deadline);
      task = r.task;
      seen(task);
      if (r.timedOut) fail(`gave up after ${Math.round(deps.timeoutMs / 1000)}s (delegate_timeout_sec) waiting for task #${task.id} (${task.status}); it goes on there, and \`skep run resume ${run.id}\` waits on it again`);
    };
    if (task.status === "created") await wait("classified");
    const t = task as Task;
    const where = `--repo ${repo.path}`;
    switch (t.status) {
      case "classified":
      case "pending":
        // The person approved the whole run: that covers its workers, whatever their size.
        task = (await link.request("task.approve", { id: t.id }, 30_000)).task;
        say(`task #${t.id} (${t.classification ?? "unclassified"}) approved with the run`);
        break;
      case "pending_clarification":
        fail(`task #${t.id} needs clarification: answer it with \`skep task clarify ${t.id} ${where}\`, then \`skep run resume ${run.id}\``);
        break;
      case "rejected":
        fail(`task #${t.id} was rejected: ${oneLine(t.reason ?? "no reason given", 300)}`);
        break;
      case "failed":
      case "interrupted":
        task = (await link.request("task.run", { id: t.id }, 30_000)).task;
        say(`task #${t.id} resumed`);
        break;
      default:
        break;
    }
    seen(task);
    if (task.status !== "done") await wait("terminal");
    const end = task as Task;
    if (end.status === "done") {
      say(`task #${end.id} done${end.branch ? ` on branch ${end.branch}` : ""}`);
      return;
    }
    const why = oneLine(end.reason ?? end.result ?? "no reason given", 400);
    fail(`task #${end.id} ${end.status}: ${why} (\`skep task show ${end.id} ${where}\`; \`skep run resume ${run.id}\` resumes it)`);
  } finally {
    link.close();
  }
}

/** Interrupt the run's worker tasks that are still queued or executing (a person stopped the run). */
export async function interruptWorkers(run: Run, say: (m: string) => void): Promise<void> {
  const busy = run.workers.filter((w): w is RunWorker & { taskId: number } => w.taskId !== null && (w.status === "queued" || w.status === "executing"));
  await Promise.all(
    busy.map(async (w) => {
      const repo = run.repos.find((r) => r.name === w.repo)!;
      const ctl = new AbortController();
      const link = new PeerLink(repo, { signal: ctl.signal, onEvent: () => {}, say });
      try {
        await link.open();
        await link.request("task.interrupt", { id: w.taskId }, 60_000);
        say(`${w.repo}: task #${w.taskId} interrupted`);
      } catch (err) {
        say(`${w.repo}: task #${w.taskId} could not be interrupted (${(err as Error).message})`);
      } finally {
        link.close();
      }
    }),
  );
}

export { WorkerFailed };

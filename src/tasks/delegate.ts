// Delegate steps: the executor hands the work to a peer repo's daemon and waits, spending no LLM
// tokens while the peer works. The step's description names the peer the planner's way
// ("Delegate to mobile: add a ping endpoint"). The peer task is created with this repo and task
// as its source (so the peer's gate auto-approves it when it is small; a large or unclear one
// waits for a person on the peer), recorded on the step before anything waits (so a resume waits
// on the same task instead of creating a second one), and followed through the peer's gate to its
// end with `task.wait`, which the peer answers on the transition. When the plan's delegate step
// says `approve_peer` and a person approved this task's plan, that approval covers the peer task:
// once the peer has planned it, the executor approves it there on the person's behalf, unless the
// peer's config refuses approvals from other repos (`accept_remote_approval: false`); then it
// waits for a person there, and says so. While it waits the step is `waiting` and its task
// parked: the queue runs other tasks meanwhile (tasks/queue.ts), and this step takes the queue's
// slot back once the peer's answer came.
import type { Event } from "../protocol/socket.ts";
import { TERMINAL_STATUSES, type Task, type TaskStatus, type TaskStep } from "../protocol/tasks.ts";
import { CREATE_TIMEOUT_MS, PeerAborted, PeerLink, PeerLost, PeerUnavailable } from "../workspace/peer-link.ts";
import { resolvePeer } from "../workspace/registry.ts";
import type { Parking } from "./executor.ts";
import { AUTO_APPROVAL, type TaskDeps } from "./pipeline.ts";
import { SkepError } from "../errors.ts";

export type DelegateResult = { status: "done" | "failed" | "interrupted"; reason: string };

/** "Delegate to <peer>: <what>" (the planner's format, src/llm/prompts/plan.md). */
export function parseDelegation(description: string): { peer: string; what: string } | null {
  const m = /^\s*delegate\s+to\s+([^:\n]+?)\s*:\s*([\s\S]*\S)\s*$/i.exec(description);
  return m ? { peer: m[1]!, what: m[2]! } : null;
}

/** Run delegate step `step` of task `taskId` to done, failed or interrupted; the step's row says how it went. */
export async function runDelegateStep(deps: TaskDeps, taskId: number, step: TaskStep, opts: { signal: AbortSignal; label: string; parking?: Parking }): Promise<DelegateResult> {
  const { store } = deps;
  const started = performance.now();
  const say = (message: string) => deps.progress?.(taskId, message, step.seq);
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (reason: string): DelegateResult => {
    store.updateStep(taskId, step.seq, { status: "failed", error: reason, duration_ms: elapsed() });
    return { status: "failed", reason: `${opts.label}: ${reason}` };
  };

  const parsed = parseDelegation(step.description);
  // A recorded peer task names its peer: a resume follows it even if the registry renamed nothing else.
  const recorded = step.peer ?? null;
  if (!parsed && !recorded) return fail(`a delegate step's description must start "Delegate to <peer>: <what>"; this one is "${oneLine(step.description, 80)}"`);
  const found = resolvePeer(deps.root, recorded?.repo ?? parsed!.peer);
  if (!found.ok) return fail(found.reason);
  const { peer, self } = found;
  const task = store.get(taskId);

  let peerId: number | null = recorded?.taskId ?? null;
  const seen = (status: TaskStatus, branch?: string | null) =>
    store.updateStep(taskId, step.seq, { peer_status: status, ...(branch !== undefined ? { peer_branch: branch } : {}) });
  // Events that arrive before the peer task's id is known here: the peer's gate can decide in the
  // same read as create's reply (a busy machine), and those lines are replayed once the id is known.
  const early: Event[] = [];
  const onEvent = (e: Event) => {
    const data = e.data as { taskId?: number; to?: TaskStatus; reason?: string | null; message?: string };
    if (peerId === null) {
      if (early.length < 1_000) early.push(e);
      return;
    }
    if (data.taskId !== peerId) return;
    if (e.event === "task.status" && data.to) {
      seen(data.to);
      say(`${peer.name} task #${peerId}: ${data.to}${data.reason ? ` (${oneLine(data.reason, 200)})` : ""}`);
    } else if (e.event === "task.progress" && data.message) say(`${peer.name} #${peerId}: ${data.message}`);
  };
  const link = new PeerLink(peer, { signal: opts.signal, onEvent, say });
  const deadline = Date.now() + deps.config.delegate_timeout_sec * 1000;
  const again = `\`skep task resume ${taskId}\` waits on it again`;
  let parked = false;

  try {
    store.updateStep(taskId, step.seq, { status: "running", error: null });
    await link.open();

    let peerTask: Task;
    if (recorded) {
      say(`waiting again for ${peer.name} task #${recorded.taskId}, which this step delegated before`);
      try {
        peerTask = (await link.request("task.show", { id: recorded.taskId }, 30_000)).task;
      } catch (err) {
        if (!(err instanceof SkepError && err.code === "not_found")) throw err;
        // Gone on the peer (deleted there): nothing to wait on, so the next run may delegate anew.
        store.updateStep(taskId, step.seq, { peer_repo: null, peer_task_id: null, peer_status: null, peer_branch: null });
        return fail(`${peer.name} has no task #${recorded.taskId} any more (deleted there?); \`skep task resume ${taskId}\` delegates the work again`);
      }
    } else {
      // A task delegated to us by this peer, delegating back: the peer's executor is busy waiting
      // for this task, so it would never run the new one; both would wait until the timeout.
      if (task.sourceRepo && task.sourceRepo.toLowerCase() === peer.name.toLowerCase()) {
        return fail(`task #${taskId} was delegated by ${peer.name} (its task #${task.sourceTaskId ?? "?"}), which is waiting for it; delegating back to ${peer.name} would wait forever`);
      }
      const description = `${parsed!.what}\n\nRequested by ${self} task #${taskId}: ${oneLine(task.description, 300)}`;
      say(`delegating to ${peer.name}: ${oneLine(parsed!.what, 120)}`);
      const created = await link.request("task.create", { description, sourceRepo: self, sourceTaskId: taskId }, CREATE_TIMEOUT_MS);
      if (created.task) {
        peerTask = created.task;
        say(`${peer.name} created task #${peerTask.id}`);
      } else if (created.duplicate?.taskId) {
        peerTask = (await link.request("task.show", { id: created.duplicate.taskId }, 30_000)).task;
        say(`${peer.name} already has this work as task #${peerTask.id} (${created.duplicate.reason}); waiting for that task`);
      } else {
        return fail(`${peer.name} created no task: its dedup says the work exists already (${created.duplicate?.reason ?? "no reason given"}); if that is so, mark this step's work done another way`);
      }
    }
    peerId = peerTask.id;
    // Recorded before anything waits: an interrupt, a crash or a timeout from here on resumes on this task.
    store.updateStep(taskId, step.seq, { peer_repo: peer.name, peer_task_id: peerTask.id, peer_status: peerTask.status, peer_branch: peerTask.branch });
    for (const e of early.splice(0)) onEvent(e);

    // Nothing more for this task to do until the peer answers: the step waits, the queue goes on.
    if (!TERMINAL_STATUSES.includes(peerTask.status)) {
      store.updateStep(taskId, step.seq, { status: "waiting" });
      opts.parking?.park();
      parked = true;
    }

    const waitFor = async (until: "classified" | "terminal"): Promise<{ task: Task; timedOut: boolean }> => {
      if (deadline <= Date.now()) return { task: peerTask, timedOut: true };
      const r = await link.waitTask(peerTask.id, until, deadline);
      peerTask = r.task;
      seen(peerTask.status, peerTask.branch);
      return r;
    };
    const timedOut = () =>
      fail(`gave up after ${deps.config.delegate_timeout_sec}s (delegate_timeout_sec) waiting for ${peer.name} task #${peerTask.id}; it is left as it is there (${peerTask.status}); ${again}`);

    // The peer's gate. A task it leaves waiting for a person is approved from here only on the
    // person's behalf: their approval of this plan, whose step says so, covers it.
    if (peerTask.status === "created" && (await waitFor("classified")).timedOut) return timedOut();
    const approve = `skep task approve ${peerTask.id} --repo ${peer.path}`;
    if ((peerTask.status === "pending" || peerTask.status === "classified") && peerTask.plan) {
      const behalf = onBehalf(deps, taskId, step);
      if (behalf.ok) {
        try {
          peerTask = (await link.request("task.approve", { id: peerTask.id, from: { repo: self, taskId } }, 30_000)).task;
          seen(peerTask.status, peerTask.branch);
          say(`approved ${peer.name} task #${peerTask.id} on your behalf: the plan you approved says so (step ${step.seq})`);
        } catch (err) {
          // Refused by the peer's config, or the task moved on meanwhile: wait for it as it is.
          if (!(err instanceof SkepError && err.code === "conflict")) throw err;
          say(`not approving ${peer.name} task #${peerTask.id} from here: ${oneLine(err.message, 300)}; waiting for a person there`);
        }
      } else if (behalf.why) say(`not approving ${peer.name} task #${peerTask.id} on your behalf: ${behalf.why}`);
    }
    if (peerTask.status === "pending" || peerTask.status === "classified") {
      say(`waiting for ${peer.name} task #${peerTask.id} (${peerTask.classification ?? "unclassified"}): approve it with \`${approve}\``);
    } else if (peerTask.status === "pending_clarification") {
      say(`waiting for ${peer.name} task #${peerTask.id} (needs clarification): answer its questions with \`skep task clarify ${peerTask.id} --repo ${peer.path}\`, then approve it with \`${approve}\``);
    } else if (!TERMINAL_STATUSES.includes(peerTask.status)) {
      say(`${peer.name} task #${peerTask.id} is ${peerTask.status}${peerTask.classification ? ` (${peerTask.classification})` : ""}: waiting for it to finish`);
    }
    if (!TERMINAL_STATUSES.includes(peerTask.status) && (await waitFor("terminal")).timedOut) return timedOut();

    const p = peerTask;
    const why = oneLine(p.reason ?? p.result ?? "no reason given", 400);
    switch (p.status) {
      case "done":
        store.updateStep(taskId, step.seq, { status: "done", error: null, peer_status: "done", peer_branch: p.branch, duration_ms: elapsed() });
        say(`${opts.label} done: ${peer.name} task #${p.id} done${p.branch ? ` on branch ${p.branch}` : ""}`);
        return { status: "done", reason: `${peer.name} task #${p.id} done` };
      case "rejected":
        // Resuming would only meet the same rejection: say what can move this task on.
        return fail(
          `${peer.name} rejected task #${p.id}: ${why}. Resuming waits on that rejected task again: reject this task (\`skep task reject ${taskId}\`) and create a reworded one, ` +
            `or, if the work got done another way, mark it done (\`skep task done ${taskId}\`)`,
        );
      case "failed":
        return fail(`${peer.name} task #${p.id} failed: ${why}. Fix or resume it there (\`skep task resume ${p.id} --repo ${peer.path}\`); then ${again}`);
      default: {
        const commits = p.steps.filter((s) => s.commit).length;
        const unmerged = commits
          ? `; ${peer.name} has ${commits} unmerged commit${commits === 1 ? "" : "s"} on ${p.branch}, so its work is not finished`
          : "; it made no commit yet";
        return fail(`${peer.name} task #${p.id} was interrupted: ${why}${unmerged}. Resume it there (\`skep task resume ${p.id} --repo ${peer.path}\`); then ${again}`);
      }
    }
  } catch (err) {
    if (err instanceof PeerAborted || opts.signal.aborted) {
      store.updateStep(taskId, step.seq, { status: "pending", duration_ms: elapsed() });
      const keeps = peerId !== null ? `; ${peer.name} task #${peerId} keeps going there, and \`skep task resume ${taskId}\` waits on it again` : `; \`skep task resume ${taskId}\` delegates it again`;
      return { status: "interrupted", reason: `interrupted at step ${step.seq} while waiting for ${peer.name}${keeps}` };
    }
    const on = peerId !== null ? ` (task #${peerId} there is left as it is; ${again})` : "";
    if (err instanceof PeerUnavailable) return fail(`${err.message}, then \`skep task resume ${taskId}\``);
    if (err instanceof PeerLost) return fail(`${err.message}${on}`);
    return fail(`delegating to ${peer.name} failed: ${(err as Error).message}${on}`);
  } finally {
    link.close();
    // The step's outcome is recorded; the task goes on (or ends) once it holds the queue's slot again.
    if (parked) await opts.parking?.resume(opts.signal);
  }
}

/**
 * Whether this executor may approve the peer task of delegate step `step` on the person's behalf:
 * the plan's step says so (`approve_peer`), and a person approved this task's plan (not the gate
 * by itself: then nobody approved anything the peer could be covered by). `why` says why not,
 * when the step asked for it.
 */
export function onBehalf(deps: TaskDeps, taskId: number, step: TaskStep): { ok: boolean; why?: string } {
  const task = deps.store.get(taskId);
  if (task.plan?.plan[step.seq - 1]?.approve_peer !== true) return { ok: false };
  const approval = deps.store.events(taskId).filter((e) => e.to === "approved").at(-1);
  if (!approval || AUTO_APPROVAL.test(approval.reason ?? "")) {
    return { ok: false, why: `task #${taskId} was approved by its gate, not by a person (${approval?.reason ?? "no approval recorded"}), so a person approves it there` };
  }
  return { ok: true };
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

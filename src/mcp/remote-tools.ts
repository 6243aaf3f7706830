// The cross-repo task tools ("the waggle"): an agent in this repo queues work in a peer repo of
// the workspace, follows it, approves it, and waits for it. Every call goes through the peer's
// daemon (src/workspace/peer-link.ts, as the executor's delegate steps do: the peer's own queue
// runs the work, its own gate decides), started when none runs; the peer's database is never
// opened from here. Waits are the peer's `task.wait`, answered on the transition: nothing polls.
// Peers are found by registry name with the lookup the delegate steps use (resolvePeer), and the
// task is created with this repo's registry name as its source, so the peer's gate approves a
// small one by itself, as it does for a delegate step.
import type { Progress } from "../api/task-client.ts";
import {
  type ApproveRemoteTaskAnswer,
  type ClarifyRemoteTaskArgs,
  type CreateRemoteTaskAnswer,
  type CreateRemoteTaskArgs,
  type GetRemoteTaskAnswer,
  MAX_ANSWER_CHARS,
  type RejectRemoteTaskArgs,
  type RemoteTaskIdArgs,
  type WaitRemoteTaskAnswer,
  type WaitRemoteTaskArgs,
} from "../protocol/mcp.ts";
import { MAX_DESCRIPTION } from "../protocol/limits.ts";
import type { Event } from "../protocol/socket.ts";
import type { Task, TaskStatus } from "../protocol/tasks.ts";
import { CREATE_TIMEOUT_MS, PeerAborted, PeerLink, PeerLost, PeerUnavailable, type Peer } from "../workspace/peer-link.ts";
import { peersOf, resolvePeer } from "../workspace/registry.ts";
import { ToolError } from "./tool-error.ts";
import { clip } from "./bound.ts";
import type { McpRepo } from "./repo.ts";
import { checkDescription, clipAll, dropNulls, fitTask, refuseDecisions } from "./task-tools.ts";
import { SkepError } from "../errors.ts";

/** classify_timeout_sec's cap: the peer's own pipeline is bounded by its classify_timeout_sec (180 s by default). */
const MAX_CLASSIFY_WAIT_SEC = 600;
/** timeout_sec's cap: `task.wait`'s own bound, one request. Longer: call again. */
const MAX_WAIT_SEC = 3_600;
/** A peer task that is only read or approved answers at once. */
const SHORT_MS = 30_000;
/** Events that arrive before the new task's id is known (create), kept to replay its own. */
const EARLY_EVENTS = 200;

/** One call's connection to a peer, and the task whose events it relays as progress. */
interface Session {
  peer: Peer;
  /** This repo's registry name (the source of the tasks it creates). */
  self: string;
  link: PeerLink;
  /** Relay the events of task `id` from now on (and those that came before it was known). */
  follow(id: number): void;
}

/** What the agent can do next, by the peer task's status. */
export function remoteHint(t: Task, peer: Peer): string {
  const on = `--repo ${peer.path}`;
  switch (t.status) {
    case "created":
      return `${peer.name} is still classifying and planning it: call get_remote_task again shortly`;
    case "classified":
    case "pending":
      return t.plan
        ? "review the plan, then call approve_remote_task or reject_remote_task (with the user's go-ahead), or surface it to the user"
        : `${peer.name} has no valid plan to approve: surface it to the user (reject_remote_task, then create a clearer task)`;
    case "pending_clarification":
      return `surface clarification_questions to the user; answer them with clarify_remote_task (it is planned again)`;
    case "approved":
      return `approved (${t.reason ?? "approved"}): ${peer.name}'s daemon runs it next; call wait_remote_task`;
    case "queued":
      return `queued behind ${peer.name}'s running task; call wait_remote_task`;
    case "executing":
      return `running on ${peer.name}${t.branch ? ` on branch ${t.branch}` : ""}; call wait_remote_task`;
    case "done":
      return `done: read its plan and result; the work is on ${peer.name}'s branch ${t.branch ?? "(none)"}, not merged (merging is for a person on ${peer.name})`;
    case "failed":
    case "interrupted":
      return `${t.status} on ${peer.name}: surface it to the user; do not retry automatically (it resumes on ${peer.name} with \`skep task resume ${t.id} ${on}\`)`;
    case "rejected":
      return `rejected on ${peer.name}: surface the reason to the user; do not retry automatically`;
  }
}

export class RemoteTools {
  /** Aborted at close: a call waiting on a peer ends instead of outliving the server. */
  private readonly lifetime = new AbortController();

  constructor(private readonly repo: McpRepo) {}

  /** Whether this repo's workspace has peer repos (read when the server starts: the tools are listed only then). */
  available(): boolean {
    return peersOf(this.repo.place.root).length > 0;
  }

  // --------------------------------------------------------------------------- create_remote_task

  async createRemoteTask(args: CreateRemoteTaskArgs, progress?: Progress, signal?: AbortSignal): Promise<string> {
    await refuseDecisions(this.repo, "create_remote_task");
    const description = checkDescription(args.description);
    const waitSec = Math.min(atLeastOne("classify_timeout_sec", args.classify_timeout_sec), MAX_CLASSIFY_WAIT_SEC);
    return this.withPeer(args.repo, progress, signal, async ({ peer, self, link, follow }, started) => {
      progress?.(`creating the task on ${peer.name}...`);
      // task.create through PeerLink may be sent twice (one reconnection); the peer's dedup then
      // answers the second with the first's task, so a repeat never makes two tasks.
      const created = await link.request("task.create", { description, sourceRepo: self }, CREATE_TIMEOUT_MS);
      if (!created.task) {
        const d = created.duplicate!;
        const where =
          d.taskId !== null
            ? `${peer.name} already has this work as task #${d.taskId}: get_remote_task shows it, wait_remote_task waits for it`
            : `${peer.name}'s code already has it (see reason)`;
        const answer: CreateRemoteTaskAnswer = dropNulls({ duplicate: true as const, reason: clip(d.reason, 1_000), task_id: d.taskId ?? undefined, repo: peer.name, note: notes(`nothing created: ${where}`, started()) });
        return JSON.stringify(answer);
      }
      let t = created.task;
      follow(t.id);
      if (t.status === "created") {
        progress?.(`${peer.name} created task #${t.id}; waiting for its classification and plan (at most ${waitSec} s)`);
        const waited = await link.waitTask(t.id, "classified", Date.now() + waitSec * 1000);
        t = waited.task;
        if (waited.timedOut) {
          const answer: CreateRemoteTaskAnswer = {
            task_id: t.id,
            status: t.status,
            repo: peer.name,
            note: notes(`${peer.name} has not classified it within ${waitSec} s (classify_timeout_sec); it goes on there: call get_remote_task later`, started()),
          };
          return JSON.stringify(answer);
        }
      }
      return createdAnswer(t, peer, started());
    });
  }

  // ------------------------------------------------------------------------------ get_remote_task

  async getRemoteTask(args: RemoteTaskIdArgs, signal?: AbortSignal): Promise<string> {
    const id = taskId(args);
    return this.withPeer(args.repo, undefined, signal, async ({ peer, link }, started) => {
      const t = (await link.request("task.show", { id }, SHORT_MS)).task;
      return shownAnswer(t, peer, started());
    });
  }

  // -------------------------------------------------------------------------- approve_remote_task

  async approveRemoteTask(args: RemoteTaskIdArgs, signal?: AbortSignal): Promise<string> {
    await refuseDecisions(this.repo, "approve_remote_task");
    const id = taskId(args);
    return this.withPeer(args.repo, undefined, signal, async ({ peer, self, link }, started) => {
      // The peer's daemon approves it (unless its config refuses approvals from other repos) and,
      // its executor being free, starts it.
      const t = (await link.request("task.approve", { id, from: { repo: self, taskId: null } }, SHORT_MS)).task;
      const answer: ApproveRemoteTaskAnswer = dropNulls({
        task: dropNulls({ id: t.id, name: clip(t.name, 100), status: t.status, classification: t.classification, branch: t.branch, reason: t.reason === null ? undefined : clip(t.reason, 1_000) }),
        repo: peer.name,
        next_action_hint: remoteHint(t, peer),
        note: notes(undefined, started()),
      });
      return JSON.stringify(answer);
    });
  }

  // --------------------------------------------------------------------------- reject_remote_task

  async rejectRemoteTask(args: RejectRemoteTaskArgs, signal?: AbortSignal): Promise<string> {
    await refuseDecisions(this.repo, "reject_remote_task");
    const id = taskId(args);
    const reason = args.reason?.trim() || undefined;
    if (reason !== undefined && reason.length > 2_000) throw new ToolError("reason is longer than 2000 characters: say why in a sentence or two");
    return this.withPeer(args.repo, undefined, signal, async ({ peer, self, link }, started) => {
      // The peer records who rejected it: a person there reads the reason in `skep task show`.
      const t = (await link.request("task.reject", { id, reason: `rejected from ${self}${reason ? `: ${reason}` : ""}` }, SHORT_MS)).task;
      return shownAnswer(t, peer, started());
    });
  }

  // -------------------------------------------------------------------------- clarify_remote_task

  async clarifyRemoteTask(args: ClarifyRemoteTaskArgs, progress?: Progress, signal?: AbortSignal): Promise<string> {
    await refuseDecisions(this.repo, "clarify_remote_task");
    const id = taskId(args);
    if (!args.answers.some((a) => a.trim())) throw new ToolError(`every answer is empty: answer the questions get_remote_task lists, in their order`);
    return this.withPeer(args.repo, progress, signal, async ({ peer, link, follow }, started) => {
      // The answers come in the order of the peer task's questions: pair them up as the peer stores them.
      const before = (await link.request("task.show", { id }, SHORT_MS)).task;
      if (before.status !== "pending_clarification") throw new ToolError(`${peer.name} task #${id} is ${before.status}, not waiting for answers; ${remoteHint(before, peer)}`);
      if (args.answers.length > before.questions.length) {
        throw new ToolError(`${peer.name} task #${id} asks ${before.questions.length} question(s) and got ${args.answers.length} answers: one answer per question, in their order`);
      }
      const answers = before.questions.map((question, i) => ({ question, answer: args.answers[i]?.trim() ?? "" })).filter((a) => a.answer);
      if (JSON.stringify(answers).length > MAX_DESCRIPTION) throw new ToolError(`the answers are longer than ${MAX_DESCRIPTION} characters: answer briefly`);
      follow(id);
      progress?.(`${peer.name} is classifying and planning task #${id} again with the answers...`);
      // The peer answers once its pipeline has gated the task again (classified, planned, or asking more).
      const t = (await link.request("task.clarify", { id, answers }, CREATE_TIMEOUT_MS)).task;
      return shownAnswer(t, peer, started());
    });
  }

  // ----------------------------------------------------------------------------- wait_remote_task

  async waitRemoteTask(args: WaitRemoteTaskArgs, progress?: Progress, signal?: AbortSignal): Promise<string> {
    const id = taskId(args);
    const waitSec = Math.min(atLeastOne("timeout_sec", args.timeout_sec), MAX_WAIT_SEC);
    return this.withPeer(args.repo, progress, signal, async ({ peer, link, follow }, started) => {
      follow(id);
      progress?.(`waiting for ${peer.name} task #${id} to finish (at most ${waitSec} s)`);
      const { task: t, timedOut } = await link.waitTask(id, "terminal", Date.now() + waitSec * 1000);
      if (timedOut) {
        throw new ToolError(
          `${peer.name} task #${id} is still ${t.status} after ${waitSec} s (timeout_sec): call get_remote_task to see where it stands, or wait_remote_task again with a longer timeout_sec (at most ${MAX_WAIT_SEC}); ${remoteHint(t, peer)}`,
        );
      }
      const outcome = t.status as WaitRemoteTaskAnswer["outcome"];
      return fitTask(t, (task): WaitRemoteTaskAnswer =>
        dropNulls({
          task: task as WaitRemoteTaskAnswer["task"],
          outcome,
          repo: peer.name,
          next_action_hint: remoteHint(t, peer),
          error_summary: outcome === "done" ? undefined : errorSummary(t),
          note: notes(outcome === "interrupted" ? unmerged(t, peer) : undefined, started()),
        }),
      );
    });
  }

  /** End the calls still waiting on a peer (the peer tasks go on there). */
  close(): void {
    this.lifetime.abort();
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Resolve `repo` among the workspace's peers, connect to its daemon (starting it when none
   * runs), run `body`, and close the connection. `started()` says, for the answer's note, whether
   * the daemon had to be started. Failures become tool errors naming the peer.
   */
  private async withPeer(repo: string, progress: Progress | undefined, signal: AbortSignal | undefined, body: (s: Session, started: () => string | undefined) => Promise<string>): Promise<string> {
    // The main checkout's workspace, also from a linked worktree: tasks belong to the repo.
    const found = resolvePeer(this.repo.place.root, repo.trim());
    if (!found.ok) throw new ToolError(found.reason);
    const { peer, self } = found;
    let followed: number | null = null;
    let early: Event[] | null = [];
    const relay = (e: Event) => {
      const d = e.data as { taskId?: number; to?: TaskStatus; reason?: string | null; message?: string };
      if (d.taskId !== followed) return;
      if (e.event === "task.status" && d.to) progress?.(`${peer.name} task #${followed}: ${d.to}${d.reason ? ` (${clip(d.reason.replace(/\s+/g, " "), 200)})` : ""}`);
      else if (e.event === "task.progress" && d.message) progress?.(`${peer.name} #${followed}: ${d.message}`);
    };
    const onEvent = (e: Event) => {
      if (!progress) return;
      if (followed === null) {
        // The peer classifies a new task right after answering task.create: keep what comes before the id is known.
        if (early && early.length < EARLY_EVENTS) early.push(e);
        return;
      }
      relay(e);
    };
    const follow = (id: number) => {
      followed = id;
      for (const e of early ?? []) relay(e);
      early = null;
    };
    const link = new PeerLink(peer, {
      signal: signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal,
      onEvent,
      say: (m) => progress?.(m),
    });
    const started = () =>
      link.started
        ? `${peer.name}'s daemon was not running: started it (pid ${link.started.pid}), as \`skep daemon start\` in ${peer.path} would; it keeps running there`
        : undefined;
    try {
      await link.open();
      return await body({ peer, self, link, follow }, started);
    } catch (err) {
      throw asToolError(err, peer, followed);
    } finally {
      link.close();
    }
  }
}

/** The created answer for a task the peer has gated (or rejected, or asked about). */
function createdAnswer(t: Task, peer: Peer, started: string | undefined): string {
  let text = "";
  // The plan is the answer's bulk: clipped harder until it fits, as show_task's task is.
  for (const [field, list] of [[2_000, 100], [600, 30], [200, 10], [80, 5]] as const) {
    const answer: CreateRemoteTaskAnswer = dropNulls({
      task_id: t.id,
      name: clip(t.name, 100),
      status: t.status,
      classification: t.classification ?? undefined,
      plan: t.plan ? (clipAll(t.plan, field, list) as NonNullable<Extract<CreateRemoteTaskAnswer, { name: string }>["plan"]>) : undefined,
      reason: t.reason === null ? undefined : clip(t.reason, 1_000),
      repo: peer.name,
      next_action_hint: remoteHint(t, peer),
      clarification_questions: t.status === "pending_clarification" && t.questions.length ? t.questions.map((q) => clip(q, 1_000)) : undefined,
      note: started,
    });
    text = JSON.stringify(answer);
    if (text.length <= MAX_ANSWER_CHARS) return text;
  }
  return text; // 50 steps at 80-character fields: well within one answer
}

/** A peer task as get_remote_task shows it (also the answer of reject and clarify). */
function shownAnswer(t: Task, peer: Peer, started: string | undefined): string {
  const questions = t.status === "pending_clarification" && t.questions.length ? t.questions.map((q) => clip(q, 1_000)) : undefined;
  return fitTask(t, (task): GetRemoteTaskAnswer => dropNulls({ task: task as GetRemoteTaskAnswer["task"], repo: peer.name, next_action_hint: remoteHint(t, peer), clarification_questions: questions, note: notes(undefined, started) }));
}

/** Why a final task did not finish: its reason, and the failing step's error when it adds to it. */
function errorSummary(t: Task): string {
  const why = t.reason ?? "no reason given";
  const step = t.steps.find((s) => s.status === "failed" && s.error);
  const more = step?.error && !why.includes(step.error) ? `; step ${step.seq}: ${step.error}` : "";
  return clip(`${why}${more}`, 2_000);
}

/** An interrupted peer task's work is not finished: it may have commits nobody merged or completed. */
function unmerged(t: Task, peer: Peer): string {
  const commits = t.steps.filter((s) => s.commit).length;
  const resume = `resume it on ${peer.name} with \`skep task resume ${t.id} --repo ${peer.path}\``;
  if (!commits) return `Do NOT assume the peer is done: it stopped before committing anything; ${resume}`;
  return `Do NOT assume the peer is done: it has commits on its branch that are not merged (${commits} on ${t.branch}); ${resume}`;
}

/** The answer's note: what it says, and that the peer's daemon was started (when it was). */
function notes(main: string, started: string | undefined): string;
function notes(main: string | undefined, started: string | undefined): string | undefined;
function notes(main: string | undefined, started: string | undefined): string | undefined {
  const said = [main, started].filter((p): p is string => !!p);
  return said.length ? said.join(". ") : undefined;
}

/** A timeout in seconds: at least 1 (a longer one than the cap is lowered to it by the caller). */
function atLeastOne(name: string, sec: number): number {
  if (!(sec >= 1)) throw new ToolError(`${name} ${sec} is too short: at least 1 (seconds)`);
  return sec;
}

function taskId(args: { task_id: number }): number {
  if (!Number.isSafeInteger(args.task_id) || args.task_id < 1) throw new ToolError(`task_id ${args.task_id} is not a task id: use the task_id create_remote_task answered`);
  return args.task_id;
}

/** Peer failures an agent can act on, as one-line tool errors that name the peer. */
function asToolError(err: unknown, peer: Peer, taskId: number | null): unknown {
  if (err instanceof ToolError) return err;
  const left = taskId !== null ? `; ${peer.name} task #${taskId} is left as it is there` : "";
  if (err instanceof PeerAborted) return new ToolError(`cancelled${left}`);
  if (err instanceof PeerUnavailable || err instanceof PeerLost) return new ToolError(`${err.message}${left}`);
  if (err instanceof SkepError) {
    const message = err.message.replace(/\s*\n\s*/g, " ");
    if (err.code === "not_found" && /^no task #\d+$/.test(message)) return new ToolError(`${peer.name} has ${message}: use the task_id create_remote_task answered (\`skep tasks --repo ${peer.path}\` lists them)`);
    return new ToolError(`${peer.name}: ${message}`);
  }
  return err;
}

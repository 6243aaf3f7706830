// The task tools: the repo's task queue for a coding agent. Answers are the task shapes of
// src/protocol/tasks.ts (nulls dropped, long strings clipped, bounded like every MCP answer), each
// with `via` (daemon or local: who did it) and, for one task, `hint`: what can happen next.
// Started in one of the repo's task worktrees (a running task's step), the server only reads:
// deciding on tasks, or queueing more from inside a task, is for the person or agent outside.
import { openReadonly } from "../index/store.ts";
import { type ClarifyTaskArgs, type CreateTaskArgs, type DedupTaskArgs, type ListTasksArgs, MAX_ANSWER_CHARS, type RejectTaskArgs, type TaskIdArgs } from "../protocol/mcp.ts";
import { MAX_DESCRIPTION } from "../protocol/limits.ts";
import { type DedupResult, TASK_STATUSES, type Task, TaskStatus } from "../protocol/tasks.ts";
import { checkCheap, DEDUP_STATUSES } from "../tasks/dedup/cheap.ts";
import { checkIndex } from "../tasks/dedup/index-layer.ts";
import { indexLookup } from "../tasks/dedup/index-lookup.ts";
import { ToolError } from "./tool-error.ts";
import { clip, makeCursor, pageJson, readCursor } from "./bound.ts";
import type { Progress, Via } from "../api/task-client.ts";
import { type McpRepo, real } from "./repo.ts";


type Json = Record<string, unknown>;

/** One line per task: what list_tasks shows. */
function summary(t: Task): Json {
  return dropNulls({
    id: t.id,
    name: clip(t.name, 100),
    status: t.status,
    classification: t.classification,
    branch: t.branch,
    tokens: { effectiveInput: t.tokens.effectiveInput },
  });
}

export function dropNulls<T extends Json>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === null || o[k] === undefined) delete o[k];
  return o;
}

/** What can happen to the task next, for the agent (and who does it). */
export function hint(t: Task, via: Via): string {
  const id = t.id;
  switch (t.status) {
    case "created":
      return via === "daemon" ? "the daemon is classifying and planning it: show_task again shortly" : "not classified yet: a daemon classifies it when it starts (`skep daemon start`)";
    case "classified":
    case "pending":
      return t.plan ? "review the plan, then approve_task (with the user's go-ahead) or reject_task" : "no valid plan to approve: reject_task it, or create a clearer task";
    case "pending_clarification":
      return "answer its questions with clarify_task";
    case "approved":
      return via === "daemon" ? "the daemon executes it next (one task at a time)" : `no daemon runs: it executes when one starts (\`skep daemon start\`) or with \`skep task run ${id}\``;
    case "queued":
      return "waiting for the running task to finish";
    case "executing":
      return `running${t.branch ? ` on branch ${t.branch}` : ""}: show_task again later`;
    case "done":
      return t.branch ? `done: the work is on branch ${t.branch}, not merged` : "done";
    case "failed":
    case "interrupted":
      return `\`skep task resume ${id}\` continues it from its first unfinished step${t.branch ? ` (branch ${t.branch})` : ""}`;
    case "rejected":
      return "rejected (final)";
  }
}

// show_task fits one task into one answer: strings are clipped harder, string lists shortened and
// the steps slimmed (the plan holds their text) until it fits.
const LEVELS = [
  { text: 8_000, field: 2_000, list: 100, slimSteps: false, maxSteps: 50 },
  { text: 3_000, field: 600, list: 30, slimSteps: false, maxSteps: 50 },
  { text: 1_000, field: 200, list: 10, slimSteps: true, maxSteps: 50 },
  { text: 300, field: 80, list: 5, slimSteps: true, maxSteps: 20 },
] as const;

/** Clip every string and string list, dropping nulls on the way. */
export function clipAll(v: unknown, max: number, listMax: number): unknown {
  if (typeof v === "string") return clip(v, max);
  if (Array.isArray(v)) {
    const shortened = v.length > listMax && v.every((x) => typeof x === "string") ? [...v.slice(0, listMax), `… ${v.length - listMax} more`] : v;
    return shortened.map((x) => clipAll(x, max, listMax));
  }
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => [k, clipAll(x, max, listMax)]));
  }
  return v;
}

function taskOut(t: Task, level: (typeof LEVELS)[number]): Json {
  const { description, result, steps, plan, ...rest } = t;
  const shownSteps = steps.slice(0, level.maxSteps).map((s) => (level.slimSteps ? { seq: s.seq, status: s.status, commit: s.commit, error: s.error } : s));
  const shownPlan = plan && { ...plan, plan: plan.plan.slice(0, level.maxSteps) };
  const out = clipAll({ ...rest, plan: shownPlan, steps: shownSteps }, level.field, level.list) as Json;
  const omitted = Math.max(steps.length, plan?.plan.length ?? 0) - level.maxSteps;
  return dropNulls({
    id: out.id,
    name: out.name,
    description: clip(description, level.text),
    ...out,
    result: result === null ? undefined : clip(result, level.text),
    steps_omitted: omitted > 0 ? `${omitted} more steps: \`skep task show ${t.id}\`` : undefined,
  });
}

/**
 * An answer holding one task: `wrap` places the task (clipped harder at each level) among the
 * answer's other fields; the first level whose JSON fits one answer is sent.
 */
export function fitTask(t: Task, wrap: (task: Json) => Json): string {
  let text = "";
  for (const level of LEVELS) {
    text = JSON.stringify(wrap(taskOut(t, level)));
    if (text.length <= MAX_ANSWER_CHARS) return text;
  }
  return clip(text, MAX_ANSWER_CHARS - 40); // unreachable with the schema's limits; a last bound
}

/** The one-task answer: the task in full (as far as it fits), what to do next, and who answered. */
export function taskAnswer(t: Task, via: Via, extra: Json = {}): string {
  const h = hint(t, via);
  return fitTask(t, (task) => ({ task, hint: h, ...extra, via }));
}

export class TaskTools {
  constructor(private readonly repo: McpRepo) {}

  /** The task verbs of the repo's SkepApi. */
  private get backend() {
    return this.repo.api.tasks;
  }

  // ----------------------------------------------------------------------------------- list_tasks

  async listTasks(args: ListTasksArgs): Promise<string> {
    const offset = readCursor("list_tasks", args);
    const statuses = args.status === undefined ? undefined : (Array.isArray(args.status) ? args.status : [args.status]).map(status);
    const { value, via } = await this.backend.list(statuses);
    // Newest first: a long list is cut at its oldest end.
    const items = value.map(summary).reverse();
    return pageJson(
      items,
      offset,
      (page, next) => dropNulls({ tasks: page, total: items.length, next_cursor: next, via }),
      (o) => makeCursor("list_tasks", args, o),
    );
  }

  // ---------------------------------------------------------------------------------- create_task

  async createTask(args: CreateTaskArgs, progress?: Progress, signal?: AbortSignal): Promise<string> {
    await this.refuseInTaskWorktree("create_task");
    const description = checkDescription(args.description);
    progress?.("checking for duplicates...");
    const { value, via } = await this.backend.create(description, { onProgress: progress, signal });
    if (!value.task) {
      const d = value.duplicate!;
      const where = d.taskId !== null ? `task #${d.taskId} (show_task ${d.taskId})` : "the code (see reason)";
      return JSON.stringify({ duplicate: dropNulls({ ...d }), hint: `nothing created: already covered by ${where}`, via });
    }
    const t = value.task;
    return JSON.stringify(
      dropNulls({
        task_id: t.id,
        name: t.name,
        status: t.status,
        classification: t.classification,
        reason: t.reason === null ? undefined : clip(t.reason, 1_000),
        questions: t.questions.length ? t.questions.map((q) => clip(q, 1_000)) : undefined,
        plan_steps: t.plan ? t.plan.plan.length : undefined,
        note: value.classifyError ? `classification stopped: ${clip(value.classifyError.message, 500)}` : undefined,
        hint: t.plan && (t.status === "pending" || t.status === "classified") ? `show_task ${t.id} for the plan; ${hint(t, via)}` : hint(t, via),
        via,
      }),
    );
  }

  // ------------------------------------------------------------------------------------ show_task

  async showTask(args: TaskIdArgs): Promise<string> {
    const { value, via } = await this.backend.show(taskId(args));
    return taskAnswer(value, via);
  }

  // ------------------------------------------------------------------------------ approve, reject

  async approveTask(args: TaskIdArgs): Promise<string> {
    await this.refuseInTaskWorktree("approve_task");
    const { value, via } = await this.backend.approve(taskId(args));
    return decided(value, via);
  }

  async rejectTask(args: RejectTaskArgs): Promise<string> {
    await this.refuseInTaskWorktree("reject_task");
    if (args.reason !== undefined && args.reason.length > 2_000) throw new ToolError("reason is longer than 2000 characters: say why in a sentence or two");
    const { value, via } = await this.backend.reject(taskId(args), args.reason);
    return decided(value, via);
  }

  // --------------------------------------------------------------------------------- clarify_task

  async clarifyTask(args: ClarifyTaskArgs, progress?: Progress, signal?: AbortSignal): Promise<string> {
    await this.refuseInTaskWorktree("clarify_task");
    const answers = args.answers.filter((a) => a.answer.trim());
    if (!answers.length) throw new ToolError(`every answer is empty: answer at least one of the questions show_task ${args.task_id} lists`);
    if (JSON.stringify(answers).length > MAX_DESCRIPTION) throw new ToolError(`the answers are longer than ${MAX_DESCRIPTION} characters: answer briefly`);
    progress?.("classifying and planning again with the answers...");
    const { value, via } = await this.backend.clarify(taskId(args), { answers, onProgress: progress, signal });
    return taskAnswer(value, via);
  }

  // ---------------------------------------------------------------------------------- delete_task

  async deleteTask(args: TaskIdArgs): Promise<string> {
    await this.refuseInTaskWorktree("delete_task");
    const before = (await this.backend.show(taskId(args))).value;
    // Its branch is always kept: deleting work is for a person, with git.
    const { value, via } = await this.backend.delete(taskId(args), false);
    const kept = before.branch ? `its branch ${before.branch} is kept (delete it with git if its work is not wanted)` : undefined;
    return JSON.stringify(dropNulls({ ...value, hint: kept, via }));
  }

  // ----------------------------------------------------------------------------------- dedup_task

  /** Create's dedup gate without the optional LLM layer: the cheap layers over the tasks, then the index. */
  async dedupTask(args: DedupTaskArgs): Promise<string> {
    const description = checkDescription(args.description);
    const { value: tasks, via } = await this.backend.list(DEDUP_STATUSES);
    const cheap = checkCheap(
      description,
      tasks.map((t) => ({ id: t.id, description: t.description, status: t.status })),
    );
    let result: DedupResult = { duplicate: cheap.duplicate, layer: cheap.layer, taskId: cheap.taskId, score: cheap.score, reason: cheap.reason };
    if (!result.duplicate) {
      let db = null;
      try {
        db = openReadonly(this.repo.place.dbPath);
      } catch {
        // no index yet: the index layer has nothing to say
      }
      if (db) {
        try {
          const hit = checkIndex(description, indexLookup(db));
          if (hit?.duplicate) result = hit;
        } finally {
          db.close();
        }
      }
    }
    return JSON.stringify({ ...dropNulls({ ...result }), via });
  }

  // ---------------------------------------------------------------------------------------------

  private refuseInTaskWorktree(tool: string): Promise<void> {
    return refuseDecisions(this.repo, tool);
  }
}

/** The tools that only read: what a server that refuses decisions still answers. */
const READING_TOOLS = "list_tasks, show_task, dedup_task, get_remote_task and wait_remote_task work";

/**
 * A step of a running task gets this server for its worktree: it may read the queue, but
 * deciding on tasks (or queueing more from inside one, here or in a peer repo: the executor
 * delegates itself) is left to whoever runs the queue. The same for every server skep starts for
 * its own LLM calls (SKEP_MCP_TASKS=read, src/llm/mcp-config.ts).
 */
export async function refuseDecisions(repo: McpRepo, tool: string): Promise<void> {
  if (process.env.SKEP_MCP_TASKS === "read") {
    throw new ToolError(`this server was started by skep for one of its own LLM calls: ${tool} is refused there; ${READING_TOOLS}`);
  }
  const place = repo.place;
  let id = place.taskWorktree;
  if (id === null && place.worktree !== place.root) {
    // A linked worktree elsewhere: the store knows whether some task runs in it.
    const { value } = await repo.api.tasks.list();
    id = value.find((t) => t.worktree !== null && real(t.worktree) === real(place.worktree))?.id ?? null;
  }
  if (id === null) return;
  throw new ToolError(
    `this server runs in the worktree of ${id ? `task #${id}` : "a task"} (${place.worktree}): ${tool} is refused inside a task; ${READING_TOOLS}. Note follow-up work in the step's result instead`,
  );
}

function decided(t: Task, via: Via): string {
  return JSON.stringify({ task: { ...summary(t), ...dropNulls({ reason: t.reason === null ? undefined : clip(t.reason, 1_000) }) }, hint: hint(t, via), via });
}

/** A status list_tasks filters by; the schema leaves the enum out to stay lean. */
function status(s: string): TaskStatus {
  const parsed = TaskStatus.safeParse(s);
  if (!parsed.success) throw new ToolError(`status '${s}' is not a task status; the statuses are: ${TASK_STATUSES.join(", ")}`);
  return parsed.data;
}

function taskId(args: { task_id: number }): number {
  if (!Number.isSafeInteger(args.task_id) || args.task_id < 1) throw new ToolError(`task_id ${args.task_id} is not a task id: list_tasks shows the ids`);
  return args.task_id;
}

export function checkDescription(raw: string): string {
  const text = raw.trim();
  if (!text) throw new ToolError("description is empty: say what to do in a sentence or a few");
  if (text.length > MAX_DESCRIPTION) throw new ToolError(`description is longer than ${MAX_DESCRIPTION} characters: describe the task in a few sentences`);
  return text;
}

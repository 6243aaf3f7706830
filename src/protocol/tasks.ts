// Tasks on the wire: the states, the classifier's and planner's answers, a task and its steps as
// `--json`, the socket and MCP show them, the token ledger's rows, and the task events.
import { z } from "zod";
import { MAX_DESCRIPTION } from "./limits.ts";

export const TASK_STATUSES = [
  "created",
  "classified",
  "pending",
  "pending_clarification",
  "approved",
  "queued",
  "executing",
  "done",
  "failed",
  "interrupted",
  "rejected",
] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** States a task rests in until a person (or `task run`/`resume`) acts. */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ["done", "failed", "interrupted", "rejected"];
/** States of tasks still in flight: dedup compares new descriptions against these. */
export const ACTIVE_STATUSES: readonly TaskStatus[] = ["created", "classified", "pending", "pending_clarification", "approved", "queued", "executing"];

export const Classification = z.enum(["small", "large", "ambiguous", "reject"]);
export type Classification = z.infer<typeof Classification>;

/** What the classifier must answer (src/llm/prompts/classify.md). */
export const ClassifyAnswer = z.object({
  classification: Classification,
  confidence: z.number().min(0).max(1).default(0.5),
  reason: z.string().default(""),
  needs_clarification: z.boolean().default(false),
  clarifying_questions: z.array(z.string().min(1)).max(4).default([]),
  reject_reason: z.string().nullable().default(null),
});
export type ClassifyAnswer = z.infer<typeof ClassifyAnswer>;

export const STEP_VERBS = ["add", "modify", "delete", "test", "delegate", "verify"] as const;
export const StepVerb = z.enum(STEP_VERBS);
export type StepVerb = z.infer<typeof StepVerb>;

export const PlanStep = z.object({
  verb: StepVerb,
  /** Repo-relative file the step changes or checks; empty for steps without one (verify, delegate). */
  target_file: z.string().default(""),
  symbols: z.array(z.string()).default([]),
  description: z.string().min(1),
  /** The step's definition of done; for test and verify steps, the check itself. */
  acceptance: z.string().min(1),
  /** 0-based indexes of earlier steps this one needs. */
  depends_on: z.array(z.number().int().min(0)).default([]),
  /**
   * Delegate steps: the peer's task is part of what this task asks for, so the person who approves
   * this plan approves it too: the executor approves the peer task once the peer has planned it
   * (unless the peer's config says `accept_remote_approval: false`). Absent or false: a person on
   * the peer decides. Other steps leave it out.
   */
  approve_peer: z.boolean().optional(),
});
export type PlanStep = z.infer<typeof PlanStep>;

/** What the planner must answer (src/llm/prompts/plan.md). */
export const Plan = z
  .object({
    plan: z.array(PlanStep).min(1).max(50),
    files_affected: z.array(z.string()).default([]),
    symbols_affected: z.array(z.string()).default([]),
  })
  .superRefine((p, ctx) => {
    p.plan.forEach((s, i) => {
      for (const d of s.depends_on)
        if (d >= i) ctx.addIssue({ code: "custom", path: ["plan", i, "depends_on"], message: `step ${i} depends on step ${d}, which is not earlier` });
    });
  });
export type Plan = z.infer<typeof Plan>;

/** `waiting`: a delegate step whose peer task is not finished; its task is parked (tasks/queue.ts). */
export const StepStatus = z.enum(["pending", "running", "waiting", "done", "failed", "skipped"]);
export type StepStatus = z.infer<typeof StepStatus>;

/** A delegate step's task in a peer repo (recorded once the peer has it, so a resume waits on the same task). */
export const StepPeer = z.object({
  /** The peer's name in the workspace registry. */
  repo: z.string(),
  taskId: z.number().int(),
  /** The peer task's status as this repo last saw it (the peer's own store is the authority). */
  status: TaskStatus.nullable(),
  /** The peer task's branch, once it has one. */
  branch: z.string().nullable(),
});
export type StepPeer = z.infer<typeof StepPeer>;

export const TaskStep = z.object({
  seq: z.number().int().min(1),
  verb: StepVerb,
  targetFile: z.string(),
  description: z.string(),
  acceptance: z.string(),
  status: StepStatus,
  /** Commit made for this step (null when the step changed no file). */
  commit: z.string().nullable(),
  retries: z.number().int(),
  durationMs: z.number().nullable(),
  error: z.string().nullable(),
  /** Delegate steps: the peer task doing the work (null otherwise; absent from older daemons). */
  peer: StepPeer.nullable().optional(),
});
export type TaskStep = z.infer<typeof TaskStep>;

export const TokenTotals = z.object({
  calls: z.number().int(),
  input: z.number().int(),
  output: z.number().int(),
  cacheCreation: z.number().int(),
  cacheRead: z.number().int(),
  /** Of output, the tokens spent reasoning (absent from coordinator runs, whose ledger has no such column). */
  reasoning: z.number().int().optional(),
  /** input + cacheRead / 10: what the reference calls "effective billed input". */
  effectiveInput: z.number(),
  /** As the LLM CLI reported it (client-side price tables; not authoritative). */
  costUsd: z.number(),
  /** The backends that answered these calls ("claude", "script"), so replayed answers are never mistaken for a model's. */
  backends: z.array(z.string()),
});
export type TokenTotals = z.infer<typeof TokenTotals>;

export const Task = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  status: TaskStatus,
  classification: Classification.nullable(),
  confidence: z.number().nullable(),
  /** Why: the classifier's reason, a rejection, an ambiguity, or a failure. */
  reason: z.string().nullable(),
  questions: z.array(z.string()),
  plan: Plan.nullable(),
  steps: z.array(TaskStep),
  branch: z.string().nullable(),
  baseBranch: z.string().nullable(),
  baseCommit: z.string().nullable(),
  worktree: z.string().nullable(),
  sourceRepo: z.string().nullable(),
  sourceTaskId: z.number().int().nullable(),
  result: z.string().nullable(),
  tokens: TokenTotals,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Task = z.infer<typeof Task>;

export const LLM_PURPOSES = ["dedup", "classify", "plan", "step"] as const;
export const LlmPurpose = z.enum(LLM_PURPOSES);
export type LlmPurpose = z.infer<typeof LlmPurpose>;

/** What one LLM call used, as every ledger row records it (tasks' and coordinator runs'). */
export const CALL_USAGE = {
  input: z.number().int(),
  output: z.number().int(),
  cacheCreation: z.number().int(),
  cacheRead: z.number().int(),
  costUsd: z.number(),
  durationMs: z.number(),
};

/** One row of the token ledger: one LLM call. */
export const LlmCall = z.object({
  id: z.number().int(),
  taskId: z.number().int().nullable(),
  stepSeq: z.number().int().nullable(),
  purpose: LlmPurpose,
  attempt: z.number().int(),
  backend: z.string(),
  model: z.string().nullable(),
  ...CALL_USAGE,
  /** Of output, the tokens spent reasoning (0 for backends that do not say). */
  reasoning: z.number().int(),
  exitCode: z.number().int().nullable(),
  ok: z.boolean(),
  error: z.string().nullable(),
  at: z.string(),
});
export type LlmCall = z.infer<typeof LlmCall>;

export const DedupLayer = z.enum(["exact", "keyword", "trigram", "tfidf", "minhash", "index", "llm"]);
export type DedupLayer = z.infer<typeof DedupLayer>;

export const DedupResult = z.object({
  duplicate: z.boolean(),
  layer: DedupLayer.nullable(),
  /** The task it duplicates (null for the index layer, or no duplicate). */
  taskId: z.number().int().nullable(),
  score: z.number().nullable(),
  reason: z.string(),
});
export type DedupResult = z.infer<typeof DedupResult>;

// ------------------------------------------------------------------------------------ events

export const TaskStatusEvent = z.object({
  taskId: z.number().int(),
  from: TaskStatus.nullable(),
  to: TaskStatus,
  reason: z.string().nullable(),
});
export const TaskProgressEvent = z.object({
  taskId: z.number().int(),
  /** A short line for people: "classifying...", "step 2/3: modify src/a.ts". */
  message: z.string(),
  stepSeq: z.number().int().nullable(),
});
export const TaskDeletedEvent = z.object({ taskId: z.number().int() });

export const TASK_EVENTS = {
  "task.status": TaskStatusEvent,
  "task.progress": TaskProgressEvent,
  "task.deleted": TaskDeletedEvent,
} as const;

// ------------------------------------------------------------------------------------ verbs

const TaskId = z.number().int().min(1);

export const TaskIdParams = z.strictObject({ id: TaskId });
/**
 * An approval sent from another repo of the workspace (a delegate step approving on the person's
 * behalf, or `approve_remote_task`): the repo, and the task whose approved plan says so. This
 * repo's `accept_remote_approval: false` refuses it.
 */
export const RemoteApprover = z.strictObject({ repo: z.string().min(1).max(200), taskId: TaskId.nullable() });
export type RemoteApprover = z.infer<typeof RemoteApprover>;
export const TaskApproveParams = z.strictObject({ id: TaskId, from: RemoteApprover.optional() });
export const TaskCreateParams = z.strictObject({
  description: z.string().min(1).max(MAX_DESCRIPTION),
  /** Classify and plan without storing the task. */
  dryRun: z.boolean().default(false),
  /** Set when a peer repo's daemon delegates the task. */
  sourceRepo: z.string().min(1).max(200).optional(),
  sourceTaskId: TaskId.optional(),
});
export const TaskCreateAnswer = z.object({
  task: Task.nullable(),
  duplicate: DedupResult.nullable(),
  dryRun: z.boolean(),
});
export type TaskCreateAnswer = z.infer<typeof TaskCreateAnswer>;

export const TaskListParams = z.strictObject({ statuses: z.array(TaskStatus).optional() });
export const TaskListAnswer = z.object({ tasks: z.array(Task) });
export type TaskListAnswer = z.infer<typeof TaskListAnswer>;

export const TaskRejectParams = z.strictObject({ id: TaskId, reason: z.string().max(2000).optional() });
export const TaskClarifyParams = z.strictObject({
  id: TaskId,
  /** Answers given inline; without them the task's clarify.md is read. */
  answers: z.array(z.object({ question: z.string(), answer: z.string() })).optional(),
});
export const TaskDeleteParams = z.strictObject({ id: TaskId, deleteBranch: z.boolean().default(true) });
export const TaskDeleteAnswer = z.object({ id: TaskId, deleted: z.literal(true), branchDeleted: z.boolean() });
export type TaskDeleteAnswer = z.infer<typeof TaskDeleteAnswer>;

export const TaskWaitParams = z.strictObject({
  id: TaskId,
  /** `classified`: the pipeline has gated it (no longer created). `terminal`: done, failed, interrupted or rejected. */
  until: z.enum(["classified", "terminal"]),
  timeoutMs: z.number().int().min(1).max(3_600_000).default(600_000),
});
export const TaskWaitAnswer = z.object({ task: Task, timedOut: z.boolean() });
export type TaskWaitAnswer = z.infer<typeof TaskWaitAnswer>;

export const TaskAnswer = z.object({ task: Task });
export type TaskAnswer = z.infer<typeof TaskAnswer>;

export const CostAnswer = z.object({
  root: z.string(),
  total: TokenTotals,
  /** Calls of tasks since deleted, and of dry runs and duplicates: spent, but no task to show them under. */
  unattributed: TokenTotals,
  byPurpose: z.array(z.object({ purpose: LlmPurpose, tokens: TokenTotals })),
  tasks: z.array(z.object({ id: TaskId, name: z.string(), status: TaskStatus, tokens: TokenTotals })),
});
export type CostAnswer = z.infer<typeof CostAnswer>;

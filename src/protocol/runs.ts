// Coordinator runs (src/coordinator/): one change planned, executed and reviewed across the repos
// of a workspace. The run record, the coordinator's and the reviewer's answers (LLM output,
// validated here), and the CLI's/MCP's `--json` answers.
import { z } from "zod";
import { CALL_USAGE, TaskStatus, TokenTotals } from "./tasks.ts";

export const RUN_STATUSES = ["drafting", "pending_clarification", "pending", "running", "reviewing", "done", "failed", "rejected", "interrupted"] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ["done", "rejected"];
/** Where a run stops and waits for a person (or a resume). */
export const SETTLED_RUN_STATUSES: readonly RunStatus[] = ["pending_clarification", "pending", "done", "failed", "rejected", "interrupted"];

/** A repo name as the workspace registry spells it. */
const RepoName = z.string().min(1).max(200);

// ------------------------------------------------------------------ the coordinator's answer

export const CONTRACT_KINDS = ["route", "exception", "status", "retry", "deadline", "type", "event", "other"] as const;

export const ContractItem = z.object({
  /** Short and stable: the specs and the review refer to it ("C1", "adapter-disconnect"). */
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, "letters, digits, '_', '-' or '.', at most 40"),
  kind: z.enum(CONTRACT_KINDS),
  /** The name both sides must agree on: the route, the exception class, the status, ... */
  name: z.string().min(1).max(300),
  description: z.string().min(1).max(2000),
  producer: RepoName,
  consumers: z.array(RepoName).min(1),
});
export type ContractItem = z.infer<typeof ContractItem>;

export const RepoSpec = z.object({
  repo: RepoName,
  /** What this repo's worker does, in a few sentences: becomes its task's description. */
  summary: z.string().min(1).max(4000),
  owns: z.object({ paths: z.array(z.string().min(1)).default([]), symbols: z.array(z.string().min(1)).default([]) }),
  must_not_change: z.array(z.string().min(1)).default([]),
  implements: z.array(z.string()).default([]),
  consumes: z.array(z.string()).default([]),
  acceptance: z.array(z.string().min(1)).min(1),
  /** Repos whose worker must be done before this one starts ("server before client"). */
  after: z.array(RepoName).default([]),
  /** The coordinator's sizing: `--auto` runs a multi-repo run only when every spec is small. */
  size: z.enum(["small", "large"]),
});
export type RepoSpec = z.infer<typeof RepoSpec>;

const CoordinatorShape = z.object({
  contract: z.object({
    summary: z.string().min(1).max(4000),
    items: z.array(ContractItem).min(1),
    risks: z.array(z.string()).default([]),
    expected_behaviour: z.string().min(1).max(4000),
  }),
  specs: z.array(RepoSpec).min(1),
});
export type CoordinatorAnswer = z.infer<typeof CoordinatorShape>;

/**
 * The coordinator's answer for a run over `repos`: one spec per listed repo, every name and item
 * reference known, and an ordering without a cycle. The messages go back to the model on the retry.
 */
export function coordinatorAnswer(repos: readonly string[]) {
  return CoordinatorShape.superRefine((a, ctx) => {
    const known = new Set(repos);
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const names = a.specs.map((s) => s.repo);
    for (const r of repos) if (!names.includes(r)) issue(["specs"], `no spec for repo '${r}' (one spec per repo: ${repos.join(", ")})`);
    names.forEach((n, i) => {
      if (!known.has(n)) issue(["specs", i, "repo"], `'${n}' is not one of the run's repos (${repos.join(", ")})`);
      else if (names.indexOf(n) !== i) issue(["specs", i, "repo"], `two specs for '${n}'`);
    });
    const ids = a.contract.items.map((c) => c.id);
    ids.forEach((id, i) => ids.indexOf(id) !== i && issue(["contract", "items", i, "id"], `duplicate contract item id '${id}'`));
    a.contract.items.forEach((c, i) => {
      for (const r of [c.producer, ...c.consumers]) if (!known.has(r)) issue(["contract", "items", i], `item ${c.id} names '${r}', not one of the run's repos`);
    });
    a.specs.forEach((s, i) => {
      for (const id of [...s.implements, ...s.consumes]) if (!ids.includes(id)) issue(["specs", i], `spec for ${s.repo} refers to contract item '${id}', which the contract does not list`);
      for (const r of s.after) if (!known.has(r) || r === s.repo) issue(["specs", i, "after"], `spec for ${s.repo} waits for '${r}', not another repo of the run`);
    });
    const cycle = orderingCycle(a.specs);
    if (cycle) issue(["specs"], `the ordering has a cycle: ${cycle.join(" → ")}`);
  });
}

/**
 * The coordinator's other answer: the change cannot be specified without a person (which repo owns
 * a piece, which of two contracts is meant). Strict, so a nested object of a spec answer never
 * passes for it.
 */
export const CoordinatorQuestions = z.strictObject({ questions: z.array(z.string().min(1).max(1000)).min(1).max(8) });
export type CoordinatorQuestions = z.infer<typeof CoordinatorQuestions>;

/**
 * What a coordinator call may answer: the specs, or questions for a person. An object with a
 * `questions` key and no `specs` is held to the questions shape, anything else to the specs', so
 * the retry names the errors of the shape the model was aiming at (a union would name both).
 */
export function coordinatorReply(repos: readonly string[]) {
  const specs = coordinatorAnswer(repos);
  return z.unknown().transform((v, ctx): CoordinatorAnswer | CoordinatorQuestions => {
    const asks = typeof v === "object" && v !== null && "questions" in v && !("specs" in v);
    const r = asks ? CoordinatorQuestions.safeParse(v) : specs.safeParse(v);
    if (r.success) return r.data;
    for (const issue of r.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  });
}

/** A cycle in the specs' `after` relation, as a path of repo names, or null. */
export function orderingCycle(specs: readonly Pick<RepoSpec, "repo" | "after">[]): string[] | null {
  const after = new Map(specs.map((s) => [s.repo, s.after]));
  const state = new Map<string, "open" | "done">();
  const visit = (r: string, path: string[]): string[] | null => {
    if (state.get(r) === "done") return null;
    if (state.get(r) === "open") return [...path.slice(path.indexOf(r)), r];
    state.set(r, "open");
    for (const d of after.get(r) ?? []) {
      const c = visit(d, [...path, r]);
      if (c) return c;
    }
    state.set(r, "done");
    return null;
  };
  for (const s of specs) {
    const c = visit(s.repo, []);
    if (c) return c;
  }
  return null;
}

// ------------------------------------------------------------------------- the review's answer

export const Verdict = z.enum(["holds", "broken", "untested"]);
export type Verdict = z.infer<typeof Verdict>;

export const SideRef = z.object({ repo: RepoName, file: z.string().min(1), line: z.number().int().min(1) });
export type SideRef = z.infer<typeof SideRef>;

export const ItemVerdict = z.object({
  id: z.string(),
  verdict: Verdict,
  /** Where each side of the item is, on the workers' branches. */
  sides: z.array(SideRef).default([]),
  note: z.string().max(4000).default(""),
});
export type ItemVerdict = z.infer<typeof ItemVerdict>;

const ReviewShape = z.object({
  summary: z.string().min(1).max(4000),
  items: z.array(ItemVerdict),
  look_at: z.array(z.string()).default([]),
});
export type ReviewAnswer = z.infer<typeof ReviewShape>;

/** The review of a run whose contract lists `itemIds`: one verdict per item, a broken one with a place on each side. */
export function reviewAnswer(itemIds: readonly string[]) {
  return ReviewShape.superRefine((a, ctx) => {
    const got = a.items.map((i) => i.id);
    for (const id of itemIds) if (!got.includes(id)) ctx.addIssue({ code: "custom", path: ["items"], message: `no verdict for contract item '${id}' (items: ${itemIds.join(", ")})` });
    a.items.forEach((i, n) => {
      if (!itemIds.includes(i.id)) ctx.addIssue({ code: "custom", path: ["items", n, "id"], message: `'${i.id}' is not a contract item` });
      if (i.verdict === "broken" && i.sides.length < 1) ctx.addIssue({ code: "custom", path: ["items", n, "sides"], message: `broken item ${i.id} needs file:line for the side(s) that disagree` });
    });
  });
}

// ------------------------------------------------------------------------------- the run record

export const RunRepo = z.object({ name: RepoName, path: z.string() });
export type RunRepo = z.infer<typeof RunRepo>;

/** One repo's worker: the task the run created in that repo, as last seen. */
export const RunWorker = z.object({
  repo: RepoName,
  taskId: z.number().int().nullable(),
  status: TaskStatus.nullable(),
  branch: z.string().nullable(),
  baseCommit: z.string().nullable(),
  reason: z.string().nullable(),
});
export type RunWorker = z.infer<typeof RunWorker>;

export const Run = z.object({
  id: z.number().int().min(1),
  spec: z.string(),
  status: RunStatus,
  /** Why it waits, failed, or was rejected. */
  reason: z.string().nullable(),
  workspace: z.string(),
  repos: z.array(RunRepo),
  /** The repo whose `.skep/config.json` chose the coordinator's backend and model. */
  configRepo: z.string(),
  workers: z.array(RunWorker),
  /** The coordinator's open questions while the run is pending_clarification. */
  questions: z.array(z.string()).default([]),
  /** Every answer a person gave; each drafting sees them beside the change. */
  clarifications: z.array(z.object({ question: z.string(), answer: z.string() })).default([]),
  /** The process driving the run (workers, review) while it is running or reviewing. */
  driverPid: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Run = z.infer<typeof Run>;

export const RunEvent = z.object({ at: z.string(), from: RunStatus.nullable(), to: RunStatus, reason: z.string().nullable() });
export type RunEvent = z.infer<typeof RunEvent>;

export const RUN_STAGES = ["coordinate", "review"] as const;
export const RunStage = z.enum(RUN_STAGES);

/** One LLM call of the run's own stages (the workers' calls are in their repos' ledgers). */
export const RunLedgerRow = z.object({
  stage: RunStage,
  attempt: z.number().int(),
  backend: z.string(),
  model: z.string().nullable(),
  ...CALL_USAGE,
  ok: z.boolean(),
  error: z.string().nullable(),
  at: z.string(),
});
export type RunLedgerRow = z.infer<typeof RunLedgerRow>;

export const RunTokens = z.object({
  byStage: z.array(z.object({ stage: z.string(), tokens: TokenTotals })),
  byRepo: z.array(z.object({ repo: z.string(), taskId: z.number().int().nullable(), tokens: TokenTotals })),
  total: TokenTotals,
});
export type RunTokens = z.infer<typeof RunTokens>;

// ------------------------------------------------------------------------------- answers

export const RunShowAnswer = z.object({
  run: Run,
  contract: CoordinatorShape.shape.contract.nullable(),
  specs: z.array(RepoSpec),
  /** Ready-to-read files of the run. */
  files: z.object({ dir: z.string(), contract: z.string().nullable(), report: z.string().nullable(), log: z.string() }),
  review: ReviewShape.nullable(),
  tokens: RunTokens,
});
export type RunShowAnswer = z.infer<typeof RunShowAnswer>;

export const RunListAnswer = z.object({ workspace: z.string(), runs: z.array(Run) });

// ------------------------------------------------------------------------------- MCP tool inputs

// The id's range and an empty spec are checked by the tools (src/mcp/run-tools.ts): lean schemas.
const runId = z.coerce.number();

export const CoordinateInput = {
  spec: z.string().describe("the change"),
  repos: z.array(z.string()).optional().describe("default: all"),
};
export const RunIdInput = { id: runId };
export const WaitRunInput = {
  id: runId,
  timeout_sec: z.number().optional().describe("max 3600"),
};

/** `skep run delete --json`. */
export const RunDeleteAnswer = z.object({ id: z.number(), deleted: z.literal(true) });
/** `skep run follow-up --json`: the task created in one repo. */
export const FollowUpAnswer = z.object({ repo: z.string(), taskId: z.number(), status: z.string() });

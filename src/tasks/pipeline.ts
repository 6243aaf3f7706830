// Classify and plan a created task, in parallel, then gate it: the classifier (a cheap model, no
// tools) sizes it while the planner (with skep's MCP tools on this repo) writes the plan. A reject
// or a need for clarification cancels the planner. Invalid output gets one retry with the
// validation error; after that the task waits for a person, with the reason.
import { writeFileSync } from "node:fs";
import type { z } from "zod";
import { ZERO_USAGE, type LlmBackend, type LlmRequest, type LlmResult } from "../llm/backend.ts";
import { render } from "../llm/prompts.ts";
import type { RepoConfig } from "../protocol/config.ts";
import { ClassifyAnswer, Plan, type LlmPurpose, type Task } from "../protocol/tasks.ts";
import { peerBlock, promptContext, type PromptContext } from "./context.ts";
import { extractJson } from "./extract-json.ts";
import { formatPlan } from "./format.ts";
import { ensureTaskDir } from "./paths.ts";
import type { TaskStore } from "./store.ts";

export interface TaskDeps {
  store: TaskStore;
  root: string;
  skepDir: string;
  dbPath: string;
  config: RepoConfig;
  /** The backend and model for a purpose (src/llm/select.ts; tests inject their own). */
  backends: (purpose: LlmPurpose) => { backend: LlmBackend; model?: string };
  /** Progress lines for people ("classifying...", "step 2/3 ..."). */
  progress?: (taskId: number, message: string, stepSeq?: number | null) => void;
}

type JsonCall<T> = { ok: true; value: T } | { ok: false; error: string; aborted: boolean };

/** Run one LLM call for a JSON answer, with one retry when the answer is invalid or the call failed. */
export async function callForJson<T extends z.ZodType>(
  deps: TaskDeps,
  taskId: number | null,
  purpose: LlmPurpose,
  prompt: string,
  schema: T,
  opts: { mcpRepo?: string; maxTurns?: number; signal?: AbortSignal; timeoutMs: number },
): Promise<JsonCall<z.infer<T>>> {
  let chosen: ReturnType<TaskDeps["backends"]>;
  try {
    chosen = deps.backends(purpose);
  } catch (err) {
    return { ok: false, error: (err as Error).message, aborted: false };
  }
  const { backend, model } = chosen;
  let error = "";
  for (let attempt = 1; attempt <= 2; attempt++) {
    const text =
      attempt === 1
        ? prompt
        : `${prompt}\n\nYour previous answer could not be used: ${error}\nAnswer again with only the JSON object described above.`;
    const res = await runSafely(backend, {
      purpose,
      prompt: text,
      model,
      cwd: deps.root,
      mcpRepo: opts.mcpRepo,
      maxTurns: opts.maxTurns,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
    });
    deps.store.recordCall({ taskId, purpose, attempt, result: res });
    if (res.aborted) return { ok: false, error: "cancelled", aborted: true };
    if (!res.ok) {
      error = `the ${backend.name} call failed: ${res.error ?? "unknown error"}`;
      if (/timed out/i.test(res.error ?? "")) break; // a second wait as long as the first rarely helps
      continue;
    }
    const parsed = extractJson(res.text, schema);
    if (parsed.ok) return { ok: true, value: parsed.value };
    error = `invalid ${purpose} answer: ${parsed.error}`;
  }
  return { ok: false, error, aborted: false };
}

/** A backend must not throw; one that does still yields a failed, recorded call instead of a lost task. */
export async function runSafely(backend: LlmBackend, req: LlmRequest): Promise<LlmResult> {
  const started = performance.now();
  try {
    return await backend.run(req);
  } catch (err) {
    return {
      ok: false,
      text: "",
      error: `the ${backend.name} backend failed: ${(err as Error)?.message ?? String(err)}`,
      usage: { ...ZERO_USAGE },
      costUsd: 0,
      durationMs: performance.now() - started,
      exitCode: null,
      model: req.model ?? null,
      sessionId: null,
      backend: backend.name,
      aborted: req.signal?.aborted ?? false,
    };
  }
}

/** What the classify and plan prompts are filled with (exported for their golden tests). */
export function planningVars(description: string, clarifications: readonly { question: string; answer: string }[], ctx: PromptContext): Record<string, string> {
  const task = clarifications.length ? `${description}\n\nClarifications:\n${clarifications.map((c) => `- ${c.question}: ${c.answer}`).join("\n")}` : description;
  return { repo: ctx.repo, repo_map: ctx.repoMap, peer_repos: peerBlock(ctx.peers), task };
}

/** Classify and plan task `id` (status created), then move it to its gate. Returns the task. */
export async function classifyAndPlan(deps: TaskDeps, id: number, opts: { signal?: AbortSignal } = {}): Promise<Task> {
  const { store, config } = deps;
  const task = store.get(id);
  const clarifications = store.internals(id).clarifications;
  const vars = planningVars(task.description, clarifications, promptContext(deps.root, deps.dbPath));
  const files = ensureTaskDir(deps.skepDir, id);
  const classifyPrompt = render("classify", vars);
  const planPrompt = render("plan", vars);
  writeFileSync(`${files.prompts}/classify.md`, classifyPrompt);
  writeFileSync(`${files.prompts}/plan.md`, planPrompt);

  deps.progress?.(id, `classifying and planning... (${describeBackends(deps)})`);
  const timeoutMs = config.classify_timeout_sec * 1000;
  const planAbort = new AbortController();
  const onOuterAbort = () => planAbort.abort();
  opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
  // The classifier answers from the prompt alone; a few turns at most, should the CLI's model look around.
  const classifyP = callForJson(deps, id, "classify", classifyPrompt, ClassifyAnswer, { timeoutMs, maxTurns: 3, signal: opts.signal });
  const planP = callForJson(deps, id, "plan", planPrompt, Plan, {
    timeoutMs,
    mcpRepo: deps.root,
    maxTurns: config.plan_max_turns,
    signal: planAbort.signal,
  });

  const cls = await classifyP;
  if (cls.ok) deps.progress?.(id, `classified: ${cls.value.classification}`);
  const stopsPlanning = cls.ok && (cls.value.classification === "reject" || cls.value.needs_clarification);
  if (stopsPlanning || (!cls.ok && cls.aborted)) planAbort.abort();
  const plan = await planP;
  opts.signal?.removeEventListener("abort", onOuterAbort);
  if (opts.signal?.aborted) throw new Error("classification was cancelled");

  const answer: ClassifyAnswer = cls.ok
    ? cls.value
    : { classification: "ambiguous", confidence: 0, reason: `classify failed: ${cls.error}`, needs_clarification: false, clarifying_questions: [], reject_reason: null };
  const validPlan = plan.ok ? plan.value : null;
  if (validPlan) {
    writeFileSync(files.plan, `# Plan for task #${id}: ${task.name}\n\n${formatPlan(validPlan)}\n`);
    deps.progress?.(id, `plan ready (${validPlan.plan.length} step${validPlan.plan.length === 1 ? "" : "s"}, ${describeReach(validPlan)})`);
  } else if (!stopsPlanning && !plan.ok) deps.progress?.(id, `no plan: ${plan.error}`);

  store.transition(id, "classified", {
    from: ["created"],
    reason: answer.reason || null,
    patch: { classification: answer.classification, confidence: answer.confidence, reason: answer.reason || null, questions: answer.clarifying_questions, plan: validPlan },
  });
  if (validPlan) store.setSteps(id, validPlan);
  gate(deps, id, answer, validPlan, plan.ok ? null : plan.error, files.clarify);
  return store.get(id);
}

/** The gate's own approvals say this; a person's do not (delegate.ts tells them apart by it). */
export const AUTO_APPROVAL = /: approved automatically\b/;

/** Where a classified task goes next: rejected, waiting for answers, approved, or waiting for a person. */
function gate(deps: TaskDeps, id: number, answer: ClassifyAnswer, plan: Plan | null, planError: string | null, clarifyFile: string): void {
  const { store, config } = deps;
  const task = store.get(id);
  if (answer.classification === "reject") {
    store.transition(id, "rejected", { reason: `rejected by the classifier: ${answer.reject_reason ?? answer.reason}` });
    return;
  }
  const questions = answer.clarifying_questions;
  if (answer.needs_clarification || (answer.classification === "ambiguous" && questions.length)) {
    writeFileSync(clarifyFile, clarifyText(task, questions.length ? questions : ["What exactly should change, and how will we know it is done?"]));
    store.transition(id, "pending_clarification", { reason: `needs clarification: answer the questions in ${clarifyFile}, then run \`skep task clarify ${id}\`` });
    return;
  }
  if (!plan) {
    const classifyFailed = answer.reason.startsWith("classify failed") ? `; ${answer.reason}` : "";
    store.transition(id, "pending", { reason: `ambiguous: no valid plan (${planError ?? "none"})${classifyFailed}`, patch: { classification: "ambiguous" } });
    return;
  }
  if (answer.classification === "small" && (config.auto_execute_small || task.sourceRepo)) {
    store.transition(id, "approved", { reason: task.sourceRepo ? `small task delegated by ${task.sourceRepo}: approved automatically` : "small task: approved automatically (auto_execute_small)" });
    return;
  }
  const said = answer.reason ? ` (${answer.reason})` : "";
  const why =
    answer.classification === "ambiguous"
      ? `ambiguous${said}: waiting for a person`
      : answer.classification === "small"
        ? `small${said}: waiting for approval (auto_execute_small is off)`
        : `${answer.classification}${said}: waiting for approval`;
  store.transition(id, "pending", { reason: why });
}

function describeReach(plan: Plan): string {
  const delegated = [...new Set(plan.plan.filter((s) => s.verb === "delegate").map((s) => /^Delegate to ([^:]+):/i.exec(s.description)?.[1]?.trim() ?? "peer"))];
  if (delegated.length) return `peer delegation: ${delegated.join(", ")}`;
  const files = new Set([...plan.files_affected, ...plan.plan.map((s) => s.target_file).filter(Boolean)]);
  return `${files.size} file${files.size === 1 ? "" : "s"} affected`;
}

export function clarifyText(task: Task, questions: string[]): string {
  return questionsText(`task #${task.id}`, `Task: ${task.description}`, `skep task clarify ${task.id}`, questions);
}

/** A clarify file (read back by parseClarify): heading, what is asked about, Q/A pairs to fill in. */
export function questionsText(what: string, subject: string, command: string, questions: readonly string[]): string {
  const qa = questions.map((q, i) => `Q${i + 1}: ${q}\nA${i + 1}: \n`).join("\n");
  return `# Clarification needed for ${what}\n\n${subject}\n\nWrite your answers after each A line (several lines are fine), then run \`${command}\`.\n\n---\n\n${qa}`;
}

/** The question/answer pairs of a clarify file; answers may span lines. */
export function parseClarify(text: string): { question: string; answer: string }[] {
  const body = text.split(/^---\s*$/m).slice(1).join("---");
  const out: { question: string; answer: string }[] = [];
  let current: { question: string; answer: string[] } | null = null;
  let inAnswer = false;
  for (const line of body.split("\n")) {
    const q = /^Q(\d+):\s*(.*)$/.exec(line);
    const a = /^A(\d+):\s*(.*)$/.exec(line);
    if (q) {
      if (current) out.push({ question: current.question, answer: current.answer.join("\n").trim() });
      current = { question: q[2]!.trim(), answer: [] };
      inAnswer = false;
    } else if (a && current) {
      current.answer.push(a[2]!);
      inAnswer = true;
    } else if (current && inAnswer) current.answer.push(line);
  }
  if (current) out.push({ question: current.question, answer: current.answer.join("\n").trim() });
  return out;
}

/** "classify: claude haiku, plan: claude sonnet": which backend and model answer, named in the output. */
function describeBackends(deps: TaskDeps): string {
  return (["classify", "plan"] as const)
    .map((purpose) => {
      try {
        const { backend, model } = deps.backends(purpose);
        return `${purpose}: ${backend.name}${backend.name === "script" ? " (replayed answers)" : ""}${model ? ` ${model}` : ""}`;
      } catch (err) {
        return `${purpose}: ${(err as Error).message}`;
      }
    })
    .join(", ");
}

// The LLM layer, for what the cheap layers cannot see: paraphrases with no words in common, bug
// reports against the task that fixes them, sub-tasks of work in flight. One call to the dedup
// model with the five candidates closest by keyword overlap. Anything but a clear answer naming
// one of those five counts as "not a duplicate": a wrongly dropped task is worse than a second look.
import { z } from "zod";
import type { LlmBackend, LlmResult } from "../../llm/backend.ts";
import template from "../../llm/prompts/dedup.md" with { type: "text" };
import type { DedupResult } from "../../protocol/tasks.ts";
import { extractJson } from "../extract-json.ts";
import type { DedupCandidate } from "./cheap.ts";
import { prepare } from "./layers.ts";
import { duplicateReason } from "./reason.ts";
import { jaccard, keywordScore } from "./similarity.ts";

/** Candidates shown to the model, as in the reference. */
export const LLM_CANDIDATES = 5;

export interface LlmDedupOptions {
  model?: string;
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What the model must answer. `duplicate_of` may come back as "3" or "#3"; both mean task 3. */
export const LlmDedupAnswer = z.object({
  duplicate: z.boolean(),
  duplicate_of: z
    .union([z.number().int(), z.string().regex(/^\s*#?\d+\s*$/).transform((s) => Number(s.replace(/[#\s]/g, ""))), z.null()])
    .optional()
    .transform((v) => v ?? null),
  reason: z.string().default(""),
});

/**
 * Ask the model about the candidates the caller chose (runDedup: tasks in DEDUP_STATUSES). `call`
 * is the backend's result, for the caller to record in the ledger. With no candidate there is
 * nothing to ask: callers skip the layer then (a RangeError says they did not).
 */
export async function checkLlm(
  description: string,
  candidates: readonly DedupCandidate[],
  backend: LlmBackend,
  opts: LlmDedupOptions,
): Promise<{ result: DedupResult; call: LlmResult }> {
  if (!candidates.length) throw new RangeError("checkLlm: no candidate task to compare with (skip the LLM layer)");
  const shown = topCandidates(description, candidates);

  const call = await backend.run({
    purpose: "dedup",
    prompt: dedupPrompt(description, shown),
    model: opts.model,
    cwd: opts.cwd,
    allowEdits: false,
    maxTurns: 1,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
  });
  return { result: judge(call, shown), call };
}

/** The LLM_CANDIDATES candidates sharing most of the new description's terms (ties: more similar overall, then newer). */
export function topCandidates(description: string, candidates: readonly DedupCandidate[]): DedupCandidate[] {
  const incoming = prepare(description);
  return candidates
    .map((c) => {
      const p = prepare(c.description);
      return { c, overlap: keywordScore(incoming.terms, p.terms), sim: jaccard(incoming.terms, p.terms) };
    })
    .sort((a, b) => b.overlap - a.overlap || b.sim - a.sim || b.c.id - a.c.id)
    .slice(0, LLM_CANDIDATES)
    .map((x) => x.c);
}

export function dedupPrompt(description: string, shown: readonly DedupCandidate[]): string {
  // One line per task: a description's own line breaks would blur where one task ends.
  const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
  const list = shown.map((c) => `#${c.id} [${c.status}] ${oneLine(c.description)}`).join("\n");
  return template.replace("{{task}}", () => oneLine(description)).replace("{{candidates}}", () => list);
}

function judge(call: LlmResult, shown: readonly DedupCandidate[]): DedupResult {
  if (!call.ok) return notDuplicate(`LLM dedup call failed (${call.error ?? "no reason given"}); treated as not a duplicate`);
  const parsed = extractJson(call.text, LlmDedupAnswer);
  if (!parsed.ok) return notDuplicate(`LLM dedup answer unusable (${parsed.error}); treated as not a duplicate`);
  const answer = parsed.value;
  const why = answer.reason.trim();
  if (!answer.duplicate) return notDuplicate(why ? `not a duplicate: ${why}` : "not a duplicate");
  const task = shown.find((c) => c.id === answer.duplicate_of);
  if (!task) {
    const named = answer.duplicate_of === null ? "no task" : `task #${answer.duplicate_of}`;
    return notDuplicate(`LLM called it a duplicate of ${named}, not one of the tasks shown (${shown.map((c) => c.id).sort((a, b) => a - b).map((id) => `#${id}`).join(", ")}); treated as not a duplicate`);
  }
  return { duplicate: true, layer: "llm", taskId: task.id, score: null, reason: why ? `${duplicateReason(task)}: ${why}` : duplicateReason(task) };
}

function notDuplicate(reason: string): DedupResult {
  return { duplicate: false, layer: null, taskId: null, score: null, reason };
}

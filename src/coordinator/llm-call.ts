// One LLM call of a run's own stages (coordinate, review) for a JSON answer: the configured
// planner backend, read-only, with the workspace MCP server over the run's repos, cwd the
// workspace. Every call is a row in the run's ledger (failed ones too); an invalid answer or a
// failed call is tried once more with the reason appended (a timeout is not: a second wait as long
// as the first rarely helps).
import type { z } from "zod";
import type { LlmBackend } from "../llm/backend.ts";
import type { RepoConfig } from "../protocol/config.ts";
import type { Run } from "../protocol/runs.ts";
import { extractJson } from "../tasks/extract-json.ts";
import { runSafely } from "../tasks/pipeline.ts";
import type { RunStore } from "./store.ts";

export interface StageDeps {
  store: RunStore;
  /** The `.skep/config.json` of the run's configRepo (backend, model, timeouts, turns). */
  config: RepoConfig;
  /** The planner backend and model (src/llm/select.ts `backendFor("plan", ...)`; tests inject their own). */
  backend: () => { backend: LlmBackend; model?: string };
  /** Progress lines for people. */
  say: (message: string) => void;
}

export type StageResult<T> = { ok: true; value: T; text: string } | { ok: false; error: string; aborted: boolean };

export async function callStage<T extends z.ZodType>(
  deps: StageDeps,
  run: Run,
  stage: "coordinate" | "review",
  prompt: string,
  schema: T,
  signal?: AbortSignal,
): Promise<StageResult<z.infer<T>>> {
  let chosen;
  try {
    chosen = deps.backend();
  } catch (err) {
    return { ok: false, error: (err as Error).message, aborted: false };
  }
  const { backend, model } = chosen;
  let error = "";
  for (let attempt = 1; attempt <= 2; attempt++) {
    const text = attempt === 1 ? prompt : `${prompt}\n\nYour previous answer could not be used: ${error}\nAnswer again with only the JSON object described above.`;
    deps.say(`${stage}: asking ${backend.name}${backend.name === "script" ? " (replayed answers)" : ""}${model ? ` ${model}` : ""}${attempt > 1 ? " again" : ""}...`);
    const res = await runSafely(backend, {
      purpose: "plan",
      prompt: text,
      model,
      cwd: run.workspace,
      mcpWorkspace: { workspace: run.workspace, repos: run.repos.map((r) => r.name) },
      allowEdits: false,
      maxTurns: deps.config.plan_max_turns,
      timeoutMs: deps.config.classify_timeout_sec * 1000,
      signal,
      onLine: (line) => deps.store.log(run.id, `[${stage}] ${line}`),
    });
    deps.store.recordCall(run.id, {
      stage,
      attempt,
      backend: res.backend,
      model: res.model,
      input: res.usage.input,
      output: res.usage.output,
      cacheCreation: res.usage.cacheCreation,
      cacheRead: res.usage.cacheRead,
      costUsd: res.costUsd,
      durationMs: Math.round(res.durationMs),
      ok: res.ok,
      error: res.error,
      at: new Date().toISOString(),
    });
    if (res.aborted) return { ok: false, error: "interrupted", aborted: true };
    if (!res.ok) {
      error = `the ${backend.name} call failed: ${res.error ?? "unknown error"}`;
      if (/timed out/i.test(res.error ?? "")) break;
      continue;
    }
    const parsed = extractJson(res.text, schema);
    if (parsed.ok) return { ok: true, value: parsed.value, text: res.text };
    error = `invalid ${stage} answer: ${parsed.error}`;
    deps.say(`${stage}: ${error}`);
  }
  return { ok: false, error, aborted: false };
}

// Which backend and model answer a call of a given purpose, from `.skep/config.json`:
// `llm_<purpose>` beats `llm`; classify and dedup default to a small model, plans and steps use
// `model` (a verb-specific step model, `step_model_by_verb`, is the caller's choice to make).
import { isAbsolute, resolve } from "node:path";
import type { RepoConfig } from "../protocol/config.ts";
import { requireTrusted } from "../trust/repo-values.ts";
import type { LlmPurpose } from "../protocol/tasks.ts";
import type { LlmBackend } from "./backend.ts";
import { ClaudeBackend } from "./claude.ts";
import { ScriptBackend } from "./script.ts";

export const KNOWN_BACKENDS = ["claude", "script"] as const;

/** The backend name configured for a purpose. */
export function backendNameFor(purpose: LlmPurpose, config: RepoConfig): string {
  const own = { classify: config.llm_classify, plan: config.llm_plan, step: config.llm_step, dedup: config.llm_dedup }[purpose];
  return own ?? config.llm;
}

/** The model configured for a purpose (undefined: the backend's default). */
export function modelFor(purpose: LlmPurpose, config: RepoConfig): string | undefined {
  switch (purpose) {
    case "classify":
      return config.model_classify ?? "haiku";
    case "dedup":
      return config.model_dedup ?? config.model_classify ?? "haiku";
    case "plan":
      return config.model_plan ?? config.model;
    case "step":
      return config.model;
  }
}

/** The claude executable: SKEP_CLAUDE_BIN (tests) beats claude_bin; a relative path is taken from the repo root. */
export function claudeBinFor(config: RepoConfig, root: string): string {
  const bin = process.env.SKEP_CLAUDE_BIN || config.claude_bin || "claude";
  return bin.includes("/") && !isAbsolute(bin) ? resolve(root, bin) : bin;
}

/** Throws for a misconfiguration (unknown backend, script without a file): the caller reports it. */
export function backendFor(purpose: LlmPurpose, config: RepoConfig, root: string): { backend: LlmBackend; model: string | undefined } {
  const name = backendNameFor(purpose, config);
  const model = modelFor(purpose, config);
  switch (name) {
    case "claude":
      // A claude_bin that arrived with the repo is data until this user trusts it (skep trust).
      requireTrusted(config, root, "claude_bin");
      return { backend: new ClaudeBackend({ bin: claudeBinFor(config, root) }), model };
    case "script":
      if (!config.llm_script) {
        throw new Error(`llm backend 'script' for ${purpose} needs llm_script in .skep/config.json (the JSON file of answers to replay)`);
      }
      return { backend: new ScriptBackend(resolve(root, config.llm_script)), model };
    default:
      throw new Error(`unknown llm backend '${name}' for ${purpose} (known: ${KNOWN_BACKENDS.join(", ")})`);
  }
}

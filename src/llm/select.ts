// Which backend and model answer a call of a given purpose, from `.skep/config.json`:
// `llm_<purpose>` beats `llm`; classify and dedup default to a small model, plans and steps use
// `model` (a verb-specific step model, `step_model_by_verb`, is the caller's choice to make).
// The model defaults are Claude's aliases; a backend that is not Claude's gets its own default
// for them instead, so `llm_step: codex` works without naming a model.
import { isAbsolute, resolve } from "node:path";
import type { RepoConfig } from "../protocol/config.ts";
import { requireTrusted } from "../trust/repo-values.ts";
import type { LlmPurpose } from "../protocol/tasks.ts";
import type { LlmBackend } from "./backend.ts";
import { ClaudeBackend } from "./claude.ts";
import { CodexBackend } from "./codex.ts";
import { GEMINI_DEFAULT_MODEL, GeminiBackend } from "./gemini.ts";
import { ScriptBackend } from "./script.ts";

export const KNOWN_BACKENDS = ["claude", "codex", "gemini", "script"] as const;
/** The backends that are a CLI skep runs (each with its `<name>_bin` key and SKEP_<NAME>_BIN override). */
export const CLI_BACKENDS = ["claude", "codex", "gemini"] as const;
export type CliBackend = (typeof CLI_BACKENDS)[number];

/** Claude Code's model aliases: the config's defaults, meaningless to another CLI. */
const CLAUDE_ALIASES = new Set(["haiku", "sonnet", "opus"]);

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

/**
 * The model a backend is asked for: the configured one, except that a Claude alias means "the
 * backend's default" to codex (its own config's model: none passed) and gemini (GEMINI_DEFAULT_MODEL).
 */
export function modelForBackend(backend: string, model: string | undefined): string | undefined {
  if (backend === "claude" || backend === "script" || model === undefined || !CLAUDE_ALIASES.has(model)) return model;
  return backend === "gemini" ? GEMINI_DEFAULT_MODEL : undefined;
}

/** A CLI's executable: SKEP_<NAME>_BIN (the user's environment, tests) beats `<name>_bin`; a relative path is taken from the repo root. */
export function cliBinFor(backend: CliBackend, config: RepoConfig, root: string): string {
  const bin = process.env[`SKEP_${backend.toUpperCase()}_BIN`] || config[`${backend}_bin`] || backend;
  return bin.includes("/") && !isAbsolute(bin) ? resolve(root, bin) : bin;
}

/** The claude executable (see cliBinFor). */
export function claudeBinFor(config: RepoConfig, root: string): string {
  return cliBinFor("claude", config, root);
}

/** Throws for a misconfiguration (unknown backend, script without a file): the caller reports it. */
export function backendFor(purpose: LlmPurpose, config: RepoConfig, root: string): { backend: LlmBackend; model: string | undefined } {
  const name = backendNameFor(purpose, config);
  const model = modelForBackend(name, modelFor(purpose, config));
  switch (name) {
    case "claude":
      // A claude_bin that arrived with the repo is data until this user trusts it (skep trust).
      requireTrusted(config, root, "claude_bin");
      return { backend: new ClaudeBackend({ bin: claudeBinFor(config, root) }), model };
    case "codex": {
      // So are the other CLIs, and a provider URL (it would receive the code and the user's key).
      requireTrusted(config, root, "codex_bin");
      requireTrusted(config, root, "codex_base_url");
      const provider = config.codex_base_url ? { baseUrl: config.codex_base_url, envKey: config.codex_env_key } : undefined;
      return { backend: new CodexBackend({ bin: cliBinFor("codex", config, root), provider, maxRetries: config.llm_max_retries }), model };
    }
    case "gemini":
      requireTrusted(config, root, "gemini_bin");
      requireTrusted(config, root, "gemini_base_url");
      return { backend: new GeminiBackend({ bin: cliBinFor("gemini", config, root), baseUrl: config.gemini_base_url, maxRetries: config.llm_max_retries }), model };
    case "script":
      if (!config.llm_script) {
        throw new Error(`llm backend 'script' for ${purpose} needs llm_script in .skep/config.json (the JSON file of answers to replay)`);
      }
      return { backend: new ScriptBackend(resolve(root, config.llm_script)), model };
    default:
      throw new Error(`unknown llm backend '${name}' for ${purpose} (known: ${KNOWN_BACKENDS.join(", ")})`);
  }
}

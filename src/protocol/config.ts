// `.skep/config.json` and the workspace registry: files read by every skep process.
import { z } from "zod";

const ModelName = z.string().regex(/^[a-zA-Z0-9._:-]+$/);
/** An LLM backend's name: `claude`, `codex`, `gemini` (the CLIs) or `script` (replays a JSON script). */
const BackendName = z.string().min(1);
/** gitignore-style patterns, relative to the repo root; bounded, since a cloned repo may carry them. */
const IndexPatterns = z.array(z.string().min(1).max(500)).max(200);

export const RepoConfig = z
  .object({
    /** The backend for every purpose that does not name its own. */
    llm: BackendName.default("claude"),
    llm_classify: BackendName.optional(),
    llm_plan: BackendName.optional(),
    llm_step: BackendName.optional(),
    llm_dedup: BackendName.optional(),
    /** The model for steps and plans (and everything else that names none). */
    model: ModelName.default("sonnet"),
    model_classify: ModelName.optional(),
    model_plan: ModelName.optional(),
    model_dedup: ModelName.optional(),
    /** Per plan verb, the model for that step (`{"test": "haiku"}`). */
    step_model_by_verb: z.record(z.string(), ModelName).default({}),
    /** The `claude` executable (default: `claude` on PATH). */
    claude_bin: z.string().optional(),
    /** The `codex` executable (default: `codex` on PATH). */
    codex_bin: z.string().optional(),
    /** The `gemini` executable (default: `gemini` on PATH). */
    gemini_bin: z.string().optional(),
    /** A provider for codex (its Responses API base URL, e.g. https://host/v1); unset: the user's codex config. */
    codex_base_url: z.url({ protocol: /^https?$/ }).optional(),
    /** The environment variable holding the key for codex_base_url (sent as a bearer token). */
    codex_env_key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default("OPENAI_API_KEY"),
    /** GOOGLE_GEMINI_BASE_URL for gemini; unset: the user's own. */
    gemini_base_url: z.url({ protocol: /^https?$/ }).optional(),
    /** API retries inside one codex or gemini call (skep itself retries a failed step once). */
    llm_max_retries: z.number().int().min(0).max(10).default(2),
    /** For `llm: "script"`: the JSON file of answers to replay (relative to the repo root). */
    llm_script: z.string().optional(),
    /** Ceilings per call, in seconds. */
    classify_timeout_sec: z.number().int().min(1).max(3600).default(180),
    step_timeout_sec: z.number().int().min(1).max(7200).default(900),
    /** Turn limits handed to the CLI (`--max-turns`). */
    plan_max_turns: z.number().int().min(1).max(200).default(20),
    step_max_turns: z.number().int().min(1).max(500).default(60),
    /** Ask the LLM about near-miss duplicates the cheap layers did not settle. */
    dedup_llm: z.boolean().default(false),
    /** Run after task execution, and only once the user has trusted it (see the trust store). */
    test_cmd: z.string().nullable().default(null),
    test_timeout_sec: z.number().int().min(1).max(7200).default(900),
    auto_execute_small: z.boolean().default(false),
    /**
     * Approvals sent from another repo of the workspace (a delegate step approving on the person's
     * behalf, `approve_remote_task`) are accepted. False: this repo's tasks wait for a person here.
     */
    accept_remote_approval: z.boolean().default(true),
    /** How long a delegate step waits for its peer task (gate and execution) before it fails; the peer task is left as it is. */
    delegate_timeout_sec: z.number().int().min(1).max(7 * 24 * 3600).default(3600),
    /** The branch tasks start from (default: the branch checked out when the task starts). */
    base_branch: z.string().optional(),
    /** Where the daemon shows an executing task's live log in the person's tmux session (src/cockpit/panes.ts); none: nowhere. */
    tmux_layout: z.enum(["split-h", "split-v", "window", "popup", "none"]).default("split-h"),
    /**
     * What the index covers beyond its defaults (src/index/rules.ts): gitignore-style patterns.
     * `include` brings back files the defaults leave out (vendor/, testdata/, generated code);
     * `exclude` leaves more out and wins over `include`.
     */
    index: z
      .object({
        include: IndexPatterns.default([]),
        exclude: IndexPatterns.default([]),
      })
      .strict()
      .default({ include: [], exclude: [] }),
    /** The live dashboard rings the terminal's bell once when one of this repo's tasks starts waiting for a person. */
    approval_watchdog: z.boolean().default(true),
  })
  .passthrough();
export type RepoConfig = z.infer<typeof RepoConfig>;

export const WorkspaceRegistry = z.object({
  agents: z.record(z.string(), z.object({ path: z.string(), llm: z.string().default("claude") }).passthrough()).default({}),
});
export type WorkspaceRegistry = z.infer<typeof WorkspaceRegistry>;

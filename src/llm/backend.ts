// One interface for every LLM backend (the `claude`, `codex` and `gemini` CLIs, the scripted replay). A backend never
// throws for a failed call: it returns ok=false with the reason, and the usage it saw, so the
// ledger records every call, failed ones included.
import type { LlmPurpose } from "../protocol/tasks.ts";

export interface LlmUsage {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  /** Of `output`, the tokens the model spent reasoning (Codex, Gemini, Claude's thinking); absent = 0. */
  reasoning?: number;
}

export interface LlmRequest {
  purpose: LlmPurpose;
  prompt: string;
  /** Appended to the CLI's own system prompt. */
  appendSystemPrompt?: string;
  /** Model alias or id; undefined = the backend's default. */
  model?: string;
  /** Where the call runs (the task's worktree for steps, the repo root otherwise). */
  cwd: string;
  /** Give the LLM skep's MCP tools for this repo or worktree (`skep mcp --repo <mcpRepo>`). */
  mcpRepo?: string;
  /** Instead of mcpRepo: the read-only workspace server over these repos (`skep mcp workspace`; the coordinator's calls). */
  mcpWorkspace?: { workspace: string; repos: string[] };
  /** Steps: let the LLM edit files and run commands in cwd. Classify/plan/dedup: read-only. */
  allowEdits?: boolean;
  maxTurns?: number;
  /** The whole call (process group included) is killed after this long. */
  timeoutMs: number;
  /** Live output for logs: one line per event the CLI printed (stream-json lines, or text). */
  onLine?: (line: string) => void;
  /** Aborting kills the call (task interrupt, daemon shutdown). */
  signal?: AbortSignal;
}

export interface LlmResult {
  ok: boolean;
  /** The final answer text ("" when there is none). */
  text: string;
  /** Why the call failed: timeout, is_error, permission denials, max turns, exit code, bad output. */
  error: string | null;
  usage: LlmUsage;
  costUsd: number;
  durationMs: number;
  exitCode: number | null;
  /** The model that answered, as the backend reports it (else the one requested). */
  model: string | null;
  sessionId: string | null;
  /** The backend's name as recorded in the ledger: "claude", "codex", "gemini", "script". */
  backend: string;
  /** True when the call was stopped through `signal`. */
  aborted: boolean;
}

export interface LlmBackend {
  readonly name: string;
  run(req: LlmRequest): Promise<LlmResult>;
}

export const ZERO_USAGE: LlmUsage = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, reasoning: 0 };

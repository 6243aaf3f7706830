// The environment an LLM CLI reads: its account and endpoint (ANTHROPIC_*, CLAUDE_*, OPENAI_*,
// CODEX_*, GEMINI_*, GOOGLE_GEMINI_*, the Bedrock and Vertex variables), proxies and CA bundles. A daemon started in a tmux session would otherwise
// get these from whenever the tmux server started, so its tasks would run with another account or
// endpoint than the shell that started it. The caller passes its own set and names every key it
// had (SKEP_LLM_ENV); the daemon drops the keys of that kind it was not given.
import { createHash } from "node:crypto";

const PREFIXES = ["ANTHROPIC_", "CLAUDE_", "OPENAI_", "CODEX_", "GEMINI_", "GOOGLE_GEMINI_", "GOOGLE_GENAI_", "AWS_", "VERTEX_", "CLOUD_ML_"];
const NAMES = new Set([
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "NODE_EXTRA_CA_CERTS",
  "NODE_TLS_REJECT_UNAUTHORIZED",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
  "GOOGLE_APPLICATION_CREDENTIALS",
  "GOOGLE_CLOUD_PROJECT",
  "GOOGLE_CLOUD_LOCATION",
  "GOOGLE_API_KEY",
]);
/** Set inside a Claude Code session; a child claude must not inherit it (src/llm/claude.ts drops it too). */
const NEVER = new Set(["CLAUDECODE", "CLAUDE_CODE_SESSION_ID", "CLAUDE_CODE_CHILD_SESSION", "CLAUDE_CODE_ENTRYPOINT"]);

/** The variable that carries the caller's list of LLM keys to the daemon. */
export const LLM_ENV_KEYS = "SKEP_LLM_ENV";

/**
 * `extra`: names the repo's config points a CLI at (`codex_env_key`), which need not carry one of
 * the prefixes above: a custom key for a proxy must reach a daemon started in tmux all the same.
 */
export function isLlmEnvKey(key: string, extra: readonly string[] = []): boolean {
  if (NEVER.has(key)) return false;
  if (extra.includes(key)) return true;
  const upper = key.toUpperCase();
  return NAMES.has(upper) || PREFIXES.some((p) => upper.startsWith(p));
}

/** The LLM variables of an environment. */
export function llmEnv(env: Record<string, string | undefined> = process.env, extra: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && isLlmEnvKey(k, extra)) out[k] = v;
  return out;
}

/** What a daemon is given: the caller's LLM variables, and the list of their names. */
export function llmEnvForDaemon(env: Record<string, string | undefined> = process.env, extra: readonly string[] = []): Record<string, string> {
  const own = llmEnv(env, extra);
  return { ...own, [LLM_ENV_KEYS]: Object.keys(own).sort().join(",") };
}

/**
 * In the daemon, at start: drop the LLM variables the caller did not have (they came from the tmux
 * server's environment). Without SKEP_LLM_ENV (a daemon run by hand) the environment is kept.
 */
export function adoptCallerLlmEnv(env: Record<string, string | undefined> = process.env, extra: readonly string[] = []): string[] {
  const list = env[LLM_ENV_KEYS];
  if (list === undefined) return [];
  const keep = new Set(list.split(",").filter(Boolean));
  const dropped: string[] = [];
  for (const k of Object.keys(env)) {
    if (isLlmEnvKey(k, extra) && !keep.has(k)) {
      delete env[k];
      dropped.push(k);
    }
  }
  return dropped;
}

/** Each LLM variable's fingerprint (never its value: an API key must not leave the process). */
export function llmEnvFingerprint(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(llmEnv(env))) out[k] = createHash("sha256").update(v).digest("hex").slice(0, 12);
  return out;
}

/** The names whose values differ between two fingerprints (set in one only, or set differently). */
export function llmEnvDifferences(daemon: Record<string, string>, shell: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(daemon), ...Object.keys(shell)]);
  return [...keys].filter((k) => daemon[k] !== shell[k]).sort();
}

// The values of a repo's .skep/config.json that name something skep would execute, and whether
// this user trusted each for this repo. A value from the user's own environment (SKEP_CLAUDE_BIN)
// is the user's choice and needs no trust; one that arrived with the repo runs only once trusted.
import type { RepoConfig } from "../protocol/config.ts";
import { type TrustKey, type TrustState, valueTrustState } from "./store.ts";

export interface RepoValue {
  key: TrustKey;
  value: string;
  state: TrustState;
}

/** The environment variable that replaces a CLI executable key (the user's own choice: no trust needed). */
export const BIN_ENV: Partial<Record<TrustKey, string>> = { claude_bin: "SKEP_CLAUDE_BIN", codex_bin: "SKEP_CODEX_BIN", gemini_bin: "SKEP_GEMINI_BIN" };

/** The config's values that skep would execute or send code to (a CLI key only when the environment does not replace it). */
export function repoValues(config: RepoConfig, root: string): RepoValue[] {
  const out: RepoValue[] = [];
  for (const key of ["claude_bin", "codex_bin", "gemini_bin", "codex_base_url", "gemini_base_url"] as const) {
    const value = config[key];
    const env = BIN_ENV[key];
    if (value && !(env && process.env[env])) out.push({ key, value, state: valueTrustState(root, key, value) });
  }
  if (config.test_cmd) out.push({ key: "test_cmd", value: config.test_cmd, state: valueTrustState(root, "test_cmd", config.test_cmd) });
  return out;
}

/** Why a value is not run, in words a person can act on. */
export function untrustedReason(v: RepoValue): string {
  const why = v.state === "changed" ? "changed since you trusted it" : "not trusted on this machine";
  return `${v.key} \`${v.value}\` in .skep/config.json is ${why}; skep will not run it until you trust it: skep trust`;
}

/** A repo value was about to run without the user's trust. */
export class UntrustedValue extends Error {
  override name = "UntrustedValue";
  constructor(readonly value: RepoValue) {
    super(untrustedReason(value));
  }
}

/** Throws UntrustedValue unless the config's `key` is absent, trusted, or replaced by the environment. */
export function requireTrusted(config: RepoConfig, root: string, key: TrustKey): void {
  const v = repoValues(config, root).find((r) => r.key === key);
  if (v && v.state !== "trusted") throw new UntrustedValue(v);
}

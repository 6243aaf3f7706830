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

/** The config's executable values that skep would use (claude_bin only when the environment does not replace it). */
export function repoValues(config: RepoConfig, root: string): RepoValue[] {
  const out: RepoValue[] = [];
  if (config.claude_bin && !process.env.SKEP_CLAUDE_BIN) out.push({ key: "claude_bin", value: config.claude_bin, state: valueTrustState(root, "claude_bin", config.claude_bin) });
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

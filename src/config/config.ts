// Per-repo configuration in `.skep/config.json`. A malformed file is reported, never silently replaced.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RepoConfig } from "../protocol/config.ts";
import { writeFileAtomic } from "../util/fs.ts";

export function configPath(skepDir: string): string {
  return join(skepDir, "config.json");
}

export function readConfig(skepDir: string): RepoConfig | null {
  const path = configPath(skepDir);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); fix or delete it`);
  }
  const parsed = RepoConfig.safeParse(raw);
  if (!parsed.success) throw new Error(`${path} is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

export function writeConfig(skepDir: string, config: RepoConfig): void {
  writeFileAtomic(configPath(skepDir), `${JSON.stringify(config, null, 2)}\n`);
}

/** The repo's config, or the defaults when it has none. */
export function loadConfig(skepDir: string): RepoConfig {
  return readConfig(skepDir) ?? RepoConfig.parse({});
}

/**
 * The environment variables the repo's config names for an LLM CLI beyond the usual prefixes
 * (`codex_env_key`), so a daemon started in tmux gets them from the caller's shell. A config that
 * does not read gives none: the daemon reports it where it matters.
 */
export function configuredLlmEnvKeys(skepDir: string): string[] {
  try {
    const key = readConfig(skepDir)?.codex_env_key;
    return key ? [key] : [];
  } catch {
    return [];
  }
}

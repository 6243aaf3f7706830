// Is the configured LLM CLI there to be run? Checked before a task is stored (a task whose
// backend cannot start can never run) and by `skep doctor`, which then also asks for its version.
// Cheap on purpose: a lookup on the PATH and a stat, never a process.
import { accessSync, constants, existsSync } from "node:fs";
import { resolve } from "node:path";
import type { RepoConfig } from "../protocol/config.ts";
import { LLM_PURPOSES, type LlmPurpose } from "../protocol/tasks.ts";
import { repoValues, untrustedReason } from "../trust/repo-values.ts";
import { INSTALL_CODEX } from "./codex.ts";
import { INSTALL_GEMINI } from "./gemini.ts";
import { backendNameFor, cliBinFor, KNOWN_BACKENDS, type CliBackend } from "./select.ts";

export const INSTALL_CLAUDE = "install Claude Code (npm install -g @anthropic-ai/claude-code), or set claude_bin: skep config claude_bin /path/to/claude";
export const INSTALL: Record<CliBackend, string> = { claude: INSTALL_CLAUDE, codex: INSTALL_CODEX, gemini: INSTALL_GEMINI };

export interface LlmProblem {
  backend: string;
  purposes: LlmPurpose[];
  /** What is wrong, one line. */
  message: string;
  /** What to do about it. */
  fix: string;
}

/** The executable a task would start for a CLI backend: its path, or what is wrong with it. */
export function resolveCli(backend: CliBackend, config: RepoConfig, root: string): { path: string; from: string } | { problem: string; fix: string } {
  const bin = cliBinFor(backend, config, root);
  const key = `${backend}_bin` as const;
  const env = `SKEP_${backend.toUpperCase()}_BIN`;
  // Never run (nor vouch for) an executable, or a provider URL, that arrived with the repo before the user trusted it.
  const untrusted = repoValues(config, root).find((v) => (v.key === key || v.key === `${backend}_base_url`) && v.state !== "trusted");
  if (untrusted) return { problem: `${untrustedReason(untrusted)} (${bin} was not run)`, fix: "skep trust" };
  const from = process.env[env] ? env : config[key] ? `${key} in .skep/config.json` : "the PATH";
  // The backend spawns `bin` with this process's PATH: resolve it the same way.
  const path = bin.includes("/") ? bin : Bun.which(bin);
  if (!path) return { problem: `\`${bin}\` not found on the PATH`, fix: INSTALL[backend] };
  try {
    accessSync(path, constants.X_OK);
  } catch (err) {
    return { problem: `${path} (from ${from}) is not an executable file (${(err as NodeJS.ErrnoException).code ?? "?"})`, fix: INSTALL[backend] };
  }
  return { path, from };
}

/** The claude executable a task would start (see resolveCli). */
export function resolveClaude(config: RepoConfig, root: string): { path: string; from: string } | { problem: string; fix: string } {
  return resolveCli("claude", config, root);
}

/** Every backend the config uses that cannot start, with the purposes it serves. */
export function llmProblems(config: RepoConfig, root: string): LlmProblem[] {
  const byBackend = new Map<string, LlmPurpose[]>();
  for (const p of LLM_PURPOSES) byBackend.set(backendNameFor(p, config), [...(byBackend.get(backendNameFor(p, config)) ?? []), p]);
  const problems: LlmProblem[] = [];
  for (const [backend, purposes] of byBackend) {
    if (backend === "claude" || backend === "codex" || backend === "gemini") {
      const r = resolveCli(backend, config, root);
      if ("problem" in r) problems.push({ backend, purposes, message: r.problem, fix: r.fix });
    } else if (backend === "script") {
      if (!config.llm_script) problems.push({ backend, purposes, message: "llm_script is not set (the JSON file of answers to replay)", fix: "skep config llm_script <file>" });
      else if (!existsSync(resolve(root, config.llm_script))) problems.push({ backend, purposes, message: `${resolve(root, config.llm_script)} does not exist`, fix: "point llm_script at the answers file" });
    } else {
      problems.push({ backend, purposes, message: `unknown backend '${backend}' (known: ${KNOWN_BACKENDS.join(", ")})`, fix: "skep config llm claude" });
    }
  }
  return problems;
}

/** One message for a person: what cannot run, and what to do. */
export function describeLlmProblems(problems: LlmProblem[]): string {
  // A message that already names its fix (an untrusted claude_bin: "skep trust") is not followed by it twice.
  return problems.map((p) => `the LLM CLI for this repo cannot run: llm=${p.backend} (${p.purposes.join(", ")}): ${p.message}${p.message.includes(p.fix) ? "" : `; ${p.fix}`}`).join("\n");
}

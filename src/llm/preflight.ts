// Is the configured LLM CLI there to be run? Checked before a task is stored (a task whose
// backend cannot start can never run) and by `skep doctor`, which then also asks for its version.
// Cheap on purpose: a lookup on the PATH and a stat, never a process.
import { accessSync, constants, existsSync } from "node:fs";
import { resolve } from "node:path";
import type { RepoConfig } from "../protocol/config.ts";
import { LLM_PURPOSES, type LlmPurpose } from "../protocol/tasks.ts";
import { repoValues, untrustedReason } from "../trust/repo-values.ts";
import { backendNameFor, claudeBinFor, KNOWN_BACKENDS } from "./select.ts";

export const INSTALL_CLAUDE = "install Claude Code (npm install -g @anthropic-ai/claude-code), or set claude_bin: skep config claude_bin /path/to/claude";

export interface LlmProblem {
  backend: string;
  purposes: LlmPurpose[];
  /** What is wrong, one line. */
  message: string;
  /** What to do about it. */
  fix: string;
}

/** The claude executable a task would start: its path, or what is wrong with it. */
export function resolveClaude(config: RepoConfig, root: string): { path: string; from: string } | { problem: string; fix: string } {
  const bin = claudeBinFor(config, root);
  // Never run (nor vouch for) a claude_bin that arrived with the repo before the user trusted it.
  const untrusted = repoValues(config, root).find((v) => v.key === "claude_bin" && v.state !== "trusted");
  if (untrusted) return { problem: `${untrustedReason(untrusted)} (${bin} was not run)`, fix: "skep trust" };
  const from = process.env.SKEP_CLAUDE_BIN ? "SKEP_CLAUDE_BIN" : config.claude_bin ? "claude_bin in .skep/config.json" : "the PATH";
  // The backend spawns `bin` with this process's PATH: resolve it the same way.
  const path = bin.includes("/") ? bin : Bun.which(bin);
  if (!path) return { problem: `\`${bin}\` not found on the PATH`, fix: INSTALL_CLAUDE };
  try {
    accessSync(path, constants.X_OK);
  } catch (err) {
    return { problem: `${path} (from ${from}) is not an executable file (${(err as NodeJS.ErrnoException).code ?? "?"})`, fix: INSTALL_CLAUDE };
  }
  return { path, from };
}

/** Every backend the config uses that cannot start, with the purposes it serves. */
export function llmProblems(config: RepoConfig, root: string): LlmProblem[] {
  const byBackend = new Map<string, LlmPurpose[]>();
  for (const p of LLM_PURPOSES) byBackend.set(backendNameFor(p, config), [...(byBackend.get(backendNameFor(p, config)) ?? []), p]);
  const problems: LlmProblem[] = [];
  for (const [backend, purposes] of byBackend) {
    if (backend === "claude") {
      const r = resolveClaude(config, root);
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

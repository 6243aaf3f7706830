// Shared by the task end-to-end tests with the Codex and Gemini CLIs (tasks-codex, tasks-gemini,
// tasks-mixed): a small repo, the classifier's and planner's answers, which call a prompt is,
// and `skep` run as a child process with the CLIs pinned by SKEP_<CLI>_BIN and every home private.
import { expect } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CODEX, GEMINI } from "../support/agent-clis.ts";
import { findClaude, offlineClaudeEnv } from "../support/claude.ts";
import { childEnv, makeRepo } from "../mcp/support.ts";
import { BUN, MAIN, tempDir } from "../support/temp.ts";

export type Purpose = "classify" | "plan" | "step";

/** Which call a prompt is, and for a step its number and worktree. */
export function purposeOf(text: string): { purpose: Purpose; step: number; worktree: string } {
  if (text.includes("You are the CLASSIFIER")) return { purpose: "classify", step: 0, worktree: "" };
  if (text.includes("You are the PLANNER")) return { purpose: "plan", step: 0, worktree: "" };
  const step = /<step number="(\d+)"/.exec(text);
  const wt = /current directory, (\S+?)\. Change only/.exec(text);
  if (!step || !wt) throw new Error(`unrecognised prompt: ${text.slice(0, 200)}`);
  return { purpose: "step", step: Number(step[1]), worktree: wt[1]! };
}

export const CLASSIFY = JSON.stringify({ classification: "large", confidence: 0.8, reason: "new function and a caller", needs_clarification: false, clarifying_questions: [], reject_reason: null });
export const PLAN = JSON.stringify({
  plan: [
    { verb: "add", target_file: "src/sub.ts", symbols: ["sub"], description: "Add a sub function", acceptance: "sub(3, 1) is 2", depends_on: [] },
    { verb: "modify", target_file: "src/app.ts", symbols: ["main"], description: "Call sub from main", acceptance: "main uses sub", depends_on: [0] },
    { verb: "test", target_file: "src/sub.check.sh", symbols: [], description: "Add a check script", acceptance: "the check passes", depends_on: [0] },
  ],
  files_affected: ["src/sub.ts", "src/app.ts", "src/sub.check.sh"],
});
export const SUB_TS = "export function sub(a: number, b: number): number {\n  return a - b;\n}\n";
export const CHECK_SH = "grep -q 'export function sub' src/sub.ts\n";

export const FILES = {
  "src/math.ts": "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
  "src/app.ts": 'import { add } from "./math";\n\nexport function main(): number {\n  return add(1, 2);\n}\n',
};

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TaskJson {
  id: number;
  status: string;
  classification: string | null;
  reason: string | null;
  branch: string | null;
  baseCommit: string | null;
  steps: { seq: number; status: string; commit: string | null; retries: number; error: string | null }[];
  tokens: { calls: number; input: number; output: number; cacheCreation: number; cacheRead: number; reasoning?: number; effectiveInput: number; backends: string[] };
}

export async function json<T>(r: Run): Promise<T> {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

/** A repo set up with `skep init`, the given config merged in, and everything in it trusted. */
export async function taskBed(config: Record<string, unknown>, apis: { claude?: string; gemini?: string } = {}) {
  const repo = makeRepo(FILES);
  const home = tempDir("skep-e2e-home-");
  const env = childEnv({
    ...(apis.claude ? { ...offlineClaudeEnv(apis.claude, { home, apiTimeoutMs: 60_000 }), SKEP_CLAUDE_BIN: findClaude(childEnv()) } : {}),
    HOME: home,
    SKEP_HOME: join(home, ".skep"),
    SKEP_CODEX_BIN: CODEX,
    SKEP_GEMINI_BIN: GEMINI,
    OPENAI_API_KEY: "dummy",
    GEMINI_API_KEY: "dummy",
    SKEP_NO_DAEMON: "1",
  });
  const skep = async (...args: string[]): Promise<Run> => {
    const p = Bun.spawn([BUN, MAIN, ...args], { cwd: repo, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, stdout, stderr };
  };
  expect((await skep("init", "--no-daemon")).code).toBe(0);
  const path = join(repo, ".skep/config.json");
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), test_cmd: "sh src/sub.check.sh", llm_max_retries: 0, ...config }, null, 2));
  const trusted = await skep("trust", "--yes");
  expect(trusted.code).toBe(0);
  return { repo, home, skep };
}

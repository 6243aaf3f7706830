// A workspace for coordinator runs: fixture repos (test/fixtures/coordinator/) copied into temp git
// repos, registered by `skep init --workspace`, each with its own config. Every daemon a run
// starts is stopped at cleanup, before the repos go.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stopDaemon } from "../../src/client/control.ts";
import { git, makeRepo, onCleanup, pathsFor, run, tempDir } from "../daemon/support.ts";
import { PROJECT } from "../support/temp.ts";

export const FIXTURES = join(PROJECT, "test/fixtures/coordinator");

export interface Bed {
  ws: string;
  repos: Record<string, string>;
  env: Record<string, string>;
  checkouts: Record<string, { head: string; status: string }>;
}

export function snapshot(root: string): { head: string; status: string } {
  return { head: git(root, "rev-parse", "HEAD"), status: git(root, "status", "--porcelain") };
}

/** `names` from the fixtures as git repos in one new workspace; `config(name)` is each repo's .skep/config.json. */
export function workspace(names: string[], config: (name: string) => Record<string, unknown>, extraEnv: Record<string, string> = {}): Bed {
  const ws = tempDir("skep-ws-");
  const env = { SKEP_HOME: tempDir("skep-home-"), ...extraEnv };
  const repos: Record<string, string> = {};
  for (const name of names) {
    const root = makeRepo({}, { dir: join(ws, name), git: false });
    cpSync(join(FIXTURES, name), root, { recursive: true });
    git(root, "init", "-q");
    writeFileSync(join(root, ".git", "info", "exclude"), ".skep/\n");
    git(root, "add", "-A");
    git(root, "commit", "-qm", "init");
    repos[name] = root;
    onCleanup(async () => {
      await stopDaemon(pathsFor(root));
    });
    const init = run(["init", "--no-daemon", "--workspace", ws, "--repo", root], { env: { ...env, SKEP_NO_DAEMON: "1" } });
    if (init.code !== 0) throw new Error(`skep init failed: ${init.stderr}`);
  }
  for (const name of names) writeFileSync(join(repos[name]!, ".skep", "config.json"), JSON.stringify({ test_cmd: null, ...config(name) }));
  const checkouts = Object.fromEntries(names.map((n) => [n, snapshot(repos[n]!)]));
  return { ws, repos, env, checkouts };
}

/** A script file of answers (src/llm/script.ts) in a temp dir; returns its path. */
export function scriptFile(answers: unknown[]): string {
  const path = join(tempDir("skep-script-"), "answers.json");
  writeFileSync(path, JSON.stringify({ answers }));
  return path;
}

export function skep(bed: Bed, args: string[], repo: string) {
  return run([...args, "--repo", repo], { env: bed.env });
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

export const classify = (classification: string) =>
  JSON.stringify({ classification, confidence: 0.9, reason: `${classification} on purpose`, needs_clarification: false, clarifying_questions: [], reject_reason: null });

export const plan = (steps: { verb: string; target_file: string; description: string }[]) =>
  JSON.stringify({ plan: steps.map((s) => ({ acceptance: "it is there", depends_on: [], ...s })) });

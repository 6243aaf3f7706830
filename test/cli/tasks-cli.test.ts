// The task commands as a user and a script see them (no daemon: everything runs in the CLI
// process): stdin descriptions, typo guards, clear errors with exit codes, confirmations that
// refuse piped stdin, readable logs, status and cost lines.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Task, TaskCreateAnswer } from "../../src/protocol/tasks.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, tempDir } from "../support/temp.ts";

setDefaultTimeout(60_000);
afterAll(cleanupAll);

const LARGE = JSON.stringify({ classification: "large", confidence: 0.8, reason: "two files", needs_clarification: false, clarifying_questions: [], reject_reason: null });
const PLAN = JSON.stringify({ plan: [{ verb: "add", target_file: "src/a.ts", description: "Add a", acceptance: "a exists" }] });

function repo() {
  const root = initRepo(join(tempDir("skep-task-cli-"), "repo"), { "src/main.ts": "export function main(): number {\n  return 1;\n}\n" });
  const script = join(tempDir("skep-task-cli-script-"), "answers.json");
  writeFileSync(
    script,
    JSON.stringify({
      answers: [
        { purpose: "classify", text: LARGE, usage: { input: 1200, output: 30, cacheRead: 4000 } },
        { purpose: "plan", text: PLAN, usage: { input: 800, output: 90 } },
        { purpose: "step", text: "done", writes: [{ path: "src/a.ts", content: "export const a = 1;\n" }], usage: { input: 300, output: 12 } },
      ],
    }),
  );
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_")) env[k] = v;
  Object.assign(env, { SKEP_NO_DAEMON: "1", SKEP_HOME: tempDir("skep-task-cli-home-") });
  const skep = (args: string[], stdin?: string) => {
    const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd: root, env, stdin: stdin === undefined ? "ignore" : Buffer.from(stdin), stdout: "pipe", stderr: "pipe" });
    return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  };
  expect(skep(["init", "--no-daemon"]).code).toBe(0);
  writeFileSync(join(root, ".skep/config.json"), JSON.stringify({ llm: "script", llm_script: script }));
  return { root, skep };
}

describe("skep task (no daemon)", () => {
  test("create from stdin, show, approve, run here, logs, tasks, status, cost", () => {
    const { skep } = repo();
    const created = skep(["task", "create", "-", "--json"], "Add a constant a\n");
    expect(created.code).toBe(0);
    const answer = TaskCreateAnswer.parse(JSON.parse(created.stdout));
    expect(answer.task).toMatchObject({ id: 1, description: "Add a constant a", status: "pending", classification: "large" });

    const human = skep(["task", "show", "1"]);
    expect(human.stdout).toContain("#1 add-a-constant-a");
    expect(human.stdout).toContain("Status:      pending (large (two files): waiting for approval)");
    expect(human.stdout).toContain("1. [add] src/a.ts: Add a");
    expect(human.stdout).toContain("Tokens:      2,400 effective input (input 2,000, output 120, cache write 0, cache read 4,000; 2 calls");

    expect(skep(["task", "run", "1"]).stderr).toContain("waiting for approval: `skep task approve 1`");
    expect(skep(["task", "approve", "1"]).stdout).toContain("Task #1 approved; run: skep task run 1");
    const run = skep(["task", "run", "1"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("◠  step 1/1: add src/a.ts");
    expect(run.stdout).toContain("Task #1 done");
    expect(run.stdout).toMatch(/merge: git merge skep\/task-1-add-a-constant-a/);

    const logs = skep(["task", "logs", "1"]);
    expect(logs.stdout).toContain("step 1/1: add src/a.ts done (commit");
    expect(skep(["tasks"]).stdout).toMatch(/#1 add-a-constant-a {2}done \[large\] → skep\/task-1-add-a-constant-a {2}2,700 tok/);
    expect(skep(["status"]).stdout).toContain("Tasks:      1 total");
    const cost = skep(["cost"]);
    expect(cost.stdout).toMatch(/#1 add-a-constant-a\s+done\s+3\s+2,300\s+132\s+0\s+4,000\s+2,700/);
    expect(cost.stdout).toContain("step");
    expect(Task.parse(JSON.parse(skep(["task", "show", "1", "--json"]).stdout)).steps[0]!.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  test("reads in a repo with no tasks yet answer, and make no tasks.db", () => {
    const { root, skep } = repo();
    const db = join(root, ".skep/tasks.db");
    expect(existsSync(db)).toBe(false);
    expect(skep(["tasks"]).stdout).toContain("no tasks");
    expect(skep(["task", "list", "--json"]).stdout.trim()).toBe("[]");
    expect(skep(["cost"]).stdout).toContain("no LLM calls recorded yet");
    const cost = JSON.parse(skep(["cost", "--json"]).stdout);
    expect(cost).toMatchObject({ root, tasks: [], byPurpose: [], total: { calls: 0 } });
    for (const verb of ["show", "logs"]) {
      const r = skep(["task", verb, "1"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("no task #1");
    }
    expect(skep(["status"]).code).toBe(0);
    expect(existsSync(db)).toBe(false);
    // The first write makes it.
    expect(skep(["task", "create", "Add a constant a"]).code).toBe(0);
    expect(existsSync(db)).toBe(true);
  });

  test("typos, unknown ids, illegal moves and unconfirmed deletes fail clearly", () => {
    const { skep } = repo();
    const typo = skep(["task", "lsit"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("did you mean 'list'");
    const missing = skep(["task", "show", "42"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no task #42");
    expect(skep(["task", "show", "abc"]).code).toBe(2);

    expect(skep(["task", "create", "Add a constant a"]).code).toBe(0);
    expect(skep(["task", "reject", "1", "--reason", "not now"]).stdout).toContain("Task #1 rejected");
    const approve = skep(["task", "approve", "1"]);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toContain("task #1 is rejected; it cannot become approved (rejected is final)");
    const del = skep(["task", "delete", "1"], "y\n");
    expect(del.code).toBe(2);
    expect(del.stderr).toContain("pass --yes");
    expect(skep(["task", "delete", "1", "--yes"]).stdout).toContain("Task #1 deleted");
    expect(skep(["tasks"]).stdout).toContain("no tasks");
    expect(skep(["task", "create", ""]).code).toBe(2);
  });

  test("a duplicate creates nothing and says which task it duplicates", () => {
    const { skep } = repo();
    expect(skep(["task", "create", "Add a constant a to the main module"]).code).toBe(0);
    const dup = skep(["task", "create", "add a constant a to the main module"]);
    expect(dup.code).toBe(0);
    expect(dup.stdout).toMatch(/Duplicate \(\w+\): already queued as task #1 \(status: pending\)/);
    expect(dup.stdout).toContain("nothing was created");
  });
});

describe("skep task in a linked worktree", () => {
  test("acts on the main checkout's tasks, and makes no .skep of its own", () => {
    const { root, skep } = repo();
    expect(skep(["task", "create", "Add a constant a"]).code).toBe(0);
    const wt = join(tempDir("skep-task-cli-wt-"), "wt");
    Bun.spawnSync(["git", "worktree", "add", "-q", "-b", "side", wt], { cwd: root });
    const p = Bun.spawnSync([BUN, MAIN, "tasks", "--repo", wt], { env: { ...process.env, SKEP_NO_DAEMON: "1", SKEP_DIR: "" }, stdout: "pipe", stderr: "pipe" });
    expect(p.stdout.toString()).toContain("#1 add-a-constant-a  pending [large]");
    expect(existsSync(join(wt, ".skep"))).toBe(false);
  });
});

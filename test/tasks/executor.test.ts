// Execution in a worktree with a scripted backend: commits per step on the task's branch, the
// user's dirty checkout untouched, one retry then failure, interrupt and resume from the first
// unfinished step, the test command only when trusted, the symbol diff in result.md.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ScriptFileInput } from "../../src/llm/script.ts";
import { taskFiles } from "../../src/tasks/paths.ts";
import { trust } from "../../src/trust/store.ts";
import { git } from "../helpers/git-repo.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";
import { LARGE, makeBed, planText, THREE_STEPS, type Bed } from "./support.ts";

beforeAll(() => {
  process.env.SKEP_HOME = tempDir("skep-home-");
});
afterAll(cleanupAll);

const STEP_WRITES = [
  { path: "src/sub.ts", content: "/** Subtracts b from a. */\nexport function sub(a: number, b: number): number {\n  return a - b;\n}\n" },
  { path: "src/app.ts", content: 'import { add } from "./math";\nimport { sub } from "./sub";\n\nexport function main(limit: number): number {\n  return sub(add(1, 2), limit);\n}\n' },
  { path: "src/sub.test.ts", content: 'import { sub } from "./sub";\nif (sub(3, 1) !== 2) throw new Error("sub");\n' },
];

function script(extra: ScriptFileInput["answers"] = [], steps = true): ScriptFileInput {
  return {
    answers: [
      { purpose: "classify", text: LARGE, usage: { input: 11, output: 1, cacheCreation: 0, cacheRead: 0 } },
      { purpose: "plan", text: planText(THREE_STEPS), usage: { input: 22, output: 2, cacheCreation: 0, cacheRead: 0 } },
      ...extra,
      ...(steps
        ? STEP_WRITES.map((w, i) => ({
            purpose: "step" as const,
            match: `step number="${i + 1}"`,
            text: `step ${i + 1} done`,
            writes: [w],
            usage: { input: 100 * (i + 1), output: 10, cacheCreation: 5, cacheRead: 50 },
          }))
        : []),
    ],
  };
}

async function approvedTask(bed: Bed): Promise<number> {
  const r = await bed.service.create("Add a sub function and use it in main");
  await bed.service.classify(r.task!.id);
  bed.service.approve(r.task!.id);
  bed.service.enqueue(r.task!.id);
  return r.task!.id;
}

function dirtyCheckout(root: string): { head: string; status: string; app: string } {
  writeFileSync(join(root, "src/app.ts"), "// my uncommitted edit\n");
  writeFileSync(join(root, "notes.txt"), "untracked\n");
  return { head: git(root, "rev-parse", "HEAD"), status: git(root, "status", "--porcelain"), app: readFileSync(join(root, "src/app.ts"), "utf8") };
}

describe("task execution", () => {
  test("three steps, three commits on the task branch; the dirty checkout is untouched", async () => {
    const testCmd = `${process.execPath} src/sub.test.ts`;
    const bed = await makeBed({ script: script(), config: { test_cmd: testCmd } });
    const before = dirtyCheckout(bed.root);
    const id = await approvedTask(bed);
    trust(bed.root, testCmd);
    const t = await bed.service.execute(id, new AbortController().signal);
    expect(t.reason ?? "").toContain("tests passed");
    expect(t.status).toBe("done");
    expect(t.steps.map((s) => [s.status, s.commit !== null, s.retries])).toEqual([
      ["done", true, 0],
      ["done", true, 0],
      ["done", true, 0],
    ]);
    expect(t.branch).toMatch(new RegExp(`^skep/task-${id}-add-a-sub-function`));
    const log = git(bed.root, "log", "--format=%s", `${t.baseCommit}..${t.branch}`).trim().split("\n").reverse();
    expect(log).toEqual([`skep(task ${id}) step 1: Add a sub function`, `skep(task ${id}) step 2: modify Use sub in main`, `skep(task ${id}) step 3: Test sub`]);
    expect(git(bed.root, "show", `${t.branch}:src/sub.ts`)).toContain("export function sub");
    // The user's checkout: same HEAD, same branch, same uncommitted edit and untracked file.
    expect(git(bed.root, "rev-parse", "HEAD")).toBe(before.head);
    expect(git(bed.root, "status", "--porcelain")).toBe(before.status);
    expect(readFileSync(join(bed.root, "src/app.ts"), "utf8")).toBe(before.app);
    expect(existsSync(join(bed.root, "src/sub.ts"))).toBe(false);
    // A finished task's worktree is removed; its branch stays.
    expect(t.worktree).toBeNull();
    const result = readFileSync(taskFiles(bed.skepDir, id).result, "utf8");
    expect(result).toContain("sub");
    expect(result).toMatch(/Added symbols[\s\S]*sub/);
    expect(result).toMatch(/main\(\): number.*→.*main\(limit: number\): number/);
    // Ledger: classify, plan, three steps, to the token.
    expect(bed.service.store.calls({ taskId: id }).map((c) => [c.purpose, c.stepSeq, c.input])).toEqual([
      ["classify", null, 11],
      ["plan", null, 22],
      ["step", 1, 100],
      ["step", 2, 200],
      ["step", 3, 300],
    ]);
    expect(t.tokens).toMatchObject({ calls: 5, input: 633, cacheRead: 150, effectiveInput: 648 });
  });

  test("a step that fails twice fails the task; the retry carries the error", async () => {
    const bed = await makeBed({
      script: script(
        [
          { purpose: "step", text: "", ok: false, error: "Reached maximum number of turns (60)" },
          { purpose: "step", text: "BLOCKED: src/sub.ts is generated" },
        ],
        false,
      ),
    });
    const id = await approvedTask(bed);
    const t = await bed.service.execute(id, new AbortController().signal);
    expect(t.status).toBe("failed");
    expect(t.reason).toContain("step 1/3: add src/sub.ts failed twice");
    expect(t.reason).toContain("BLOCKED: src/sub.ts is generated");
    expect(t.steps.map((s) => s.status)).toEqual(["failed", "pending", "pending"]);
    expect(t.steps[0]!.retries).toBe(1);
    const prompts = readFileSync(join(taskFiles(bed.skepDir, id).prompts, "step-1-retry.md"), "utf8");
    expect(prompts).toContain("Reached maximum number of turns (60)");
    expect(t.worktree).not.toBeNull(); // kept for a look, or a resume
    expect(bed.service.store.calls({ taskId: id }).filter((c) => c.purpose === "step").map((c) => [c.attempt, c.ok])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  test("interrupt keeps worktree and branch; resume continues from the first unfinished step", async () => {
    const s = script();
    // Step 2 takes long enough to be interrupted; its replacement answers at once on resume.
    s.answers[3] = { ...s.answers[3]!, delayMs: 30_000 };
    s.answers.push({ ...s.answers[3]!, delayMs: 0 });
    const bed = await makeBed({ script: s });
    const id = await approvedTask(bed);
    const controller = new AbortController();
    const running = bed.service.execute(id, controller.signal);
    while (bed.service.get(id).steps[1]?.status !== "running") await Bun.sleep(20);
    controller.abort();
    const t = await running;
    expect(t.status).toBe("interrupted");
    expect(t.steps.map((x) => x.status)).toEqual(["done", "pending", "pending"]);
    expect(existsSync(t.worktree!)).toBe(true);
    expect(git(bed.root, "branch", "--list", t.branch!)).toContain(t.branch!);
    bed.service.enqueue(id);
    const resumed = await bed.service.execute(id, new AbortController().signal);
    expect(resumed.status).toBe("done");
    const stepCalls = bed.service.store.calls({ taskId: id }).filter((c) => c.purpose === "step");
    expect(stepCalls.map((c) => [c.stepSeq, c.ok])).toEqual([
      [1, true],
      [2, false],
      [2, true],
      [3, true],
    ]);
    expect(git(bed.root, "log", "--format=%s", `${resumed.baseCommit}..${resumed.branch}`).trim().split("\n")).toHaveLength(3);
  });

  test("the test command runs only when trusted; a failing one fails the task", async () => {
    const untrusted = await makeBed({ script: script(), config: { test_cmd: "false" } });
    const a = await untrusted.service.execute(await approvedTask(untrusted), new AbortController().signal);
    expect(a.status).toBe("done");
    expect(a.reason).toContain("tests not run: `false` is not trusted on this machine yet (run `skep trust` to allow it)");

    const failing = await makeBed({ script: script(), config: { test_cmd: "sh -c 'echo boom; exit 3'" } });
    trust(failing.root, "sh -c 'echo boom; exit 3'");
    const b = await failing.service.execute(await approvedTask(failing), new AbortController().signal);
    expect(b.status).toBe("failed");
    expect(b.reason).toContain("tests failed");
    expect(b.reason).toContain("exit 3");
    expect(b.reason).toContain("boom");
  });

  test("a task left executing by a dead process is interrupted by the next reconcile", async () => {
    const bed = await makeBed({ script: script() });
    const id = await approvedTask(bed);
    const dead = Bun.spawnSync(["true"]).pid;
    bed.service.store.transition(id, "executing", { patch: { runner_pid: dead } });
    bed.service.store.updateStep(id, 1, { status: "running" });
    expect(bed.service.reconcile()).toEqual([id]);
    const t = bed.service.get(id);
    expect(t.status).toBe("interrupted");
    expect(t.reason).toContain(`pid ${dead}`);
    expect(t.steps[0]!.status).toBe("pending");
  });
});

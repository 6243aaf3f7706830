// One task flow, run twice: through a daemon, and with SKEP_NO_DAEMON=1 (the CLI's own process
// runs the same queue, tasks/queue.ts). create, approve, run (interrupted mid-step by `task
// interrupt` from another command), resume to done: the same statuses, steps, commits and ledger.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Task } from "../../src/protocol/tasks.ts";
import { BUN, childEnv, cleanupAll, git, MAIN, makeRepo, PROJECT, run, startDaemon, tempDir } from "../daemon/support.ts";

setDefaultTimeout(120_000);
afterEach(cleanupAll);

const CLASSIFY = JSON.stringify({ classification: "large", confidence: 0.8, reason: "two files", needs_clarification: false, clarifying_questions: [], reject_reason: null });
const PLAN = JSON.stringify({
  plan: [
    { verb: "add", target_file: "src/a.ts", description: "Add a", acceptance: "a exists", depends_on: [] },
    { verb: "add", target_file: "src/b.ts", description: "Add b", acceptance: "b exists", depends_on: [0] },
  ],
});

function repo(): { root: string; env: Record<string, string> } {
  const root = makeRepo({ "src/main.ts": "export function main(): number {\n  return 1;\n}\n" });
  const script = {
    answers: [
      { purpose: "classify", text: CLASSIFY, usage: { input: 5 } },
      { purpose: "plan", text: PLAN, usage: { input: 7 } },
      { purpose: "step", match: 'step number="1"', text: "a", writes: [{ path: "src/a.ts", content: "export const a = 1;\n" }], usage: { input: 11 } },
      // The first try of step 2 is slow: it is interrupted there.
      { purpose: "step", match: 'step number="2"', text: "b", delayMs: 60_000, writes: [{ path: "src/b.ts", content: "export const b = 2;\n" }], usage: { input: 13 } },
      { purpose: "step", match: 'step number="2"', text: "b again", writes: [{ path: "src/b.ts", content: "export const b = 2;\n" }], usage: { input: 17 } },
    ],
  };
  const scriptPath = join(tempDir("skep-script-"), "answers.json");
  writeFileSync(scriptPath, JSON.stringify(script));
  run(["init", "--no-daemon", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } });
  writeFileSync(join(root, ".skep", "config.json"), JSON.stringify({ llm: "script", llm_script: scriptPath, test_cmd: null }));
  return { root, env: { SKEP_HOME: tempDir("skep-home-") } };
}

async function untilStep2(root: string, env: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const t = JSON.parse(run(["task", "show", "1", "--json", "--repo", root], { env }).stdout) as Task;
    if (t.status === "executing" && t.steps[1]?.status === "running") return;
    if (Date.now() > deadline) throw new Error(`step 2 never started: ${JSON.stringify(t.steps)}`);
    await Bun.sleep(100);
  }
}

/** The flow; returns what it saw, to compare the two ways. */
async function flow(mode: "daemon" | "local"): Promise<unknown> {
  const { root, env: base } = repo();
  const env = mode === "local" ? { ...base, SKEP_NO_DAEMON: "1" } : base;
  if (mode === "daemon") await startDaemon(root, { env: base });
  const cli = (...args: string[]) => run([...args, "--repo", root], { env });

  const created = JSON.parse(cli("task", "create", "Add a and b", "--json").stdout).task as Task;
  expect(created.status).toBe("pending");
  expect(cli("task", "approve", "1").code).toBe(0);
  // `task run` follows the task to its end: through the daemon's queue, or this process's.
  const runner = Bun.spawn([BUN, MAIN, "task", "run", "1", "--json", "--repo", root], { cwd: PROJECT, env: childEnv(env), stdout: "pipe", stderr: "pipe" });
  await untilStep2(root, env);
  const interrupted = cli("task", "interrupt", "1");
  expect(interrupted.code, interrupted.stderr).toBe(0);
  expect(interrupted.stdout).toContain("Task #1 interrupted; resume with: skep task resume 1");
  await runner.exited;
  const afterInterrupt = JSON.parse(cli("task", "show", "1", "--json").stdout) as Task;
  expect(afterInterrupt.status).toBe("interrupted");

  const resumed = cli("task", "resume", "1", "--json");
  expect(resumed.code, resumed.stderr).toBe(0);
  const final = JSON.parse(resumed.stdout) as Task;
  expect(final.status).toBe("done");
  const commits = git(root, "log", "--format=%s", `${final.baseCommit}..${final.branch}`).split("\n");
  const cost = JSON.parse(cli("cost", "--json").stdout);
  return {
    interrupted: { steps: afterInterrupt.steps.map((s) => s.status), reason: afterInterrupt.reason },
    final: { steps: final.steps.map((s) => s.status), reason: final.reason },
    commits,
    calls: cost.total.calls,
    input: cost.total.input,
  };
}

describe("the same task flow with a daemon and without", () => {
  test("create, approve, run, interrupt mid-step, resume: the same outcome both ways", async () => {
    const viaDaemon = await flow("daemon");
    const local = await flow("local");
    expect(local).toEqual(viaDaemon);
    expect(viaDaemon).toMatchObject({ interrupted: { steps: ["done", "pending"] }, final: { steps: ["done", "done"] }, calls: 5, input: 5 + 7 + 11 + 13 + 17 });
  });
});

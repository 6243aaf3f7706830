// Red-team attack 9: a write that fails when a task starts (a full disk) used to leave the task
// `executing` under the live daemon, refusing `task run` ("already executing", the daemon's own
// pid) and `task interrupt` alike. The failure is simulated by making the task's directory
// impossible to create (a file stands where it goes): the task must end failed with the reason,
// and run again once the cause is gone.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll, makeRepo, run, startDaemon, tempDir } from "./support.ts";

setDefaultTimeout(90_000);
afterEach(cleanupAll);

test("a write failing at task start ends the task failed with the reason; after the cause is gone, run finishes it", async () => {
  const root = makeRepo({ "src/main.ts": "export function main(): number {\n  return 1;\n}\n" });
  const classify = { classification: "large", confidence: 0.9, reason: "x", needs_clarification: false, clarifying_questions: [], reject_reason: null };
  const plan = { plan: [{ verb: "add", target_file: "src/a.ts", description: "Add a", acceptance: "a exists", depends_on: [] }] };
  const script = {
    answers: [
      { purpose: "classify", text: JSON.stringify(classify) },
      { purpose: "plan", text: JSON.stringify(plan) },
      { purpose: "step", text: "a", writes: [{ path: "src/a.ts", content: "export const a = 1;\n" }] },
    ],
  };
  const scriptPath = join(tempDir("skep-script-"), "answers.json");
  writeFileSync(scriptPath, JSON.stringify(script));
  run(["init", "--no-daemon", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } });
  writeFileSync(join(root, ".skep/config.json"), JSON.stringify({ llm: "script", llm_script: scriptPath, test_cmd: null }));
  const env = { SKEP_HOME: tempDir("skep-home-") };
  const d = await startDaemon(root, { env });
  const c = await d.client();

  const created = await c.request("task.create", { description: "Add a", dryRun: false }, 60_000);
  const id = created.task!.id;
  await c.request("task.wait", { id, until: "classified", timeoutMs: 60_000 }, 65_000);
  const taskDir = join(root, ".skep/tasks", String(id));
  rmSync(taskDir, { recursive: true, force: true });
  writeFileSync(taskDir, "in the way\n");

  await c.request("task.approve", { id });
  const failed = await c.request("task.wait", { id, until: "terminal", timeoutMs: 60_000 }, 65_000);
  expect(failed.timedOut).toBe(false);
  expect(failed.task.status).toBe("failed");
  expect(failed.task.reason).toContain("its files could not be written");

  // The CLI can act on it: run is not refused as "already executing".
  rmSync(taskDir);
  const again = run(["task", "run", String(id), "--repo", root], { env });
  expect(again.stderr + again.stdout).not.toContain("already executing");
  const done = await c.request("task.wait", { id, until: "terminal", timeoutMs: 60_000 }, 65_000);
  expect(done.task.status).toBe("done");
});

// Tasks through a real daemon (child process) with the scripted backend: the CLI talks to the
// daemon, which classifies, gates, queues and executes; task.wait answers on the transition;
// status events stream; SIGTERM and SIGKILL leave a running task interrupted, and resume finishes it.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Event } from "../../src/protocol/socket.ts";
import { cleanupAll, git, makeRepo, run, startDaemon, tempDir } from "./support.ts";

setDefaultTimeout(90_000);
afterEach(cleanupAll);

const CLASSIFY_LARGE = JSON.stringify({ classification: "large", confidence: 0.8, reason: "two files", needs_clarification: false, clarifying_questions: [], reject_reason: null });
const PLAN = JSON.stringify({
  plan: [
    { verb: "add", target_file: "src/a.ts", description: "Add a", acceptance: "a exists", depends_on: [] },
    { verb: "add", target_file: "src/b.ts", description: "Add b", acceptance: "b exists", depends_on: [0] },
  ],
});

function repoWithScript(stepDelayMs = 0): { root: string; env: Record<string, string> } {
  const root = makeRepo({ "src/main.ts": "export function main(): number {\n  return 1;\n}\n" });
  const script = {
    answers: [
      { purpose: "classify", text: CLASSIFY_LARGE, usage: { input: 5, output: 1 } },
      { purpose: "plan", text: PLAN, usage: { input: 7, output: 2 } },
      { purpose: "step", match: 'step number="1"', text: "a", writes: [{ path: "src/a.ts", content: "export const a = 1;\n" }], usage: { input: 11 } },
      { purpose: "step", match: 'step number="2"', text: "b", delayMs: stepDelayMs, writes: [{ path: "src/b.ts", content: "export const b = 2;\n" }], usage: { input: 13 } },
      { purpose: "step", match: 'step number="2"', text: "b again", writes: [{ path: "src/b.ts", content: "export const b = 2;\n" }], usage: { input: 17 } },
    ],
  };
  const scriptPath = join(tempDir("skep-script-"), "answers.json");
  writeFileSync(scriptPath, JSON.stringify(script));
  const skep = join(root, ".skep");
  run(["init", "--no-daemon", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } });
  writeFileSync(join(skep, "config.json"), JSON.stringify({ llm: "script", llm_script: scriptPath, test_cmd: null }));
  return { root, env: { SKEP_HOME: tempDir("skep-home-") } };
}

function cli(root: string, env: Record<string, string>, ...args: string[]) {
  return run([...args, "--repo", root], { env });
}

describe("tasks through the daemon", () => {
  test("create (classified by the daemon), approve, executed by the daemon's queue; events on the stream", async () => {
    const { root, env } = repoWithScript();
    const d = await startDaemon(root, { env });
    const c = await d.client();
    const events: Event[] = [];
    await c.subscribe((e) => events.push(e), ["task.*"]);

    const created = cli(root, env, "task", "create", "Add a and b", "--json");
    expect(created.code).toBe(0);
    const task = JSON.parse(created.stdout).task;
    expect(task.status).toBe("pending");
    expect(task.plan.plan).toHaveLength(2);

    const approved = cli(root, env, "task", "approve", String(task.id));
    expect(approved.stdout).toContain("the daemon will execute it");
    const done = await c.request("task.wait", { id: task.id, until: "terminal", timeoutMs: 60_000 }, 65_000);
    expect(done.timedOut).toBe(false);
    expect(done.task.status).toBe("done");
    expect(git(root, "log", "--format=%s", `${done.task.baseCommit}..${done.task.branch}`).split("\n")).toHaveLength(2);
    const statuses = events.filter((e) => e.event === "task.status").map((e) => (e.data as { to: string }).to);
    expect(statuses).toEqual(["created", "classified", "pending", "approved", "queued", "executing", "done"]);
    expect(events.some((e) => e.event === "task.progress" && (e.data as { message: string }).message.startsWith("step 2/2"))).toBe(true);

    const list = cli(root, env, "tasks");
    expect(list.stdout).toContain(`#${task.id} add-a-and-b  done [large] → ${done.task.branch}`);
    const cost = JSON.parse(cli(root, env, "cost", "--json").stdout);
    expect(cost.total).toMatchObject({ calls: 4, input: 5 + 7 + 11 + 13 });
  });

  test("SIGTERM interrupts the running task; a restarted daemon leaves it interrupted; resume finishes it", async () => {
    const { root, env } = repoWithScript(60_000);
    const d = await startDaemon(root, { env });
    const c = await d.client();
    const task = JSON.parse(cli(root, env, "task", "create", "Add a and b", "--json").stdout).task;
    const events: Event[] = [];
    await c.subscribe((e) => events.push(e), ["task.progress"]);
    await c.request("task.approve", { id: task.id });
    await c.nextEvent((e) => (e.data as { message: string }).message.startsWith("step 2/2"), 30_000);
    expect(await d.stop()).toBe(0);

    const shown = JSON.parse(cli(root, env, "task", "show", String(task.id), "--json").stdout);
    expect(shown.status).toBe("interrupted");
    expect(shown.steps.map((s: { status: string }) => s.status)).toEqual(["done", "pending"]);
    expect(existsSync(shown.worktree)).toBe(true);

    const d2 = await startDaemon(root, { env });
    const c2 = await d2.client();
    expect((await c2.request("task.show", { id: task.id })).task.status).toBe("interrupted");
    const resumed = cli(root, env, "task", "resume", String(task.id), "--json");
    expect(resumed.code).toBe(0);
    const final = JSON.parse(resumed.stdout);
    expect(final.status).toBe("done");
    expect(final.steps.map((s: { status: string }) => s.status)).toEqual(["done", "done"]);
  });

  test("a daemon killed outright: its executing task becomes interrupted at the next start", async () => {
    const { root, env } = repoWithScript(60_000);
    const d = await startDaemon(root, { env });
    const c = await d.client();
    const task = JSON.parse(cli(root, env, "task", "create", "Add a and b", "--json").stdout).task;
    await c.subscribe(() => undefined, ["task.progress"]);
    await c.request("task.approve", { id: task.id });
    await c.nextEvent((e) => (e.data as { message: string }).message.startsWith("step 2/2"), 30_000);
    d.proc.kill("SIGKILL");
    await d.proc.exited;

    // Without a daemon, any task command notices the dead runner.
    const shown = JSON.parse(cli(root, { ...env, SKEP_NO_DAEMON: "1" }, "task", "show", String(task.id), "--json").stdout);
    expect(shown.status).toBe("interrupted");
    expect(shown.reason).toContain("is gone");
  });
});

describe("task interrupt through the daemon", () => {
  test("`skep task interrupt` stops the running step; the task keeps its branch; resume finishes it", async () => {
    const { root, env } = repoWithScript(60_000);
    const d = await startDaemon(root, { env });
    const c = await d.client();
    const created = cli(root, env, "task", "create", "Add a and b");
    expect(created.stderr).toMatch(/◠  task #1 created\n◠  classifying and planning\.\.\. \(classify: script \(replayed answers\) haiku, plan: script \(replayed answers\) sonnet\)\n/);
    await c.subscribe(() => undefined, ["task.progress"]);
    await c.request("task.approve", { id: 1 });
    await c.nextEvent((e) => (e.data as { message: string }).message.startsWith("step 2/2"), 30_000);
    const interrupted = cli(root, env, "task", "interrupt", "1");
    expect(interrupted.stdout).toContain("Task #1 interrupted; resume with: skep task resume 1");
    const shown = (await c.request("task.show", { id: 1 })).task;
    expect(shown.steps.map((s) => s.status)).toEqual(["done", "pending"]);
    expect(git(root, "branch", "--list", shown.branch!)).toContain(shown.branch!);
    const resumed = cli(root, env, "task", "resume", "1");
    expect(resumed.stdout).toContain("Task #1 done");
    expect(cli(root, env, "task", "interrupt", "1").stderr).toContain("task #1 is done: nothing to interrupt");
  });
});

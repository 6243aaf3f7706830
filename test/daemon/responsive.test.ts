// The daemon keeps answering while a task commits thousands of files, and an interrupt sent during
// the commit stops it. Ordering, not timing: a ping answered between the step's "committing" event
// and its "done" event can only happen when the commit does not hold the event loop (a synchronous
// `git add` would publish "done" before reading any request that arrived meanwhile).
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DaemonClient } from "../../src/client/daemon-client.ts";
import type { Event } from "../../src/protocol/socket.ts";
import { cleanupAll, makeRepo, run, startDaemon, tempDir } from "./support.ts";

setDefaultTimeout(120_000);
afterEach(cleanupAll);

const FILES = 4000;
const STEP_DELAY_MS = 4000;

function repo(): { root: string; env: Record<string, string> } {
  const root = makeRepo({ "src/main.ts": "export function main(): number {\n  return 1;\n}\n" });
  const classify = { classification: "large", confidence: 0.9, reason: "many files", needs_clarification: false, clarifying_questions: [], reject_reason: null };
  const plan = { plan: [{ verb: "add", target_file: "gen/f0.txt", description: "generate files", acceptance: "they exist", depends_on: [] }] };
  const script = {
    answers: [
      { purpose: "classify", text: JSON.stringify(classify) },
      { purpose: "plan", text: JSON.stringify(plan) },
      { purpose: "step", text: "done", delayMs: STEP_DELAY_MS },
      { purpose: "step", text: "done again" },
    ],
  };
  const scriptPath = join(tempDir("skep-script-"), "answers.json");
  writeFileSync(scriptPath, JSON.stringify(script));
  run(["init", "--no-daemon", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } });
  writeFileSync(join(root, ".skep/config.json"), JSON.stringify({ llm: "script", llm_script: scriptPath, test_cmd: null }));
  return { root, env: { SKEP_HOME: tempDir("skep-home-") } };
}

/** Start a task whose step leaves FILES new files (written here, as an LLM CLI would, during the step's call). */
async function taskCommittingManyFiles(c: DaemonClient, events: Event[]): Promise<number> {
  const created = await c.request("task.create", { description: "generate many files", dryRun: false }, 60_000);
  const id = created.task!.id;
  await c.request("task.wait", { id, until: "classified", timeoutMs: 60_000 }, 65_000);
  await c.request("task.approve", { id }).catch(() => {});
  const deadline = Date.now() + 60_000;
  while (!events.some((e) => (e.data as { message?: string }).message?.startsWith("step 1/1")) && Date.now() < deadline) await Bun.sleep(20);
  const wt = (await c.request("task.show", { id })).task.worktree!;
  mkdirSync(join(wt, "gen"));
  for (let i = 0; i < FILES; i++) writeFileSync(join(wt, "gen", `f${i}.txt`), `file ${i}\n`);
  return id;
}

const isCommitting = (e: Event) => (e.data as { message?: string }).message?.endsWith(": committing") ?? false;

describe("a task's commit of thousands of files", () => {
  test("pings are answered while it runs (between the step's committing and done events)", async () => {
    const { root, env } = repo();
    const d = await startDaemon(root, { env });
    const c = await d.client();
    const order: string[] = [];
    const events: Event[] = [];
    await c.subscribe((e) => {
      events.push(e);
      const message = (e.data as { message?: string }).message ?? "";
      if (isCommitting(e)) order.push("committing");
      else if (/^step 1\/1.* done/.test(message)) order.push("done");
    }, ["task.progress"]);
    const id = await taskCommittingManyFiles(c, events);
    while (!order.includes("committing")) await Bun.sleep(5);
    // Pings until the step is done: each answer is recorded in arrival order with the events.
    while (!order.includes("done")) {
      await c.request("ping", {}, 60_000);
      order.push("ping");
    }
    const final = await c.request("task.wait", { id, until: "terminal", timeoutMs: 60_000 }, 65_000);
    expect(final.task.status).toBe("done");
    expect(final.task.steps[0]!.commit).toBeTruthy();
    const between = order.slice(order.indexOf("committing"), order.indexOf("done")).filter((x) => x === "ping");
    expect(between.length).toBeGreaterThan(0);
  });

  test("an interrupt sent during the commit stops it: the task is interrupted, nothing committed, and resume commits the files", async () => {
    const { root, env } = repo();
    const d = await startDaemon(root, { env });
    const c = await d.client();
    const events: Event[] = [];
    let committing: () => void = () => {};
    const commitStarted = new Promise<void>((r) => (committing = r));
    await c.subscribe((e) => {
      events.push(e);
      if (isCommitting(e)) committing();
    }, ["task.progress", "task.status"]);
    const id = await taskCommittingManyFiles(c, events);
    await commitStarted;
    const answer = await c.request("task.interrupt", { id }, 60_000);
    expect(answer.task.status).toBe("interrupted");
    expect(answer.task.steps[0]!.commit).toBeNull();
    expect(answer.task.steps[0]!.status).toBe("pending");
    // No lock left behind: resuming runs the step again and commits every file once.
    await c.request("task.run", { id });
    const final = await c.request("task.wait", { id, until: "terminal", timeoutMs: 60_000 }, 65_000);
    expect(final.task.status).toBe("done");
    expect(final.task.steps[0]!.commit).toBeTruthy();
  });
});

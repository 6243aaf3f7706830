// A task waiting on a peer does not hold its repo's queue (issue 11, criterion 10): backend's task
// #1 delegates to mobile, whose gate leaves the work for a person; while it waits, task #1 stays
// `executing` with its delegate step `waiting` (in the socket's answer, `skep tasks`, `task show`
// and the workspace dashboard), and backend's daemon runs task #2 to done. When a person approves
// mobile's task and it finishes, task #1 takes the queue back on mobile's answer (no polling) and
// finishes its own step. Real daemons, the `script` backend.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stopDaemon } from "../../src/client/control.ts";
import type { Event } from "../../src/protocol/socket.ts";
import type { Task } from "../../src/protocol/tasks.ts";
import { cleanupAll, git, makeRepo, onCleanup, pathsFor, run, startDaemon, tempDir } from "./support.ts";

setDefaultTimeout(150_000);
afterEach(cleanupAll);

const classify = (classification: string) =>
  JSON.stringify({ classification, confidence: 0.9, reason: `${classification} on purpose`, needs_clarification: false, clarifying_questions: [], reject_reason: null });
const plan = (steps: { verb: string; target_file: string; description: string }[]) =>
  JSON.stringify({ plan: steps.map((s, i) => ({ acceptance: "it is there", depends_on: i ? [i - 1] : [], ...s })) });

function writeScript(root: string, answers: unknown[]): void {
  const scriptPath = join(tempDir("skep-script-"), "answers.json");
  writeFileSync(scriptPath, JSON.stringify({ answers }));
  writeFileSync(join(root, ".skep", "config.json"), JSON.stringify({ llm: "script", llm_script: scriptPath, test_cmd: null }));
}

function bed() {
  const ws = tempDir("skep-ws-");
  const backend = makeRepo({ "src/server.ts": "export function serve(): number {\n  return 1;\n}\n" }, { dir: join(ws, "backend") });
  const mobile = makeRepo({ "src/app.ts": "export function app(): string {\n  return 'app';\n}\n" }, { dir: join(ws, "mobile") });
  const env = { SKEP_HOME: tempDir("skep-home-") };
  onCleanup(async () => {
    await stopDaemon(pathsFor(mobile));
  });
  for (const root of [backend, mobile]) expect(run(["init", "--no-daemon", "--workspace", ws, "--repo", root], { env: { ...env, SKEP_NO_DAEMON: "1" } }).code).toBe(0);
  writeScript(backend, [
    { purpose: "classify", text: classify("large"), usage: { input: 5, output: 1 } },
    {
      purpose: "plan",
      text: plan([
        { verb: "delegate", target_file: "", description: "Delegate to mobile: Add a ping function in src/ping.ts" },
        { verb: "add", target_file: "src/ping-route.ts", description: "Add the ping route" },
      ]),
    },
    { purpose: "classify", text: classify("large") },
    { purpose: "plan", text: plan([{ verb: "add", target_file: "src/health.ts", description: "Add the health check" }]) },
    { purpose: "step", match: "health check", text: "health", writes: [{ path: "src/health.ts", content: "export const health = 'ok';\n" }] },
    { purpose: "step", match: "ping route", text: "route", writes: [{ path: "src/ping-route.ts", content: "export const route = '/ping';\n" }] },
  ]);
  writeScript(mobile, [
    { purpose: "classify", text: classify("large") },
    { purpose: "plan", text: plan([{ verb: "add", target_file: "src/ping.ts", description: "Add ping()" }]) },
    { purpose: "step", match: "Add ping", text: "ping", writes: [{ path: "src/ping.ts", content: "export const ping = 'pong';\n" }] },
  ]);
  const cli = (root: string, ...args: string[]) => run([...args, "--repo", root], { env });
  return { ws, backend, mobile, env, cli };
}

function messages(events: Event[]): string[] {
  return events.filter((e) => e.event === "task.progress").map((e) => `#${(e.data as { taskId: number }).taskId} ${(e.data as { message: string }).message}`);
}

async function until(what: string, events: Event[], pred: (m: string) => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!messages(events).some(pred)) {
    if (Date.now() > deadline) throw new Error(`no ${what}; got:\n${messages(events).join("\n")}`);
    await Bun.sleep(20);
  }
}

describe("a task waiting on a peer parks", () => {
  test("the second task runs to done while the first waits on mobile; the first resumes when mobile's task is done", async () => {
    const b = bed();
    await startDaemon(b.mobile, { env: b.env });
    const d = await startDaemon(b.backend, { env: b.env });
    const c = await d.client();
    const events: Event[] = [];
    await c.subscribe((e) => events.push(e), ["task.*"]);

    const first = JSON.parse(b.cli(b.backend, "task", "create", "Add a ping endpoint and have mobile show it", "--json").stdout).task as Task;
    expect(first.plan?.plan.map((s) => s.verb)).toEqual(["delegate", "add"]);
    await c.request("task.approve", { id: first.id });
    await until("wait on mobile", events, (m) => m.startsWith(`#${first.id} waiting for mobile task #1 (large)`));

    // Task #2 is created and approved while #1 waits: the queue runs it to done.
    const second = JSON.parse(b.cli(b.backend, "task", "create", "Add a health check endpoint", "--json").stdout).task as Task;
    expect(second.id).not.toBe(first.id);
    expect(b.cli(b.backend, "task", "approve", String(second.id)).code).toBe(0);
    const done2 = await c.request("task.wait", { id: second.id, until: "terminal", timeoutMs: 60_000 }, 65_000);
    expect(done2.timedOut).toBe(false);
    expect(done2.task.status, done2.task.reason ?? "").toBe("done");
    expect(git(b.backend, "show", `${done2.task.branch}:src/health.ts`)).toContain("ok");

    // #1 is still executing, parked: its delegate step waits, visible as such everywhere.
    const parked = (await c.request("task.show", { id: first.id })).task;
    expect(parked.status).toBe("executing");
    expect(parked.steps.map((s) => s.status)).toEqual(["waiting", "pending"]);
    expect(parked.steps[0]!.peer).toMatchObject({ repo: "mobile", taskId: 1, status: "pending" });
    const list = b.cli(b.backend, "tasks");
    expect(list.stdout).toContain(`#${first.id} add-a-ping-endpoint-and-have  executing, waiting on mobile #1 [large]`);
    expect(list.stdout).toContain(`#${second.id} add-a-health-check-endpoint  done [large]`);
    const shown = b.cli(b.backend, "task", "show", String(first.id)).stdout;
    expect(shown).toContain("Waiting:     step 1/2 waits on mobile task #1 (pending: waiting for approval there)");
    expect(shown).toContain("  … 1. [delegate]: Delegate to mobile: Add a ping function in src/ping.ts");
    const frame = JSON.parse(run(["workspace", "watch", "--json", "--repo", b.backend], { env: b.env }).stdout);
    expect(frame.tasks.find((t: { repo: string; id: number }) => t.repo === "backend" && t.id === first.id)).toMatchObject({ status: "executing", waitingOn: { repo: "mobile", taskId: 1 } });
    const dashboard = run(["workspace", "watch", "--once", "--repo", b.backend], { env: { ...b.env, COLUMNS: "200" } }).stdout;
    expect(dashboard).toMatch(new RegExp(`#${first.id} +backend +add-a-ping-endpoint-and-have +waiting mobile#1 `));
    // The daemon's log says it parked the task and went on.
    expect(readFileSync(join(b.backend, ".skep", "logs", "daemon.log"), "utf8")).toContain(`task #${first.id}: parked while its delegate step waits on a peer; the queue goes on`);

    // A person approves mobile's task; when it is done, #1 goes on with its own step at once.
    expect(b.cli(b.mobile, "task", "approve", "1").code).toBe(0);
    const done1 = await c.request("task.wait", { id: first.id, until: "terminal", timeoutMs: 60_000 }, 65_000);
    expect(done1.task.status, done1.task.reason ?? "").toBe("done");
    expect(done1.task.steps.map((s) => s.status)).toEqual(["done", "done"]);
    expect(git(b.backend, "show", `${done1.task.branch}:src/ping-route.ts`)).toContain("/ping");
    // Order as it happened: #1 waited, #2 ran and finished, then #1's delegate step and its own step.
    const all = messages(events);
    const at = (prefix: string) => all.findIndex((m) => m.startsWith(prefix));
    expect(at(`#${first.id} waiting for mobile task #1`)).toBeLessThan(at(`#${second.id} step 1/1: add src/health.ts`));
    expect(at(`#${second.id} done:`)).toBeLessThan(at(`#${first.id} step 1/2: delegate done`));
    expect(at(`#${first.id} step 1/2: delegate done`)).toBeLessThan(at(`#${first.id} step 2/2: add src/ping-route.ts`));
  });
});

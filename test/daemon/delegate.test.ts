// Delegate steps through real daemons: a workspace of two git repos registered by `skep init
// --workspace`, each with the `script` backend. The backend repo's executor creates the task on
// the mobile repo's daemon (starting that daemon when none runs), lets mobile's gate decide,
// waits for it without polling, and goes on with its own steps; neither user checkout changes.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stopDaemon } from "../../src/client/control.ts";
import type { Event } from "../../src/protocol/socket.ts";
import type { Task } from "../../src/protocol/tasks.ts";
import { taskFiles } from "../../src/tasks/paths.ts";
import { cleanupAll, git, makeRepo, onCleanup, pathsFor, run, startDaemon, tempDir, type RunningDaemon } from "./support.ts";

setDefaultTimeout(120_000);
afterEach(cleanupAll);

const classify = (classification: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ classification, confidence: 0.9, reason: `${classification} on purpose`, needs_clarification: false, clarifying_questions: [], reject_reason: null, ...extra });
const plan = (steps: { verb: string; target_file: string; description: string; depends_on?: number[] }[]) =>
  JSON.stringify({ plan: steps.map((s) => ({ acceptance: "it is there", depends_on: [], ...s })) });

const BACKEND_TASK = "Add a ping endpoint and have mobile show it";
const MOBILE_WORK = "Add a ping function in src/ping.ts";

interface Bed {
  ws: string;
  backend: string;
  mobile: string;
  env: Record<string, string>;
  /** HEAD and `git status` of both user checkouts, as they were before anything ran. */
  checkouts: Record<string, { head: string; status: string }>;
}

function snapshot(root: string): { head: string; status: string } {
  return { head: git(root, "rev-parse", "HEAD"), status: git(root, "status", "--porcelain") };
}

function writeScript(root: string, answers: unknown[], config: Record<string, unknown> = {}): void {
  const scriptPath = join(tempDir("skep-script-"), "answers.json");
  writeFileSync(scriptPath, JSON.stringify({ answers }));
  writeFileSync(join(root, ".skep", "config.json"), JSON.stringify({ llm: "script", llm_script: scriptPath, test_cmd: null, ...config }));
}

/**
 * Two repos in one workspace, registered through `skep init --workspace`. The backend's plan:
 * delegate to `peerName`, then a local step that needs it. `mobileClass` is mobile's classifier.
 */
function workspace(opts: { mobileClass: string; mobileExtra?: Record<string, unknown>; peerName?: string; backendConfig?: Record<string, unknown> }): Bed {
  const ws = tempDir("skep-ws-");
  const backend = makeRepo({ "src/server.ts": "export function serve(): number {\n  return 1;\n}\n" }, { dir: join(ws, "backend") });
  const mobile = makeRepo({ "src/app.ts": "export function app(): string {\n  return 'app';\n}\n" }, { dir: join(ws, "mobile") });
  const env = { SKEP_HOME: tempDir("skep-home-") };
  // Whatever starts mobile's daemon (the test or backend's executor), it is stopped before the repos go.
  onCleanup(async () => {
    await stopDaemon(pathsFor(mobile));
  });
  for (const root of [backend, mobile]) {
    const init = run(["init", "--no-daemon", "--workspace", ws, "--repo", root], { env: { ...env, SKEP_NO_DAEMON: "1" } });
    expect(init.code).toBe(0);
  }
  const registry = JSON.parse(readFileSync(join(ws, ".skep-workspace", "registry.json"), "utf8"));
  expect(Object.keys(registry.agents).sort()).toEqual(["backend", "mobile"]);

  writeScript(backend, [
    { purpose: "classify", text: classify("large"), usage: { input: 5, output: 1 } },
    {
      purpose: "plan",
      text: plan([
        { verb: "delegate", target_file: "", description: `Delegate to ${opts.peerName ?? "Mobile"}: ${MOBILE_WORK}` },
        { verb: "add", target_file: "src/ping-route.ts", description: "Add the ping route", depends_on: [0] },
      ]),
      usage: { input: 7, output: 2 },
    },
    { purpose: "step", match: 'step number="2"', text: "route", writes: [{ path: "src/ping-route.ts", content: "export const route = '/ping';\n" }], usage: { input: 11 } },
  ], opts.backendConfig);
  writeScript(mobile, [
    { purpose: "classify", text: classify(opts.mobileClass, opts.mobileExtra), usage: { input: 3, output: 1 } },
    { purpose: "plan", text: plan([{ verb: "add", target_file: "src/ping.ts", description: "Add ping()" }]), usage: { input: 4, output: 1 } },
    { purpose: "step", match: 'step number="1"', text: "ping", writes: [{ path: "src/ping.ts", content: "export function ping(): string {\n  return 'pong';\n}\n" }], usage: { input: 6 } },
  ]);
  return { ws, backend, mobile, env, checkouts: { backend: snapshot(backend), mobile: snapshot(mobile) } };
}

function cli(bed: Bed, root: string, ...args: string[]) {
  return run([...args, "--repo", root], { env: bed.env });
}

/** The backend daemon, a subscribed client with every task event it publishes, and task #1 created and approved. */
async function startBackendTask(bed: Bed): Promise<{ d: RunningDaemon; events: Event[]; taskId: number }> {
  const d = await startDaemon(bed.backend, { env: bed.env });
  const c = await d.client();
  const events: Event[] = [];
  await c.subscribe((e) => events.push(e), ["task.*"]);
  const created = cli(bed, bed.backend, "task", "create", BACKEND_TASK, "--json");
  expect(created.code).toBe(0);
  const task = JSON.parse(created.stdout).task as Task;
  expect(task.status).toBe("pending");
  expect(task.plan?.plan.map((s) => s.verb)).toEqual(["delegate", "add"]);
  await c.request("task.approve", { id: task.id });
  return { d, events, taskId: task.id };
}

async function waitTerminal(d: RunningDaemon, id: number): Promise<Task> {
  const c = await d.client();
  const r = await c.request("task.wait", { id, until: "terminal", timeoutMs: 90_000 }, 95_000);
  expect(r.timedOut).toBe(false);
  return r.task;
}

/** The first progress line matching `re` among the events from index `from` on, as they arrive. */
async function progressMatching(events: Event[], re: RegExp, from = 0, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = messages(events.slice(from)).find((m) => re.test(m));
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no progress matching ${re}; got:\n${messages(events).join("\n")}`);
    await Bun.sleep(20);
  }
}

function messages(events: Event[]): string[] {
  return events.filter((e) => e.event === "task.progress").map((e) => (e.data as { message: string }).message);
}

function mobileTasks(bed: Bed): Task[] {
  const r = cli(bed, bed.mobile, "tasks", "--json");
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.stdout);
  return (Array.isArray(parsed) ? parsed : parsed.tasks) as Task[];
}

function checkoutsUnchanged(bed: Bed): void {
  expect(snapshot(bed.backend)).toEqual(bed.checkouts.backend!);
  expect(snapshot(bed.mobile)).toEqual(bed.checkouts.mobile!);
}

/** Both tasks done; backend's delegate step names mobile's task and branch; mobile's branch has the work. */
function expectBothDone(bed: Bed, backendTask: Task, events: Event[]): Task {
  const peerTasks = mobileTasks(bed);
  expect(peerTasks).toHaveLength(1);
  const peer = peerTasks[0]!;
  expect(peer).toMatchObject({ status: "done", sourceRepo: "backend", sourceTaskId: backendTask.id, classification: expect.any(String) });
  expect(peer.description.startsWith(MOBILE_WORK)).toBe(true);
  expect(peer.description).toContain(`Requested by backend task #${backendTask.id}: ${BACKEND_TASK}`);
  expect(git(bed.mobile, "show", `${peer.branch}:src/ping.ts`)).toContain("pong");
  expect(git(bed.mobile, "log", "--format=%s", `${peer.baseCommit}..${peer.branch}`).split("\n")).toHaveLength(1);

  expect(backendTask.status).toBe("done");
  const [delegate, local] = backendTask.steps;
  expect(delegate).toMatchObject({ verb: "delegate", status: "done", commit: null, peer: { repo: "mobile", taskId: peer.id, status: "done", branch: peer.branch } });
  expect(local).toMatchObject({ verb: "add", status: "done", commit: expect.any(String) });
  expect(git(bed.backend, "show", `${backendTask.branch}:src/ping-route.ts`)).toContain("/ping");
  // The local step started only after the delegate step was done.
  const all = messages(events);
  const delegated = all.findIndex((m) => m.startsWith("step 1/2: delegate done"));
  const second = all.indexOf("step 2/2: add src/ping-route.ts");
  expect(delegated).toBeGreaterThanOrEqual(0);
  expect(second).toBeGreaterThan(delegated);
  // No ledger row for the delegate step: backend paid for classify, plan and step 2 only.
  const cost = JSON.parse(cli(bed, bed.backend, "cost", "--json").stdout);
  expect(cost.total).toMatchObject({ calls: 3, input: 5 + 7 + 11 });
  expect(cost.byPurpose.find((p: { purpose: string }) => p.purpose === "step").tokens.calls).toBe(1);

  const result = readFileSync(taskFiles(join(bed.backend, ".skep"), backendTask.id).result, "utf8");
  expect(result).toContain("## Delegated work");
  expect(result).toContain(`- step 1: mobile task #${peer.id} (done), branch ${peer.branch} in mobile: ${MOBILE_WORK}`);
  checkoutsUnchanged(bed);
  return peer;
}

describe("delegate steps through the peer's daemon", () => {
  test("small on the peer: mobile's daemon is started, auto-approves and executes it; backend's next step runs after it", async () => {
    const bed = workspace({ mobileClass: "small" });
    const { d, events, taskId } = await startBackendTask(bed);
    const final = await waitTerminal(d, taskId);
    expect(final.status, final.reason ?? "").toBe("done");
    const all = messages(events);
    expect(all.some((m) => m.includes(`no daemon runs for mobile (${bed.mobile}); starting it`))).toBe(true);
    expect(all.some((m) => /^mobile task #1: approved \(small task delegated by backend: approved automatically\)$/.test(m))).toBe(true);
    expect(all.some((m) => m.startsWith("mobile #1: step 1/1: add src/ping.ts"))).toBe(true);
    const peer = expectBothDone(bed, final, events);
    expect(final.result).toContain(`delegated: mobile #${peer.id}`);

    const shown = cli(bed, bed.backend, "task", "show", String(taskId));
    expect(shown.stdout).toContain(`delegated to mobile task #${peer.id} (done), branch ${peer.branch}`);
    // The peer's tokens are in the peer's ledger.
    const peerCost = JSON.parse(cli(bed, bed.mobile, "cost", "--json").stdout);
    expect(peerCost.total).toMatchObject({ calls: 3, input: 3 + 4 + 6 });
  });

  test("large on the peer: backend waits, never approves it; a person approves on the peer; both finish", async () => {
    const bed = workspace({ mobileClass: "large" });
    await startDaemon(bed.mobile, { env: bed.env });
    const { d, events, taskId } = await startBackendTask(bed);
    const waiting = await progressMatching(events, /^waiting for mobile task #1/);
    expect(waiting).toBe(`waiting for mobile task #1 (large): approve it with \`skep task approve 1 --repo ${bed.mobile}\``);
    const peerBefore = mobileTasks(bed)[0]!;
    expect(peerBefore.status).toBe("pending");
    const step = (await (await d.client()).request("task.show", { id: taskId })).task.steps[0]!;
    expect(step).toMatchObject({ status: "waiting", peer: { repo: "mobile", taskId: 1, status: "pending" } });
    const shown = cli(bed, bed.backend, "task", "show", String(taskId)).stdout;
    expect(shown).toContain("delegated to mobile task #1 (pending)");
    // The waiting step, the peer repo, its task and its status read now from the peer's store.
    expect(shown).toContain("Waiting:     step 1/2 waits on mobile task #1 (pending: waiting for approval there)");

    const approved = cli(bed, bed.mobile, "task", "approve", "1");
    expect(approved.code).toBe(0);
    const final = await waitTerminal(d, taskId);
    expect(final.status, final.reason ?? "").toBe("done");
    expectBothDone(bed, final, events);
  });

  test("the peer rejects the task: backend's task fails with the peer's reason", async () => {
    const bed = workspace({ mobileClass: "reject", mobileExtra: { reject_reason: "mobile has no network layer to ping" } });
    await startDaemon(bed.mobile, { env: bed.env });
    const { d, taskId } = await startBackendTask(bed);
    const final = await waitTerminal(d, taskId);
    expect(final.status).toBe("failed");
    expect(final.reason).toContain("step 1/2: delegate: mobile rejected task #1: rejected by the classifier: mobile has no network layer to ping");
    // What moves the task on: resuming would meet the same rejection.
    expect(final.reason).toContain(`reject this task (\`skep task reject ${taskId}\`)`);
    expect(final.reason).toContain(`\`skep task done ${taskId}\``);
    expect(final.steps.map((s) => s.status)).toEqual(["failed", "pending"]);
    expect(final.steps[0]!.peer).toMatchObject({ repo: "mobile", taskId: 1, status: "rejected" });
    expect(mobileTasks(bed).map((t) => [t.status, t.sourceRepo, t.sourceTaskId])).toEqual([["rejected", "backend", taskId]]);
    checkoutsUnchanged(bed);
  });

  test("an unknown peer name fails the step and lists the peers that exist", async () => {
    const bed = workspace({ mobileClass: "small", peerName: "desktop" });
    const { d, taskId } = await startBackendTask(bed);
    const final = await waitTerminal(d, taskId);
    expect(final.status).toBe("failed");
    expect(final.reason).toContain(`step 1/2: delegate: no peer repo named 'desktop' in the workspace ${bed.ws}; its peers are: mobile`);
    expect(final.steps[0]).toMatchObject({ status: "failed", peer: null });
    expect(final.tokens.calls).toBe(2); // classify and plan: the delegate step made no call
    checkoutsUnchanged(bed);
  });

  test("interrupted while waiting, then resumed: the same peer task is waited on, no second one is created", async () => {
    const bed = workspace({ mobileClass: "large" });
    await startDaemon(bed.mobile, { env: bed.env });
    const { d, events, taskId } = await startBackendTask(bed);
    await progressMatching(events, /^waiting for mobile task #1 \(large\)/);

    const interrupted = cli(bed, bed.backend, "task", "interrupt", String(taskId));
    expect(interrupted.code).toBe(0);
    const c = await d.client();
    const after = (await c.request("task.show", { id: taskId })).task;
    expect(after.status).toBe("interrupted");
    expect(after.reason).toContain("while waiting for mobile; mobile task #1 keeps going there");
    expect(after.steps[0]).toMatchObject({ status: "pending", peer: { repo: "mobile", taskId: 1, status: "pending" } });
    expect(mobileTasks(bed).map((t) => t.status)).toEqual(["pending"]);

    const before = events.length;
    await c.request("task.run", { id: taskId });
    await progressMatching(events, /^waiting again for mobile task #1/, before);
    await progressMatching(events, /^waiting for mobile task #1 \(large\)/, before);
    expect(cli(bed, bed.mobile, "task", "approve", "1").code).toBe(0);
    const final = await waitTerminal(d, taskId);
    expect(final.status, final.reason ?? "").toBe("done");
    expect(messages(events).filter((m) => m.startsWith("delegating to mobile"))).toHaveLength(1);
    expectBothDone(bed, final, events); // also: exactly one task on mobile
  });

  test("delegate_timeout_sec bounds the wait: the step fails and the peer task is left as it is", async () => {
    const bed = workspace({ mobileClass: "large", backendConfig: { delegate_timeout_sec: 2 } });
    await startDaemon(bed.mobile, { env: bed.env });
    const { d, taskId } = await startBackendTask(bed);
    const final = await waitTerminal(d, taskId);
    expect(final.status).toBe("failed");
    expect(final.reason).toContain("gave up after 2s (delegate_timeout_sec) waiting for mobile task #1; it is left as it is there (pending)");
    expect(final.steps[0]).toMatchObject({ status: "failed", peer: { repo: "mobile", taskId: 1, status: "pending" } });
    expect(mobileTasks(bed).map((t) => t.status)).toEqual(["pending"]);
    checkoutsUnchanged(bed);
  });

  test("the peer's daemon goes away while backend waits: one reconnection, then the step fails saying where to start it", async () => {
    const bed = workspace({ mobileClass: "large" });
    const mobileDaemon = await startDaemon(bed.mobile, { env: bed.env });
    const { d, events, taskId } = await startBackendTask(bed);
    await progressMatching(events, /^waiting for mobile task #1 \(large\)/);
    expect(await mobileDaemon.stop()).toBe(0);
    const final = await waitTerminal(d, taskId);
    expect(final.status).toBe("failed");
    expect(messages(events).some((m) => m.startsWith(`lost the connection to mobile's daemon (${bed.mobile})`) && m.endsWith("reconnecting once"))).toBe(true);
    expect(final.reason).toContain(`lost the connection to mobile's daemon (${bed.mobile})`);
    expect(final.reason).toContain("start it there (`skep daemon start`) (task #1 there is left as it is; `skep task resume 1` waits on it again)");
    expect(final.steps[0]).toMatchObject({ status: "failed", peer: { repo: "mobile", taskId: 1 } });
  });
});

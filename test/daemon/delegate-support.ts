// The bed of the delegate-step tests (delegate.test.ts, delegate-approval.test.ts): a workspace of
// two git repos registered by `skep init --workspace`, each with the `script` backend; backend's
// plan delegates to mobile, then adds a local step that needs mobile's work.
import { Database } from "bun:sqlite";
import { expect } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stopDaemon } from "../../src/client/control.ts";
import type { Event } from "../../src/protocol/socket.ts";
import type { Task } from "../../src/protocol/tasks.ts";
import { taskFiles } from "../../src/tasks/paths.ts";
import { git, makeRepo, onCleanup, pathsFor, run, startDaemon, tempDir, type RunningDaemon } from "./support.ts";

export const classify = (classification: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ classification, confidence: 0.9, reason: `${classification} on purpose`, needs_clarification: false, clarifying_questions: [], reject_reason: null, ...extra });
export const plan = (steps: { verb: string; target_file: string; description: string; depends_on?: number[]; approve_peer?: boolean }[]) =>
  JSON.stringify({ plan: steps.map((s) => ({ acceptance: "it is there", depends_on: [], ...s })) });

export const BACKEND_TASK = "Add a ping endpoint and have mobile show it";
export const MOBILE_WORK = "Add a ping function in src/ping.ts";

export interface Bed {
  ws: string;
  backend: string;
  mobile: string;
  env: Record<string, string>;
  /** HEAD and `git status` of both user checkouts, as they were before anything ran. */
  checkouts: Record<string, { head: string; status: string }>;
}

export function snapshot(root: string): { head: string; status: string } {
  return { head: git(root, "rev-parse", "HEAD"), status: git(root, "status", "--porcelain") };
}

export function writeScript(root: string, answers: unknown[], config: Record<string, unknown> = {}): void {
  const scriptPath = join(tempDir("skep-script-"), "answers.json");
  writeFileSync(scriptPath, JSON.stringify({ answers }));
  writeFileSync(join(root, ".skep", "config.json"), JSON.stringify({ llm: "script", llm_script: scriptPath, test_cmd: null, ...config }));
}

/**
 * Two repos in one workspace, registered through `skep init --workspace`. The backend's plan:
 * delegate to `peerName`, then a local step that needs it. `mobileClass` is mobile's classifier.
 */
export function workspace(opts: {
  mobileClass: string;
  mobileExtra?: Record<string, unknown>;
  peerName?: string;
  backendConfig?: Record<string, unknown>;
  /** The delegate step's `approve_peer`: the person's approval of backend's plan covers mobile's task. */
  approvePeer?: boolean;
  backendClass?: string;
  mobileConfig?: Record<string, unknown>;
}): Bed {
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
    { purpose: "classify", text: classify(opts.backendClass ?? "large"), usage: { input: 5, output: 1 } },
    {
      purpose: "plan",
      text: plan([
        { verb: "delegate", target_file: "", description: `Delegate to ${opts.peerName ?? "Mobile"}: ${MOBILE_WORK}`, ...(opts.approvePeer !== undefined ? { approve_peer: opts.approvePeer } : {}) },
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
  ], opts.mobileConfig);
  return { ws, backend, mobile, env, checkouts: { backend: snapshot(backend), mobile: snapshot(mobile) } };
}

export function cli(bed: Bed, root: string, ...args: string[]) {
  return run([...args, "--repo", root], { env: bed.env });
}

/** The backend daemon, a subscribed client with every task event it publishes, and task #1 created and approved by a person (unless the gate did). */
export async function startBackendTask(bed: Bed): Promise<{ d: RunningDaemon; events: Event[]; taskId: number }> {
  const d = await startDaemon(bed.backend, { env: bed.env });
  const c = await d.client();
  const events: Event[] = [];
  await c.subscribe((e) => events.push(e), ["task.*"]);
  const created = cli(bed, bed.backend, "task", "create", BACKEND_TASK, "--json");
  expect(created.code).toBe(0);
  const task = JSON.parse(created.stdout).task as Task;
  expect(task.plan?.plan.map((s) => s.verb)).toEqual(["delegate", "add"]);
  // The gate approved it (auto_execute_small), and the daemon may already run it.
  if (["approved", "queued", "executing"].includes(task.status)) return { d, events, taskId: task.id };
  expect(task.status).toBe("pending");
  await c.request("task.approve", { id: task.id });
  return { d, events, taskId: task.id };
}

export async function waitTerminal(d: RunningDaemon, id: number): Promise<Task> {
  const c = await d.client();
  const r = await c.request("task.wait", { id, until: "terminal", timeoutMs: 90_000 }, 95_000);
  expect(r.timedOut).toBe(false);
  return r.task;
}

/** The first progress line matching `re` among the events from index `from` on, as they arrive. */
export async function progressMatching(events: Event[], re: RegExp, from = 0, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = messages(events.slice(from)).find((m) => re.test(m));
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no progress matching ${re}; got:\n${messages(events).join("\n")}`);
    await Bun.sleep(20);
  }
}

export function messages(events: Event[]): string[] {
  return events.filter((e) => e.event === "task.progress").map((e) => (e.data as { message: string }).message);
}

export function mobileTasks(bed: Bed): Task[] {
  const r = cli(bed, bed.mobile, "tasks", "--json");
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.stdout);
  return (Array.isArray(parsed) ? parsed : parsed.tasks) as Task[];
}

export function checkoutsUnchanged(bed: Bed): void {
  expect(snapshot(bed.backend)).toEqual(bed.checkouts.backend!);
  expect(snapshot(bed.mobile)).toEqual(bed.checkouts.mobile!);
}

/** Both tasks done; backend's delegate step names mobile's task and branch; mobile's branch has the work. */
export function expectBothDone(bed: Bed, backendTask: Task, events: Event[]): Task {
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

/** The reasons of mobile task #1's approvals, from its own store. */
export function mobileApprovals(bed: Bed): string[] {
  const db = new Database(join(bed.mobile, ".skep", "tasks.db"), { readonly: true });
  try {
    return (db.query("SELECT reason FROM events WHERE task_id = 1 AND to_status = 'approved' ORDER BY id").values() as [string][]).map((r) => r[0]);
  } finally {
    db.close();
  }
}

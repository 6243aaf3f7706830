// Delegate steps through real daemons (the bed: delegate-support.ts). The backend repo's executor
// creates the task on the mobile repo's daemon (starting that daemon when none runs), lets
// mobile's gate decide, waits for it without polling, and goes on with its own steps; neither user
// checkout changes.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { checkoutsUnchanged, cli, expectBothDone, messages, mobileTasks, progressMatching, startBackendTask, waitTerminal, workspace } from "./delegate-support.ts";
import { cleanupAll, startDaemon } from "./support.ts";

setDefaultTimeout(120_000);
afterEach(cleanupAll);

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

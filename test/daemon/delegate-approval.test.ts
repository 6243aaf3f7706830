// Issue 11 criterion 9: the sender drives the peer's approval. A delegate step whose plan says
// `approve_peer`, in a task a person approved, has the executor approve the peer task on their
// behalf once the peer has planned it, unless the peer's config says accept_remote_approval: false
// (then it waits for a person there and says so). The bed: delegate-support.ts.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { taskFiles } from "../../src/tasks/paths.ts";
import { cli, expectBothDone, mobileApprovals, mobileTasks, progressMatching, startBackendTask, waitTerminal, workspace } from "./delegate-support.ts";
import { cleanupAll, startDaemon } from "./support.ts";

setDefaultTimeout(120_000);
afterEach(cleanupAll);

describe("the sender drives the peer's approval (approve_peer)", () => {
  test("the plan says so and a person approved it: backend approves mobile's large task on their behalf once it is planned; both finish", async () => {
    const bed = workspace({ mobileClass: "large", approvePeer: true });
    await startDaemon(bed.mobile, { env: bed.env });
    const { d, events, taskId } = await startBackendTask(bed);
    // What the person saw before approving: the plan says who approves the peer's task.
    expect(readFileSync(taskFiles(join(bed.backend, ".skep"), taskId).plan, "utf8")).toContain(
      "peer approval: on your behalf (approving this plan approves the peer's task once it is planned, unless the peer's accept_remote_approval is false)",
    );
    const said = await progressMatching(events, /^approved mobile task #1 on your behalf/);
    expect(said).toBe("approved mobile task #1 on your behalf: the plan you approved says so (step 1)");
    const final = await waitTerminal(d, taskId);
    expect(final.status, final.reason ?? "").toBe("done");
    expectBothDone(bed, final, events);
    // On mobile: who approved it, in its own events.
    expect(mobileApprovals(bed)).toEqual([`approved by backend task #${taskId} on behalf of the person who approved its plan there`]);
    // backend's task log says it too.
    expect(readFileSync(taskFiles(join(bed.backend, ".skep"), taskId).log, "utf8")).toContain("approved mobile task #1 on your behalf");
    expect(cli(bed, bed.backend, "task", "show", String(taskId)).stdout).toContain("peer approval: on your behalf");
  });

  test("mobile's config says accept_remote_approval: false: backend waits for a person there and says so; a person approves; both finish", async () => {
    const bed = workspace({ mobileClass: "large", approvePeer: true, mobileConfig: { accept_remote_approval: false } });
    await startDaemon(bed.mobile, { env: bed.env });
    const { d, events, taskId } = await startBackendTask(bed);
    const refused = await progressMatching(events, /^not approving mobile task #1 from here/);
    expect(refused).toContain("backend task #1 may not approve task #1: this repo's .skep/config.json says accept_remote_approval: false, so a person approves it here");
    expect(refused).toEndWith("waiting for a person there");
    await progressMatching(events, /^waiting for mobile task #1 \(large\): approve it with/);
    expect(mobileTasks(bed)[0]!.status).toBe("pending");
    const shown = cli(bed, bed.backend, "task", "show", String(taskId)).stdout;
    expect(shown).toContain("Waiting:     step 1/2 waits on mobile task #1 (pending: waiting for a person there: its config says accept_remote_approval: false");
    expect(readFileSync(taskFiles(join(bed.backend, ".skep"), taskId).log, "utf8")).toContain("not approving mobile task #1 from here");

    expect(cli(bed, bed.mobile, "task", "approve", "1").code).toBe(0);
    const final = await waitTerminal(d, taskId);
    expect(final.status, final.reason ?? "").toBe("done");
    expectBothDone(bed, final, events);
    expect(mobileApprovals(bed)).toEqual(["approved"]);
  });

  test("approved by backend's gate, not a person (auto_execute_small): mobile's large task is not approved from here", async () => {
    const bed = workspace({ mobileClass: "large", approvePeer: true, backendClass: "small", backendConfig: { auto_execute_small: true } });
    await startDaemon(bed.mobile, { env: bed.env });
    const { d, events, taskId } = await startBackendTask(bed);
    const said = await progressMatching(events, /^not approving mobile task #1 on your behalf/);
    expect(said).toContain(`task #${taskId} was approved by its gate, not by a person (small task: approved automatically (auto_execute_small)), so a person approves it there`);
    await progressMatching(events, /^waiting for mobile task #1 \(large\)/);
    expect(mobileTasks(bed)[0]!.status, JSON.stringify(mobileApprovals(bed))).toBe("pending");
    expect(cli(bed, bed.mobile, "task", "approve", "1").code).toBe(0);
    const final = await waitTerminal(d, taskId);
    expect(final.status, final.reason ?? "").toBe("done");
  });
});

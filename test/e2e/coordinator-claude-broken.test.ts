// Coordinator runs with the real Claude Code CLI against the fake Messages API (the scenario is in
// coordinator-fake.ts), second scenario, in its own file so the two run in parallel: the adapter's
// worker renames the exception; the reviewer, reading the branches' diffs, marks the item broken,
// and report.md names file:line on both sides; on the person's word the item becomes a follow-up
// task in the gateway. The run's tokens equal the fake API's usage to the token.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { useFakeClaude } from "../support/claude.ts";
import { FakeAnthropic } from "../support/fake-anthropic.ts";
import { ADAPTER_RENAMED, callOf, checkoutsUnchanged, coordinateAndApprove, firstUserText, GATEWAY, json, ledgerMatches, lineOf, tasksOf } from "./coordinator-fake.ts";

setDefaultTimeout(240_000);

let fake: FakeAnthropic;
let claude: string;
useFakeClaude((f, c) => ((fake = f), (claude = c)));

describe("coordinator runs with the real claude CLI", () => {
  test("a worker renames the exception: the report marks the item broken with both file:line; it becomes a follow-up task on request", async () => {
    const { bed, skep, done, report } = await coordinateAndApprove(fake, claude, "coord-broken", ADAPTER_RENAMED);
    expect(done.run.reason).toBe("reviewed: 0 holds, broken: C1, untested: C2");
    // The reviewer saw the rename in the adapter's diff.
    const review = fake.requestsOf("coord-broken").find((r) => r.body && callOf({ body: r.body }).kind === "review")!;
    expect(firstUserText({ body: review.body! })).toContain("+class ReceiveLoopStopped(Exception):");
    expect(report).toContain(
      `| C1 | exception | \`ReceiveLoopDied\` | **broken** | adapter \`adapter/receive.py:${lineOf(ADAPTER_RENAMED, "class ReceiveLoopStopped")}\` | gateway \`gateway/recovery.py:${lineOf(GATEWAY, "except ReceiveLoopDied")}\` | adapter raises ReceiveLoopStopped, gateway catches ReceiveLoopDied |`,
    );
    expect(report).toContain("`skep run follow-up 1 <item> --in <repo>`");
    ledgerMatches(fake, done, "coord-broken");
    checkoutsUnchanged(bed);

    const follow = await json<{ repo: string; taskId: number; status: string }>(await skep("run", "follow-up", "1", "C1", "--in", "gateway", "--json"));
    expect(follow).toMatchObject({ repo: "gateway", taskId: 2 });
    const task = tasksOf(bed, "gateway").find((t) => t.id === 2)!;
    expect(task.description).toContain("Fix contract item C1 (exception) `ReceiveLoopDied` of skep run 1");
    expect(task.description).toContain("adapter adapter/receive.py:");
    expect(task.sourceRepo).toBe("run 1");
    checkoutsUnchanged(bed);
  });
});

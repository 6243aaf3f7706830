// Coordinator runs end to end with the real Claude Code CLI (pinned devDependency) behind skep's
// `claude` backend, driven by the fake Messages API on 127.0.0.1. A workspace of two fixture repos
// (an adapter whose receive loop raises ReceiveLoopDied, a gateway that reconnects on it):
// `skep coordinate` → the coordinator's MCP reads reach both repos through the workspace server →
// `skep run approve` → one worker task per repo through each repo's daemon, at the same time →
// the review → report.md with a verdict per contract item. The run's token totals equal the usage
// the fake API reported, to the token; no user checkout changes. The scenario (the fake's side of
// every call) is in coordinator-fake.ts; the broken-contract scenario in coordinator-claude-broken.test.ts.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { git } from "../daemon/support.ts";
import { useFakeClaude } from "../support/claude.ts";
import { FakeAnthropic } from "../support/fake-anthropic.ts";
import { ADAPTER_HOLDS, checkoutsUnchanged, coordinateAndApprove, GATEWAY, ledgerMatches, lineOf, tasksOf } from "./coordinator-fake.ts";

setDefaultTimeout(240_000);

let fake: FakeAnthropic;
let claude: string;
useFakeClaude((f, c) => ((fake = f), (claude = c)));

describe("coordinator runs with the real claude CLI", () => {
  test("spec → coordinator (MCP reads in both repos) → approve → two workers at once → review → report; tokens to the token", async () => {
    const { bed, done, report } = await coordinateAndApprove(fake, claude, "coord-holds", ADAPTER_HOLDS);
    const adapter = tasksOf(bed, "adapter")[0]!;
    const gateway = tasksOf(bed, "gateway")[0]!;
    expect([adapter.status, gateway.status]).toEqual(["done", "done"]);
    expect(adapter.sourceRepo).toBe("run 1");
    expect(git(bed.repos.adapter!, "show", `${adapter.branch}:adapter/receive.py`)).toContain("retry_after=2.0");
    expect(git(bed.repos.gateway!, "show", `${gateway.branch}:gateway/recovery.py`)).toContain("time.sleep(err.retry_after)");
    expect(report).toContain(`| C1 | exception | \`ReceiveLoopDied\` | **holds** | adapter \`adapter/receive.py:${lineOf(ADAPTER_HOLDS, "class ReceiveLoopDied")}\` | gateway \`gateway/recovery.py:${lineOf(GATEWAY, "except ReceiveLoopDied")}\` |`);
    expect(report).toContain("| C2 | retry | `RETRY_BUDGET = 3` | **untested** |");
    expect(report).toContain(`### gateway: task #1, branch \`${gateway.branch}\``);
    ledgerMatches(fake, done, "coord-holds");
    checkoutsUnchanged(bed);
  });
});

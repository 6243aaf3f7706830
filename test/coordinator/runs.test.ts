// Coordinator runs end to end with the `script` backend (fast): a workspace of two fixture repos
// (an adapter whose receive loop raises ReceiveLoopDied, a gateway that reconnects on it), each
// with its own daemon started by the run. `skep coordinate` drafts the contract and specs,
// `skep run approve` creates one task per repo through its daemon, follows them without polling,
// reviews the branches and writes report.md; the ledgers add up; no user checkout changes.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunShowAnswer } from "../../src/protocol/runs.ts";
import { cleanupAll, git } from "../daemon/support.ts";
import { bedWith, CHANGE, checkoutsUnchanged, coordinatorAnswer, shown, sum, tasksOf, U } from "./scenario.ts";
import { skep } from "./support.ts";

setDefaultTimeout(120_000);
afterEach(cleanupAll);

describe("skep coordinate and skep run", () => {
  test("draft → approve → two workers in parallel → review → report; ledgers add up; checkouts untouched", async () => {
    const bed = bedWith({ stepDelayMs: 1500 });
    const created = skep(bed, ["coordinate", CHANGE, "--json"], bed.repos.adapter!);
    expect(created.code, created.stderr).toBe(0);
    const draft = JSON.parse(created.stdout) as RunShowAnswer;
    expect(draft.run).toMatchObject({ id: 1, status: "pending", configRepo: "adapter" });
    expect(draft.run.reason).toBe("waiting for approval: adapter (small), gateway (small); no ordering: the workers run at the same time");
    expect(draft.specs.map((s) => s.repo)).toEqual(["adapter", "gateway"]);
    expect(draft.contract?.items.map((c) => c.id)).toEqual(["C1", "C2"]);
    const dir = join(bed.ws, ".skep-workspace", "runs", "1");
    expect(readFileSync(join(dir, "contract.md"), "utf8")).toContain("| C1 | exception | `ReceiveLoopDied` | adapter | gateway |");
    expect(readFileSync(join(dir, "specs", "gateway.md"), "utf8")).toContain("C1 (exception) `ReceiveLoopDied`");
    // The coordinator's prompt showed it both repos.
    const prompt = readFileSync(join(dir, "prompts", "coordinate.md"), "utf8");
    expect(prompt).toContain(`<repo name="adapter" path="${bed.repos.adapter}">`);
    expect(prompt).toContain("ReceiveLoopDied");
    expect(prompt).toContain("supervise");
    // Nothing ran in the repos yet.
    expect(tasksOf(bed, "adapter")).toEqual([]);
    expect(tasksOf(bed, "gateway")).toEqual([]);
    expect(skep(bed, ["runs"], bed.repos.gateway!).stdout).toContain("run 1  pending");
    // The dashboard and the status line show the run.
    expect(skep(bed, ["workspace", "watch", "--once"], bed.repos.gateway!).stdout).toContain(`run 1 pending: ${CHANGE}`);
    expect(skep(bed, ["status", "--oneline"], bed.repos.adapter!).stdout).toContain("run 1 pending");

    const approved = skep(bed, ["run", "approve", "1", "--json"], bed.repos.gateway!);
    expect(approved.code, approved.stderr).toBe(0);
    const done = JSON.parse(approved.stdout) as RunShowAnswer;
    expect(done.run.status, done.run.reason ?? "").toBe("done");
    expect(done.run.reason).toBe("reviewed: 1 holds, untested: C2");

    // One task per repo, with the spec as description and the run as source, done on its branch.
    for (const [repo, file, text] of [["adapter", "adapter/receive.py", "retry_after"], ["gateway", "gateway/recovery.py", "time.sleep(err.retry_after)"]] as const) {
      const tasks = tasksOf(bed, repo);
      expect(tasks).toHaveLength(1);
      const t = tasks[0]!;
      expect(t).toMatchObject({ status: "done", sourceRepo: "run 1" });
      expect(t.description).toContain(`This is ${repo}'s part of skep coordinator run 1`);
      expect(git(bed.repos[repo]!, "show", `${t.branch}:${file}`)).toContain(text);
      expect(done.run.workers.find((w) => w.repo === repo)).toMatchObject({ taskId: t.id, status: "done", branch: t.branch, baseCommit: t.baseCommit });
    }
    // In parallel: both workers were executing before either was done.
    const log = readFileSync(join(dir, "log.txt"), "utf8").split("\n");
    const at = (re: RegExp) => log.findIndex((l) => re.test(l));
    const firstDone = Math.min(at(/adapter: task #1: done/), at(/gateway: task #1: done/));
    expect(at(/adapter: task #1: executing/)).toBeGreaterThan(-1);
    expect(at(/gateway: task #1: executing/)).toBeGreaterThan(-1);
    expect(at(/adapter: task #1: executing/)).toBeLessThan(firstDone);
    expect(at(/gateway: task #1: executing/)).toBeLessThan(firstDone);

    // The report: a verdict per item with file:line on each side, the branches, the tokens.
    const report = readFileSync(join(dir, "report.md"), "utf8");
    expect(report).toContain("| C1 | exception | `ReceiveLoopDied` | **holds** | adapter `adapter/receive.py:7` | gateway `gateway/recovery.py:14` |");
    expect(report).toContain("| C2 | retry | `RETRY_BUDGET = 3` | **untested** | gateway `gateway/recovery.py:7` | - |");
    expect(report).toContain("- gateway sleeps in the supervising thread");
    const adapterTask = tasksOf(bed, "adapter")[0]!;
    expect(report).toContain(`### adapter: task #1, branch \`${adapterTask.branch}\``);
    expect(report).toContain("adapter/receive.py |");
    // Tokens: the run's stages from its ledger, each worker from its repo's ledger, to the token.
    const worker = sum(U.classify, U.plan, U.step);
    expect(done.tokens.byStage).toEqual([
      { stage: "coordinate", tokens: expect.objectContaining({ calls: 1, ...U.coordinate }) },
      { stage: "review", tokens: expect.objectContaining({ calls: 1, ...U.review }) },
    ]);
    for (const r of done.tokens.byRepo) expect(r.tokens).toMatchObject({ calls: 3, ...worker });
    expect(done.tokens.total).toMatchObject({ calls: 8, ...sum(U.coordinate, U.review, worker, worker), backends: ["script"] });
    for (const repo of ["adapter", "gateway"]) {
      const cost = JSON.parse(skep(bed, ["cost", "--json"], bed.repos[repo]!).stdout);
      expect(cost.total).toMatchObject({ calls: 3, ...worker });
    }
    expect(report).toMatch(/\| \*\*total\*\* \| 8 \| 2026 \| 384 \| 34 \| 614 \|/);
    checkoutsUnchanged(bed);

    // The run is final: the verbs say so.
    const again = skep(bed, ["run", "approve", "1"], bed.repos.adapter!);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("run 1 is done; only a pending run can be approved");
  });

  test("an ordering (adapter before gateway) is honoured: gateway's task is created only once adapter's is done", async () => {
    const bed = bedWith({ gatewayAfter: ["adapter"] });
    expect(skep(bed, ["coordinate", CHANGE], bed.repos.adapter!).code).toBe(0);
    const r = skep(bed, ["run", "approve", "1"], bed.repos.adapter!);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Run 1: done");
    const log = readFileSync(join(bed.ws, ".skep-workspace", "runs", "1", "log.txt"), "utf8");
    expect(log).toContain("adapter before gateway");
    const adapterDone = log.indexOf("adapter: task #1 done");
    expect(adapterDone).toBeGreaterThan(-1);
    expect(log.indexOf("gateway: adapter done; starting")).toBeGreaterThan(adapterDone);
    expect(log.indexOf("gateway: created task #1")).toBeGreaterThan(adapterDone);
    checkoutsUnchanged(bed);
  });

  test("--auto is refused over several repos unless every spec is small; --dry-run keeps nothing; bad input is a usage error", async () => {
    const answer = { purpose: "plan", match: "COORDINATOR of a skep run", text: coordinatorAnswer({ sizes: ["small", "large"] }), usage: U.coordinate };
    const bed = bedWith({ coordinator: [answer, answer] });
    const dry = skep(bed, ["coordinate", CHANGE, "--dry-run"], bed.repos.adapter!);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("(dry-run) nothing was kept; the coordinator's calls cost 1040 effective input tokens");
    expect(dry.stdout).toContain("gateway (large): Sleep err.retry_after before reconnecting.");
    expect(existsSync(join(bed.ws, ".skep-workspace", "runs", "1"))).toBe(false);
    const r = skep(bed, ["coordinate", CHANGE, "--auto"], bed.repos.adapter!);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--auto approves a run over several repos only when every spec is small; gateway is large: run 1 waits for approval (`skep run approve 1`)");
    expect(shown(bed, 1).run.status).toBe("pending");
    expect(tasksOf(bed, "gateway")).toEqual([]);

    const unknown = skep(bed, ["coordinate", CHANGE, "--repos", "adapter,mobile"], bed.repos.adapter!);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no repo named 'mobile' in the workspace");
    expect(skep(bed, ["run", "show", "x"], bed.repos.adapter!).code).toBe(2);
    const missing = skep(bed, ["run", "show", "9"], bed.repos.adapter!);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no run 9 in");
    const rejected = skep(bed, ["run", "reject", "1", "--reason", "not now"], bed.repos.adapter!);
    expect(rejected.stdout).toContain("Run 1 rejected: not now");
    expect(skep(bed, ["run", "delete", "1", "--yes"], bed.repos.adapter!).code).toBe(0);
    expect(skep(bed, ["runs", "--json"], bed.repos.adapter!).stdout).toContain('"runs": []');
    checkoutsUnchanged(bed);
  });

});

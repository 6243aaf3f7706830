// Coordinator runs when something goes wrong, with the `script` backend: a worker that fails (the
// run fails with its reason; resume re-runs that worker's own task), a coordinator answer that does
// not validate (one retry, then the run waits for a person), and an interrupt from another
// terminal (the driver stops, the running worker tasks are interrupted in their repos).
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunShowAnswer } from "../../src/protocol/runs.ts";
import { BUN, childEnv, cleanupAll, MAIN, PROJECT } from "../daemon/support.ts";
import { bedWith, CHANGE, checkoutsUnchanged, coordinatorAnswer, GATEWAY_V2, shown, tasksOf, U } from "./scenario.ts";
import { skep } from "./support.ts";

setDefaultTimeout(120_000);
afterEach(cleanupAll);

describe("coordinator runs that stop", () => {
  test("a failing worker stops the run failed with its reason; resume re-runs that worker's task and finishes", async () => {
    const bed = bedWith({ gatewayFails: true });
    expect(skep(bed, ["coordinate", CHANGE], bed.repos.adapter!).code).toBe(0);
    const r = skep(bed, ["run", "approve", "1", "--json"], bed.repos.adapter!);
    expect(r.code).toBe(1);
    const failed = JSON.parse(r.stdout) as RunShowAnswer;
    expect(failed.run.status).toBe("failed");
    expect(failed.run.reason).toStartWith("worker gateway: task #1 failed:");
    expect(failed.run.reason).toContain("skep run resume 1");
    expect(failed.run.workers.find((w) => w.repo === "gateway")).toMatchObject({ taskId: 1, status: "failed" });
    expect(existsSync(join(bed.ws, ".skep-workspace", "runs", "1", "report.md"))).toBe(false);

    // The gateway's model gets a working answer (the used ones stay used); resume re-runs gateway's task #1.
    const script = JSON.parse(readFileSync(join(bed.repos.gateway!, ".skep", "config.json"), "utf8")).llm_script as string;
    const answers = JSON.parse(readFileSync(script, "utf8")).answers;
    const state = JSON.parse(readFileSync(`${script}.state.json`, "utf8"));
    writeFileSync(script, JSON.stringify({ answers: [...answers, { purpose: "step", text: "done", writes: [{ path: "gateway/recovery.py", content: GATEWAY_V2 }], usage: U.step }] }));
    writeFileSync(`${script}.state.json`, JSON.stringify({ ...state, scriptHash: new Bun.CryptoHasher("sha256").update(readFileSync(script)).digest("hex") }));
    const resumed = skep(bed, ["run", "resume", "1", "--json"], bed.repos.adapter!);
    const end = JSON.parse(resumed.stdout) as RunShowAnswer;
    expect(end.run.status, `${end.run.reason}\n${resumed.stderr}`).toBe("done");
    expect(tasksOf(bed, "gateway").map((t) => [t.id, t.status])).toEqual([[1, "done"]]);
    expect(tasksOf(bed, "adapter").map((t) => [t.id, t.status])).toEqual([[1, "done"]]);
    const events = readFileSync(join(bed.ws, ".skep-workspace", "runs", "1", "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).to);
    expect(events).toEqual(["drafting", "pending", "running", "failed", "running", "reviewing", "done"]);
    checkoutsUnchanged(bed);
  });

  test("an invalid coordinator answer is retried once with the error, then the run waits for a person with the reason", async () => {
    const bad = JSON.stringify({
      contract: { summary: "x", items: [{ id: "C1", kind: "exception", name: "E", description: "d", producer: "adapter", consumers: ["gateway"] }], expected_behaviour: "e" },
      specs: [{ repo: "adapter", summary: "s", owns: {}, acceptance: ["a"], size: "small" }],
    });
    const coordinate = (text: string) => ({ purpose: "plan", match: "COORDINATOR of a skep run", text, usage: U.coordinate });
    const bed = bedWith({ coordinator: [coordinate(bad), coordinate(bad), coordinate(coordinatorAnswer())] });
    const r = skep(bed, ["coordinate", CHANGE, "--json"], bed.repos.adapter!);
    expect(r.code, r.stderr).toBe(0);
    const run = (JSON.parse(r.stdout) as RunShowAnswer).run;
    expect(run.status).toBe("pending");
    expect(run.reason).toContain("no valid specs from the coordinator (invalid coordinate answer: specs: no spec for repo 'gateway'");
    const dir = join(bed.ws, ".skep-workspace", "runs", "1");
    expect(readFileSync(join(dir, "ledger.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
    expect(existsSync(join(dir, "contract.md"))).toBe(false);
    const refused = skep(bed, ["run", "approve", "1"], bed.repos.adapter!);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("run 1 has no valid specs to approve");
    // resume drafts again; the third answer is valid.
    const again = skep(bed, ["run", "resume", "1", "--json"], bed.repos.adapter!);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as RunShowAnswer).run.status).toBe("pending");
    expect(shown(bed, 1).specs).toHaveLength(2);
    expect(tasksOf(bed, "adapter")).toEqual([]);
    checkoutsUnchanged(bed);
  });

  test("interrupt from another terminal stops the driver and the worker tasks it was running", async () => {
    const bed = bedWith({ stepDelayMs: 60_000 });
    expect(skep(bed, ["coordinate", CHANGE], bed.repos.adapter!).code).toBe(0);
    const driver = Bun.spawn([BUN, MAIN, "run", "approve", "1", "--repo", bed.repos.adapter!], { cwd: PROJECT, env: childEnv(bed.env), stdout: "pipe", stderr: "pipe" });
    const logFile = join(bed.ws, ".skep-workspace", "runs", "1", "log.txt");
    const started = () => existsSync(logFile) && ["adapter", "gateway"].every((r) => readFileSync(logFile, "utf8").includes(`${r}: task #1: executing`));
    const deadline = Date.now() + 60_000;
    while (!started()) {
      if (Date.now() > deadline) throw new Error(`workers never started:\n${existsSync(logFile) ? readFileSync(logFile, "utf8") : ""}`);
      await Bun.sleep(100);
    }
    const stopped = skep(bed, ["run", "interrupt", "1"], bed.repos.gateway!);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain("Run 1 interrupted: interrupted while running; `skep run resume 1` continues");
    expect(await driver.exited).toBe(1);
    expect(tasksOf(bed, "adapter")[0]!.status).toBe("interrupted");
    expect(tasksOf(bed, "gateway")[0]!.status).toBe("interrupted");
    expect(shown(bed, 1).run).toMatchObject({ status: "interrupted", driverPid: null });
    checkoutsUnchanged(bed);
  });
});

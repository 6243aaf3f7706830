// A run whose change the coordinator cannot specify without a person: it asks, the run waits as
// pending_clarification with a clarify file (as a task does), `run clarify` drafts again with the
// answers in the prompt; reject works there too. And a wait on a run whose driver is killed
// outright (no file changes behind it) ends as interrupted instead of running out its bound.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunService } from "../../src/coordinator/service.ts";
import type { RunShowAnswer } from "../../src/protocol/runs.ts";
import { BUN, childEnv, cleanupAll, MAIN, PROJECT } from "../daemon/support.ts";
import { bedWith, CHANGE, checkoutsUnchanged, coordinatorAnswer, shown, tasksOf, U } from "./scenario.ts";
import { skep } from "./support.ts";

setDefaultTimeout(120_000);
afterEach(cleanupAll);

const QUESTION = "Which budget should the gateway use: 3 reconnects, or 3 per minute?";
const coordinate = (text: string, match = "COORDINATOR of a skep run") => ({ purpose: "plan", match, text, usage: U.coordinate });

describe("run clarification", () => {
  test("the coordinator asks; the run waits with a clarify file; the answers reach the next draft", async () => {
    const bed = bedWith({
      coordinator: [
        coordinate(JSON.stringify({ questions: [QUESTION] })),
        // Only a prompt carrying the person's answer gets the specs.
        coordinate(coordinatorAnswer(), "Clarifications \\(a person's answers to your earlier questions\\):\\n- Which budget[^\\n]*: 3 reconnects in total"),
      ],
    });
    const r = skep(bed, ["coordinate", CHANGE, "--json"], bed.repos.adapter!);
    expect(r.code, r.stderr).toBe(0);
    const asked = (JSON.parse(r.stdout) as RunShowAnswer).run;
    expect(asked).toMatchObject({ status: "pending_clarification", questions: [QUESTION], driverPid: null });
    const file = join(bed.ws, ".skep-workspace", "runs", "1", "clarify.md");
    expect(asked.reason).toContain(`answer the questions in ${file}, then run \`skep run clarify 1\``);
    expect(readFileSync(file, "utf8")).toContain(`Q1: ${QUESTION}\nA1: `);

    // People see it: show, the list, the status line; approve and resume say what to do instead.
    const show = skep(bed, ["run", "show", "1"], bed.repos.adapter!);
    expect(show.stdout).toContain(`Questions from the coordinator:\n  1. ${QUESTION}`);
    expect(show.stdout).toContain("then: skep run clarify 1");
    expect(skep(bed, ["runs"], bed.repos.gateway!).stdout).toContain("run 1  pending_clarification");
    expect(skep(bed, ["status", "--oneline"], bed.repos.gateway!).stdout).toContain("run 1 pending_clarification");
    const approve = skep(bed, ["run", "approve", "1"], bed.repos.adapter!);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toContain(`run 1 needs clarification first: answer ${file}, then \`skep run clarify 1\``);
    expect(skep(bed, ["run", "resume", "1"], bed.repos.adapter!).stderr).toContain("run 1 waits for answers");

    // Unanswered: a usage error, nothing changes.
    const early = skep(bed, ["run", "clarify", "1"], bed.repos.adapter!);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain(`no answers yet: write them after the A lines in ${file}`);
    expect(shown(bed, 1).run.status).toBe("pending_clarification");

    writeFileSync(file, readFileSync(file, "utf8").replace("A1: ", "A1: 3 reconnects in total,\nthen give up"));
    const clarified = skep(bed, ["run", "clarify", "1", "--json"], bed.repos.gateway!);
    expect(clarified.code, clarified.stderr).toBe(0);
    const after = JSON.parse(clarified.stdout) as RunShowAnswer;
    expect(after.run).toMatchObject({ status: "pending", questions: [], clarifications: [{ question: QUESTION, answer: "3 reconnects in total,\nthen give up" }] });
    expect(after.specs.map((s) => s.repo).sort()).toEqual(["adapter", "gateway"]);
    // The question file moved aside; the prompt kept for review holds the answer.
    const dir = join(bed.ws, ".skep-workspace", "runs", "1");
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(join(dir, "clarify-archive"))).toHaveLength(1);
    expect(readFileSync(join(dir, "prompts", "coordinate.md"), "utf8")).toContain("- Which budget should the gateway use: 3 reconnects, or 3 per minute?: 3 reconnects in total,\nthen give up");
    const events = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).to);
    expect(events).toEqual(["drafting", "pending_clarification", "drafting", "pending"]);
    // Both coordinator calls are in the run's ledger.
    expect(after.tokens.byStage.find((s) => s.stage === "coordinate")!.tokens.calls).toBe(2);
    expect(tasksOf(bed, "adapter")).toEqual([]);
    checkoutsUnchanged(bed);
  });

  test("a run waiting for answers can be rejected; clarify then refuses; a malformed question list is retried", async () => {
    const bed = bedWith({ coordinator: [coordinate(JSON.stringify({ questions: [] })), coordinate(JSON.stringify({ questions: ["Which repo owns the hint?"] }))] });
    const r = skep(bed, ["coordinate", CHANGE, "--json"], bed.repos.adapter!);
    expect(r.code, r.stderr).toBe(0);
    // The empty list was sent back once with the error; the second answer is the one kept.
    expect((JSON.parse(r.stdout) as RunShowAnswer).run.questions).toEqual(["Which repo owns the hint?"]);
    expect(readFileSync(join(bed.ws, ".skep-workspace", "runs", "1", "log.txt"), "utf8")).toContain("invalid coordinate answer: questions:");
    const rejected = skep(bed, ["run", "reject", "1", "--reason", "not now"], bed.repos.adapter!);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(shown(bed, 1).run).toMatchObject({ status: "rejected", reason: "not now" });
    const late = skep(bed, ["run", "clarify", "1"], bed.repos.adapter!);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("run 1 is rejected, not waiting for clarification");
  });
});

describe("waiting on a run whose driver is killed", () => {
  test("wait returns interrupted soon after the SIGKILL, not at its bound", async () => {
    const bed = bedWith({ stepDelayMs: 60_000 });
    expect(skep(bed, ["coordinate", CHANGE], bed.repos.adapter!).code).toBe(0);
    const driver = Bun.spawn([BUN, MAIN, "run", "approve", "1", "--repo", bed.repos.adapter!], { cwd: PROJECT, env: childEnv(bed.env), stdout: "pipe", stderr: "pipe" });
    const logFile = join(bed.ws, ".skep-workspace", "runs", "1", "log.txt");
    // Both workers' tasks exist (each repo's task #1 executing) before the driver is killed.
    const started = () => existsSync(logFile) && ["adapter", "gateway"].every((r) => readFileSync(logFile, "utf8").includes(`${r}: task #1: executing`));
    for (let i = 0; i < 600 && !started(); i++) await Bun.sleep(100);
    expect(started()).toBe(true);
    const svc = new RunService(bed.ws);
    // The bound is far beyond the suite's timeout: only noticing the dead driver can end this wait.
    const waiting = svc.wait(1, 3_600_000);
    driver.kill("SIGKILL");
    await driver.exited;
    const { run, timedOut } = await waiting;
    expect(timedOut).toBe(false);
    expect(run.status).toBe("interrupted");
    expect(run.reason).toContain(`the process driving it (pid ${driver.pid}) is gone while running`);
    // The worker tasks go on in their repos' daemons (stopped at cleanup); resume would pick them up.
    expect(shown(bed, 1).run.workers.every((w) => w.taskId !== null)).toBe(true);
  });
});

// Classify + plan + gate with a scripted backend: each outcome of the gate, the retry on invalid
// output, the clarification round trip, and a ledger row for every call.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { taskFiles } from "../../src/tasks/paths.ts";
import { parseClarify } from "../../src/tasks/pipeline.ts";
import { cleanupAll } from "../support/temp.ts";
import { FnBackend, LARGE, makeBed, planText, SMALL, THREE_STEPS } from "./support.ts";

afterAll(cleanupAll);

const usage = { input: 100, output: 20, cacheCreation: 1000, cacheRead: 5000 };

async function createAndClassify(bed: Awaited<ReturnType<typeof makeBed>>, description: string) {
  const r = await bed.service.create(description);
  expect(r.duplicate).toBeNull();
  return bed.service.classify(r.task!.id);
}

describe("classify and plan", () => {
  test("a large task gets its plan and waits for approval; prompts carry the repo map; every call is in the ledger", async () => {
    const bed = await makeBed({
      script: {
        answers: [
          { purpose: "classify", text: LARGE, usage },
          { purpose: "plan", text: planText(THREE_STEPS), usage },
        ],
      },
    });
    const t = await createAndClassify(bed, "Add a sub function and use it in main");
    expect(t.status).toBe("pending");
    expect(t.classification).toBe("large");
    expect(t.plan?.plan.map((s) => s.verb)).toEqual(["add", "modify", "test"]);
    expect(t.steps.map((s) => [s.seq, s.status])).toEqual([
      [1, "pending"],
      [2, "pending"],
      [3, "pending"],
    ]);
    expect(t.tokens).toMatchObject({ calls: 2, input: 200, output: 40, cacheCreation: 2000, cacheRead: 10000, effectiveInput: 1200 });
    expect(bed.service.store.events(t.id).map((e) => e.to)).toEqual(["created", "classified", "pending"]);
    const files = taskFiles(bed.skepDir, t.id);
    const prompt = readFileSync(`${files.prompts}/plan.md`, "utf8");
    expect(prompt).toContain("src/math.ts"); // the ranked repo map
    expect(prompt).toContain("Add a sub function and use it in main");
    expect(prompt).not.toContain("{{");
    expect(readFileSync(files.plan, "utf8")).toContain("[modify] src/app.ts");
    expect(bed.progress.some((p) => p.includes("plan ready (3 steps, 3 files affected)"))).toBe(true);
  });

  test("a small task auto-approves only with auto_execute_small, or when a peer delegated it", async () => {
    const script = { answers: [{ purpose: "classify" as const, text: SMALL }, { purpose: "plan" as const, text: planText(THREE_STEPS) }] };
    const off = await makeBed({ script });
    expect((await createAndClassify(off, "Add sub")).status).toBe("pending");
    const on = await makeBed({ script, config: { auto_execute_small: true } });
    expect((await createAndClassify(on, "Add sub")).status).toBe("approved");
    const peer = await makeBed({ script });
    const r = await peer.service.create("Add sub", { sourceRepo: "mobile", sourceTaskId: 4 });
    const t = await peer.service.classify(r.task!.id);
    expect(t.status).toBe("approved");
    expect(t.sourceRepo).toBe("mobile");
  });

  test("a reject cancels the planner and rejects the task with the reason", async () => {
    let planAborted = false;
    const backend = new FnBackend(async (req) => {
      if (req.purpose === "classify") return { text: JSON.stringify({ classification: "reject", reason: "destructive", reject_reason: "deletes the build server" }) };
      // The planner is slow; it must be cancelled, not awaited.
      await new Promise<void>((resolve) => req.signal?.addEventListener("abort", () => resolve(), { once: true }));
      planAborted = true;
      return { ok: false, aborted: true, error: "aborted" };
    });
    const bed = await makeBed({ backend });
    const t = await createAndClassify(bed, "run rm -rf / on the build server");
    expect(planAborted).toBe(true);
    expect(t.status).toBe("rejected");
    expect(t.reason).toContain("deletes the build server");
  });

  test("invalid output gets one retry with the error; twice invalid leaves the task pending as ambiguous", async () => {
    const backend = new FnBackend((req) => {
      if (req.purpose === "classify") return { text: LARGE };
      return { text: req.prompt.includes("could not be used") ? '{"plan": [{"verb": "paint", "description": "x", "acceptance": "y"}]}' : "I think you should add a function." };
    });
    const bed = await makeBed({ backend });
    const t = await createAndClassify(bed, "Add a sub function");
    expect(t.status).toBe("pending");
    expect(t.classification).toBe("ambiguous");
    expect(t.reason).toMatch(/no valid plan .*invalid plan answer/);
    const plans = backend.requests.filter((r) => r.purpose === "plan");
    expect(plans).toHaveLength(2);
    expect(plans[1]!.prompt).toContain("no JSON object in the answer");
    expect(bed.service.store.calls({ taskId: t.id }).map((c) => [c.purpose, c.attempt])).toEqual(expect.arrayContaining([["plan", 1], ["plan", 2], ["classify", 1]]));
  });

  test("the retry fixes a bad first answer", async () => {
    const backend = new FnBackend((req) => {
      if (req.purpose === "classify") return req.prompt.includes("could not be used") ? { text: LARGE } : { text: "{ not json" };
      return { text: planText(THREE_STEPS) };
    });
    const bed = await makeBed({ backend });
    const t = await createAndClassify(bed, "Add a sub function");
    expect(t.classification).toBe("large");
    expect(t.status).toBe("pending");
  });

  test("a classifier that fails outright leaves the task pending with the reason, never approved", async () => {
    const backend = new FnBackend((req) => (req.purpose === "classify" ? { ok: false, error: "API Error: 500", exitCode: 1 } : { text: planText(THREE_STEPS) }));
    const bed = await makeBed({ backend, config: { auto_execute_small: true } });
    const t = await createAndClassify(bed, "Add a sub function");
    expect(t.status).toBe("pending");
    expect(t.reason).toContain("classify failed");
    expect(t.reason).toContain("API Error: 500");
    expect(t.plan).not.toBeNull();
  });

  test("clarification: questions go to clarify.md; answers send the task through again", async () => {
    const bed = await makeBed({
      script: {
        answers: [
          { purpose: "classify", text: JSON.stringify({ classification: "ambiguous", needs_clarification: true, clarifying_questions: ["Which screen?", "What target?"], reason: "vague" }) },
          { purpose: "classify", match: "Clarifications:", text: SMALL },
          { purpose: "plan", match: "Clarifications:", text: planText(THREE_STEPS) },
          { purpose: "plan", text: planText(THREE_STEPS) },
        ],
      },
    });
    const t = await createAndClassify(bed, "make the app faster");
    expect(t.status).toBe("pending_clarification");
    expect(t.questions).toEqual(["Which screen?", "What target?"]);
    const file = taskFiles(bed.skepDir, t.id).clarify;
    const text = readFileSync(file, "utf8");
    expect(text).toContain(`skep task clarify ${t.id}`);
    await expect(bed.service.clarify(t.id)).rejects.toThrow(/no answers yet/);
    writeFileSync(file, text.replace("A1: ", "A1: the login screen\nit takes 3 s").replace("A2: ", "A2: under 1 s"));
    expect(parseClarify(readFileSync(file, "utf8"))).toEqual([
      { question: "Which screen?", answer: "the login screen\nit takes 3 s" },
      { question: "What target?", answer: "under 1 s" },
    ]);
    const again = await bed.service.clarify(t.id);
    expect(again.status).toBe("pending");
    expect(again.classification).toBe("small");
    expect(again.description).toBe("make the app faster"); // the stored description stays as written
    expect(existsSync(file)).toBe(false); // archived
    expect(bed.service.store.events(t.id).map((e) => e.to)).toEqual(["created", "classified", "pending_clarification", "created", "classified", "pending"]);
  });

  test("a dry run stores no task but keeps the ledger rows", async () => {
    const bed = await makeBed({ script: { answers: [{ purpose: "classify", text: LARGE, usage }, { purpose: "plan", text: planText(THREE_STEPS), usage }] } });
    const r = await bed.service.dryRun("Add a sub function");
    expect(r.dryRun).toBe(true);
    expect(r.task?.status).toBe("pending");
    expect(bed.service.list()).toEqual([]);
    expect(bed.service.store.unattributedTotals()).toMatchObject({ calls: 2, input: 200 });
  });
});

describe("classification that breaks", () => {
  test("a backend that throws gives failed, recorded calls; the task waits as pending with the reason", async () => {
    const bed = await makeBed({
      backend: new FnBackend(() => {
        throw new Error("backend exploded");
      }),
    });
    const r = await bed.service.create("Add a sub function");
    const t = await bed.service.classify(r.task!.id);
    expect(t.status).toBe("pending");
    expect(t.reason).toContain("backend exploded");
    expect(() => bed.service.approve(t.id)).toThrow(/no valid plan/);
  });
});

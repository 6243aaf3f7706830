// End to end with the real Gemini CLI (pinned devDependency) behind skep's `gemini` backend, driven
// by the tests' fake Gemini streaming API on 127.0.0.1 (gemini_base_url in .skep/config.json,
// trusted): classify, plan after skep's MCP search, approve, three steps that write and edit files
// with gemini's own tools in the worktree, commits, the trusted test command, done. The ledger
// equals the fake's usage to the token (thoughts as reasoning), every row named gemini.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { FakeGemini, type Turn, type TurnContext, type Usage } from "../support/fake-gemini.ts";
import { git } from "../mcp/support.ts";
import { cleanupAll } from "../support/temp.ts";
import { CHECK_SH, CLASSIFY, json, PLAN, purposeOf, SUB_TS, taskBed, type Purpose, type TaskJson } from "./agent-task-bed.ts";

setDefaultTimeout(300_000);

let fake: FakeGemini;
beforeAll(async () => {
  fake = await FakeGemini.start();
});
afterAll(async () => {
  await fake?.stop();
  await cleanupAll();
});

function usageFor(purpose: Purpose, step: number, turn: number): Usage {
  const base = { classify: 1000, plan: 2000, step: 500 * step }[purpose];
  return { promptTokenCount: base + 400 + turn, candidatesTokenCount: 10 + turn, cachedContentTokenCount: 300 + step, thoughtsTokenCount: 3 + turn };
}

function happyTurn(ctx: TurnContext): Turn {
  const { purpose, step, worktree } = purposeOf(ctx.userText);
  const usage = usageFor(purpose, step, ctx.turn);
  if (purpose === "classify") return { text: CLASSIFY, usage };
  if (purpose === "plan") {
    if (ctx.turn === 0) return { tools: [{ name: "mcp_skep_search_symbols", input: { query: "add" } }], usage };
    if (!ctx.results[0]?.text.includes("src/math.ts")) return { text: `no MCP answer: ${ctx.results[0]?.text}`, usage };
    return { text: `Plan:\n${PLAN}`, usage };
  }
  if (ctx.turn === 1) return { text: `step ${step} done`, usage };
  if (step === 1) return { tools: [{ name: "write_file", input: { file_path: join(worktree, "src/sub.ts"), content: SUB_TS } }], usage };
  if (step === 2) return { tools: [{ name: "replace", input: { file_path: join(worktree, "src/app.ts"), old_string: "return add(1, 2);", new_string: "return sub(add(1, 2), 1);", instruction: "call sub" } }], usage };
  return { tools: [{ name: "write_file", input: { file_path: join(worktree, "src/sub.check.sh"), content: CHECK_SH } }], usage };
}

describe("tasks with the real gemini CLI", () => {
  test("create, classify, plan (skep MCP), approve, three steps with write_file and replace, commits, test, done; the ledger to the token", async () => {
    fake.add({ name: "gm-e2e", turns: Array.from({ length: 4 }, () => happyTurn) });
    const bed = await taskBed({ llm: "gemini", model: "gemini-fake-pro", model_classify: "gemini-fake-lite", gemini_base_url: fake.url });
    const created = await json<{ task: TaskJson }>(await bed.skep("task", "create", "Add a sub function and call it from main [[scenario:gm-e2e]]", "--json"));
    expect(fake.errors).toEqual([]);
    expect(created.task).toMatchObject({ status: "pending", classification: "large" });
    const id = created.task.id;
    expect((await bed.skep("task", "approve", String(id))).code).toBe(0);
    const done = await json<TaskJson>(await bed.skep("task", "run", String(id), "--json"));
    expect(fake.errors).toEqual([]);
    expect(done.status).toBe("done");
    expect(done.steps.map((s) => [s.status, s.commit !== null, s.retries])).toEqual([
      ["done", true, 0],
      ["done", true, 0],
      ["done", true, 0],
    ]);
    expect(git(bed.repo, "show", `${done.branch}:src/app.ts`)).toContain("return sub(add(1, 2), 1);");
    expect(git(bed.repo, "show", `${done.branch}:src/sub.ts`)).toBe(SUB_TS.trimEnd());

    // Models per purpose: the lite model classified, the pro one planned and stepped.
    const reqs = fake.requestsOf("gm-e2e");
    const purpose = (r: (typeof reqs)[number]) => purposeOf((r.body?.contents ?? []).flatMap((c) => (c.parts ?? []).map((p) => p.text ?? "")).join("\n")).purpose;
    expect(new Set(reqs.filter((r) => purpose(r) === "classify").map((r) => r.model))).toEqual(new Set(["gemini-fake-lite"]));
    expect(new Set(reqs.filter((r) => purpose(r) !== "classify").map((r) => r.model))).toEqual(new Set(["gemini-fake-pro"]));

    const expected = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, reasoning: 0 };
    for (const { usage: u } of reqs.filter((r) => r.usage)) {
      expected.input += u!.promptTokenCount - (u!.cachedContentTokenCount ?? 0);
      expected.output += u!.candidatesTokenCount + (u!.thoughtsTokenCount ?? 0);
      expected.cacheRead += u!.cachedContentTokenCount ?? 0;
      expected.reasoning += u!.thoughtsTokenCount ?? 0;
    }
    expect(reqs.filter((r) => r.usage).length).toBe(1 + 2 + 2 + 2 + 2);
    expect(done.tokens).toMatchObject({ calls: 5, ...expected, backends: ["gemini"] });

    const logs = await bed.skep("task", "logs", String(id));
    expect(logs.stdout).toContain("→ write_file(");
    expect(logs.stdout).toContain("→ replace(");
    expect(readdirSync(join(bed.home, ".skep", "llm-homes"))).toEqual([]);
    expect(readdirSync(bed.home)).not.toContain(".gemini");
  });
});

// End to end with the real Codex CLI (pinned devDependency) behind skep's `codex` backend, driven
// by the tests' fake Responses API on 127.0.0.1, the provider named in .skep/config.json
// (codex_base_url, trusted with `skep trust`): `task create` classifies and plans (the planner
// reaches skep's MCP search), `task approve`, `task run` executes three steps that add and edit
// files through apply_patch and a shell command in the worktree, commits each, runs the trusted
// test command, and ends done. The ledger equals the fake's usage to the token, row by row named
// codex; the task's log shows the tool calls.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { FakeOpenAI, type Turn, type TurnContext, type Usage } from "../support/fake-openai.ts";
import { git } from "../mcp/support.ts";
import { cleanupAll } from "../support/temp.ts";
import { CHECK_SH, CLASSIFY, json, PLAN, purposeOf, SUB_TS, taskBed, type Purpose, type TaskJson } from "./agent-task-bed.ts";

setDefaultTimeout(240_000);

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await FakeOpenAI.start();
});
afterAll(async () => {
  await fake?.stop();
  await cleanupAll();
});

/** Distinct usage per call and turn, so the totals check means something. */
function usageFor(purpose: Purpose, step: number, turn: number): Usage {
  const base = { classify: 1000, plan: 2000, step: 500 * step }[purpose];
  return { input_tokens: base + 400 + turn, output_tokens: 10 + turn, cached_tokens: 300 + step, cache_write_tokens: 50 + turn, reasoning_tokens: 3 + turn };
}

function happyTurn(ctx: TurnContext): Turn {
  const { purpose, step } = purposeOf(ctx.userText);
  const usage = usageFor(purpose, step, ctx.turn);
  if (purpose === "classify") return { text: CLASSIFY, usage };
  if (purpose === "plan") {
    if (ctx.turn === 0) return { tools: [{ name: "search_symbols", namespace: "mcp__skep", input: { query: "add" } }], usage };
    if (!ctx.results[0]?.text.includes("src/math.ts")) return { text: `no MCP answer: ${ctx.results[0]?.text}`, usage };
    return { text: `Plan:\n${PLAN}`, usage };
  }
  if (ctx.turn === 1) return { text: `step ${step} done`, usage };
  if (step === 1) return { tools: [{ name: "apply_patch", input: `*** Begin Patch\n*** Add File: src/sub.ts\n${SUB_TS.trimEnd().split("\n").map((l) => `+${l}`).join("\n")}\n*** End Patch\n` }], usage };
  if (step === 2) return { tools: [{ name: "apply_patch", input: "*** Begin Patch\n*** Update File: src/app.ts\n@@\n-  return add(1, 2);\n+  return sub(add(1, 2), 1);\n*** End Patch\n" }], usage };
  return { tools: [{ name: "exec_command", input: { cmd: `printf '%s\\n' "${CHECK_SH.trim().replaceAll('"', '\\"')}" > src/sub.check.sh` } }], usage };
}

describe("tasks with the real codex CLI", () => {
  test("create, classify, plan (skep MCP), approve, three steps with apply_patch and a command, commits, test, done; the ledger to the token", async () => {
    fake.add({ name: "cx-e2e", turns: Array.from({ length: 4 }, () => happyTurn) });
    const bed = await taskBed({ llm: "codex", model: "gpt-5.5", codex_base_url: fake.url, codex_env_key: "OPENAI_API_KEY" });
    const created = await json<{ task: TaskJson }>(await bed.skep("task", "create", "Add a sub function and call it from main [[scenario:cx-e2e]]", "--json"));
    expect(fake.errors).toEqual([]);
    expect(created.task).toMatchObject({ status: "pending", classification: "large" });
    const id = created.task.id;
    expect((await bed.skep("task", "approve", String(id))).code).toBe(0);
    const done = await json<TaskJson>(await bed.skep("task", "run", String(id), "--json"));
    expect(fake.errors).toEqual([]);
    expect(done.status).toBe("done");
    expect(done.reason).toContain("tests passed");
    expect(done.steps.map((s) => [s.status, s.commit !== null, s.retries])).toEqual([
      ["done", true, 0],
      ["done", true, 0],
      ["done", true, 0],
    ]);
    expect(git(bed.repo, "show", `${done.branch}:src/sub.ts`)).toBe(SUB_TS.trimEnd());
    expect(git(bed.repo, "show", `${done.branch}:src/app.ts`)).toContain("return sub(add(1, 2), 1);");
    expect(git(bed.repo, "show", `${done.branch}:src/sub.check.sh`)).toBe(CHECK_SH.trimEnd());

    // The fake's usage, mapped as codex reports it: cached and cache-written tokens leave input.
    const expected = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, reasoning: 0 };
    const answered = fake.requestsOf("cx-e2e").filter((r) => r.usage);
    for (const { usage: u } of answered) {
      expected.input += u!.input_tokens - (u!.cached_tokens ?? 0) - (u!.cache_write_tokens ?? 0);
      expected.output += u!.output_tokens;
      expected.cacheRead += u!.cached_tokens ?? 0;
      expected.cacheCreation += u!.cache_write_tokens ?? 0;
      expected.reasoning += u!.reasoning_tokens ?? 0;
    }
    expect(answered.length).toBe(1 + 2 + 2 + 2 + 2);
    expect(done.tokens).toMatchObject({ calls: 5, ...expected, backends: ["codex"] });

    // The planner answered only after skep's index did, through MCP (else the plan would be missing).
    expect(fake.requestsOf("cx-e2e").some((r) => JSON.stringify(r.body?.input ?? []).includes("src/math.ts") && r.turn === 1)).toBe(true);
    // The live log shows the steps' tool calls, readable.
    const logs = await bed.skep("task", "logs", String(id));
    expect(logs.stdout).toContain("→ apply_patch(add ");
    expect(logs.stdout).toContain("→ apply_patch(update ");
    expect(logs.stdout).toContain("→ shell(");
    // No per-call codex home is left, and the user's ~/.codex was never made.
    expect(readdirSync(join(bed.home, ".skep", "llm-homes"))).toEqual([]);
    expect(readdirSync(bed.home)).not.toContain(".codex");
  });
});

// A task answered by three CLIs at once, each configured per purpose in .skep/config.json: Gemini
// classifies, Claude Code plans, Codex executes the steps; each against its own fake API on
// 127.0.0.1. The ledger has one row per call, named by the backend that made it, and the task's
// totals are the three fakes' usage added up to the token. Then a failure at the task level: a
// codex plan call that gets HTTP 500 leaves the task pending as ambiguous, with codex's message.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { FakeAnthropic, type TurnContext as ClaudeTurn } from "../support/fake-anthropic.ts";
import { FakeGemini } from "../support/fake-gemini.ts";
import { FakeOpenAI, type Turn, type TurnContext } from "../support/fake-openai.ts";
import { git } from "../mcp/support.ts";
import { cleanupAll } from "../support/temp.ts";
import { CHECK_SH, CLASSIFY, json, PLAN, purposeOf, SUB_TS, taskBed, type TaskJson } from "./agent-task-bed.ts";

setDefaultTimeout(300_000);

let openai: FakeOpenAI;
let gemini: FakeGemini;
let anthropic: FakeAnthropic;
beforeAll(async () => {
  [openai, gemini, anthropic] = await Promise.all([FakeOpenAI.start(), FakeGemini.start(), FakeAnthropic.start()]);
});
afterAll(async () => {
  await Promise.all([openai?.stop(), gemini?.stop(), anthropic?.stop()]);
  await cleanupAll();
});

function stepTurn(ctx: TurnContext): Turn {
  const { step } = purposeOf(ctx.userText);
  const usage = { input_tokens: 700 + step, output_tokens: 7, cached_tokens: 100, reasoning_tokens: 2 };
  if (ctx.turn === 1) return { text: `step ${step} done`, usage };
  if (step === 1) return { tools: [{ name: "exec_command", input: { cmd: `cat > src/sub.ts <<'EOF'\n${SUB_TS}EOF` } }], usage };
  if (step === 2) return { tools: [{ name: "exec_command", input: { cmd: "sed -i 's/return add(1, 2);/return sub(add(1, 2), 1);/' src/app.ts" } }], usage };
  return { tools: [{ name: "exec_command", input: { cmd: `cat > src/sub.check.sh <<'EOF'\n${CHECK_SH}EOF` } }], usage };
}

function firstUser(ctx: ClaudeTurn): string {
  const m = ctx.body.messages?.find((x) => x.role === "user");
  return typeof m?.content === "string" ? m.content : (m?.content ?? []).map((b) => b.text ?? "").join("\n");
}

describe("a task across three CLIs", () => {
  test("gemini classifies, claude plans, codex steps; the ledger names each and adds up to the token", async () => {
    gemini.add({ name: "mix", turns: [{ text: CLASSIFY, usage: { promptTokenCount: 1111, candidatesTokenCount: 11, cachedContentTokenCount: 111, thoughtsTokenCount: 1 } }] });
    anthropic.add({
      name: "mix",
      turns: [(ctx) => (firstUser(ctx).includes("You are the PLANNER") ? { text: `Plan:\n${PLAN}`, usage: { input_tokens: 2222, output_tokens: 22, cache_creation_input_tokens: 200, cache_read_input_tokens: 2000 } } : { text: "unexpected" })],
    });
    openai.add({ name: "mix", turns: [stepTurn, stepTurn] });
    const bed = await taskBed(
      { llm: "codex", llm_classify: "gemini", llm_plan: "claude", model: "gpt-5.5", model_classify: "gemini-fake-lite", model_plan: "claude-fake-1", codex_base_url: openai.url, gemini_base_url: gemini.url },
      { claude: anthropic.url },
    );
    const created = await json<{ task: TaskJson }>(await bed.skep("task", "create", "Add a sub function and call it from main [[scenario:mix]]", "--json"));
    expect([...openai.errors, ...gemini.errors, ...anthropic.errors]).toEqual([]);
    expect(created.task).toMatchObject({ status: "pending", classification: "large" });
    const id = created.task.id;
    await bed.skep("task", "approve", String(id));
    const done = await json<TaskJson>(await bed.skep("task", "run", String(id), "--json"));
    expect(openai.errors).toEqual([]);
    expect(done.status).toBe("done");
    expect(git(bed.repo, "show", `${done.branch}:src/app.ts`)).toContain("return sub(add(1, 2), 1);");

    // One row per call, named by its backend.
    const db = new (await import("bun:sqlite")).Database(join(bed.repo, ".skep/tasks.db"), { readonly: true });
    const rows = db.query("SELECT purpose, backend, model, input, output, cache_creation, cache_read, reasoning FROM llm_calls WHERE task_id = ? ORDER BY id").all(id) as Record<string, unknown>[];
    db.close();
    const byPurpose = (p: string) => rows.filter((r) => r.purpose === p);
    expect(byPurpose("classify")).toEqual([{ purpose: "classify", backend: "gemini", model: "gemini-fake-lite", input: 1000, output: 12, cache_creation: 0, cache_read: 111, reasoning: 1 }]);
    expect(byPurpose("plan")).toEqual([{ purpose: "plan", backend: "claude", model: "claude-fake-1", input: 2222, output: 22, cache_creation: 200, cache_read: 2000, reasoning: 0 }]);
    expect(byPurpose("step").map((r) => [r.backend, r.model, r.input, r.output, r.cache_read, r.reasoning])).toEqual([1, 2, 3].map((s) => ["codex", "gpt-5.5", 2 * (600 + s), 14, 200, 4]));
    expect(done.tokens).toMatchObject({ calls: 5, input: 1000 + 2222 + 2 * (601 + 602 + 603), backends: ["claude", "codex", "gemini"] });
  });

  test("an HTTP 500 on every codex plan call: the task waits as ambiguous with codex's own message", async () => {
    gemini.add({ name: "mix-500", turns: [{ text: CLASSIFY }] });
    openai.add({ name: "mix-500", turns: [{ raw: { status: 500, body: JSON.stringify({ error: { message: "fake overload", type: "server_error" } }) } }] });
    const bed = await taskBed({ llm: "codex", llm_classify: "gemini", model: "gpt-5.5", model_classify: "gemini-fake-lite", codex_base_url: openai.url, gemini_base_url: gemini.url });
    const created = await json<{ task: TaskJson }>(await bed.skep("task", "create", "Add a sub function [[scenario:mix-500]]", "--json"));
    expect(created.task.status).toBe("pending");
    expect(created.task.classification).toBe("ambiguous");
    expect(created.task.reason).toMatch(/no valid plan.*codex: /);
    const show = await json<TaskJson>(await bed.skep("task", "show", String(created.task.id), "--json"));
    expect(show.tokens.calls).toBe(3); // the classify call and both plan attempts, failed ones recorded
    expect(show.tokens.backends).toEqual(["codex", "gemini"]);
  });
});

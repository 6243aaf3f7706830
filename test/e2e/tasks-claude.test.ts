// End to end with the real Claude Code CLI (pinned devDependency) behind skep's `claude` backend,
// driven by the test suite's fake Messages API on 127.0.0.1: `skep task create` classifies and
// plans (the planner calls skep's MCP tools), `task approve`, `task run` executes three steps that
// write and edit files in the task's worktree, commits each on the branch, runs the trusted test
// command, and ends done. The ledger's totals equal the usage the fake reported, to the token.
// Failure paths: garbage, a 500, an API that never answers, a step that fails twice.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { offlineClaudeEnv, useFakeClaude } from "../support/claude.ts";
import { FakeAnthropic, type Turn, type TurnContext, type Usage } from "../support/fake-anthropic.ts";
import { childEnv, git, makeRepo } from "../mcp/support.ts";
import { BUN, MAIN, tempDir } from "../support/temp.ts";

setDefaultTimeout(120_000);

let fake: FakeAnthropic;
let claude: string;
useFakeClaude((f, c) => ((fake = f), (claude = c)));

type Purpose = "classify" | "plan" | "step";

function firstUserText(ctx: TurnContext): string {
  const first = ctx.body.messages?.find((m) => m.role === "user");
  if (!first) return "";
  return typeof first.content === "string" ? first.content : first.content.map((b) => b.text ?? "").join("\n");
}

function purposeOf(ctx: TurnContext): { purpose: Purpose; step: number; worktree: string } {
  const text = firstUserText(ctx);
  if (text.includes("You are the CLASSIFIER")) return { purpose: "classify", step: 0, worktree: "" };
  if (text.includes("You are the PLANNER")) return { purpose: "plan", step: 0, worktree: "" };
  const step = /<step number="(\d+)"/.exec(text);
  const wt = /current directory, (\S+?)\. Change only/.exec(text);
  if (!step || !wt) throw new Error(`unrecognised prompt: ${text.slice(0, 200)}`);
  return { purpose: "step", step: Number(step[1]), worktree: wt[1]! };
}

/** Distinct usage per call and turn, so the totals check means something. */
function usageFor(purpose: Purpose, step: number, turn: number): Usage {
  const base = { classify: 1000, plan: 2000, step: 500 * step }[purpose];
  return { input_tokens: base + turn, output_tokens: 10 + turn, cache_creation_input_tokens: 100 * (turn + 1), cache_read_input_tokens: 3000 + step * 7 + turn };
}

const CLASSIFY = JSON.stringify({ classification: "large", confidence: 0.8, reason: "new function and a caller", needs_clarification: false, clarifying_questions: [], reject_reason: null });
const PLAN = JSON.stringify({
  plan: [
    { verb: "add", target_file: "src/sub.ts", symbols: ["sub"], description: "Add a sub function", acceptance: "sub(3, 1) is 2", depends_on: [] },
    { verb: "modify", target_file: "src/app.ts", symbols: ["main"], description: "Call sub from main", acceptance: "main uses sub", depends_on: [0] },
    { verb: "test", target_file: "src/sub.check.sh", symbols: [], description: "Add a check script", acceptance: "the check passes", depends_on: [0] },
  ],
  files_affected: ["src/sub.ts", "src/app.ts", "src/sub.check.sh"],
});

/** The happy path, one function of the conversation: classify, plan (after an MCP search), three steps. */
function happyTurn(ctx: TurnContext): Turn {
  const { purpose, step, worktree } = purposeOf(ctx);
  const usage = usageFor(purpose, step, ctx.turn);
  if (purpose === "classify") return { text: CLASSIFY, usage };
  if (purpose === "plan") {
    if (ctx.turn === 0) return { tools: [{ name: "mcp__skep__search_symbols", input: { query: "add" } }], usage };
    // The plan is written only after skep's index answered through MCP.
    if (!ctx.results[0]?.text.includes("src/math.ts")) return { text: `no MCP answer: ${ctx.results[0]?.text}`, usage };
    return { text: `Plan:\n${PLAN}`, usage };
  }
  const at = (p: string) => join(worktree, p);
  if (step === 1) {
    if (ctx.turn === 0) return { tools: [{ name: "Write", input: { file_path: at("src/sub.ts"), content: "export function sub(a: number, b: number): number {\n  return a - b;\n}\n" } }], usage };
    return { text: "added sub", usage };
  }
  if (step === 2) {
    if (ctx.turn === 0) return { tools: [{ name: "Read", input: { file_path: at("src/app.ts") } }], usage };
    if (ctx.turn === 1) return { tools: [{ name: "Edit", input: { file_path: at("src/app.ts"), old_string: "return add(1, 2);", new_string: "return sub(add(1, 2), 1);" } }], usage };
    return { text: "main calls sub", usage };
  }
  if (ctx.turn === 0) return { tools: [{ name: "Write", input: { file_path: at("src/sub.check.sh"), content: "grep -q 'export function sub' src/sub.ts\n" } }], usage };
  return { text: "check added", usage };
}

function loop(turn: (ctx: TurnContext) => Turn, turns = 12): Turn[] | ((ctx: TurnContext) => Turn)[] {
  return Array.from({ length: turns }, () => turn);
}

const FILES = {
  "src/math.ts": "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
  "src/app.ts": 'import { add } from "./math";\n\nexport function main(): number {\n  return add(1, 2);\n}\n',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function setup(config: Record<string, unknown> = {}) {
  const repo = makeRepo(FILES);
  const home = tempDir("skep-e2e-home-");
  const env = childEnv({
    ...offlineClaudeEnv(fake.url, { home, apiTimeoutMs: 60_000 }),
    SKEP_HOME: join(home, ".skep"),
    SKEP_CLAUDE_BIN: claude,
    SKEP_NO_DAEMON: "1",
  });
  const skep = async (...args: string[]): Promise<Run> => {
    const p = Bun.spawn([BUN, MAIN, ...args], { cwd: repo, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, stdout, stderr };
  };
  return {
    repo,
    skep,
    async init() {
      const r = await skep("init", "--no-daemon");
      expect(r.code).toBe(0);
      const path = join(repo, ".skep/config.json");
      writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), test_cmd: "sh src/sub.check.sh", ...config }, null, 2));
    },
  };
}

async function json<T>(r: Run): Promise<T> {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

interface TaskJson {
  id: number;
  status: string;
  classification: string | null;
  reason: string | null;
  branch: string | null;
  baseCommit: string | null;
  steps: { seq: number; status: string; commit: string | null; retries: number; error: string | null }[];
  tokens: { calls: number; input: number; output: number; cacheCreation: number; cacheRead: number; effectiveInput: number };
}

describe("tasks with the real claude CLI", () => {
  test("create, classify, plan, approve, execute three steps, commit, test, done; tokens to the token", async () => {
    fake.add({ name: "e2e-happy", turns: loop(happyTurn) });
    const bed = setup();
    await bed.init();
    expect((await bed.skep("trust", "--yes")).code).toBe(0);
    writeFileSync(join(bed.repo, "src/math.ts"), "// an uncommitted edit of the user's\n", { flag: "a" });
    const before = git(bed.repo, "status", "--porcelain");

    const created = await json<{ task: TaskJson }>(await bed.skep("task", "create", "Add a sub function and call it from main [[scenario:e2e-happy]]", "--json"));
    expect(created.task.status).toBe("pending");
    expect(created.task.classification).toBe("large");
    const id = created.task.id;
    expect((await bed.skep("task", "approve", String(id))).stdout).toContain(`Task #${id} approved`);
    const done = await json<TaskJson>(await bed.skep("task", "run", String(id), "--json"));
    expect(fake.errors).toEqual([]);
    expect(done.status).toBe("done");
    expect(done.reason).toContain("tests passed");
    expect(done.steps.map((s) => [s.status, s.commit !== null, s.retries])).toEqual([
      ["done", true, 0],
      ["done", true, 0],
      ["done", true, 0],
    ]);
    const subjects = git(bed.repo, "log", "--format=%s", `${done.baseCommit}..${done.branch}`).trim().split("\n").reverse();
    expect(subjects).toEqual([`skep(task ${id}) step 1: Add a sub function`, `skep(task ${id}) step 2: modify Call sub from main`, `skep(task ${id}) step 3: test Add a check script`]);
    expect(git(bed.repo, "show", `${done.branch}:src/app.ts`)).toContain("return sub(add(1, 2), 1);");
    expect(git(bed.repo, "status", "--porcelain")).toBe(before); // the user's checkout is as it was

    // Every Messages request of the scenario, summed: what the ledger must hold.
    const reqs = fake.requestsOf("e2e-happy").filter((r) => r.body);
    const expected = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
    for (const r of reqs) {
      const { purpose, step } = purposeOf({ scenario: "e2e-happy", turn: r.turn!, results: [], body: r.body! });
      const u = usageFor(purpose, step, r.turn!);
      expected.input += u.input_tokens;
      expected.output += u.output_tokens;
      expected.cacheCreation += u.cache_creation_input_tokens ?? 0;
      expected.cacheRead += u.cache_read_input_tokens ?? 0;
    }
    // On a mismatch, say which requests there were (purpose, step, turn, what the last message carried).
    if (reqs.length !== 10) console.error("requests of the happy task:", reqs.map((r) => { const p = purposeOf({ scenario: "e2e-happy", turn: r.turn!, results: [], body: r.body! }); return `${p.purpose} ${p.step} turn ${r.turn}: ${JSON.stringify(r.body!.messages?.at(-1) ?? null).slice(0, 300)}`; }).join("\n"));
    expect(reqs.length).toBe(1 + 2 + 2 + 3 + 2); // classify, plan (search + answer), steps of 2, 3 and 2 turns
    expect(done.tokens).toMatchObject({ calls: 5, ...expected, effectiveInput: expected.input + Math.round(expected.cacheRead / 10) });
    const cost = await json<{ total: { input: number; calls: number } }>(await bed.skep("cost", "--json"));
    expect(cost.total).toMatchObject({ input: expected.input, calls: 5 });
  });

  test("garbage from the API fails the classifier (after one retry): the task waits as pending with the reason", async () => {
    fake.add({
      name: "e2e-garbage",
      turns: loop((ctx) => (purposeOf(ctx).purpose === "classify" ? { raw: { status: 200, body: "}}}garbage{{{", contentType: "text/event-stream" } } : happyTurn(ctx))),
    });
    const bed = setup({ auto_execute_small: true });
    await bed.init();
    const created = await json<{ task: TaskJson }>(await bed.skep("task", "create", "Add a sub function [[scenario:e2e-garbage]]", "--json"));
    expect(created.task.status).toBe("pending");
    expect(created.task.reason).toContain("classify failed");
    const show = await json<TaskJson & { plan: unknown }>(await bed.skep("task", "show", String(created.task.id), "--json"));
    expect(show.plan).not.toBeNull(); // the planner still answered: a person can judge it
    expect(show.tokens.calls).toBe(3); // two classify attempts (recorded though failed) and the plan
  });

  test("a 500 on every plan call leaves the task pending as ambiguous, with the API error", async () => {
    fake.add({
      name: "e2e-500",
      turns: loop((ctx) => (purposeOf(ctx).purpose === "plan" ? { raw: { status: 500, body: JSON.stringify({ type: "error", error: { type: "api_error", message: "fake overload" } }) } } : happyTurn(ctx))),
    });
    const bed = setup();
    await bed.init();
    const created = await json<{ task: TaskJson }>(await bed.skep("task", "create", "Add a sub function [[scenario:e2e-500]]", "--json"));
    expect(created.task.status).toBe("pending");
    expect(created.task.classification).toBe("ambiguous");
    expect(created.task.reason).toMatch(/no valid plan.*500/);
  });

  test("an API that never answers: the step times out, is retried once, and the task fails; no claude process is left", async () => {
    fake.add({ name: "e2e-hang", turns: loop((ctx) => (purposeOf(ctx).purpose === "step" ? { hang: true } : happyTurn(ctx))) });
    const bed = setup({ step_timeout_sec: 3 });
    await bed.init();
    const created = await json<{ task: TaskJson }>(await bed.skep("task", "create", "Add a sub function [[scenario:e2e-hang]]", "--json"));
    await bed.skep("task", "approve", String(created.task.id));
    const t = await json<TaskJson>(await bed.skep("task", "run", String(created.task.id), "--json")).catch(async () => json<TaskJson>(await bed.skep("task", "show", String(created.task.id), "--json")));
    expect(t.status).toBe("failed");
    expect(t.reason).toMatch(/step 1\/3.*failed twice.*timed out/);
    expect(t.steps[0]).toMatchObject({ status: "failed", retries: 1 });
    const ps = Bun.spawnSync(["ps", "-eo", "args"], { stdout: "pipe" }).stdout.toString();
    expect(ps.includes(created.task.branch ?? "e2e-hang-never")).toBe(false);
    expect(ps.split("\n").filter((l) => l.includes("scenario:e2e-hang") && l.includes(bed.repo))).toEqual([]);
  });

  test("a step that fails twice (the turn limit) fails the task at that step", async () => {
    const readForever = (ctx: TurnContext): Turn => {
      const p = purposeOf(ctx);
      if (p.purpose !== "step") return happyTurn(ctx);
      return { tools: [{ name: "Read", input: { file_path: join(p.worktree, "src/app.ts") } }], usage: usageFor("step", p.step, ctx.turn) };
    };
    fake.add({ name: "e2e-turns", turns: loop(readForever, 20) });
    const bed = setup({ step_max_turns: 2 });
    await bed.init();
    const created = await json<{ task: TaskJson }>(await bed.skep("task", "create", "Add a sub function [[scenario:e2e-turns]]", "--json"));
    await bed.skep("task", "approve", String(created.task.id));
    const r = await bed.skep("task", "run", String(created.task.id), "--json");
    expect(r.stdout.slice(0, 3000)).toContain('"status": "failed"');
    expect(r.code).toBe(1);
    const t = JSON.parse(r.stdout) as TaskJson;
    expect(t.status).toBe("failed");
    expect(t.reason).toMatch(/step 1\/3: add src\/sub.ts failed twice: .*turn limit/);
    expect(t.steps.map((s) => s.status)).toEqual(["failed", "pending", "pending"]);
    // The ledger, row by row: two attempts at step 1, both stopped by the turn limit, after the
    // classify and plan calls. On a loaded machine one of those may be retried (an answer that
    // came too late): such a row must carry its error, never pass silently.
    const db = new Database(join(bed.repo, ".skep/tasks.db"), { readonly: true });
    const rows = db.query("SELECT purpose, step_seq AS step, attempt, ok, error FROM llm_calls WHERE task_id = ? ORDER BY id").all(t.id) as { purpose: string; step: number | null; attempt: number; ok: number; error: string | null }[];
    db.close();
    const steps = rows.filter((r) => r.purpose === "step");
    expect(steps.map((r) => [r.step, r.attempt, r.ok])).toEqual([
      [1, 1, 0],
      [1, 2, 0],
    ]);
    const before = rows.filter((r) => r.purpose !== "step");
    expect(before.filter((r) => r.ok === 1).map((r) => r.purpose)).toEqual(["classify", "plan"]);
    for (const r of before.filter((r) => r.ok !== 1)) expect(r.error ?? "").not.toBe("");
    if (rows.length !== 4) console.error("ledger of the turn-limit task:", JSON.stringify(rows));
    expect(t.tokens.calls).toBe(rows.length);
  });
});

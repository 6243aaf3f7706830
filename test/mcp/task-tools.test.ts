// The task tools through the SDK's Client over stdio against a real `skep mcp` child, with the
// `script` LLM backend answering classify and plan at once: without a daemon (the pipeline runs
// inline in the server, with progress notifications), in a task's worktree and a plain linked
// worktree (both act on the main checkout's store; the task's own refuses decisions), and
// through a real daemon (create answers at once, the daemon classifies and executes).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerNotification } from "@modelcontextprotocol/sdk/types.js";
import { reporter } from "../../src/mcp/progress.ts";
import type { McpRepo } from "../../src/mcp/repo.ts";
import { TaskTools, taskAnswer } from "../../src/mcp/task-tools.ts";
import { MAX_ANSWER_CHARS } from "../../src/protocol/mcp.ts";
import type { Task } from "../../src/protocol/tasks.ts";
import { TaskStore } from "../../src/tasks/store.ts";
import { cleanupAll as stopDaemons, startDaemon } from "../daemon/support.ts";
import { cleanupAll, connect, git, indexAt, makeRepo, type Mcp, SAMPLE, expectStructured, tempDir } from "./support.ts";

// Real child processes on a shared, busy machine: be generous.
setDefaultTimeout(90_000);

const classify = (classification: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ classification, confidence: 0.8, reason: `${classification} by script`, needs_clarification: false, clarifying_questions: [], reject_reason: null, ...extra });
const PLAN = JSON.stringify({
  plan: [
    { verb: "add", target_file: "src/greet.ts", description: "Add farewell()", acceptance: "farewell exists", depends_on: [] },
    { verb: "test", target_file: "src/greet.test.ts", description: "Test farewell()", acceptance: "the test passes", depends_on: [0] },
  ],
  files_affected: ["src/greet.ts"],
});

// The progress lines before the plan arrive apart from the answer: the SDK's Client drops a
// notification read in the same chunk as the answer (progress.ts), so the last lines may be lost.
const PLAN_DELAY_MS = 300;

/** Classify and plan answers, routed by words of the description (the prompts quote it). */
function scriptAnswers(stepDelayMs = 0) {
  return [
    { purpose: "classify", match: "farewell function", text: classify("large"), usage: { input: 100, cacheRead: 50 } },
    { purpose: "plan", match: "farewell function", text: PLAN, usage: { input: 200 }, delayMs: PLAN_DELAY_MS },
    // First a question, then (with the answer in the prompt) a plan.
    { purpose: "classify", match: "quicker startup", text: classify("ambiguous", { needs_clarification: true, clarifying_questions: ["Which command starts slowly?"] }) },
    { purpose: "classify", match: "quicker startup", text: classify("large") },
    { purpose: "plan", match: "quicker startup", text: PLAN, delayMs: PLAN_DELAY_MS },
    { purpose: "plan", match: "quicker startup", text: PLAN, delayMs: PLAN_DELAY_MS },
    { purpose: "classify", match: "uppercase banner", text: classify("large") },
    { purpose: "plan", match: "uppercase banner", text: PLAN },
    { purpose: "classify", match: "slow classification", text: classify("large"), delayMs: 60_000 },
    { purpose: "plan", match: "slow classification", text: PLAN, delayMs: 60_000 },
    { purpose: "step", text: "step", delayMs: stepDelayMs, writes: [{ path: "src/farewell.ts", content: "export const farewell = 1;\n" }] },
    { purpose: "step", text: "step", delayMs: stepDelayMs, writes: [{ path: "src/farewell.test.ts", content: "export const t = 1;\n" }] },
  ];
}

/** An indexed repo whose LLM is the script. */
async function taskRepo(dir?: string, stepDelayMs = 0): Promise<string> {
  const repo = makeRepo(SAMPLE, dir);
  await indexAt(repo);
  const script = join(tempDir("skep-mcp-script-"), "answers.json");
  writeFileSync(script, JSON.stringify({ answers: scriptAnswers(stepDelayMs) }));
  writeFileSync(join(repo, ".skep", "config.json"), JSON.stringify({ llm: "script", llm_script: script, test_cmd: null }));
  return repo;
}

const LOCAL = { SKEP_NO_DAEMON: "1" };

async function callWithProgress(mcp: Mcp, name: string, args: Record<string, unknown>) {
  const messages: string[] = [];
  const r = await mcp.client.callTool({ name, arguments: args }, undefined, {
    onprogress: (p) => messages.push(String(p.message)),
    resetTimeoutOnProgress: true,
  });
  const text = (r.content as { text: string }[])[0]!.text;
  if (r.isError) throw new Error(`${name} failed: ${text}`);
  expectStructured(name, r);
  return { answer: JSON.parse(text), messages };
}

async function expectError(mcp: Mcp, name: string, args: Record<string, unknown>, pattern: RegExp): Promise<string> {
  const r = await mcp.call(name, args);
  expect(r.isError).toBe(true);
  expect(r.text).toMatch(pattern);
  expect(r.text).not.toContain("\n");
  return r.text;
}

afterAll(async () => {
  await stopDaemons();
  await cleanupAll();
});

describe("without a daemon", () => {
  let repo: string;
  let mcp: Mcp;

  beforeAll(async () => {
    repo = await taskRepo();
    mcp = await connect(repo, { env: LOCAL });
  });

  test("the tool list: eight task tools beside the index tools, annotated, within the budget", async () => {
    const { tools } = await mcp.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of ["list_tasks", "show_task", "dedup_task"]) expect(byName.get(name)!.annotations).toMatchObject({ readOnlyHint: true });
    for (const name of ["create_task", "approve_task", "clarify_task"]) {
      expect(byName.get(name)!.annotations?.readOnlyHint).not.toBe(true);
      expect(byName.get(name)!.annotations?.destructiveHint).toBe(false);
    }
    for (const name of ["reject_task", "delete_task"]) expect(byName.get(name)!.annotations?.destructiveHint).toBe(true);
    expect(tools).toHaveLength(13); // no workspace peers: no remote task tools (remote-tools.test.ts), no run tools
    for (const t of tools) expect(t.description!.length).toBeLessThan(200);
    // With the instructions, within 8,000 characters (docs/mcp.md, "What the tool list costs").
    const chars = JSON.stringify(tools).length + (mcp.client.getInstructions()?.length ?? 0);
    expect(chars).toBeLessThan(8_000);
  });

  test("create (classified and planned inline, with progress) → show → approve → list", async () => {
    const { answer: created, messages } = await callWithProgress(mcp, "create_task", { description: "Add a farewell function next to greet in src/greet.ts" });
    expect(created).toMatchObject({ task_id: 1, status: "pending", classification: "large", plan_steps: 2, via: "local" });
    expect(created.hint).toContain("show_task 1");
    expect(messages[0]).toBe("checking for duplicates...");
    expect(messages.some((m) => m.startsWith("classifying and planning"))).toBe(true);

    const shown = await mcp.json("show_task", { task_id: 1 });
    expect(shown.via).toBe("local");
    expect(shown.hint).toContain("approve_task");
    expect(shown.task).toMatchObject({ id: 1, status: "pending", classification: "large", description: "Add a farewell function next to greet in src/greet.ts" });
    expect(shown.task.plan.plan).toHaveLength(2);
    expect(shown.task.steps.map((s: { seq: number; status: string }) => [s.seq, s.status])).toEqual([[1, "pending"], [2, "pending"]]);
    expect(shown.task.tokens).toMatchObject({ calls: 2, input: 300, cacheRead: 50, effectiveInput: 305 });
    expect(shown.task.branch).toBeUndefined(); // nulls are dropped
    // A task id sent as a string is taken too.
    expect((await mcp.json("show_task", { task_id: "1" })).task.id).toBe(1);

    const approved = await mcp.json("approve_task", { task_id: 1 });
    expect(approved.task).toMatchObject({ id: 1, status: "approved", reason: "approved" });
    expect(approved.hint).toContain("skep task run 1");

    const list = await mcp.json("list_tasks");
    expect(list).toMatchObject({ total: 1, via: "local" });
    expect(list.tasks).toEqual([{ id: 1, name: expect.stringContaining("farewell"), status: "approved", classification: "large", tokens: { effectiveInput: 305 } }]);
    expect((await mcp.json("list_tasks", { status: "approved" })).tasks).toHaveLength(1);
    expect((await mcp.json("list_tasks", { status: ["done", "failed"] })).tasks).toEqual([]);
    await expectError(mcp, "list_tasks", { status: "finished" }, /^Error: status 'finished' is not a task status; the statuses are: created, classified, pending, .*, rejected$/);
    // The overview lists the tasks in flight.
    expect((await mcp.json("get_overview", { tokens: 200 })).tasks).toEqual([{ id: 1, name: list.tasks[0].name, status: "approved" }]);
  });

  test("dedup_task finds the duplicate and creates nothing; create_task says duplicate too", async () => {
    const dup = await mcp.json("dedup_task", { description: "Add a farewell function next to greet in src/greet.ts" });
    expect(dup).toMatchObject({ duplicate: true, layer: "exact", taskId: 1, via: "local" });
    const other = await mcp.json("dedup_task", { description: "Rename the README heading to Sample project" });
    expect(other.duplicate).toBe(false);
    expect(other.taskId).toBeUndefined();
    // The index layer: the code already has it.
    const inCode = await mcp.json("dedup_task", { description: "Add a function `greet`" });
    expect(inCode).toMatchObject({ duplicate: true, layer: "index" });
    expect(inCode.reason).toContain("src/greet.ts");

    const again = await mcp.json("create_task", { description: "add a farewell function next to greet in src/greet.ts" });
    expect(again.duplicate).toMatchObject({ duplicate: true, taskId: 1 });
    expect(again.hint).toContain("nothing created");
    expect((await mcp.json("list_tasks")).total).toBe(1);
  });

  test("clarify: questions shown, answered, classified and planned again", async () => {
    const created = await mcp.json("create_task", { description: "Make a quicker startup for the app" });
    expect(created).toMatchObject({ status: "pending_clarification", questions: ["Which command starts slowly?"] });
    const shown = await mcp.json("show_task", { task_id: created.task_id });
    expect(shown.task.questions).toEqual(["Which command starts slowly?"]);
    expect(shown.hint).toContain("clarify_task");
    await expectError(mcp, "approve_task", { task_id: created.task_id }, /needs clarification first/);
    await expectError(mcp, "clarify_task", { task_id: created.task_id, answers: [{ question: "Which command starts slowly?", answer: "  " }] }, /every answer is empty/);

    const { answer, messages } = await callWithProgress(mcp, "clarify_task", { task_id: created.task_id, answers: [{ question: "Which command starts slowly?", answer: "skep search" }] });
    expect(answer.task).toMatchObject({ id: created.task_id, status: "pending", classification: "large", questions: [] });
    expect(answer.task.plan.plan).toHaveLength(2);
    expect(messages[0]).toBe("classifying and planning again with the answers...");
    expect(messages.some((m) => m.startsWith("classified: large"))).toBe(true);
    await expectError(mcp, "clarify_task", { task_id: created.task_id, answers: [{ question: "q", answer: "a" }] }, /is pending, not waiting for clarification/);
  });

  test("errors: unknown ids, illegal transitions, bad ids", async () => {
    await expectError(mcp, "show_task", { task_id: 999 }, /^Error: no task #999: list_tasks shows the ids$/);
    await expectError(mcp, "approve_task", { task_id: 999 }, /no task #999/);
    await expectError(mcp, "delete_task", { task_id: 999 }, /no task #999/);
    await expectError(mcp, "show_task", { task_id: 1.5 }, /task_id 1.5 is not a task id/);
    await expectError(mcp, "show_task", { task_id: "one" }, /Input validation error/);

    const { task_id } = await mcp.json("create_task", { description: "Print an uppercase banner at startup" });
    const rejected = await mcp.json("reject_task", { task_id, reason: "not now" });
    expect(rejected.task).toMatchObject({ status: "rejected", reason: "not now" });
    expect(rejected.hint).toBe("rejected (final)");
    await expectError(mcp, "approve_task", { task_id }, /task #\d+ is rejected; it cannot become approved \(rejected is final\)/);
    await expectError(mcp, "reject_task", { task_id }, /is rejected/);
  });

  test("delete refuses a queued or executing task, deletes others, and keeps branches", async () => {
    // A task some other live process (this test) is executing.
    const store = TaskStore.open(join(repo, ".skep"));
    let running: number;
    try {
      running = store.insert({ name: "busy", description: "A long running job" });
      store.transition(running, "approved");
      store.transition(running, "queued");
      store.transition(running, "executing", { patch: { runner_pid: process.pid, branch: "skep/task-busy" } });
    } finally {
      store.close();
    }
    await expectError(mcp, "delete_task", { task_id: running }, new RegExp(`task #${running} is executing; interrupt it first`));
    expect((await mcp.json("show_task", { task_id: running })).task.status).toBe("executing");

    const deleted = await mcp.json("delete_task", { task_id: 1 });
    expect(deleted).toEqual({ id: 1, deleted: true, branchDeleted: false, via: "local" });
    await expectError(mcp, "show_task", { task_id: 1 }, /no task #1/);
  });
});

describe("in worktrees", () => {
  let repo: string;
  let main: Mcp;

  beforeAll(async () => {
    repo = await taskRepo();
    main = await connect(repo, { env: LOCAL });
    await main.json("create_task", { description: "Add a farewell function next to greet in src/greet.ts" });
  });

  test("a task's worktree reads the main checkout's queue and refuses decisions", async () => {
    const wt = join(repo, ".skep", "worktrees", "task-1-add-farewell");
    git(repo, "worktree", "add", "-q", "-b", "skep/task-1-add-farewell", wt);
    const inTask = await connect(wt, { env: LOCAL });
    const list = await inTask.json("list_tasks");
    expect(list.tasks.map((t: { id: number }) => t.id)).toEqual([1]);
    expect((await inTask.json("show_task", { task_id: 1 })).task.status).toBe("pending");
    expect((await inTask.json("dedup_task", { description: "Add a farewell function next to greet in src/greet.ts" })).taskId).toBe(1);
    for (const [tool, args] of [
      ["approve_task", { task_id: 1 }],
      ["delete_task", { task_id: 1 }],
      ["reject_task", { task_id: 1 }],
      ["create_task", { description: "Add a goodbye banner" }],
      ["clarify_task", { task_id: 1, answers: [{ question: "q", answer: "a" }] }],
    ] as const) {
      await expectError(inTask, tool, args, new RegExp(`worktree of task #1 \\(${wt}\\): ${tool} is refused inside a task`));
    }
    expect((await main.json("show_task", { task_id: 1 })).task.status).toBe("pending");
    expect(existsSync(join(wt, ".skep"))).toBe(false); // no store of its own
  });

  test("a linked worktree the user made acts on the main checkout's queue", async () => {
    const wt = join(tempDir("skep-mcp-wt-"), "wt");
    git(repo, "worktree", "add", "-q", "-b", "feature", wt);
    const other = await connect(wt, { env: LOCAL });
    const approved = await other.json("approve_task", { task_id: 1 });
    expect(approved.task.status).toBe("approved");
    expect((await main.json("show_task", { task_id: 1 })).task.status).toBe("approved");
    expect(existsSync(join(wt, ".skep"))).toBe(false);
  });

  test("a server skep starts for its own LLM calls (SKEP_MCP_TASKS=read) reads tasks but decides nothing", async () => {
    const own = await connect(repo, { env: { ...LOCAL, SKEP_MCP_TASKS: "read" } });
    expect((await own.json("show_task", { task_id: 1 })).task.id).toBe(1);
    await expectError(own, "reject_task", { task_id: 1 }, /started by skep for one of its own LLM calls: reject_task is refused/);
    await expectError(own, "create_task", { description: "Add a subtract function" }, /create_task is refused/);
  });

  test("a server closed during the inline pipeline stops it; the task stays created", async () => {
    const m = await connect(repo, { env: LOCAL });
    let classifying!: () => void;
    const started = new Promise<void>((r) => (classifying = r));
    const call = m.client
      .callTool({ name: "create_task", arguments: { description: "Needs a slow classification of the logger" } }, undefined, {
        onprogress: (p) => String(p.message).startsWith("classifying") && classifying(),
      })
      .catch((err: Error) => err);
    await started;
    const t0 = Date.now();
    await m.close();
    expect(await call).toBeInstanceOf(Error); // the connection closed under it
    expect(Date.now() - t0).toBeLessThan(10_000);
    const list = await main.json("list_tasks");
    const stuck = list.tasks.find((t: { name: string }) => t.name.includes("slow"));
    expect(stuck.status).toBe("created");
    expect((await main.json("show_task", { task_id: stuck.id })).hint).toContain("a daemon classifies it when it starts");
  });

  test("a repo without any task store answers empty, and creates none for a read", async () => {
    const bare = makeRepo(SAMPLE);
    await indexAt(bare);
    const m = await connect(bare, { env: LOCAL });
    expect(await m.json("list_tasks")).toEqual({ tasks: [], total: 0, via: "local" });
    await expectError(m, "show_task", { task_id: 1 }, /no task #1/);
    expect((await m.json("dedup_task", { description: "Add a farewell function" })).duplicate).toBe(false);
    expect(existsSync(join(bare, ".skep", "tasks.db"))).toBe(false);
  });
});

describe("through a daemon", () => {
  test("create answers at once; the daemon classifies, executes on approval; delete refuses while it runs", async () => {
    const repo = await taskRepo(join(tempDir("skep-mcp-taskd-"), "repo"), 60_000);
    const env = { SKEP_HOME: tempDir("skep-home-") };
    await startDaemon(repo, { env });
    const mcp = await connect(repo, { env });

    const created = await mcp.json("create_task", { description: "Add a farewell function next to greet in src/greet.ts" });
    expect(created).toMatchObject({ task_id: 1, via: "daemon" });
    expect(["created", "pending"]).toContain(created.status); // the daemon may be quick
    const waitFor = async (status: string, id = 1, also: (s: Record<string, any>) => boolean = () => true) => {
      for (let i = 0; i < 600; i++) {
        const s = await mcp.json("show_task", { task_id: id });
        if (s.task.status === status && also(s)) return s;
        await Bun.sleep(50);
      }
      throw new Error(`task ${id} never became ${status}`);
    };
    const pending = await waitFor("pending");
    expect(pending.via).toBe("daemon");
    expect(pending.task.plan.plan).toHaveLength(2);

    const approved = await mcp.json("approve_task", { task_id: 1 });
    expect(approved.via).toBe("daemon");
    // The worktree (and so the branch) is made asynchronously once the task executes: the hint
    // names the branch from then on, and says only "running" before.
    const executing = await waitFor("executing", 1, (s) => Boolean(s.task.branch));
    expect(executing.hint).toContain(`running on branch ${executing.task.branch}`);
    await expectError(mcp, "delete_task", { task_id: 1 }, /task #1 is executing; interrupt it first/);
    await expectError(mcp, "show_task", { task_id: 7 }, /^Error: no task #7: list_tasks shows the ids$/);
    const list = await mcp.json("list_tasks");
    expect(list).toMatchObject({ total: 1, via: "daemon", tasks: [{ id: 1, status: "executing" }] });
    expect((await mcp.json("dedup_task", { description: "Add a farewell function next to greet in src/greet.ts" })).taskId).toBe(1);

    // clarify waits for the daemon's pipeline, with the daemon's progress lines.
    const asking = await mcp.json("create_task", { description: "Make a quicker startup for the app" });
    expect((await waitFor("pending_clarification", asking.task_id)).task.questions).toEqual(["Which command starts slowly?"]);
    const { answer, messages } = await callWithProgress(mcp, "clarify_task", { task_id: asking.task_id, answers: [{ question: "Which command starts slowly?", answer: "skep search" }] });
    expect(answer).toMatchObject({ via: "daemon", task: { id: asking.task_id, status: "pending", classification: "large" } });
    expect(messages.some((m) => m.startsWith("classifying and planning"))).toBe(true);
  });
});

describe("progress", () => {
  test("only with a progress token; each line once, then a heartbeat repeating the last one", async () => {
    const sent: { progress: number; message?: string }[] = [];
    const sendNotification = async (n: ServerNotification) => void sent.push(n.params as { progress: number; message?: string });
    expect(reporter({ sendNotification }).report).toBeUndefined();
    const r = reporter({ _meta: { progressToken: "t" }, sendNotification }, 20);
    r.report!("classifying and planning...");
    await Bun.sleep(70);
    await r.stop();
    const count = sent.length;
    await Bun.sleep(50);
    expect(sent.length).toBe(count); // nothing after stop
    expect(sent[0]).toMatchObject({ progressToken: "t", progress: 1, message: "classifying and planning..." });
    expect(sent.length).toBeGreaterThan(1);
    expect(sent[1]!.message).toMatch(/^classifying and planning\.\.\. \(\d+ s\)$/);
    expect(sent.map((s) => s.progress)).toEqual(sent.map((_, i) => i + 1)); // strictly increasing
  });
});

describe("bounded answers", () => {
  const long = (n: number, c = "x") => c.repeat(n);
  const tokens = { calls: 0, input: 0, output: 0, cacheCreation: 0, cacheRead: 0, effectiveInput: 0, costUsd: 0, backends: [] };
  function task(id: number, steps: number, text: number): Task {
    const plan = Array.from({ length: steps }, (_, i) => ({
      verb: "modify" as const,
      target_file: `src/file${i}.ts`,
      symbols: Array.from({ length: 40 }, (_, j) => `symbol${j}`),
      description: long(text, "d"),
      acceptance: long(text, "a"),
      depends_on: [],
    }));
    return {
      id,
      name: `task-${id}`,
      description: long(20_000),
      status: "pending",
      classification: "large",
      confidence: 0.5,
      reason: long(5_000, "r"),
      questions: [],
      plan: { plan, files_affected: plan.map((p) => p.target_file), symbols_affected: [] },
      steps: plan.map((p, i) => ({ seq: i + 1, verb: p.verb, targetFile: p.target_file, description: p.description, acceptance: p.acceptance, status: "pending" as const, commit: null, retries: 0, durationMs: null, error: null })),
      branch: null,
      baseBranch: null,
      baseCommit: null,
      worktree: null,
      sourceRepo: null,
      sourceTaskId: null,
      result: long(50_000, "R"),
      tokens,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    } as Task;
  }

  test("show_task fits the largest task in one answer, clipping and slimming as needed", () => {
    for (const [steps, text] of [[1, 100], [10, 3_000], [50, 5_000]] as const) {
      const text_ = taskAnswer(task(1, steps, text), "local");
      expect(text_.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
      const a = JSON.parse(text_);
      expect(a.task.id).toBe(1);
      expect(a.task.description).toContain("more chars]");
      expect(a.hint).toContain("approve_task");
      if (steps === 50) expect(a.task.steps_omitted).toBe("30 more steps: `skep task show 1`");
    }
    // A small task is shown whole.
    const small = { ...task(2, 2, 50), description: "short", reason: "why", result: null };
    const a = JSON.parse(taskAnswer(small, "daemon"));
    expect(a.task.steps[0]).toMatchObject({ seq: 1, verb: "modify", targetFile: "src/file0.ts", description: long(50, "d") });
    expect(a.task.plan.plan[0].symbols).toHaveLength(40);
    expect(a.task.result).toBeUndefined();
    expect(a.via).toBe("daemon");
  });

  test("list_tasks pages through a long queue, newest first, each task once", async () => {
    const all = Array.from({ length: 400 }, (_, i) => ({ ...task(i + 1, 0, 0), plan: null, steps: [], name: `a-rather-long-task-name-${i + 1}-${long(60, "n")}` }));
    const repo = { api: { tasks: { list: async () => ({ value: all, via: "local" as const }) } } } as unknown as McpRepo;
    const tools = new TaskTools(repo);
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const text = await tools.listTasks({ status: undefined, cursor });
      expect(text.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
      const page = JSON.parse(text);
      expect(page.total).toBe(400);
      seen.push(...page.tasks.map((t: { id: number }) => t.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(all.map((t) => t.id).reverse());
  });
});

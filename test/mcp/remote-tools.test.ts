// The cross-repo task tools through the SDK's Client over stdio against a real `skep mcp` child for
// the `backend` repo, in a workspace of two git repos registered by `skep init --workspace`. The
// peer, `mobile`, has a real daemon (started by the first create, as the executor would) and the
// `script` backend: its gate auto-approves a small task from a peer, holds a large one for
// approval and asks about an unclear one. Neither user checkout changes.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { daemonState, stopDaemon } from "../../src/client/control.ts";
import { ApproveRemoteTaskAnswer, CreateRemoteTaskAnswer, GetRemoteTaskAnswer, WaitRemoteTaskAnswer } from "../../src/protocol/mcp.ts";
import type { Task } from "../../src/protocol/tasks.ts";
import type { z } from "zod";
import { pathsFor, run } from "../daemon/support.ts";
import { cleanupAll, connect, git, makeRepo, type Mcp, onCleanup, expectStructured, tempDir } from "./support.ts";

// Real child processes (an MCP server, a daemon it starts) on a shared, busy machine.
setDefaultTimeout(120_000);

const classify = (classification: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ classification, confidence: 0.9, reason: `${classification} by script`, needs_clarification: false, clarifying_questions: [], reject_reason: null, ...extra });
const plan = (file: string, what: string) =>
  JSON.stringify({ plan: [{ verb: "add", target_file: file, description: what, acceptance: "it is there", depends_on: [] }], files_affected: [file] });

const SMALL = "Add a ping function in src/ping.ts";
const LARGE = "Add a settings screen with its own storage";
const UNCLEAR = "Make the sync faster somehow";
const SLOW = "Rework the logging pipeline end to end";
const HELD = "Translate the onboarding texts into German";

/** mobile's LLM: answers routed by words of the description (the prompts quote it). */
const MOBILE_SCRIPT = [
  { purpose: "classify", match: "ping function", text: classify("small") },
  { purpose: "plan", match: "ping function", text: plan("src/ping.ts", "Add ping()") },
  { purpose: "step", match: "Add ping", text: "ping", writes: [{ path: "src/ping.ts", content: "export function ping(): string {\n  return 'pong';\n}\n" }] },
  // Answered after create_remote_task's wait has begun: the wait then ends on the transition, and
  // must answer with the gated task (pending), not the moment before the gate (classified).
  { purpose: "classify", match: "settings screen", text: classify("large"), delayMs: 400 },
  { purpose: "plan", match: "settings screen", text: plan("src/settings.ts", "Add the settings screen"), delayMs: 400 },
  { purpose: "step", match: "Add the settings screen", text: "settings", writes: [{ path: "src/settings.ts", content: "export const settings = {};\n" }] },
  { purpose: "classify", match: "sync faster", text: classify("ambiguous", { needs_clarification: true, clarifying_questions: ["Which sync: contacts or photos?"] }) },
  // Once the person's answer (contacts) is in the prompt: a plan, held for approval.
  { purpose: "classify", match: "sync faster[\\s\\S]*contacts", text: classify("large") },
  { purpose: "plan", match: "sync faster", text: plan("src/sync.ts", "Speed up sync") },
  { purpose: "plan", match: "sync faster", text: plan("src/sync.ts", "Speed up the contacts sync") },
  { purpose: "classify", match: "onboarding texts", text: classify("large") },
  { purpose: "plan", match: "onboarding texts", text: plan("src/i18n/de.ts", "Add German texts") },
  // Slow enough for a short classify_timeout_sec to run out first.
  { purpose: "classify", match: "logging pipeline", text: classify("large"), delayMs: 8_000 },
  { purpose: "plan", match: "logging pipeline", text: plan("src/log.ts", "Rework logging"), delayMs: 8_000 },
];

interface Bed {
  ws: string;
  backend: string;
  mobile: string;
  env: Record<string, string>;
  checkouts: Record<string, { head: string; status: string }>;
}

function checkout(root: string): { head: string; status: string } {
  return { head: git(root, "rev-parse", "HEAD"), status: git(root, "status", "--porcelain") };
}

function workspace(): Bed {
  const ws = tempDir("skep-mcp-ws-");
  const backend = makeRepo({ "src/server.ts": "export function serve(): number {\n  return 1;\n}\n" }, join(ws, "backend"));
  const mobile = makeRepo({ "src/app.ts": "export function app(): string {\n  return 'app';\n}\n" }, join(ws, "mobile"));
  const env = { SKEP_HOME: tempDir("skep-home-") };
  // Whoever starts mobile's daemon (an MCP server, below), it is stopped before the repos go.
  onCleanup(async () => {
    await stopDaemon(pathsFor(mobile));
  });
  for (const root of [backend, mobile]) {
    const init = run(["init", "--no-daemon", "--workspace", ws, "--repo", root], { env: { ...env, SKEP_NO_DAEMON: "1" } });
    expect(init.code).toBe(0);
  }
  const script = join(tempDir("skep-script-"), "answers.json");
  writeFileSync(script, JSON.stringify({ answers: MOBILE_SCRIPT }));
  writeFileSync(join(mobile, ".skep", "config.json"), JSON.stringify({ llm: "script", llm_script: script, test_cmd: null }));
  return { ws, backend, mobile, env, checkouts: { backend: checkout(backend), mobile: checkout(mobile) } };
}

/** A tool call with progress notifications, generous timeouts (a daemon may be started), and its JSON answer. */
async function callWithProgress(mcp: Mcp, name: string, args: Record<string, unknown>) {
  const messages: string[] = [];
  const r = await mcp.client.callTool({ name, arguments: args }, undefined, { onprogress: (p) => messages.push(String(p.message)), resetTimeoutOnProgress: true, timeout: 100_000 });
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

/** The answer has the declared shape (src/protocol/mcp.ts), unknown top-level fields included. */
function conforms(schema: z.ZodType, answer: unknown): void {
  const r = schema.safeParse(answer);
  expect(r.error?.issues ?? []).toEqual([]);
}

/** A mobile task's transitions, from its store (read-only): [to, reason]. */
function peerEvents(bed: Bed, id: number): [string, string | null][] {
  const db = new Database(join(bed.mobile, ".skep", "tasks.db"), { readonly: true });
  try {
    return db.query("SELECT to_status, reason FROM events WHERE task_id = ? ORDER BY id").values(id) as [string, string | null][];
  } finally {
    db.close();
  }
}

function mobileTasks(bed: Bed): Task[] {
  const r = run(["tasks", "--json", "--repo", bed.mobile], { env: bed.env });
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.stdout);
  return (Array.isArray(parsed) ? parsed : parsed.tasks) as Task[];
}

let bed: Bed;
let mcp: Mcp;

beforeAll(async () => {
  bed = workspace();
  mcp = await connect(bed.backend, { env: bed.env });
});

afterAll(async () => {
  await cleanupAll(); // the MCP servers, mobile's daemon (whoever started it), the temp dirs
});

describe("create_remote_task", () => {
  test("the tool list: the six remote tools beside the others, annotated, each with an outputSchema, within the budget", async () => {
    const { tools } = await mcp.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(tools).toHaveLength(23); // in a workspace: with the four run tools (test/coordinator/mcp-runs.test.ts)
    // The full list, every tool a repo can have, within the layout issue's 8,000 characters
    // (7,929 now; 10,368 with 21 tools before the output schemas and the trimming). bench:mcp
    // prints each tool's share.
    const listChars = JSON.stringify({ tools }).length;
    expect(listChars).toBeLessThanOrEqual(8_000);
    for (const t of tools) {
      expect(t.outputSchema).toEqual({ type: "object" });
      expect(Object.keys(t)).not.toContain("execution"); // absent means forbidden: the SDK's default spelled out
      expect(Object.keys(t.inputSchema)).not.toContain("$schema");
    }
    for (const name of ["get_remote_task", "wait_remote_task"]) expect(byName.get(name)!.annotations).toMatchObject({ readOnlyHint: true });
    for (const name of ["create_remote_task", "approve_remote_task", "clarify_remote_task"]) expect(byName.get(name)!.annotations).toMatchObject({ destructiveHint: false });
    expect(byName.get("reject_remote_task")!.annotations).toMatchObject({ destructiveHint: true });
    expect(Object.keys((byName.get("create_remote_task")!.inputSchema as { properties: object }).properties)).toEqual(["repo", "description", "classify_timeout_sec"]);
    expect(Object.keys((byName.get("wait_remote_task")!.inputSchema as { properties: object }).properties)).toEqual(["repo", "task_id", "timeout_sec"]);
    expect(Object.keys((byName.get("reject_remote_task")!.inputSchema as { properties: object }).properties)).toEqual(["repo", "task_id", "reason"]);
    expect(Object.keys((byName.get("clarify_remote_task")!.inputSchema as { properties: object }).properties)).toEqual(["repo", "task_id", "answers"]);
  });

  test("small: the peer's daemon is started, classifies, plans and auto-approves it; the answer says so", async () => {
    expect((await daemonState(pathsFor(bed.mobile))).running).toBe(false);
    const { answer, messages } = await callWithProgress(mcp, "create_remote_task", { repo: "MOBILE", description: SMALL });
    conforms(CreateRemoteTaskAnswer, answer);
    expect(answer).toMatchObject({ task_id: 1, classification: "small", repo: "mobile" });
    // The script answers at once, so mobile may already run it (or be done) when the wait begins.
    expect(["approved", "queued", "executing", "done"]).toContain(answer.status);
    expect(answer.plan.plan).toEqual([expect.objectContaining({ verb: "add", target_file: "src/ping.ts", description: "Add ping()" })]);
    expect(answer.next_action_hint).toMatch(answer.status === "done" ? /^done: / : /call wait_remote_task$/);
    // mobile's gate approved it by itself: the task came from a peer.
    expect(peerEvents(bed, 1).slice(0, 4)).toEqual([
      ["created", null],
      ["classified", "small by script"],
      ["approved", "small task delegated by backend: approved automatically"],
      ["queued", null],
    ]);
    expect(answer.note).toMatch(new RegExp(`^mobile's daemon was not running: started it \\(pid \\d+\\), as \`skep daemon start\` in ${bed.mobile} would`));
    expect((await daemonState(pathsFor(bed.mobile))).running).toBe(true);
    expect(messages[0]).toMatch(/^no daemon runs for mobile .*; starting it/);
    expect(messages).toContain("creating the task on mobile...");

    // On the peer: created with this repo as its source.
    const peer = mobileTasks(bed).find((t) => t.id === 1)!;
    expect(peer).toMatchObject({ sourceRepo: "backend", sourceTaskId: null, description: SMALL });

    // It runs on mobile by itself; wait_remote_task follows it to the end.
    const { answer: waited } = await callWithProgress(mcp, "wait_remote_task", { repo: "mobile", task_id: 1 });
    conforms(WaitRemoteTaskAnswer, waited);
    expect(waited).toMatchObject({ outcome: "done", repo: "mobile", task: { id: 1, status: "done" } });
    expect(waited.next_action_hint).toContain(`the work is on mobile's branch ${waited.task.branch}, not merged`);
    expect(waited.note).toBeUndefined(); // the daemon runs now: nothing to say
    expect(git(bed.mobile, "show", `${waited.task.branch}:src/ping.ts`)).toContain("pong");
  });

  test("a duplicate creates nothing and names the peer task that has the work", async () => {
    const dup = await mcp.json("create_remote_task", { repo: "mobile", description: SMALL.toLowerCase() });
    conforms(CreateRemoteTaskAnswer, dup);
    expect(dup).toMatchObject({ duplicate: true, task_id: 1, repo: "mobile" });
    expect(dup.note).toContain("nothing created: mobile already has this work as task #1");
    expect(mobileTasks(bed)).toHaveLength(1);
  });

  test("an unknown repo, or this repo itself, is a tool error listing the peers", async () => {
    await expectError(mcp, "create_remote_task", { repo: "desktop", description: LARGE }, new RegExp(`^Error: no peer repo named 'desktop' in the workspace ${bed.ws}; its peers are: mobile$`));
    await expectError(mcp, "get_remote_task", { repo: "backend", task_id: 1 }, /no peer repo named 'backend' .*\('backend' is this repo itself\); its peers are: mobile$/);
    await expectError(mcp, "get_remote_task", { repo: "mobile", task_id: 99 }, new RegExp(`^Error: mobile has no task #99: use the task_id create_remote_task answered \\(\`skep tasks --repo ${bed.mobile}\` lists them\\)$`));
    expect(mobileTasks(bed)).toHaveLength(1);
  });

  test("classify_timeout_sec runs out: the task is stored and goes on on the peer", async () => {
    const slow = await mcp.json("create_remote_task", { repo: "mobile", description: SLOW, classify_timeout_sec: 1 });
    conforms(CreateRemoteTaskAnswer, slow);
    expect(slow).toEqual({ task_id: 2, status: "created", repo: "mobile", note: expect.stringContaining("mobile has not classified it within 1 s (classify_timeout_sec); it goes on there") });
    const shown = await mcp.json("get_remote_task", { repo: "mobile", task_id: 2 });
    expect(shown.next_action_hint).toMatch(/still classifying and planning it|review the plan/);
  });
});

describe("large: pending, approved, waited for", () => {
  test("create → pending with the plan → approve_remote_task → wait_remote_task done, on the peer's branch", async () => {
    const { answer: created } = await callWithProgress(mcp, "create_remote_task", { repo: "mobile", description: LARGE });
    expect(created).toMatchObject({ status: "pending", classification: "large", repo: "mobile", plan: { plan: [{ verb: "add", target_file: "src/settings.ts" }] } });
    expect(created.next_action_hint).toBe("review the plan, then call approve_remote_task or reject_remote_task (with the user's go-ahead), or surface it to the user");
    expect(created.note).toBeUndefined();
    const id = created.task_id;

    const shown = await mcp.json("get_remote_task", { repo: "mobile", task_id: id });
    conforms(GetRemoteTaskAnswer, shown);
    expect(shown.task).toMatchObject({ id, status: "pending", sourceRepo: "backend", plan: { plan: [{ description: "Add the settings screen" }] } });
    expect(shown.clarification_questions).toBeUndefined();

    // The wait times out while nobody approves: a tool error, and the task is left as it is.
    const t0 = Date.now();
    await expectError(mcp, "wait_remote_task", { repo: "mobile", task_id: id, timeout_sec: 1 }, new RegExp(`^Error: mobile task #${id} is still pending after 1 s \\(timeout_sec\\): call get_remote_task to see where it stands, or wait_remote_task again with a longer timeout_sec \\(at most 3600\\)`));
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(mobileTasks(bed).find((t) => t.id === id)!.status).toBe("pending");

    const approved = await mcp.json("approve_remote_task", { repo: "mobile", task_id: id });
    conforms(ApproveRemoteTaskAnswer, approved);
    expect(approved).toMatchObject({ repo: "mobile", task: { id, reason: "approved from backend (approve_remote_task)" } });
    expect(["approved", "queued", "executing", "done"]).toContain(approved.task.status); // the peer starts it at once
    await expectError(mcp, "approve_remote_task", { repo: "mobile", task_id: id }, /^Error: mobile: task #\d+ is \w+; it cannot become approved/);

    const { answer: waited, messages } = await callWithProgress(mcp, "wait_remote_task", { repo: "mobile", task_id: id });
    expect(waited).toMatchObject({ outcome: "done", task: { id, status: "done" } });
    expect(waited.error_summary).toBeUndefined();
    expect(messages[0]).toBe(`waiting for mobile task #${id} to finish (at most 1800 s)`);
    expect(git(bed.mobile, "show", `${waited.task.branch}:src/settings.ts`)).toContain("settings");
    expect(git(bed.mobile, "log", "--format=%s", `${waited.task.baseCommit}..${waited.task.branch}`).split("\n")).toHaveLength(1);
  });

  test("a wait the client cancels ends at once; the peer task is left as it is", async () => {
    const { task_id: id, status } = await mcp.json("create_remote_task", { repo: "mobile", description: HELD });
    expect(status).toBe("pending");
    const before = mobileTasks(bed).find((t) => t.id === id)!;
    const controller = new AbortController();
    const call = mcp.client.callTool({ name: "wait_remote_task", arguments: { repo: "mobile", task_id: id, timeout_sec: 600 } }, undefined, { signal: controller.signal, timeout: 100_000 }).catch((err: Error) => err);
    await Bun.sleep(500);
    const t0 = Date.now();
    controller.abort();
    expect(await call).toBeInstanceOf(Error);
    expect(Date.now() - t0).toBeLessThan(2_000);
    // The server goes on answering, and the peer task did not move.
    const shown = await mcp.json("get_remote_task", { repo: "mobile", task_id: id });
    expect(shown.task.status).toBe(before.status);
    expect(shown.task.updatedAt).toBe(before.updatedAt);
  });
});

describe("accept_remote_approval", () => {
  test("false in the peer's config: approve_remote_task is refused there, saying a person approves it on the peer; nothing changes", async () => {
    const held = mobileTasks(bed).find((t) => t.description === HELD)!;
    expect(held.status).toBe("pending");
    const config = join(bed.mobile, ".skep", "config.json");
    const before = readFileSync(config, "utf8");
    writeFileSync(config, JSON.stringify({ ...JSON.parse(before), accept_remote_approval: false }));
    try {
      await expectError(
        mcp,
        "approve_remote_task",
        { repo: "mobile", task_id: held.id },
        new RegExp(`^Error: mobile: backend may not approve task #${held.id}: this repo's \\.skep/config\\.json says accept_remote_approval: false, so a person approves it here \\(\`skep task approve ${held.id}\`\\)$`),
      );
      expect(mobileTasks(bed).find((t) => t.id === held.id)!.status).toBe("pending");
    } finally {
      writeFileSync(config, before);
    }
  });
});

describe("clarification", () => {
  test("get_remote_task on pending_clarification returns the questions; clarify_remote_task answers them and the peer plans again; reject_remote_task ends it", async () => {
    const created = await mcp.json("create_remote_task", { repo: "mobile", description: UNCLEAR });
    expect(created).toMatchObject({ status: "pending_clarification", clarification_questions: ["Which sync: contacts or photos?"] });
    const id = created.task_id;
    const shown = await mcp.json("get_remote_task", { repo: "mobile", task_id: id });
    conforms(GetRemoteTaskAnswer, shown);
    expect(shown.clarification_questions).toEqual(["Which sync: contacts or photos?"]);
    expect(shown.next_action_hint).toBe("surface clarification_questions to the user; answer them with clarify_remote_task (it is planned again)");
    await expectError(mcp, "approve_remote_task", { repo: "mobile", task_id: id }, /^Error: mobile: task #\d+ needs clarification first/);

    // Answers go in the order of the questions; bad ones change nothing on the peer.
    await expectError(mcp, "clarify_remote_task", { repo: "mobile", task_id: id, answers: ["  "] }, /^Error: every answer is empty/);
    await expectError(mcp, "clarify_remote_task", { repo: "mobile", task_id: id, answers: ["contacts", "photos"] }, /^Error: mobile task #\d+ asks 1 question\(s\) and got 2 answers: one answer per question, in their order$/);
    expect(mobileTasks(bed).find((t) => t.id === id)!.status).toBe("pending_clarification");

    const { answer: clarified, messages } = await callWithProgress(mcp, "clarify_remote_task", { repo: "mobile", task_id: id, answers: ["contacts"] });
    conforms(GetRemoteTaskAnswer, clarified);
    expect(clarified).toMatchObject({ repo: "mobile", task: { id, status: "pending", classification: "large", plan: { plan: [{ description: "Speed up the contacts sync" }] } } });
    expect(clarified.clarification_questions).toBeUndefined();
    expect(clarified.next_action_hint).toContain("approve_remote_task or reject_remote_task");
    expect(messages).toContain(`mobile is classifying and planning task #${id} again with the answers...`);
    // On the peer: the question and its answer, as `skep task clarify` would have stored them.
    const onPeer = run(["task", "show", String(id), "--json", "--repo", bed.mobile], { env: bed.env });
    expect(onPeer.stdout).toContain("contacts");
    await expectError(mcp, "clarify_remote_task", { repo: "mobile", task_id: id, answers: ["photos"] }, new RegExp(`^Error: mobile task #${id} is pending, not waiting for answers; review the plan`));

    const rejected = await mcp.json("reject_remote_task", { repo: "mobile", task_id: id, reason: "the user wants photos first" });
    conforms(GetRemoteTaskAnswer, rejected);
    expect(rejected).toMatchObject({ repo: "mobile", task: { id, status: "rejected", reason: "rejected from backend: the user wants photos first" } });
    expect(rejected.next_action_hint).toContain("rejected on mobile");
    expect(peerEvents(bed, id).at(-1)).toEqual(["rejected", "rejected from backend: the user wants photos first"]);
    await expectError(mcp, "reject_remote_task", { repo: "mobile", task_id: id }, /^Error: mobile: task #\d+ is rejected/);
  });
});

describe("refusals", () => {
  test("a task's worktree and a server skep started for its own LLM calls may read peer tasks, never create or approve them", async () => {
    const wt = join(bed.backend, ".skep", "worktrees", "task-1-add-route");
    git(bed.backend, "worktree", "add", "-q", "-b", "skep/task-1-add-route", wt);
    onCleanup(() => void git(bed.backend, "worktree", "remove", "--force", wt));
    const inTask = await connect(wt, { env: bed.env });
    const own = await connect(bed.backend, { env: { ...bed.env, SKEP_MCP_TASKS: "read" } });
    const count = mobileTasks(bed).length;
    for (const [server, why] of [
      [inTask, `this server runs in the worktree of task #1 \\(${wt}\\): (create|approve|reject|clarify)_remote_task is refused inside a task; list_tasks, show_task, dedup_task, get_remote_task and wait_remote_task work`],
      [own, "this server was started by skep for one of its own LLM calls: (create|approve|reject|clarify)_remote_task is refused there"],
    ] as const) {
      await expectError(server, "create_remote_task", { repo: "mobile", description: "Add a logout button" }, new RegExp(why));
      await expectError(server, "approve_remote_task", { repo: "mobile", task_id: 1 }, new RegExp(why));
      await expectError(server, "reject_remote_task", { repo: "mobile", task_id: 1 }, new RegExp(why));
      await expectError(server, "clarify_remote_task", { repo: "mobile", task_id: 1, answers: ["a"] }, new RegExp(why));
      expect((await server.json("get_remote_task", { repo: "mobile", task_id: 1 })).task.status).toBe("done");
    }
    expect(mobileTasks(bed)).toHaveLength(count);
    expect(existsSync(join(wt, ".skep"))).toBe(false);
    expect(readFileSync(join(bed.ws, ".skep-workspace", "registry.json"), "utf8")).toContain('"mobile"');
  });
});

describe("afterwards", () => {
  test("neither user checkout changed: same HEAD, a clean working tree", () => {
    expect(checkout(bed.backend)).toEqual(bed.checkouts.backend!);
    expect(checkout(bed.mobile)).toEqual(bed.checkouts.mobile!);
    // The work is on mobile's task branches only.
    expect(git(bed.mobile, "branch", "--format=%(refname:short)").split("\n").filter((b) => b.startsWith("skep/task-"))).toHaveLength(2);
  });
});

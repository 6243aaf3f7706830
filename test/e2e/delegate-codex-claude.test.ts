// Cross-repo delegation across two CLIs: in one workspace, the backend repo runs the Codex CLI and
// the mobile repo runs Claude Code (each real, each against its own fake API on 127.0.0.1). The
// backend's codex-made plan delegates to mobile; its executor creates the task on mobile's daemon
// (started for it), mobile's Claude classifies it small, plans and writes the file, and the
// backend's codex step then runs. Each repo's ledger names its own CLI and holds its own usage.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stopDaemon } from "../../src/client/control.ts";
import { FakeAnthropic, type Turn as ClaudeTurn, type TurnContext as ClaudeCtx } from "../support/fake-anthropic.ts";
import { FakeOpenAI, type Turn, type TurnContext } from "../support/fake-openai.ts";
import { CODEX } from "../support/agent-clis.ts";
import { findClaude, offlineClaudeEnv } from "../support/claude.ts";
import { childEnv, git, makeRepo } from "../mcp/support.ts";
import { pathsFor } from "../daemon/support.ts";
import { BUN, cleanupAll, MAIN, onCleanup, tempDir } from "../support/temp.ts";
import { CLASSIFY, json, purposeOf, type TaskJson } from "./agent-task-bed.ts";

setDefaultTimeout(300_000);

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
beforeAll(async () => {
  [openai, anthropic] = await Promise.all([FakeOpenAI.start(), FakeAnthropic.start()]);
});
afterAll(async () => {
  await Promise.all([openai?.stop(), anthropic?.stop()]);
  await cleanupAll();
});

const MOBILE_WORK = "Add a ping function in src/ping.ts [[scenario:dlg-mobile]]";
const BACKEND_PLAN = JSON.stringify({
  plan: [
    { verb: "delegate", target_file: "", symbols: [], description: `Delegate to mobile: ${MOBILE_WORK}`, acceptance: "mobile has ping()", depends_on: [] },
    { verb: "add", target_file: "src/ping-route.ts", symbols: [], description: "Add the ping route", acceptance: "the route exists", depends_on: [0] },
  ],
});
const MOBILE_PLAN = JSON.stringify({ plan: [{ verb: "add", target_file: "src/ping.ts", symbols: ["ping"], description: "Add ping()", acceptance: "ping() returns pong", depends_on: [] }] });

function backendTurn(ctx: TurnContext): Turn {
  const { purpose } = purposeOf(ctx.userText);
  const usage = { input_tokens: 900, output_tokens: 9, cached_tokens: 100, reasoning_tokens: 1 };
  if (purpose === "classify") return { text: CLASSIFY, usage };
  if (purpose === "plan") return { text: `Plan:\n${BACKEND_PLAN}`, usage };
  if (ctx.turn === 0) return { tools: [{ name: "apply_patch", input: "*** Begin Patch\n*** Add File: src/ping-route.ts\n+export const route = '/ping';\n*** End Patch\n" }], usage };
  return { text: "route added", usage };
}

function mobileTurn(ctx: ClaudeCtx): ClaudeTurn {
  const first = ctx.body.messages?.find((m) => m.role === "user");
  const text = typeof first?.content === "string" ? first.content : (first?.content ?? []).map((b) => b.text ?? "").join("\n");
  const { purpose, worktree } = purposeOf(text);
  const usage = { input_tokens: 300, output_tokens: 3, cache_creation_input_tokens: 30, cache_read_input_tokens: 3000 };
  if (purpose === "classify") return { text: CLASSIFY.replace('"large"', '"small"'), usage };
  if (purpose === "plan") return { text: `Plan:\n${MOBILE_PLAN}`, usage };
  if (ctx.turn === 0) return { tools: [{ name: "Write", input: { file_path: join(worktree, "src/ping.ts"), content: "export function ping(): string {\n  return 'pong';\n}\n" } }], usage };
  return { text: "ping added", usage };
}

describe("delegation from a codex repo to a claude repo", () => {
  test("backend (codex) delegates to mobile (claude): both tasks done, each ledger its own CLI's", async () => {
    openai.add({ name: "dlg-backend", turns: [backendTurn, backendTurn] });
    anthropic.add({ name: "dlg-mobile", turns: [mobileTurn, mobileTurn] });
    const ws = tempDir("skep-dlg-ws-");
    const backend = makeRepo({ "src/server.ts": "export function serve(): number {\n  return 1;\n}\n" }, join(ws, "backend"));
    const mobile = makeRepo({ "src/app.ts": "export function app(): string {\n  return 'app';\n}\n" }, join(ws, "mobile"));
    const home = tempDir("skep-dlg-home-");
    const env = childEnv({ ...offlineClaudeEnv(anthropic.url, { home, apiTimeoutMs: 60_000 }), SKEP_HOME: join(home, ".skep"), SKEP_CLAUDE_BIN: findClaude(childEnv()), SKEP_CODEX_BIN: CODEX, OPENAI_API_KEY: "dummy" });
    const skep = async (root: string, ...args: string[]) => {
      const p = Bun.spawn([BUN, MAIN, ...args, "--repo", root], { cwd: root, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      return { code, stdout, stderr };
    };
    onCleanup(async () => void (await stopDaemon(pathsFor(mobile))));
    for (const [root, config] of [
      [backend, { llm: "codex", model: "gpt-5.5", codex_base_url: openai.url, llm_max_retries: 0 }],
      [mobile, { llm: "claude", model: "claude-fake-1", model_classify: "claude-fake-1", auto_execute_small: true }],
    ] as const) {
      expect((await skep(root, "init", "--no-daemon", "--workspace", ws)).code).toBe(0);
      const path = join(root, ".skep/config.json");
      writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), test_cmd: null, ...config }));
      expect((await skep(root, "trust", "--yes")).code === 0 || root === mobile).toBe(true);
    }
    // The backend works without a daemon; mobile's daemon is started by the delegate step.
    const created = await json<{ task: TaskJson }>(await skep(backend, "task", "create", "Add a ping endpoint and have mobile show it [[scenario:dlg-backend]]", "--json"));
    expect(created.task.status).toBe("pending");
    await skep(backend, "task", "approve", String(created.task.id));
    const done = await json<TaskJson & { steps: { verb: string; status: string; peer: { repo: string; taskId: number; status: string; branch: string } | null }[] }>(
      await skep(backend, "task", "run", String(created.task.id), "--json"),
    );
    expect([...openai.errors, ...anthropic.errors]).toEqual([]);
    expect(done.status).toBe("done");
    expect(done.steps[0]).toMatchObject({ verb: "delegate", status: "done", peer: { repo: "mobile", status: "done" } });
    expect(git(backend, "show", `${done.branch}:src/ping-route.ts`)).toContain("/ping");
    expect(git(mobile, "show", `${done.steps[0]!.peer!.branch}:src/ping.ts`)).toContain("pong");
    // Each repo's ledger: backend's calls are codex's, mobile's are claude's, to the token.
    // Three calls each (classify, plan, one step), four requests (the step's tool round trip).
    const n = openai.requestsOf("dlg-backend").filter((r) => r.usage).length;
    expect(n).toBe(4);
    expect(done.tokens).toMatchObject({ calls: 3, input: n * 800, output: n * 9, cacheCreation: 0, cacheRead: n * 100, reasoning: n, backends: ["codex"] });
    const m = anthropic.requestsOf("dlg-mobile").length;
    expect(m).toBe(4);
    const peer = await json<TaskJson>(await skep(mobile, "task", "show", String(done.steps[0]!.peer!.taskId), "--json"));
    expect(peer.tokens).toMatchObject({ calls: 3, input: m * 300, output: m * 3, cacheCreation: m * 30, cacheRead: m * 3000, backends: ["claude"] });
  });
});

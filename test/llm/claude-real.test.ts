// The claude backend driving the real Claude Code CLI (node_modules/.bin/claude, pinned in
// package.json) against a scripted Messages API on 127.0.0.1 (test/support/fake-anthropic.ts), and
// against small servers that fail (HTTP 500, garbage). Nothing leaves the machine: a fresh HOME and
// TMPDIR per call, non-essential traffic off, no retries, the API base URL on localhost.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LlmRequest } from "../../src/llm/backend.ts";
import { ClaudeBackend } from "../../src/llm/claude.ts";
import { offlineClaudeEnv } from "../support/claude.ts";
import { FakeAnthropic } from "../support/fake-anthropic.ts";
import { childEnv, indexAt, makeRepo, SAMPLE } from "../mcp/support.ts";
import { cleanupAll, onCleanup, PROJECT, tempDir } from "../support/temp.ts";

// Real CLI runs on a shared, busy machine: be generous.
setDefaultTimeout(90_000);

const CLAUDE = join(PROJECT, "node_modules/.bin/claude");
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await FakeAnthropic.start();
});
afterAll(async () => {
  await fake?.stop();
  await cleanupAll();
});

/** A backend for the real CLI talking to `apiUrl`, isolated in its own HOME and TMPDIR. */
function backend(apiUrl: string): ClaudeBackend {
  return new ClaudeBackend({ bin: CLAUDE, inheritEnv: false, env: childEnv(offlineClaudeEnv(apiUrl)) });
}

function request(cwd: string, extra: Partial<LlmRequest>): LlmRequest {
  return { purpose: "plan", prompt: "", cwd, timeoutMs: 80_000, maxTurns: 6, ...extra };
}

/** A Messages API that always fails the same way. */
function brokenApi(answer: () => Response): string {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => (req.method === "POST" ? answer() : new Response(null, { status: 200 })),
  });
  onCleanup(() => server.stop(true));
  return `http://127.0.0.1:${server.port}`;
}

describe("claude backend with the real Claude Code CLI", () => {
  test("a text answer: usage exactly as the API reported it, model, session, streamed lines, system prompt and model passed", async () => {
    fake.add({ name: "llm-text", turns: [{ text: "PLAN: do the thing", usage: { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 1000, cache_read_input_tokens: 5000 } }] });
    const lines: string[] = [];
    const r = await backend(fake.url).run(
      request(tempDir("skep-llm-cwd-"), {
        prompt: "[[scenario:llm-text]] make a plan",
        model: "skep-fake-model-1",
        appendSystemPrompt: "SKEP-APPENDED-SYSTEM-PROMPT",
        onLine: (l) => lines.push(l),
      }),
    );
    if (!r.ok) console.error(JSON.stringify(r), fake.errors);
    expect(r).toMatchObject({ ok: true, text: "PLAN: do the thing", error: null, exitCode: 0, backend: "claude", aborted: false, model: "skep-fake-model-1" });
    expect(r.usage).toEqual({ input: 100, output: 20, cacheCreation: 1000, cacheRead: 5000 });
    expect(r.costUsd).toBeGreaterThanOrEqual(0);
    expect(r.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: "system", subtype: "init" });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: "result", result: "PLAN: do the thing" });

    const [sent] = fake.requestsOf("llm-text");
    expect(sent!.body!.model).toBe("skep-fake-model-1");
    expect(JSON.stringify(sent!.body!.system)).toContain("SKEP-APPENDED-SYSTEM-PROMPT");
    expect(sent!.headers["x-claude-code-session-id"]).toBe(r.sessionId!);
  });

  test("a step with edits allowed: the Write tool creates the file in cwd", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    fake.add({
      name: "llm-write",
      turns: [{ tools: [{ name: "Write", input: { file_path: join(cwd, "src/made.ts"), content: "export const made = true;\n" } }] }, { text: "WROTE: {{last_tool_result}}" }],
    });
    const r = await backend(fake.url).run(request(cwd, { purpose: "step", prompt: "[[scenario:llm-write]] write it", allowEdits: true }));
    if (!r.ok) console.error(JSON.stringify(r), fake.errors);
    expect(r.ok).toBe(true);
    expect(r.text).toStartWith("WROTE: File created successfully");
    expect(readFileSync(join(cwd, "src/made.ts"), "utf8")).toBe("export const made = true;\n");
  });

  test("a read-only call cannot write: the file is not created", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    fake.add({
      name: "llm-readonly",
      turns: [{ tools: [{ name: "Write", input: { file_path: join(cwd, "nope.txt"), content: "x" } }] }, { text: "TRIED: {{last_tool_result}}" }],
    });
    const r = await backend(fake.url).run(request(cwd, { purpose: "classify", prompt: "[[scenario:llm-readonly]] classify" }));
    expect(existsSync(join(cwd, "nope.txt"))).toBe(false);
    // Write is disallowed outright, so the model is told there is no such tool (not a permission prompt).
    expect(r.ok).toBe(true);
    expect(r.text).toContain("TRIED: <tool_use_error>Error: No such tool available: Write");
  });

  test("with mcpRepo the model can call skep's MCP tools for that repo", async () => {
    const repo = makeRepo(SAMPLE);
    await indexAt(repo);
    fake.add({
      name: "llm-mcp",
      // The very first turn calls skep's tool: the backend has Claude Code wait for the server's
      // connection before its first request (by default it connects MCP servers meanwhile).
      turns: [{ tools: [{ name: "mcp__skep__search_symbols", input: { query: "greet" } }] }, { text: "GOT<<{{last_tool_result}}>>" }],
    });
    const seen: string[] = [];
    const r = await backend(fake.url).run(request(repo, { purpose: "plan", prompt: "[[scenario:llm-mcp]] find greet", mcpRepo: repo, onLine: (l) => seen.push(l) }));
    if (!r.ok) console.error(JSON.stringify(r), fake.errors);
    expect(r.ok).toBe(true);
    // Connected before the conversation starts (a broken `skep mcp` shows "failed" here).
    expect(JSON.parse(seen[0]!).mcp_servers).toEqual([{ name: "skep", status: "connected" }]);
    const answer = JSON.parse(/GOT<<([\s\S]*?)>>/.exec(r.text)![1]!);
    expect(answer.hits[0]).toMatchObject({ name: "greet", file: "src/greet.ts" });
  });

  test("the turn limit: an endless tool loop stops with error_max_turns", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    const read = { tools: [{ name: "Glob", input: { pattern: "*" } }] };
    fake.add({ name: "llm-loop", turns: Array.from({ length: 10 }, () => read) });
    const r = await backend(fake.url).run(request(cwd, { prompt: "[[scenario:llm-loop]] loop", maxTurns: 2 }));
    expect(r).toMatchObject({ ok: false, error: "reached the turn limit (2)" });
    expect(r.usage.input).toBeGreaterThan(0);
  });

  test("an API that answers 500: ok false with the API error", async () => {
    const url = brokenApi(() => Response.json({ type: "error", error: { type: "api_error", message: "skep fake 500" } }, { status: 500 }));
    const r = await backend(url).run(request(tempDir("skep-llm-cwd-"), { prompt: "hello" }));
    expect(r.ok).toBe(false);
    expect(r.error).toStartWith("API error 500: ");
    expect(r.error).toContain("skep fake 500");
    expect(r.exitCode).toBe(1);
  });

  test("an API that answers garbage: ok false", async () => {
    const url = brokenApi(() => new Response("this is not a Messages reply", { headers: { "content-type": "text/event-stream" } }));
    const r = await backend(url).run(request(tempDir("skep-llm-cwd-"), { prompt: "hello" }));
    expect(r.ok).toBe(false);
    expect(r.error).toContain("API Error");
  });
});

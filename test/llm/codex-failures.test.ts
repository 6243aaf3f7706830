// The codex backend's failure paths with the real Codex CLI against the tests' fake Responses API
// (a separate file from codex-real.test.ts so the two run in parallel): an HTTP error, garbage, a
// broken stream, a refused tool, an API that never answers, a missing executable; each recorded
// with codex's own message, and nothing left behind.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LlmRequest } from "../../src/llm/backend.ts";
import { CodexBackend, type CodexBackendOptions } from "../../src/llm/codex.ts";
import { CODEX, FAKE_KEY_VAR, processesWith, snapshot } from "../support/agent-clis.ts";
import { FakeOpenAI } from "../support/fake-openai.ts";
import { childEnv, makeRepo, SAMPLE } from "../mcp/support.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

setDefaultTimeout(90_000);

let fake: FakeOpenAI;
let userHome: string;
let homesDir: string;
let userBefore: Record<string, string>;

beforeAll(async () => {
  fake = await FakeOpenAI.start();
  // The user's own codex directory: its settings and login are used, never written.
  userHome = join(tempDir("skep-codex-user-"), ".codex");
  mkdirSync(userHome);
  writeFileSync(join(userHome, "config.toml"), 'model_reasoning_effort = "low"\n');
  writeFileSync(join(userHome, "auth.json"), '{"OPENAI_API_KEY": null}\n');
  userBefore = snapshot(userHome);
  homesDir = tempDir("skep-codex-homes-");
});
afterAll(async () => {
  await fake?.stop();
  await cleanupAll();
});

function backend(extra: Partial<CodexBackendOptions> = {}): CodexBackend {
  return new CodexBackend({
    bin: CODEX,
    inheritEnv: false,
    env: childEnv({ HOME: tempDir("skep-codex-home-"), [FAKE_KEY_VAR]: "dummy" }),
    provider: { baseUrl: fake.url, envKey: FAKE_KEY_VAR },
    maxRetries: 0,
    userHome,
    homesDir,
    ...extra,
  });
}

function request(cwd: string, extra: Partial<LlmRequest>): LlmRequest {
  return { purpose: "plan", prompt: "", cwd, timeoutMs: 60_000, ...extra };
}

describe("codex backend failures with the real Codex CLI", () => {
  test("an HTTP 500: one request (no retries), ok false with codex's own message", async () => {
    fake.add({ name: "cx-500", turns: [{ raw: { status: 500, body: JSON.stringify({ error: { message: "fake overload", type: "server_error" } }) } }] });
    const r = await backend().run(request(tempDir("skep-cx-cwd-"), { prompt: "[[scenario:cx-500]] hi", model: "gpt-5.5" }));
    expect(r.ok).toBe(false);
    expect(r.error).toStartWith("codex: ");
    expect(r.exitCode).toBe(1);
    expect(fake.requestsOf("cx-500").length).toBe(1);
  });

  test("garbage instead of SSE, and a stream that stops before response.completed: ok false, 'stream disconnected'", async () => {
    fake.add({ name: "cx-garbage", turns: [{ raw: { status: 200, body: "}}}garbage{{{", contentType: "text/event-stream" } }] });
    fake.add({ name: "cx-broken", turns: [{ broken: "half an answer" }] });
    for (const name of ["cx-garbage", "cx-broken"]) {
      const r = await backend().run(request(tempDir("skep-cx-cwd-"), { prompt: `[[scenario:${name}]] hi`, model: "gpt-5.5" }));
      expect(r.ok).toBe(false);
      expect(r.error).toContain("stream disconnected before completion");
    }
  });

  test("a tool call codex refuses (no such tool) fails the call; rc 0 does not hide it", async () => {
    const repo = makeRepo(SAMPLE);
    // A tool skep's server does not have: codex answers the model, and the run ends rc 0.
    fake.add({ name: "cx-unknown", turns: [{ tools: [{ name: "no_such_tool", namespace: "mcp__skep", input: {} }] }, { text: "went on" }] });
    const r = await backend().run(request(repo, { prompt: "[[scenario:cx-unknown]] x", model: "gpt-5.5", mcpRepo: repo }));
    expect(r.exitCode).toBe(0);
    expect(r.ok).toBe(false);
    expect(r.error).toContain("tools refused or failed: unsupported call: mcp__skep");
  });

  test("an API that never answers: the process group is killed at the timeout, nothing left", async () => {
    fake.add({ name: "cx-hang", turns: [{ hang: true }] });
    const r = await backend({ killGraceMs: 500 }).run(request(tempDir("skep-cx-cwd-"), { prompt: "[[scenario:cx-hang]] hi", model: "gpt-5.5", timeoutMs: 3000 }));
    expect(r).toMatchObject({ ok: false, error: "timed out after 3 s" });
    expect(processesWith("scenario:cx-hang")).toEqual([]);
  });

  test("a missing executable: not found, with the fix", async () => {
    const r = await backend({ bin: "/nonexistent/codex" }).run(request(tempDir("skep-cx-cwd-"), { prompt: "hi" }));
    expect(r.ok).toBe(false);
    expect(r.error).toContain("codex CLI not found: /nonexistent/codex");
    expect(r.error).toContain("codex_bin");
  });

  test("after all of the above: the user's ~/.codex is as it was, and no per-call home is left", () => {
    expect(snapshot(userHome)).toEqual(userBefore);
    expect(readdirSync(homesDir)).toEqual([]);
  });
});

// The gemini backend's failure paths with the real Gemini CLI against the tests' fake streaming API
// (a separate file from gemini-real.test.ts so the two run in parallel): an HTTP error, garbage,
// a stream that stops; each recorded with gemini's own message, and nothing left behind.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LlmRequest } from "../../src/llm/backend.ts";
import { GeminiBackend, type GeminiBackendOptions } from "../../src/llm/gemini.ts";
import { GEMINI, offlineGeminiEnv, processesWith, snapshot } from "../support/agent-clis.ts";
import { FakeGemini } from "../support/fake-gemini.ts";
import { childEnv } from "../mcp/support.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

setDefaultTimeout(90_000);

let fake: FakeGemini;
let userDir: string;
let homesDir: string;
let userBefore: Record<string, string>;

beforeAll(async () => {
  fake = await FakeGemini.start();
  // The user's own ~/.gemini: its settings are merged into each call's, never written.
  const userHome = tempDir("skep-gemini-user-");
  userDir = join(userHome, ".gemini");
  mkdirSync(userDir);
  writeFileSync(join(userDir, "settings.json"), JSON.stringify({ ui: { theme: "users-own" }, tools: { exclude: ["glob"] } }));
  userBefore = snapshot(userDir);
  homesDir = tempDir("skep-gemini-homes-");
  bed = { userHome };
});
afterAll(async () => {
  await fake?.stop();
  await cleanupAll();
});

let bed: { userHome: string };

function backend(extra: Partial<GeminiBackendOptions> = {}): GeminiBackend {
  return new GeminiBackend({
    bin: GEMINI,
    inheritEnv: false,
    env: childEnv({ HOME: tempDir("skep-gemini-home-"), ...offlineGeminiEnv(fake.url) }),
    maxRetries: 0,
    userHome: bed.userHome,
    homesDir,
    ...extra,
  });
}

function request(cwd: string, extra: Partial<LlmRequest>): LlmRequest {
  return { purpose: "plan", prompt: "", cwd, timeoutMs: 60_000, model: "gemini-fake-1", ...extra };
}

describe("gemini backend failures with the real Gemini CLI", () => {
  test("an HTTP 500: one request (no retries), ok false with the API's message and gemini's exit code", async () => {
    fake.add({ name: "gm-500", turns: [{ raw: { status: 500, body: JSON.stringify({ error: { code: 500, message: "fake overload", status: "INTERNAL" } }) } }] });
    const r = await backend().run(request(tempDir("skep-gm-cwd-"), { prompt: "[[scenario:gm-500]] hi" }));
    expect(r.ok).toBe(false);
    expect(r.error).toStartWith("gemini: ");
    expect(r.error).toContain("fake overload");
    expect(r.exitCode).toBe(244);
    expect(fake.requestsOf("gm-500").length).toBe(1);
  });

  test("garbage instead of SSE: ok false with gemini's parse error", async () => {
    fake.add({ name: "gm-garbage", turns: [{ raw: { status: 200, body: "data: {not json\n\n", contentType: "text/event-stream" } }] });
    const r = await backend().run(request(tempDir("skep-gm-cwd-"), { prompt: "[[scenario:gm-garbage]] hi" }));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^gemini/);
  });

  test("a stream that stops after its headers: the process group is killed at the timeout, nothing left", async () => {
    fake.add({ name: "gm-stall", turns: [{ stall: true }] });
    const r = await backend({ killGraceMs: 500 }).run(request(tempDir("skep-gm-cwd-"), { prompt: "[[scenario:gm-stall]] hi", timeoutMs: 8000 }));
    expect(r).toMatchObject({ ok: false, error: "timed out after 8 s" });
    expect(processesWith("scenario:gm-stall")).toEqual([]);
  });

  test("after all of the above: the user's ~/.gemini is as it was, and no per-call home is left", () => {
    expect(snapshot(userDir)).toEqual(userBefore);
    expect(readdirSync(homesDir)).toEqual([]);
  });
});

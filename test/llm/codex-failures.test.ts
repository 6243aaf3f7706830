// The codex backend's failure paths with the real Codex CLI against the tests' fake Responses API
// (a separate file from codex-real.test.ts so the two run in parallel): an HTTP error, garbage, a
// broken stream, a refused tool, an API that never answers, a missing executable; each recorded
// with codex's own message, and nothing left behind.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync } from "node:fs";
import { processesWith, snapshot } from "../support/agent-clis.ts";
import { makeRepo, SAMPLE } from "../mcp/support.ts";
import { tempDir } from "../support/temp.ts";
import { codexBed } from "./cli-beds.ts";

setDefaultTimeout(90_000);

const bed = codexBed();
const { backend, request } = bed;

describe("codex backend failures with the real Codex CLI", () => {
  test("an HTTP 500: one request (no retries), ok false with codex's own message", async () => {
    bed.fake.add({ name: "cx-500", turns: [{ raw: { status: 500, body: JSON.stringify({ error: { message: "fake overload", type: "server_error" } }) } }] });
    const r = await backend().run(request(tempDir("skep-cx-cwd-"), { prompt: "[[scenario:cx-500]] hi", model: "gpt-5.5" }));
    expect(r.ok).toBe(false);
    expect(r.error).toStartWith("codex: ");
    expect(r.exitCode).toBe(1);
    expect(bed.fake.requestsOf("cx-500").length).toBe(1);
  });

  test("garbage instead of SSE, and a stream that stops before response.completed: ok false, 'stream disconnected'", async () => {
    bed.fake.add({ name: "cx-garbage", turns: [{ raw: { status: 200, body: "}}}garbage{{{", contentType: "text/event-stream" } }] });
    bed.fake.add({ name: "cx-broken", turns: [{ broken: "half an answer" }] });
    for (const name of ["cx-garbage", "cx-broken"]) {
      const r = await backend().run(request(tempDir("skep-cx-cwd-"), { prompt: `[[scenario:${name}]] hi`, model: "gpt-5.5" }));
      expect(r.ok).toBe(false);
      expect(r.error).toContain("stream disconnected before completion");
    }
  });

  test("a tool call codex refuses (no such tool) fails the call; rc 0 does not hide it", async () => {
    const repo = makeRepo(SAMPLE);
    // A tool skep's server does not have: codex answers the model, and the run ends rc 0.
    bed.fake.add({ name: "cx-unknown", turns: [{ tools: [{ name: "no_such_tool", namespace: "mcp__skep", input: {} }] }, { text: "went on" }] });
    const r = await backend().run(request(repo, { prompt: "[[scenario:cx-unknown]] x", model: "gpt-5.5", mcpRepo: repo }));
    expect(r.exitCode).toBe(0);
    expect(r.ok).toBe(false);
    expect(r.error).toContain("tools refused or failed: unsupported call: mcp__skep");
  });

  test("an API that never answers: the process group is killed at the timeout, nothing left", async () => {
    bed.fake.add({ name: "cx-hang", turns: [{ hang: true }] });
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
    expect(snapshot(bed.userDir)).toEqual(bed.userBefore);
    expect(readdirSync(bed.homesDir)).toEqual([]);
  });
});

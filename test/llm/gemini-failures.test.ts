// The gemini backend's failure paths with the real Gemini CLI against the tests' fake streaming API
// (a separate file from gemini-real.test.ts so the two run in parallel): an HTTP error, garbage,
// a stream that stops; each recorded with gemini's own message, and nothing left behind.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync } from "node:fs";
import { processesWith, snapshot } from "../support/agent-clis.ts";
import { tempDir } from "../support/temp.ts";
import { geminiBed } from "./cli-beds.ts";

setDefaultTimeout(90_000);

const bed = geminiBed();
const { backend, request } = bed;

describe("gemini backend failures with the real Gemini CLI", () => {
  test("an HTTP 500: one request (no retries), ok false with the API's message and gemini's exit code", async () => {
    bed.fake.add({ name: "gm-500", turns: [{ raw: { status: 500, body: JSON.stringify({ error: { code: 500, message: "fake overload", status: "INTERNAL" } }) } }] });
    const r = await backend().run(request(tempDir("skep-gm-cwd-"), { prompt: "[[scenario:gm-500]] hi" }));
    expect(r.ok).toBe(false);
    expect(r.error).toStartWith("gemini: ");
    expect(r.error).toContain("fake overload");
    expect(r.exitCode).toBe(244);
    expect(bed.fake.requestsOf("gm-500").length).toBe(1);
  });

  test("garbage instead of SSE: ok false with gemini's parse error", async () => {
    bed.fake.add({ name: "gm-garbage", turns: [{ raw: { status: 200, body: "data: {not json\n\n", contentType: "text/event-stream" } }] });
    const r = await backend().run(request(tempDir("skep-gm-cwd-"), { prompt: "[[scenario:gm-garbage]] hi" }));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^gemini/);
  });

  test("a stream that stops after its headers: the process group is killed at the timeout, nothing left", async () => {
    bed.fake.add({ name: "gm-stall", turns: [{ stall: true }] });
    const r = await backend({ killGraceMs: 500 }).run(request(tempDir("skep-gm-cwd-"), { prompt: "[[scenario:gm-stall]] hi", timeoutMs: 8000 }));
    expect(r).toMatchObject({ ok: false, error: "timed out after 8 s" });
    expect(processesWith("scenario:gm-stall")).toEqual([]);
  });

  test("after all of the above: the user's ~/.gemini is as it was, and no per-call home is left", () => {
    expect(snapshot(bed.userDir)).toEqual(bed.userBefore);
    expect(readdirSync(bed.homesDir)).toEqual([]);
  });
});

// The script backend: answers replayed in order per purpose, `match` against the prompt, one replay
// shared through the sidecar state file, file edits confined to cwd, and no silent fallback.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LlmRequest } from "../../src/llm/backend.ts";
import { ScriptBackend, type ScriptFileInput, statePathFor } from "../../src/llm/script.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

function request(cwd: string, extra: Partial<LlmRequest> = {}): LlmRequest {
  return { purpose: "classify", prompt: "classify this", cwd, timeoutMs: 10_000, ...extra };
}

function scriptFile(script: ScriptFileInput): string {
  const path = join(tempDir("skep-llm-script-"), "answers.json");
  writeFileSync(path, JSON.stringify(script));
  return path;
}

describe("script backend: replay", () => {
  test("answers are used in order within a purpose; then a clear error", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    const backend = new ScriptBackend({
      answers: [
        { purpose: "classify", text: "first", usage: { input: 10, output: 2 }, costUsd: 0.5 },
        { purpose: "plan", text: "the plan" },
        { purpose: "classify", text: "second", model: "scripted-model" },
      ],
    });
    const a = await backend.run(request(cwd, { model: "haiku" }));
    expect(a).toMatchObject({ ok: true, text: "first", error: null, usage: { input: 10, output: 2, cacheCreation: 0, cacheRead: 0 }, costUsd: 0.5, exitCode: 0, model: "haiku", backend: "script", aborted: false });
    expect((await backend.run(request(cwd))).text).toBe("second");
    expect((await backend.run(request(cwd))).model).toBeNull();
    expect(await backend.run(request(cwd))).toMatchObject({ ok: false, text: "", error: "script <inline> has no answer left for purpose classify", backend: "script" });
    expect((await backend.run(request(cwd, { purpose: "plan" }))).text).toBe("the plan");
  });

  test("match picks the first unused answer whose regex matches the prompt", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    const backend = new ScriptBackend({
      answers: [
        { purpose: "step", match: "^step 1\\b", text: "one" },
        { purpose: "step", match: "tests?", text: "tests" },
        { purpose: "step", text: "anything" },
      ],
    });
    expect((await backend.run(request(cwd, { purpose: "step", prompt: "run the tests" }))).text).toBe("tests");
    expect((await backend.run(request(cwd, { purpose: "step", prompt: "step 2" }))).text).toBe("anything");
    const none = await backend.run(request(cwd, { purpose: "step", prompt: "step 3" }));
    expect(none.error).toBe("script <inline> has no answer left for purpose step (1 unused answer(s) for step do not match the prompt)");
    expect((await backend.run(request(cwd, { purpose: "step", prompt: "step 1: go" }))).text).toBe("one");
  });

  test("two instances on one file (CLI and daemon) continue the same replay; editing the script starts over", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    const path = scriptFile({ answers: ["a", "b", "c"].map((text) => ({ purpose: "dedup" as const, text })) });
    const first = new ScriptBackend(path);
    const second = new ScriptBackend(path);
    expect((await first.run(request(cwd, { purpose: "dedup" }))).text).toBe("a");
    expect((await second.run(request(cwd, { purpose: "dedup" }))).text).toBe("b");
    expect(JSON.parse(readFileSync(statePathFor(path), "utf8")).used).toEqual([0, 1]);
    expect((await first.run(request(cwd, { purpose: "dedup" }))).text).toBe("c");
    expect((await second.run(request(cwd, { purpose: "dedup" }))).error).toBe(`script ${path} has no answer left for purpose dedup`);

    writeFileSync(path, JSON.stringify({ answers: [{ purpose: "dedup", text: "fresh" }] }));
    expect((await second.run(request(cwd, { purpose: "dedup" }))).text).toBe("fresh");
  });

  test("concurrent calls never get the same answer", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    const path = scriptFile({ answers: Array.from({ length: 8 }, (_, i) => ({ purpose: "plan" as const, text: `p${i}` })) });
    const backends = Array.from({ length: 8 }, () => new ScriptBackend(path));
    const texts = (await Promise.all(backends.map((b) => b.run(request(cwd, { purpose: "plan" }))))).map((r) => r.text);
    expect(texts.sort()).toEqual(["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"]);
  });

  test("scripted failures: ok false, the error, the exit code, usage still recorded; text goes to onLine", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    const backend = new ScriptBackend({
      answers: [
        { purpose: "plan", text: "half\nway", ok: false, error: "API error 529: overloaded", usage: { input: 5, output: 1, cacheCreation: 3, cacheRead: 4 } },
        { purpose: "plan", text: "", ok: false },
        { purpose: "plan", text: "x", ok: false, exitCode: 7 },
      ],
    });
    const lines: string[] = [];
    const r = await backend.run(request(cwd, { purpose: "plan", onLine: (l) => lines.push(l) }));
    expect(r).toMatchObject({ ok: false, text: "half\nway", error: "API error 529: overloaded", exitCode: 1, usage: { input: 5, output: 1, cacheCreation: 3, cacheRead: 4 } });
    expect(lines).toEqual(["half", "way"]);
    expect((await backend.run(request(cwd, { purpose: "plan" }))).error).toBe("scripted failure (script <inline>)");
    expect((await backend.run(request(cwd, { purpose: "plan" }))).exitCode).toBe(7);
  });

  test("a missing or invalid script file is a failed call naming the file", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    const dir = tempDir("skep-llm-script-");
    const missing = await new ScriptBackend(join(dir, "nope.json")).run(request(cwd));
    expect(missing).toMatchObject({ ok: false, backend: "script" });
    expect(missing.error).toBe(`script ${join(dir, "nope.json")} not found (llm_script in .skep/config.json)`);

    writeFileSync(join(dir, "bad.json"), JSON.stringify({ answers: [{ purpose: "classify", text: "x", match: "(" }, { purpose: "review", text: "y" }] }));
    const bad = await new ScriptBackend(join(dir, "bad.json")).run(request(cwd));
    expect(bad.error).toContain(`script ${join(dir, "bad.json")} is invalid: answers.0.match: not a valid regular expression`);
    expect(bad.error).toContain("answers.1.purpose");

    expect(() => new ScriptBackend({ answers: [{ purpose: "plan", text: "x", extra: 1 } as never] })).toThrow();
  });
});

describe("script backend: delays", () => {
  test("a delay is abortable, and one longer than the timeout is a timeout", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    const backend = new ScriptBackend({
      answers: [
        { purpose: "step", text: "slow", delayMs: 60_000, usage: { output: 3 } },
        { purpose: "step", text: "slower", delayMs: 60_000 },
        { purpose: "step", text: "quick", delayMs: 10 },
      ],
    });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const aborted = await backend.run(request(cwd, { purpose: "step", signal: ctl.signal }));
    expect(aborted).toMatchObject({ ok: false, aborted: true, error: "aborted", usage: { output: 3 } });
    expect(await backend.run(request(cwd, { purpose: "step", timeoutMs: 100 }))).toMatchObject({ ok: false, aborted: false, error: "timed out after 0.1 s" });
    expect((await backend.run(request(cwd, { purpose: "step" }))).text).toBe("quick");
    expect(await backend.run(request(cwd, { purpose: "step", signal: AbortSignal.abort() }))).toMatchObject({ aborted: true });
  });
});

describe("script backend: file edits", () => {
  test("writes, appends and deletes happen inside cwd", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    writeFileSync(join(cwd, "log.txt"), "one\n");
    mkdirSync(join(cwd, "old"));
    writeFileSync(join(cwd, "old", "x.ts"), "x");
    writeFileSync(join(cwd, "gone.txt"), "bye");
    const backend = new ScriptBackend({
      answers: [
        {
          purpose: "step",
          text: "done",
          writes: [{ path: "src/new/file.ts", content: "export const a = 1;\n" }],
          appends: [{ path: "log.txt", content: "two\n" }, { path: "fresh.txt", content: "made" }],
          deletes: ["old", "gone.txt", "never-existed.txt"],
        },
      ],
    });
    const r = await backend.run(request(cwd, { purpose: "step", allowEdits: true }));
    expect(r).toMatchObject({ ok: true, text: "done" });
    expect(readFileSync(join(cwd, "src/new/file.ts"), "utf8")).toBe("export const a = 1;\n");
    expect(readFileSync(join(cwd, "log.txt"), "utf8")).toBe("one\ntwo\n");
    expect(readFileSync(join(cwd, "fresh.txt"), "utf8")).toBe("made");
    expect(existsSync(join(cwd, "old"))).toBe(false);
    expect(existsSync(join(cwd, "gone.txt"))).toBe(false);
  });

  test("paths escaping cwd (.., absolute, through a symlink) refuse the whole answer; nothing is written", async () => {
    const outside = tempDir("skep-llm-outside-");
    const cwd = tempDir("skep-llm-cwd-");
    symlinkSync(outside, join(cwd, "link"));
    const escapes = ["../escaped.txt", join(outside, "abs.txt"), "link/through.txt", "a/../../up.txt", "."];
    const backend = new ScriptBackend({
      answers: escapes.map((path) => ({ purpose: "step" as const, text: "t", writes: [{ path: "inside.txt", content: "no" }, { path, content: "no" }] })),
    });
    for (const path of escapes) {
      const r = await backend.run(request(cwd, { purpose: "step", allowEdits: true }));
      expect(r.ok).toBe(false);
      expect(r.error).toBe(`script <inline>: refusing to edit ${path}: outside ${cwd}`);
    }
    expect(existsSync(join(cwd, "inside.txt"))).toBe(false);
    expect(existsSync(join(cwd, "..", "escaped.txt"))).toBe(false);
    expect(existsSync(join(outside, "through.txt"))).toBe(false);
  });

  test("edits in a call that does not allow them are refused", async () => {
    const cwd = tempDir("skep-llm-cwd-");
    const backend = new ScriptBackend({ answers: [{ purpose: "plan", text: "t", deletes: ["x"] }] });
    const r = await backend.run(request(cwd, { purpose: "plan" }));
    expect(r).toMatchObject({ ok: false, error: "script <inline>: the answer edits files but this plan call may not (allowEdits is off)" });
  });
});

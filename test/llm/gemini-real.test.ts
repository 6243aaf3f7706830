// The gemini backend driving the real Gemini CLI (@google/gemini-cli, pinned in package.json)
// against the tests' fake Gemini streaming API on 127.0.0.1 (test/support/fake-gemini.ts): answers,
// edits confined to the worktree, skep's MCP server, usage mapped to the token, failures recorded
// with gemini's own message, the user's ~/.gemini untouched and no per-call home left behind.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { snapshot } from "../support/agent-clis.ts";
import { indexAt, makeRepo, SAMPLE } from "../mcp/support.ts";
import { tempDir } from "../support/temp.ts";
import { geminiBed } from "./cli-beds.ts";

setDefaultTimeout(90_000);

const bed = geminiBed();
const { backend, request } = bed;

describe("gemini backend with the real Gemini CLI", () => {
  test("a step: write_file in cwd, skep's MCP tool, text; usage to the token (cached out of input, thoughts as reasoning); web tools and the user's excluded tool not offered", async () => {
    const repo = makeRepo(SAMPLE);
    await indexAt(repo);
    bed.fake.add({
      name: "gm-step",
      turns: [
        { tools: [{ name: "write_file", input: { file_path: "made.txt", content: "made\n" } }], usage: { promptTokenCount: 1000, candidatesTokenCount: 20, cachedContentTokenCount: 100, thoughtsTokenCount: 5 } },
        { tools: [{ name: "mcp_skep_search_symbols", input: { query: "greet" } }], usage: { promptTokenCount: 2000, candidatesTokenCount: 30, cachedContentTokenCount: 300, thoughtsTokenCount: 6 } },
        (ctx) => ({ text: `GOT<<${ctx.results.at(-1)?.text ?? ""}>>`, usage: { promptTokenCount: 3000, candidatesTokenCount: 40, cachedContentTokenCount: 0, thoughtsTokenCount: 0 } }),
      ],
    });
    const lines: string[] = [];
    const r = await backend().run(request(repo, { purpose: "step", prompt: "[[scenario:gm-step]] do it", allowEdits: true, mcpRepo: repo, appendSystemPrompt: "SKEP-SYSTEM-NOTE", onLine: (l) => lines.push(l) }));
    if (!r.ok) console.error(JSON.stringify(r), bed.fake.errors);
    expect(r).toMatchObject({ ok: true, error: null, exitCode: 0, backend: "gemini", model: "gemini-fake-1", aborted: false });
    expect(readFileSync(join(repo, "made.txt"), "utf8")).toBe("made\n");
    expect(r.text).toContain("greet");
    expect(r.usage).toEqual({ input: 6000 - 400, output: 90 + 11, cacheRead: 400, cacheCreation: 0, reasoning: 11 });
    expect(r.sessionId).toBeTruthy();
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(expect.arrayContaining(["init", "tool_use", "tool_result", "result"]));
    const sent = bed.fake.requestsOf("gm-step");
    expect(sent.map((s) => s.model)).toEqual(["gemini-fake-1", "gemini-fake-1", "gemini-fake-1"]);
    expect(JSON.stringify(sent[0]!.body!.contents)).toContain("SKEP-SYSTEM-NOTE");
    const tools = sent[0]!.body!.tools!.flatMap((t) => t.functionDeclarations ?? []).map((f) => f.name);
    expect(tools).toContain("write_file");
    expect(tools).toContain("mcp_skep_search_symbols");
    for (const absent of ["google_web_search", "web_fetch", "glob", "run_shell_command"]) expect(tools).not.toContain(absent);
  });

  test("a read-only call: write_file is not offered, the refusal fails the call though gemini exits 0; a write outside cwd in a step is refused too", async () => {
    const cwd = tempDir("skep-gm-cwd-");
    bed.fake.add({ name: "gm-ro", turns: [{ tools: [{ name: "write_file", input: { file_path: "nope.txt", content: "x" } }] }, { text: "tried" }] });
    const r = await backend().run(request(cwd, { purpose: "classify", prompt: "[[scenario:gm-ro]] classify" }));
    expect(existsSync(join(cwd, "nope.txt"))).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(r.ok).toBe(false);
    expect(r.error).toContain('tools refused: write_file: Tool "write_file" not found');

    const outside = join(tempDir("skep-gm-outside-"), "escaped.txt");
    bed.fake.add({ name: "gm-out", turns: [{ tools: [{ name: "write_file", input: { file_path: outside, content: "x" } }] }, { text: "tried" }] });
    const s = await backend().run(request(cwd, { purpose: "step", prompt: "[[scenario:gm-out]] write", allowEdits: true }));
    expect(existsSync(outside)).toBe(false);
    expect(s.ok).toBe(false);
    expect(s.error).toContain("tools refused: write_file");
  });

  test("after all of the above: the user's ~/.gemini is as it was, and no per-call home is left", () => {
    expect(snapshot(bed.userDir)).toEqual(bed.userBefore);
    expect(readdirSync(bed.homesDir)).toEqual([]);
  });
});

// The codex backend driving the real Codex CLI (@openai/codex, pinned in package.json) against the
// tests' fake Responses API on 127.0.0.1 (test/support/fake-openai.ts): answers, edits confined to
// the worktree, skep's MCP server, usage mapped to the token, every failure kind recorded with
// codex's own message, the user's ~/.codex untouched and no per-call home or process left behind.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { snapshot } from "../support/agent-clis.ts";
import { indexAt, makeRepo, SAMPLE } from "../mcp/support.ts";
import { tempDir } from "../support/temp.ts";
import { codexBed } from "./cli-beds.ts";

setDefaultTimeout(90_000);

const bed = codexBed();
const { backend, request } = bed;

describe("codex backend with the real Codex CLI", () => {
  test("a text answer: usage mapped to the token (cached and cache-write out of input, reasoning kept), model and instructions passed, lines streamed", async () => {
    bed.fake.add({ name: "cx-text", turns: [{ text: "PLAN: do it", usage: { input_tokens: 1000, output_tokens: 30, cached_tokens: 200, cache_write_tokens: 50, reasoning_tokens: 7 } }] });
    const lines: string[] = [];
    const r = await backend().run(request(tempDir("skep-cx-cwd-"), { prompt: "[[scenario:cx-text]] plan", model: "gpt-5.5", appendSystemPrompt: "SKEP-SYSTEM-NOTE", onLine: (l) => lines.push(l) }));
    if (!r.ok) console.error(JSON.stringify(r), bed.fake.errors);
    expect(r).toMatchObject({ ok: true, text: "PLAN: do it", error: null, exitCode: 0, backend: "codex", model: "gpt-5.5", aborted: false });
    expect(r.usage).toEqual({ input: 750, output: 30, cacheRead: 200, cacheCreation: 50, reasoning: 7 });
    expect(r.sessionId).toBeTruthy();
    expect(lines.map((l) => JSON.parse(l).type)).toContain("turn.completed");
    const [sent] = bed.fake.requestsOf("cx-text");
    expect(sent!.body!.model).toBe("gpt-5.5");
    expect(sent!.headers.authorization).toBe("Bearer dummy");
    expect(JSON.stringify(sent!.body!.input)).toContain("SKEP-SYSTEM-NOTE");
    // The user's setting reached the call (their config.toml was the per-call home's seed).
    expect(JSON.stringify(sent!.body)).toContain('"effort":"low"');
  });

  test("a step writes through exec_command and apply_patch in cwd; a write outside it is refused by the sandbox", async () => {
    const cwd = tempDir("skep-cx-cwd-");
    const outside = join(tempDir("skep-cx-outside-"), "escaped.txt");
    bed.fake.add({
      name: "cx-edit",
      turns: [
        { tools: [{ name: "exec_command", input: { cmd: "printf one > one.txt" } }] },
        { tools: [{ name: "apply_patch", input: "*** Begin Patch\n*** Add File: two.txt\n+two\n*** End Patch\n" }] },
        { tools: [{ name: "exec_command", input: { cmd: `printf x > ${outside}` } }] },
        (ctx) => ({ text: `OUTSIDE<<${ctx.results.at(-1)?.text ?? ""}>>` }),
      ],
    });
    const r = await backend().run(request(cwd, { purpose: "step", prompt: "[[scenario:cx-edit]] edit", model: "gpt-5.5", allowEdits: true }));
    if (!r.ok) console.error(JSON.stringify(r), bed.fake.errors);
    expect(r.ok).toBe(true);
    expect(readFileSync(join(cwd, "one.txt"), "utf8")).toBe("one");
    expect(readFileSync(join(cwd, "two.txt"), "utf8")).toBe("two\n");
    expect(existsSync(outside)).toBe(false);
    expect(r.text).toMatch(/Read-only file system|Permission denied|Operation not permitted/);
  });

  test("a read-only call (classify, plan) cannot write in cwd", async () => {
    const cwd = tempDir("skep-cx-cwd-");
    bed.fake.add({ name: "cx-ro", turns: [{ tools: [{ name: "exec_command", input: { cmd: "printf x > nope.txt" } }] }, { text: "tried" }] });
    const r = await backend().run(request(cwd, { purpose: "classify", prompt: "[[scenario:cx-ro]] classify", model: "gpt-5.5" }));
    expect(r.ok).toBe(true);
    expect(existsSync(join(cwd, "nope.txt"))).toBe(false);
  });

  test("with mcpRepo the model reaches skep's MCP server (approved, waited for)", async () => {
    const repo = makeRepo(SAMPLE);
    await indexAt(repo);
    bed.fake.add({ name: "cx-mcp", turns: [{ tools: [{ name: "search_symbols", namespace: "mcp__skep", input: { query: "greet" } }] }, (ctx) => ({ text: `GOT<<${ctx.results[0]?.text ?? ""}>>` })] });
    const seen: string[] = [];
    const r = await backend().run(request(repo, { prompt: "[[scenario:cx-mcp]] find greet", model: "gpt-5.5", mcpRepo: repo, onLine: (l) => seen.push(l) }));
    if (!r.ok) console.error(JSON.stringify(r), bed.fake.errors);
    expect(r.ok).toBe(true);
    expect(r.text).toContain('"name":"greet"');
    expect(seen.some((l) => l.includes('"type":"mcp_tool_call"') && l.includes('"server":"skep"'))).toBe(true);
  });

  test("after all of the above: the user's ~/.codex is as it was, and no per-call home is left", () => {
    expect(snapshot(bed.userDir)).toEqual(bed.userBefore);
    expect(readdirSync(bed.homesDir)).toEqual([]);
  });
});

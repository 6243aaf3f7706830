// The claude backend against fake `claude` executables (shell scripts printing canned stream-json,
// garbage, failing, hanging): the command line it builds, the MCP config it hands over, and how
// every kind of failure becomes ok=false with a reason and the usage that was seen.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LlmRequest } from "../../src/llm/backend.ts";
import { ClaudeBackend, claudeArgs } from "../../src/llm/claude.ts";
import { skepCommand } from "../../src/llm/mcp-config.ts";
import { cleanupAll, MAIN, tempDir } from "../support/temp.ts";
import { argsOf, fakeClaude, type FakeClaude, gone, initLine, pidFrom, resultLine } from "./support.ts";

setDefaultTimeout(30_000);
afterAll(cleanupAll);

const USAGE = { input: 100, output: 20, cacheCreation: 1000, cacheRead: 5000 };

function request(cwd: string, extra: Partial<LlmRequest> = {}): LlmRequest {
  return { purpose: "plan", prompt: "plan the work", cwd, timeoutMs: 20_000, ...extra };
}

/** A fake claude in a fresh dir, and the backend that runs it. */
function setUp(spec: FakeClaude): { dir: string; backend: ClaudeBackend } {
  const dir = tempDir("skep-llm-fake-");
  return { dir, backend: new ClaudeBackend({ bin: fakeClaude(dir, spec), killGraceMs: 300 }) };
}

describe("claude backend: the command line", () => {
  test("read-only call: stream-json, model, turns, system prompt, read-only tools, the prompt last after --", async () => {
    const { dir, backend } = setUp({ stdout: [initLine(), resultLine()] });
    await backend.run(request(dir, { model: "haiku", maxTurns: 7, appendSystemPrompt: "be brief", prompt: "-starts with a dash" }));
    expect(argsOf(dir)).toEqual([
      "-p", "--output-format", "stream-json", "--verbose",
      "--model", "haiku", "--max-turns", "7", "--append-system-prompt", "be brief",
      "--allowedTools", "Read,Glob,Grep", "--disallowedTools", "Bash,Edit,Write,NotebookEdit",
      "--", "-starts with a dash",
    ]);
  });

  test("a step with edits and MCP: acceptEdits, edit tools plus mcp__skep, a private MCP config removed afterwards", async () => {
    const { dir, backend } = setUp({ stdout: [initLine(), resultLine()] });
    const repo = tempDir("skep-llm-repo-");
    const r = await backend.run(request(dir, { purpose: "step", allowEdits: true, mcpRepo: repo }));
    expect(r.ok).toBe(true);
    const args = argsOf(dir);
    const configPath = readFileSync(join(dir, "mcp-config.path"), "utf8").trim();
    expect(args).toEqual([
      "-p", "--output-format", "stream-json", "--verbose",
      "--mcp-config", configPath, "--strict-mcp-config",
      "--permission-mode", "acceptEdits", "--allowedTools", "Bash,Edit,Write,Read,Glob,Grep,mcp__skep",
      "--", "plan the work",
    ]);
    expect(readFileSync(join(dir, "mcp-config.mode"), "utf8").trim()).toBe("600");
    expect(readFileSync(join(dir, "mcp-config.dirmode"), "utf8").trim()).toBe("700");
    expect(JSON.parse(readFileSync(join(dir, "mcp-config.json"), "utf8"))).toEqual({
      mcpServers: { skep: { type: "stdio", command: process.execPath, args: [MAIN, "mcp", "--repo", repo], env: { SKEP_MCP_TASKS: "read" } } },
    });
    expect(existsSync(configPath)).toBe(false);
  });

  test("skepCommand from source is bun plus src/main.ts", () => {
    expect(skepCommand()).toEqual([process.execPath, MAIN]);
    expect(claudeArgs(request("/x", { allowEdits: false }), "/cfg.json")).toContain("Read,Glob,Grep,mcp__skep");
  });

  test("the env option reaches the child; inheritEnv false gives it only that; Claude Code's session marks are dropped", async () => {
    const dir = tempDir("skep-llm-fake-");
    const bin = fakeClaude(dir, { then: `echo "{\\"type\\":\\"result\\",\\"subtype\\":\\"success\\",\\"is_error\\":false,\\"result\\":\\"$SKEP_PROBE|$HOME|$CLAUDECODE\\"}"` });
    const saved = process.env.CLAUDECODE;
    process.env.CLAUDECODE = "1"; // as when skep runs from inside a Claude Code session
    try {
      const inherit = await new ClaudeBackend({ bin, env: { SKEP_PROBE: "probe" } }).run(request(dir));
      expect(inherit.text).toBe(`probe|${process.env.HOME ?? ""}|`);
    } finally {
      if (saved === undefined) delete process.env.CLAUDECODE;
      else process.env.CLAUDECODE = saved;
    }
    const only = await new ClaudeBackend({ bin, inheritEnv: false, env: { PATH: process.env.PATH!, SKEP_PROBE: "alone" } }).run(request(dir));
    expect(only.text).toBe("alone||");
  });
});

describe("claude backend: answers", () => {
  test("success: text, usage, cost, model, session; every line reaches onLine", async () => {
    const assistant = JSON.stringify({ type: "assistant", message: { content: [{ type: "text", text: "the answer" }] } });
    const { dir, backend } = setUp({ stdout: [initLine("claude-test-model", "sess-9"), assistant, resultLine({ session_id: "sess-9" })] });
    const lines: string[] = [];
    const r = await backend.run(request(dir, { model: "sonnet", onLine: (l) => lines.push(l) }));
    expect(r).toMatchObject({ ok: true, text: "the answer", error: null, usage: USAGE, costUsd: 0.0123, exitCode: 0, model: "claude-test-model", sessionId: "sess-9", backend: "claude", aborted: false });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2]!).type).toBe("result");
  });

  test("the model comes from modelUsage when there is no init line, else the requested one", async () => {
    const a = setUp({ stdout: [resultLine({ modelUsage: { "claude-haiku-x": { inputTokens: 1, outputTokens: 1 }, "claude-big": { inputTokens: 500, outputTokens: 90 } } })] });
    expect((await a.backend.run(request(a.dir))).model).toBe("claude-big");
    const b = setUp({ stdout: [resultLine({ modelUsage: undefined })] });
    expect((await b.backend.run(request(b.dir, { model: "opus" }))).model).toBe("opus");
  });
});

describe("claude backend: every failure is recorded with its reason", () => {
  test("is_error with an API status: the API error, usage kept", async () => {
    const { dir, backend } = setUp({
      stdout: [initLine(), resultLine({ is_error: true, api_error_status: 500, result: "API Error: 500 overloaded", terminal_reason: "api_error" })],
      exit: 1,
    });
    const r = await backend.run(request(dir));
    expect(r).toMatchObject({ ok: false, text: "", error: "API error 500: API Error: 500 overloaded", usage: USAGE, exitCode: 1 });
  });

  test("is_error without a result text: its errors[]", async () => {
    const { dir, backend } = setUp({ stdout: [resultLine({ subtype: "error_during_execution", is_error: true, result: undefined, errors: ["tool crashed", "gave up"] })], exit: 1 });
    expect((await backend.run(request(dir))).error).toBe("tool crashed; gave up");
  });

  test("error_max_turns: the turn limit", async () => {
    const { dir, backend } = setUp({
      stdout: [resultLine({ subtype: "error_max_turns", is_error: true, result: undefined, errors: ["Reached maximum number of turns (3)"], num_turns: 4 })],
      exit: 1,
    });
    const r = await backend.run(request(dir, { maxTurns: 3 }));
    expect(r).toMatchObject({ ok: false, error: "reached the turn limit (3)", usage: USAGE });
  });

  test("permission denials: the tools named, even though claude called it a success", async () => {
    const denials = [{ tool_name: "Write", tool_use_id: "t1", tool_input: {} }, { tool_name: "Bash", tool_use_id: "t2", tool_input: {} }, { tool_name: "Write", tool_use_id: "t3", tool_input: {} }];
    const { dir, backend } = setUp({ stdout: [resultLine({ permission_denials: denials })] });
    const r = await backend.run(request(dir));
    expect(r).toMatchObject({ ok: false, error: "permission denied for tools: Write, Bash", usage: USAGE, exitCode: 0 });
  });

  test("non-zero exit without a result line: the code and the stderr tail", async () => {
    const { dir, backend } = setUp({ stdout: [initLine()], stderr: "boom: something broke\n", exit: 2 });
    const r = await backend.run(request(dir));
    expect(r).toMatchObject({ ok: false, exitCode: 2, usage: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 } });
    expect(r.error).toBe("claude exited with code 2 without a result: boom: something broke");
  });

  test("no parseable result line: the first 200 characters of the output", async () => {
    const garbage = `not json ${"x".repeat(300)}`;
    const { dir, backend } = setUp({ stdout: [garbage, '{"type":"result", broken'] });
    const r = await backend.run(request(dir));
    expect(r).toMatchObject({ ok: false, exitCode: 0 });
    expect(r.error).toBe(`unparseable output: ${garbage.slice(0, 200)}`);
    const empty = setUp({});
    expect((await empty.backend.run(request(empty.dir))).error).toBe("unparseable output: (empty)");
  });

  test("a timeout kills claude and what it started", async () => {
    const dir = tempDir("skep-llm-fake-");
    const pidFile = join(dir, "grandchild.pid");
    const bin = fakeClaude(dir, { stdout: [initLine()], then: `sleep 60 & echo $! > '${pidFile}'; wait` });
    const r = await new ClaudeBackend({ bin, killGraceMs: 300 }).run(request(dir, { timeoutMs: 1500 }));
    expect(r).toMatchObject({ ok: false, error: "timed out after 1.5 s", aborted: false, model: "claude-test-model", sessionId: "sess-1" });
    expect(await gone(await pidFrom(pidFile))).toBe(true);
  });

  test("abort: aborted, the process group killed", async () => {
    const dir = tempDir("skep-llm-fake-");
    const pidFile = join(dir, "grandchild.pid");
    const bin = fakeClaude(dir, { stdout: [initLine()], then: `sleep 60 & echo $! > '${pidFile}'; wait` });
    const ctl = new AbortController();
    const r = await new ClaudeBackend({ bin, killGraceMs: 300 }).run(
      request(dir, { signal: ctl.signal, onLine: (l) => l.includes('"init"') && setTimeout(() => ctl.abort(), 200) }),
    );
    expect(r).toMatchObject({ ok: false, aborted: true, error: "aborted" });
    expect(await gone(await pidFrom(pidFile))).toBe(true);
  });

  test("a missing claude binary says how to fix it; a missing cwd is not mistaken for it", async () => {
    const dir = tempDir("skep-llm-fake-");
    const r = await new ClaudeBackend({ bin: "/nonexistent/claude" }).run(request(dir));
    expect(r).toMatchObject({ ok: false, backend: "claude", exitCode: null });
    expect(r.error).toBe("claude CLI not found: /nonexistent/claude (install Claude Code or set claude_bin in .skep/config.json)");
    const onPath = await new ClaudeBackend({ bin: "skep-no-such-claude-cli" }).run(request(dir));
    expect(onPath.error).toStartWith("claude CLI not found: skep-no-such-claude-cli");

    const { backend } = setUp({ stdout: [resultLine()] });
    const noCwd = await backend.run(request(join(dir, "missing")));
    expect(noCwd.error).toBe(`working directory does not exist: ${join(dir, "missing")}`);
  });
});

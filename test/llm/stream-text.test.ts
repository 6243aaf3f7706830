import { describe, expect, test } from "bun:test";
import { readableLines } from "../../src/llm/stream-text.ts";

describe("readable log lines from claude's stream-json", () => {
  test("init, text, tool calls, results and the end", () => {
    const lines = [
      { type: "system", subtype: "init", model: "claude-sonnet", session_id: "abc", mcp_servers: [{ name: "skep", status: "connected" }] },
      { type: "assistant", message: { content: [{ type: "text", text: "Adding sub.\nThen main." }] } },
      { type: "assistant", message: { content: [{ type: "tool_use", name: "Write", input: { file_path: "/w/src/sub.ts", content: "x" } }] } },
      { type: "user", message: { content: [{ type: "tool_result", content: "File created successfully at: /w/src/sub.ts\nmore" }] } },
      { type: "user", message: { content: [{ type: "tool_result", is_error: true, content: [{ type: "text", text: "No such tool" }] }] } },
      { type: "result", subtype: "error_max_turns", is_error: true, num_turns: 3, usage: { input_tokens: 10, output_tokens: 2 } },
    ].flatMap((l) => readableLines(JSON.stringify(l)));
    expect(lines).toEqual([
      "[claude] claude-sonnet, session abc, mcp: skep connected",
      "Adding sub.",
      "Then main.",
      "→ Write(/w/src/sub.ts)",
      "  ← File created successfully at: /w/src/sub.ts",
      "  ← error: No such tool",
      "[claude] failed (error_max_turns): ; 3 turns; input 10, output 2, cache write 0, cache read 0",
    ]);
  });

  test("other lines pass unchanged; unknown JSON events are dropped", () => {
    expect(readableLines("ok 3 tests passed")).toEqual(["ok 3 tests passed"]);
    expect(readableLines("{not json")).toEqual(["{not json"]);
    expect(readableLines(JSON.stringify({ type: "rate_limit_event" }))).toEqual([]);
  });
});

describe("readable log lines from codex's and gemini's JSON events", () => {
  test("codex: session, commands, MCP calls, patches, text, usage, failure", () => {
    const lines = [
      { type: "thread.started", thread_id: "t1" },
      { type: "turn.started" },
      { type: "item.started", item: { type: "command_execution", command: "/bin/bash -lc 'ls'", status: "in_progress" } },
      { type: "item.completed", item: { type: "command_execution", command: "/bin/bash -lc 'ls'", aggregated_output: "a.ts\nb.ts\n", exit_code: 0 } },
      { type: "item.completed", item: { type: "command_execution", command: "false", aggregated_output: "", exit_code: 1 } },
      { type: "item.started", item: { type: "mcp_tool_call", server: "skep", tool: "search_symbols", arguments: { query: "add" } } },
      { type: "item.completed", item: { type: "mcp_tool_call", server: "skep", tool: "search_symbols", error: { message: "MCP tool call requires approval" }, status: "failed" } },
      { type: "item.completed", item: { type: "file_change", changes: [{ path: "/w/a.ts", kind: "add" }], status: "completed" } },
      { type: "item.completed", item: { type: "agent_message", text: "done\nall" } },
      { type: "turn.completed", usage: { input_tokens: 10, cached_input_tokens: 4, output_tokens: 3, reasoning_output_tokens: 1 } },
      { type: "turn.failed", error: { message: "stream disconnected" } },
    ].flatMap((l) => readableLines(JSON.stringify(l)));
    expect(lines).toEqual([
      "[codex] session t1",
      "→ shell(/bin/bash -lc 'ls')",
      "  ← a.ts",
      "  ← error (exit 1): ",
      "→ skep.search_symbols(add)",
      "  ← error: MCP tool call requires approval",
      "→ apply_patch(add /w/a.ts)",
      "  ← ok",
      "done",
      "all",
      "[codex] finished; input 10 (cached 4), output 3 (reasoning 1)",
      "[codex] failed: stream disconnected",
    ]);
  });

  test("gemini: init, tool calls and results, text, the result line", () => {
    const lines = [
      { type: "init", session_id: "s1", model: "gemini-x" },
      { type: "message", role: "user", content: "the prompt" },
      { type: "tool_use", tool_name: "write_file", tool_id: "w1", parameters: { file_path: "a.txt", content: "x" } },
      { type: "tool_result", tool_id: "w1", status: "success" },
      { type: "tool_result", tool_id: "r1", status: "error", error: { type: "tool_not_registered", message: 'Tool "run_shell_command" not found.' } },
      { type: "message", role: "assistant", content: "all done", delta: true },
      { type: "result", status: "error", error: { message: "[API Error: 500]" }, stats: { input_tokens: 5, output_tokens: 2, cached: 1, total_tokens: 8, tool_calls: 2 } },
    ].flatMap((l) => readableLines(JSON.stringify(l)));
    expect(lines).toEqual([
      "[gemini] gemini-x, session s1",
      "→ write_file(a.txt)",
      "  ← ok",
      '  ← error: Tool "run_shell_command" not found.',
      "all done",
      "[gemini] failed: [API Error: 500]; 2 tool calls; input 5 (cached 1), output 2, total 8",
    ]);
  });
});

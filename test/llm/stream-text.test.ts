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

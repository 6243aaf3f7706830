// The fake Messages API on its own: both reply modes, scenario turns chosen by the conversation,
// turns computed from earlier tool results, and the side requests a real client makes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { FakeAnthropic } from "./fake-anthropic.ts";

let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await FakeAnthropic.start();
  fake.add({
    name: "echo",
    turns: [
      { tools: [{ name: "lookup", input: { q: "first" } }], text: "looking" },
      { tools: [{ name: "lookup", input: (ctx) => ({ q: `after ${ctx.results[0]!.text}` }) }] },
      { text: (ctx) => `done: ${ctx.results.map((r) => `${r.name}=${r.text}`).join(", ")}` },
    ],
  });
});
afterAll(() => fake.stop());

const post = (body: unknown) =>
  fetch(`${fake.url}/v1/messages?beta=true`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
// biome-ignore lint: replies are checked field by field below
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

const user = (text: string) => ({ role: "user", content: [{ type: "text", text }] });
const assistantToolUse = (id: string, input: unknown) => ({ role: "assistant", content: [{ type: "tool_use", id, name: "lookup", input }] });
const toolResult = (id: string, text: string) => ({ role: "user", content: [{ type: "tool_result", tool_use_id: id, content: [{ type: "text", text }] }] });

/** Parse an SSE body into its events; every frame must name its event. */
function events(body: string): { event: string; data: any }[] {
  return body
    .split("\n\n")
    .filter((f) => f.trim())
    .map((frame) => {
      const [eventLine, dataLine] = frame.split("\n");
      expect(eventLine).toMatch(/^event: /);
      expect(dataLine).toMatch(/^data: /);
      return { event: eventLine!.slice(7), data: JSON.parse(dataLine!.slice(6)) };
    });
}

describe("fake Messages API", () => {
  test("non-streaming: the turn follows the conversation, and inputs can use earlier results", async () => {
    const r0 = await json(post({ model: "m", stream: false, messages: [user("[[scenario:echo]] go")] }));
    expect(r0).toMatchObject({ type: "message", role: "assistant", model: "m", stop_reason: "tool_use" });
    expect(r0.content[0]).toEqual({ type: "text", text: "looking" });
    expect(r0.content[1]).toMatchObject({ type: "tool_use", name: "lookup", input: { q: "first" } });

    const id0 = r0.content[1].id;
    const history = [user("[[scenario:echo]] go"), assistantToolUse(id0, { q: "first" }), toolResult(id0, "R1")];
    const r1 = await json(post({ stream: false, messages: history }));
    expect(r1.content[0].input).toEqual({ q: "after R1" });

    const id1 = r1.content[0].id;
    const r2 = await json(post({ stream: false, messages: [...history, assistantToolUse(id1, r1.content[0].input), toolResult(id1, "R2")] }));
    expect(r2.stop_reason).toBe("end_turn");
    expect(r2.content).toEqual([{ type: "text", text: "done: lookup=R1, lookup=R2" }]);
    expect(fake.requestsOf("echo").map((r) => r.turn)).toEqual([0, 1, 2]);
  });

  test("streaming: SSE frames with event lines that rebuild the same message", async () => {
    const res = await post({ model: "m", stream: true, messages: [user("[[scenario:echo]] go")] });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const ev = events(await res.text());
    expect(ev.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start", "ping", "content_block_delta", "content_block_stop",
      "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
      "message_delta", "message_stop",
    ]);
    const input = ev.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => e.data.delta.partial_json).join("");
    expect(JSON.parse(input)).toEqual({ q: "first" });
    expect(ev.find((e) => e.event === "message_delta")!.data.delta.stop_reason).toBe("tool_use");
  });

  test("side requests: no marker, HEAD /, count_tokens; unknown scenarios are recorded as errors", async () => {
    const plain = await json(post({ stream: false, messages: [user("title this")] }));
    expect(plain.content).toEqual([{ type: "text", text: "ok" }]);
    expect((await fetch(`${fake.url}/`, { method: "HEAD" })).status).toBe(200);
    const count = await json(fetch(`${fake.url}/v1/messages/count_tokens`, { method: "POST", body: JSON.stringify({ messages: [] }) }));
    expect(count.input_tokens).toBeGreaterThan(0);
    const unknown = await json(post({ stream: false, messages: [user("[[scenario:nope]] x")] }));
    expect(unknown.content[0].text).toContain("no scenario named 'nope'");
    expect(fake.errors).toEqual(["no scenario named 'nope'"]);
  });
});

// A scripted stand-in for the Anthropic Messages API, for driving the real `claude` CLI (and any
// other Messages client) in tests without a network. It listens on 127.0.0.1 (random port) and
// answers `POST /v1/messages` from a scenario: a list of assistant turns, played in order.
//
// How a request finds its turn (stateless, so parallel runs cannot mix up):
//   - the scenario is named by a `[[scenario:NAME]]` marker anywhere in the first user message;
//   - the turn is the number of assistant messages already in the conversation.
// A turn is final text (stop_reason end_turn) or one or more tool calls (stop_reason tool_use).
// Text and tool inputs may be functions of the conversation so far: a later turn can use what an
// earlier tool returned (`ctx.results`), and `{{last_tool_result}}` in text is replaced by it.
//
// Replies are streamed as SSE with `event:` lines (the CLI rejects streams without them and retries
// without streaming), or as one JSON message when the request says `stream: false`. Requests
// without a marker (a client's side calls) get a short text. `HEAD /` (2.1.197 warms its
// connection with it) and `count_tokens` are answered. Every request is recorded for assertions.

import { FakeApi, readRequest } from "./fake-api.ts";

export interface ToolResult {
  id: string;
  /** The tool the result answers (from the assistant's tool_use block). */
  name: string;
  input: unknown;
  /** The result's text (text blocks joined). */
  text: string;
  isError: boolean;
}

export interface TurnContext {
  scenario: string;
  /** 0-based index of the turn being answered. */
  turn: number;
  /** Every tool result in the conversation so far, oldest first. */
  results: ToolResult[];
  /** The raw request body. */
  body: MessagesRequest;
}

export interface ToolCall {
  name: string;
  input: Record<string, unknown> | ((ctx: TurnContext) => Record<string, unknown>);
}

export type Turn =
  | { text: string | ((ctx: TurnContext) => string); usage?: Usage }
  | { tools: ToolCall[]; text?: string; usage?: Usage }
  /** Answer with this raw HTTP response instead (a 500, garbage, a broken stream). */
  | { raw: { status: number; body: string; contentType?: string } }
  /** Never answer (until the fake stops): for client timeouts. */
  | { hang: true };

export interface Scenario {
  name: string;
  turns: (Turn | ((ctx: TurnContext) => Turn))[];
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: string | ContentBlock[];
  is_error?: boolean;
}

interface Message {
  role: string;
  content: string | ContentBlock[];
}

export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  messages?: Message[];
  tools?: { name: string; description?: string; input_schema?: unknown }[];
  system?: unknown;
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: MessagesRequest | null;
  scenario: string | null;
  turn: number | null;
  stream: boolean;
}

const MARKER = /\[\[scenario:([A-Za-z0-9_.:-]+)\]\]/;
const DEFAULT_USAGE: Usage = { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

function textOf(content: string | ContentBlock[] | undefined): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((b) => (b.type === "text" ? (b.text ?? "") : b.type === "tool_result" ? textOf(b.content) : "")).join("\n");
}

/** The scenario named in the first user message, or null. */
function scenarioOf(body: MessagesRequest): string | null {
  const first = body.messages?.find((m) => m.role === "user");
  return first ? (MARKER.exec(textOf(first.content))?.[1] ?? null) : null;
}

function toolResultsOf(body: MessagesRequest): ToolResult[] {
  const calls = new Map<string, { name: string; input: unknown }>();
  const out: ToolResult[] = [];
  for (const m of body.messages ?? []) {
    if (typeof m.content === "string") continue;
    for (const b of m.content) {
      if (m.role === "assistant" && b.type === "tool_use" && b.id) calls.set(b.id, { name: b.name ?? "", input: b.input });
      if (m.role === "user" && b.type === "tool_result" && b.tool_use_id) {
        const call = calls.get(b.tool_use_id);
        out.push({ id: b.tool_use_id, name: call?.name ?? "", input: call?.input, text: textOf(b.content), isError: b.is_error === true });
      }
    }
  }
  return out;
}

interface Reply {
  content: ContentBlock[];
  stopReason: "end_turn" | "tool_use";
  usage: Usage;
}

export class FakeAnthropic extends FakeApi<Scenario, RecordedRequest> {
  private ids = 0;

  static async start(): Promise<FakeAnthropic> {
    const fake = new FakeAnthropic();
    fake.listen();
    return fake;
  }

  /** Base URL for ANTHROPIC_BASE_URL. */
  get url(): string {
    return this.origin;
  }

  protected async handle(req: Request): Promise<Response> {
    const { url, headers, body } = await readRequest<MessagesRequest>(req);
    const record: RecordedRequest = { method: req.method, path: url.pathname, headers, body, scenario: null, turn: null, stream: body?.stream === true };
    this.requests.push(record);

    if (req.method === "HEAD" || req.method === "GET") return new Response(null, { status: 200 });
    if (url.pathname.endsWith("/v1/messages/count_tokens")) {
      return Response.json({ input_tokens: Math.ceil(JSON.stringify(body ?? {}).length / 4) });
    }
    if (!url.pathname.endsWith("/v1/messages") || !body) {
      return Response.json({ type: "error", error: { type: "not_found_error", message: `fake-anthropic: no ${req.method} ${url.pathname}` } }, { status: 404 });
    }

    const reply = this.replyFor(body, record);
    if ("raw" in reply) return new Response(reply.raw.body, { status: reply.raw.status, headers: { "content-type": reply.raw.contentType ?? "application/json" } });
    if ("hang" in reply) return new Promise<Response>(() => {});
    return body.stream ? this.sse(body, reply) : Response.json(this.message(body, reply));
  }

  private replyFor(body: MessagesRequest, record: RecordedRequest): Reply | Extract<Turn, { raw: unknown }> | Extract<Turn, { hang: true }> {
    const name = scenarioOf(body);
    if (!name) return { content: [{ type: "text", text: "ok" }], stopReason: "end_turn", usage: DEFAULT_USAGE };
    const turn = (body.messages ?? []).filter((m) => m.role === "assistant").length;
    record.scenario = name;
    record.turn = turn;
    const scenario = this.scenarios.get(name);
    const ctx: TurnContext = { scenario: name, turn, results: toolResultsOf(body), body };
    const step = scenario?.turns[turn];
    if (!scenario || !step) {
      const problem = scenario ? `scenario '${name}' has no turn ${turn}` : `no scenario named '${name}'`;
      this.errors.push(problem);
      return { content: [{ type: "text", text: `fake-anthropic: ${problem}` }], stopReason: "end_turn", usage: DEFAULT_USAGE };
    }
    const t = typeof step === "function" ? step(ctx) : step;
    if ("raw" in t || "hang" in t) return t;
    const usage = t.usage ?? DEFAULT_USAGE;
    const last = ctx.results[ctx.results.length - 1]?.text ?? "";
    const fill = (s: string) => s.replaceAll("{{last_tool_result}}", last);
    if ("tools" in t) {
      const content: ContentBlock[] = t.text ? [{ type: "text", text: fill(t.text) }] : [];
      for (const call of t.tools) {
        const input = typeof call.input === "function" ? call.input(ctx) : call.input;
        content.push({ type: "tool_use", id: `toolu_fake_${++this.ids}_${turn}`, name: call.name, input });
      }
      return { content, stopReason: "tool_use", usage };
    }
    const text = typeof t.text === "function" ? t.text(ctx) : t.text;
    return { content: [{ type: "text", text: fill(text) }], stopReason: "end_turn", usage };
  }

  private message(body: MessagesRequest, r: Reply): Record<string, unknown> {
    return {
      id: `msg_fake_${++this.ids}`,
      type: "message",
      role: "assistant",
      model: body.model ?? "fake-model",
      content: r.content,
      stop_reason: r.stopReason,
      stop_sequence: null,
      usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...r.usage },
    };
  }

  private sse(body: MessagesRequest, r: Reply): Response {
    const frames: string[] = [];
    const send = (event: string, data: unknown) => frames.push(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const msg = this.message(body, r);
    send("message_start", {
      type: "message_start",
      message: { ...msg, content: [], stop_reason: null, usage: { ...(msg.usage as Usage), output_tokens: 1 } },
    });
    r.content.forEach((block, index) => {
      if (block.type === "text") {
        send("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
        send("ping", { type: "ping" });
        send("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: block.text ?? "" } });
      } else {
        send("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
        const json = JSON.stringify(block.input ?? {});
        // Split the input JSON in two deltas, as the real API streams it in pieces.
        const cut = Math.floor(json.length / 2);
        for (const part of [json.slice(0, cut), json.slice(cut)]) {
          send("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: part } });
        }
      }
      send("content_block_stop", { type: "content_block_stop", index });
    });
    send("message_delta", { type: "message_delta", delta: { stop_reason: r.stopReason, stop_sequence: null }, usage: { output_tokens: r.usage.output_tokens } });
    send("message_stop", { type: "message_stop" });
    return new Response(frames.join(""), { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  }
}

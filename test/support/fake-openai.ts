// A scripted stand-in for the OpenAI Responses API (`POST /v1/responses`, streamed as SSE), for
// driving the real `codex exec` in tests without a network (notes: ../shared/notes/agent-clis-offline.md).
// It listens on 127.0.0.1 (random port) and answers from a scenario, like fake-anthropic.ts:
//   - the scenario is named by a `[[scenario:NAME]]` marker in a user message of the input;
//   - the turn is the number of model turns already in the input (runs of function/custom tool
//     calls and assistant messages), so the fake stays stateless and parallel runs cannot mix up.
// A turn is final text, or tool calls: `function` calls (exec_command, MCP tools) carry JSON
// arguments, `custom` calls (apply_patch) carry free text. Every request is recorded.

import { FakeApi, readRequest } from "./fake-api.ts";

export interface ToolResult {
  callId: string;
  name: string;
  /** The call's arguments (JSON-parsed for function calls, the text for custom calls). */
  input: unknown;
  text: string;
}

export interface TurnContext {
  scenario: string;
  turn: number;
  results: ToolResult[];
  body: ResponsesRequest;
  /** Every user message's text, joined: the prompt and the environment context. */
  userText: string;
}

/** What the fake reports; the CLI passes it on in `turn.completed`. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cached_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
}

export interface ToolCall {
  name: string;
  /** Function arguments (an object), or a custom tool's text (apply_patch's patch). */
  input: Record<string, unknown> | string;
  /** The tool's namespace, for an MCP tool sent as a `namespace` tool (e.g. "mcp__skep__"). */
  namespace?: string;
}

export type Turn =
  | { text: string; usage?: Usage }
  | { tools: ToolCall[]; usage?: Usage }
  /** This raw HTTP response instead (a 500, garbage). */
  | { raw: { status: number; body: string; contentType?: string } }
  /** Stream the items, then end the stream without `response.completed`. */
  | { broken: ToolCall[] | string }
  /** Never answer. */
  | { hang: true };

export interface Scenario {
  name: string;
  turns: (Turn | ((ctx: TurnContext) => Turn))[];
}

interface InputItem {
  type?: string;
  role?: string;
  content?: string | { type?: string; text?: string }[];
  call_id?: string;
  name?: string;
  arguments?: string;
  input?: string;
  output?: string | { type?: string; text?: string }[];
}

export interface ResponsesRequest {
  model?: string;
  input?: InputItem[];
  tools?: { type?: string; name?: string; tools?: { name?: string }[] }[];
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: ResponsesRequest | null;
  scenario: string | null;
  turn: number | null;
  /** The usage this request was answered with (null: none was reported). */
  usage: Usage | null;
}

const MARKER = /\[\[scenario:([A-Za-z0-9_.:-]+)\]\]/;
export const DEFAULT_USAGE: Usage = { input_tokens: 100, output_tokens: 20 };
const CALL_TYPES = new Set(["function_call", "custom_tool_call", "local_shell_call", "reasoning"]);

function textOf(content: InputItem["content"] | InputItem["output"]): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((c) => c.text ?? "").join("\n");
}

function userTextOf(body: ResponsesRequest): string {
  return (body.input ?? [])
    .filter((i) => i.role === "user")
    .map((i) => textOf(i.content))
    .join("\n");
}

/** Model turns so far: each run of consecutive model-made items counts once. */
function turnsOf(body: ResponsesRequest): number {
  let turns = 0;
  let inModel = false;
  for (const i of body.input ?? []) {
    const model = CALL_TYPES.has(i.type ?? "") || (i.type === "message" && i.role === "assistant");
    if (model && !inModel) turns++;
    inModel = model;
  }
  return turns;
}

function resultsOf(body: ResponsesRequest): ToolResult[] {
  const calls = new Map<string, { name: string; input: unknown }>();
  const out: ToolResult[] = [];
  for (const i of body.input ?? []) {
    if ((i.type === "function_call" || i.type === "custom_tool_call") && i.call_id) {
      let input: unknown = i.input;
      if (i.type === "function_call") {
        try {
          input = JSON.parse(i.arguments ?? "{}");
        } catch {
          input = i.arguments;
        }
      }
      calls.set(i.call_id, { name: i.name ?? "", input });
    }
    if ((i.type === "function_call_output" || i.type === "custom_tool_call_output") && i.call_id) {
      const call = calls.get(i.call_id);
      out.push({ callId: i.call_id, name: call?.name ?? "", input: call?.input, text: textOf(i.output) });
    }
  }
  return out;
}

export class FakeOpenAI extends FakeApi<Scenario, RecordedRequest> {
  private ids = 0;

  static async start(): Promise<FakeOpenAI> {
    const fake = new FakeOpenAI();
    fake.listen({ idleTimeout: 0 });
    return fake;
  }

  /** The provider's base_url (codex posts to `{base_url}/responses`). */
  get url(): string {
    return `${this.origin}/v1`;
  }

  protected async handle(req: Request): Promise<Response> {
    const { url, headers, body } = await readRequest<ResponsesRequest>(req);
    const record: RecordedRequest = { method: req.method, path: url.pathname, headers, body, scenario: null, turn: null, usage: null };
    this.requests.push(record);
    if (req.method !== "POST" || !url.pathname.endsWith("/responses") || !body) {
      return Response.json({ error: { message: `fake-openai: no ${req.method} ${url.pathname}`, type: "not_found" } }, { status: 404 });
    }
    const name = MARKER.exec(userTextOf(body))?.[1] ?? null;
    const turn = turnsOf(body);
    record.scenario = name;
    record.turn = turn;
    const t = this.play<Turn, TurnContext>(name, turn, () => ({ scenario: name!, turn, results: resultsOf(body), body, userText: userTextOf(body) }), (problem) => ({ text: `fake-openai: ${problem}` }));
    if ("raw" in t) return new Response(t.raw.body, { status: t.raw.status, headers: { "content-type": t.raw.contentType ?? "application/json" } });
    if ("hang" in t) return new Promise<Response>(() => {});
    if ("broken" in t) return this.sse(typeof t.broken === "string" ? [this.message(t.broken)] : t.broken.map((c) => this.call(c)), null);
    const usage = t.usage ?? DEFAULT_USAGE;
    record.usage = usage;
    const items = "text" in t ? [this.message(t.text)] : t.tools.map((c) => this.call(c));
    return this.sse(items, usage);
  }

  private message(text: string): Record<string, unknown> {
    return { type: "message", id: `msg_${++this.ids}`, role: "assistant", status: "completed", content: [{ type: "output_text", text, annotations: [] }] };
  }

  private call(c: ToolCall): Record<string, unknown> {
    const id = ++this.ids;
    if (typeof c.input === "string") return { type: "custom_tool_call", id: `ctc_${id}`, call_id: `call_${id}`, name: c.name, input: c.input, status: "completed" };
    return { type: "function_call", id: `fc_${id}`, call_id: `call_${id}`, name: c.name, ...(c.namespace ? { namespace: c.namespace } : {}), arguments: JSON.stringify(c.input), status: "completed" };
  }

  /** The items as `output_item.done` events, then `response.completed` with the usage (none: the stream just ends). */
  private sse(items: Record<string, unknown>[], usage: Usage | null): Response {
    const frames: string[] = [];
    const send = (data: Record<string, unknown>) => frames.push(`event: ${data.type as string}\ndata: ${JSON.stringify(data)}\n\n`);
    const id = `resp_${++this.ids}`;
    send({ type: "response.created", response: { id } });
    items.forEach((item, output_index) => send({ type: "response.output_item.done", output_index, item }));
    if (usage) {
      send({
        type: "response.completed",
        response: {
          id,
          usage: {
            input_tokens: usage.input_tokens,
            input_tokens_details: { cached_tokens: usage.cached_tokens ?? 0, ...(usage.cache_write_tokens !== undefined ? { cache_write_tokens: usage.cache_write_tokens } : {}) },
            output_tokens: usage.output_tokens,
            output_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0 },
            total_tokens: usage.input_tokens + usage.output_tokens,
          },
        },
      });
    }
    return new Response(frames.join(""), { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  }
}

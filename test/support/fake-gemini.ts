// A scripted stand-in for the Gemini API's streaming endpoint
// (`POST /v1beta/models/{model}:streamGenerateContent?alt=sse`), for driving the real `gemini`
// CLI in tests without a network (notes: ../shared/notes/agent-clis-offline.md). It listens on
// 127.0.0.1 (random port) and answers from a scenario, like fake-anthropic.ts:
//   - the scenario is named by a `[[scenario:NAME]]` marker in the first user content;
//   - the turn is the number of model contents already in the conversation (stateless).
// A turn is final text or function calls. `:generateContent` (the CLI's model router, used only
// when no model is named) gets a schema-valid answer. Every request is recorded.

import { FakeApi, readRequest } from "./fake-api.ts";

export interface ToolResult {
  name: string;
  input: unknown;
  /** The functionResponse's `response`, as JSON text. */
  text: string;
}

export interface TurnContext {
  scenario: string;
  turn: number;
  results: ToolResult[];
  body: GenerateRequest;
  /** The first user content's text (the prompt). */
  userText: string;
}

/** The `usageMetadata` the fake reports. */
export interface Usage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
}

export type Turn =
  | { text: string; usage?: Usage }
  | { tools: ToolCall[]; usage?: Usage }
  | { raw: { status: number; body: string; contentType?: string } }
  /** Send the response headers, then nothing. */
  | { stall: true }
  | { hang: true };

export interface Scenario {
  name: string;
  turns: (Turn | ((ctx: TurnContext) => Turn))[];
}

interface Part {
  text?: string;
  functionCall?: { name?: string; args?: unknown };
  functionResponse?: { name?: string; response?: unknown };
}

export interface GenerateRequest {
  contents?: { role?: string; parts?: Part[] }[];
  tools?: { functionDeclarations?: { name: string }[] }[];
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The model in the path. */
  model: string | null;
  headers: Record<string, string>;
  body: GenerateRequest | null;
  scenario: string | null;
  turn: number | null;
  usage: Usage | null;
}

const MARKER = /\[\[scenario:([A-Za-z0-9_.:-]+)\]\]/;
export const DEFAULT_USAGE: Usage = { promptTokenCount: 100, candidatesTokenCount: 20 };

function firstUserText(body: GenerateRequest): string {
  const first = body.contents?.find((c) => c.role === "user");
  return (first?.parts ?? []).map((p) => p.text ?? "").join("\n");
}

function resultsOf(body: GenerateRequest): ToolResult[] {
  const calls: { name: string; input: unknown }[] = [];
  const out: ToolResult[] = [];
  for (const c of body.contents ?? []) {
    for (const p of c.parts ?? []) {
      if (p.functionCall) calls.push({ name: p.functionCall.name ?? "", input: p.functionCall.args });
      if (p.functionResponse) {
        const call = calls.find((k) => k.name === p.functionResponse!.name);
        out.push({ name: p.functionResponse.name ?? "", input: call?.input, text: JSON.stringify(p.functionResponse.response ?? null) });
      }
    }
  }
  return out;
}

export class FakeGemini extends FakeApi<Scenario, RecordedRequest> {
  static async start(): Promise<FakeGemini> {
    const fake = new FakeGemini();
    fake.listen({ idleTimeout: 0 });
    return fake;
  }

  /** For GOOGLE_GEMINI_BASE_URL. */
  get url(): string {
    return this.origin;
  }

  protected async handle(req: Request): Promise<Response> {
    const { url, headers, body } = await readRequest<GenerateRequest>(req);
    const m = /\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/.exec(url.pathname);
    const record: RecordedRequest = { method: req.method, path: url.pathname, model: m?.[1] ?? null, headers, body, scenario: null, turn: null, usage: null };
    this.requests.push(record);
    if (!m || !body) return Response.json({ error: { code: 404, message: `fake-gemini: no ${req.method} ${url.pathname}`, status: "NOT_FOUND" } }, { status: 404 });
    if (m[2] === "countTokens") return Response.json({ totalTokens: Math.ceil(JSON.stringify(body).length / 4) });
    if (m[2] === "generateContent") {
      // The model router's side call: a JSON answer matching its schema.
      const text = JSON.stringify({ complexity_reasoning: "fake", complexity_score: 10 });
      return Response.json({ candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 } });
    }
    const name = MARKER.exec(firstUserText(body))?.[1] ?? null;
    const turn = (body.contents ?? []).filter((c) => c.role === "model").length;
    record.scenario = name;
    record.turn = turn;
    const t = this.play<Turn, TurnContext>(name, turn, () => ({ scenario: name!, turn, results: resultsOf(body), body, userText: firstUserText(body) }), (problem) => ({ text: `fake-gemini: ${problem}` }));
    if ("raw" in t) return new Response(t.raw.body, { status: t.raw.status, headers: { "content-type": t.raw.contentType ?? "application/json" } });
    if ("hang" in t) return new Promise<Response>(() => {});
    if ("stall" in t) return new Response(new ReadableStream({ start() {} }), { headers: { "content-type": "text/event-stream" } });
    const usage = t.usage ?? DEFAULT_USAGE;
    record.usage = usage;
    const parts: Part[] = "text" in t ? [{ text: t.text }] : t.tools.map((c) => ({ functionCall: { name: c.name, args: c.input } }));
    const usageMetadata = {
      promptTokenCount: usage.promptTokenCount,
      candidatesTokenCount: usage.candidatesTokenCount,
      cachedContentTokenCount: usage.cachedContentTokenCount ?? 0,
      thoughtsTokenCount: usage.thoughtsTokenCount ?? 0,
      totalTokenCount: usage.promptTokenCount + usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0),
    };
    const frame = { candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }], usageMetadata, modelVersion: record.model };
    return new Response(`data: ${JSON.stringify(frame)}\n\n`, { headers: { "content-type": "text/event-stream" } });
  }
}

// The LLM CLIs' JSON lines (claude's and gemini's `stream-json`, codex's `exec --json`), made
// readable for a task's log (`skep task logs`): what the model said, which tools it called on
// what, whether they worked, and how the run ended. Each CLI's events have their own `type`s
// (codex's are dotted; gemini's are init/message/tool_use/tool_result, and its result has a
// status). Lines that are not JSON (a test command's output, the script backend) pass unchanged.

interface Block {
  type?: string;
  text?: string;
  name?: string;
  input?: Record<string, unknown>;
  content?: string | Block[];
  is_error?: boolean;
}

interface StreamLine {
  type?: string;
  subtype?: string;
  model?: string;
  session_id?: string;
  mcp_servers?: { name: string; status: string }[];
  message?: { content?: Block[] | string };
  is_error?: boolean;
  num_turns?: number;
  result?: string;
  usage?: { input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number };
}

const MAX = 300;

/** Readable lines for one output line (none for lines worth nothing to a person). */
export function readableLines(line: string): string[] {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return [line];
  let j: StreamLine;
  try {
    j = JSON.parse(trimmed) as StreamLine;
  } catch {
    return [line];
  }
  if (typeof j.type === "string" && j.type.includes(".")) return codexLines(j as unknown as CodexEvent);
  if (j.type === "init" || j.type === "message" || j.type === "tool_use" || j.type === "tool_result" || (j.type === "result" && "status" in j)) return geminiLines(j as unknown as GeminiEvent);
  switch (j.type) {
    case "system":
      if (j.subtype !== "init") return [];
      return [`[claude] ${j.model ?? "?"}, session ${j.session_id ?? "?"}${j.mcp_servers?.length ? `, mcp: ${j.mcp_servers.map((s) => `${s.name} ${s.status}`).join(", ")}` : ""}`];
    case "assistant":
      return blocks(j.message?.content).flatMap((b) => {
        if (b.type === "text" && b.text?.trim()) return b.text.trim().split("\n").map((l) => clip(l));
        if (b.type === "tool_use") return [`→ ${b.name ?? "?"}(${clip(describeInput(b.input), 160)})`];
        return [];
      });
    case "user":
      return blocks(j.message?.content)
        .filter((b) => b.type === "tool_result")
        .map((b) => `  ${b.is_error ? "← error: " : "← "}${clip(firstLine(textOf(b.content)), 200)}`);
    case "result": {
      const u = j.usage ?? {};
      const how = j.is_error ? `failed (${j.subtype}): ${clip(firstLine(j.result ?? ""), 200)}` : "finished";
      return [`[claude] ${how}; ${j.num_turns ?? "?"} turns; input ${u.input_tokens ?? 0}, output ${u.output_tokens ?? 0}, cache write ${u.cache_creation_input_tokens ?? 0}, cache read ${u.cache_read_input_tokens ?? 0}`];
    }
    default:
      return [];
  }
}

interface CodexItem {
  type?: string;
  text?: string;
  command?: string;
  aggregated_output?: string;
  exit_code?: number | null;
  status?: string;
  server?: string;
  tool?: string;
  arguments?: Record<string, unknown>;
  error?: { message?: string } | null;
  changes?: { path?: string; kind?: string }[];
}

interface CodexEvent {
  type: string;
  thread_id?: string;
  item?: CodexItem;
  usage?: Record<string, number>;
  error?: { message?: string };
  message?: string;
}

function codexLines(j: CodexEvent): string[] {
  const item = j.item ?? {};
  switch (j.type) {
    case "thread.started":
      return [`[codex] session ${j.thread_id ?? "?"}`];
    case "item.started":
      if (item.type === "command_execution") return [`→ shell(${clip(item.command ?? "", 160)})`];
      if (item.type === "mcp_tool_call") return [`→ ${item.server ?? "?"}.${item.tool ?? "?"}(${clip(describeInput(item.arguments), 160)})`];
      return [];
    case "item.completed":
      switch (item.type) {
        case "agent_message":
          return (item.text ?? "").trim() ? (item.text ?? "").trim().split("\n").map((l) => clip(l)) : [];
        case "command_execution":
          return [`  ${item.exit_code === 0 ? "← " : `← error (exit ${item.exit_code ?? "?"}): `}${clip(firstLine(item.aggregated_output ?? ""), 200)}`];
        case "mcp_tool_call":
          return [item.error || item.status === "failed" ? `  ← error: ${clip(item.error?.message ?? "failed", 200)}` : "  ← ok"];
        case "file_change": {
          const what = (item.changes ?? []).map((c) => `${c.kind ?? "?"} ${c.path ?? "?"}`).join(", ");
          return [`→ apply_patch(${clip(what, 160)})`, item.status === "failed" ? "  ← error: not applied" : "  ← ok"];
        }
        default:
          return [];
      }
    case "turn.completed": {
      const u = j.usage ?? {};
      return [`[codex] finished; input ${u.input_tokens ?? 0} (cached ${u.cached_input_tokens ?? 0}), output ${u.output_tokens ?? 0} (reasoning ${u.reasoning_output_tokens ?? 0})`];
    }
    case "turn.failed":
      return [`[codex] failed: ${clip(j.error?.message ?? "?", 200)}`];
    default:
      return [];
  }
}

interface GeminiEvent {
  type: string;
  model?: string;
  session_id?: string;
  role?: string;
  content?: string;
  tool_name?: string;
  parameters?: Record<string, unknown>;
  status?: string;
  output?: string;
  error?: { type?: string; message?: string };
  stats?: { input_tokens?: number; output_tokens?: number; cached?: number; total_tokens?: number; tool_calls?: number };
}

function geminiLines(j: GeminiEvent): string[] {
  switch (j.type) {
    case "init":
      return [`[gemini] ${j.model ?? "?"}, session ${j.session_id ?? "?"}`];
    case "message":
      return j.role === "assistant" && j.content?.trim() ? j.content.trim().split("\n").map((l) => clip(l)) : [];
    case "tool_use":
      return [`→ ${j.tool_name ?? "?"}(${clip(describeInput(j.parameters), 160)})`];
    case "tool_result":
      return [j.status === "error" ? `  ← error: ${clip(firstLine(j.error?.message ?? j.output ?? ""), 200)}` : `  ← ${clip(firstLine(j.output ?? "ok"), 200)}`];
    case "result": {
      const s = j.stats ?? {};
      const how = j.status === "success" ? "finished" : `failed: ${clip(firstLine(j.error?.message ?? j.status ?? ""), 200)}`;
      return [`[gemini] ${how}; ${s.tool_calls ?? 0} tool calls; input ${s.input_tokens ?? 0} (cached ${s.cached ?? 0}), output ${s.output_tokens ?? 0}, total ${s.total_tokens ?? 0}`];
    }
    default:
      return [];
  }
}

function blocks(content: Block[] | string | undefined): Block[] {
  if (!content) return [];
  return typeof content === "string" ? [{ type: "text", text: content }] : content;
}

function textOf(content: string | Block[] | undefined): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((b) => b.text ?? "").join(" ");
}

/** The argument a person wants to see: the file, the command, the query. */
function describeInput(input: Record<string, unknown> | undefined): string {
  if (!input) return "";
  for (const key of ["file_path", "path", "command", "pattern", "query", "symbol", "symbol_id", "file"]) {
    const v = input[key];
    if (typeof v === "string") return v;
  }
  return JSON.stringify(input);
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

function clip(text: string, max = MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

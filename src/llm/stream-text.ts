// The claude CLI's `stream-json` lines, made readable for a task's log (`skep task logs`): what
// the model said, which tools it called on what, whether they worked, and how the run ended.
// Lines that are not stream-json (a test command's output, the script backend) pass unchanged.

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

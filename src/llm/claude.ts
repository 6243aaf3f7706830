// The `claude` backend: one headless Claude Code run (`claude -p`) per call, in its own process
// group. Output is `--output-format stream-json --verbose`: every line goes to req.onLine as it
// arrives, the `system/init` line names the model and session, and the final `{"type":"result"}`
// line is the answer, its usage and cost. Every way a run can go wrong becomes ok=false with a
// reason a person can act on; the usage seen on the result line is kept either way.
import { existsSync } from "node:fs";
import type { LlmBackend, LlmRequest, LlmResult, LlmUsage } from "./backend.ts";
import { ZERO_USAGE } from "./backend.ts";
import { failedBeforeStart } from "./cli-run.ts";
import { writeMcpConfig, type McpConfigFile } from "./mcp-config.ts";
import { formatSeconds, runInProcessGroup, type GroupRunResult } from "../util/process.ts";

export interface ClaudeBackendOptions {
  /** The executable (default `claude`, looked up on PATH). */
  bin?: string;
  /** Added to the child's environment (tests: HOME, ANTHROPIC_BASE_URL, CLAUDE_CODE_MAX_RETRIES, ...). */
  env?: Record<string, string>;
  /** Start from this process's environment (default true); false: the child sees only `env`. */
  inheritEnv?: boolean;
  /** The command that starts skep, for the MCP server (default: skepCommand()). */
  skepCommand?: string[];
  /** Between SIGTERM and SIGKILL when a call is killed (default 2000 ms). */
  killGraceMs?: number;
}

/** Built-in tools a step may use; `mcp__skep` (server-wide prefix) is added when MCP is on. */
const EDIT_TOOLS = ["Bash", "Edit", "Write", "Read", "Glob", "Grep"];
const READ_ONLY_TOOLS = ["Read", "Glob", "Grep"];
// NotebookEdit writes files too (2.1.197 offers it whatever --allowedTools says).
const WRITE_TOOLS = ["Bash", "Edit", "Write", "NotebookEdit"];
const SKEP_MCP_TOOLS = "mcp__skep";

/** The claude arguments for a request (without the executable). `mcpConfigPath` when req.mcpRepo is set. */
export function claudeArgs(req: LlmRequest, mcpConfigPath?: string): string[] {
  const args = ["-p", "--output-format", "stream-json", "--verbose"];
  if (req.model) args.push("--model", req.model);
  if (req.maxTurns !== undefined) args.push("--max-turns", String(req.maxTurns));
  if (req.appendSystemPrompt) args.push("--append-system-prompt", req.appendSystemPrompt);
  if (mcpConfigPath) args.push("--mcp-config", mcpConfigPath, "--strict-mcp-config");
  const mcp = mcpConfigPath ? [SKEP_MCP_TOOLS] : [];
  if (req.allowEdits) {
    args.push("--permission-mode", "acceptEdits", "--allowedTools", [...EDIT_TOOLS, ...mcp].join(","));
  } else {
    args.push("--allowedTools", [...READ_ONLY_TOOLS, ...mcp].join(","), "--disallowedTools", WRITE_TOOLS.join(","));
  }
  // The prompt goes last, after `--`: several options above are variadic and would swallow it, and
  // a prompt that starts with "-" would be read as an option.
  args.push("--", req.prompt);
  return args;
}

/** The `{"type":"result"}` line's fields we use (the CLI prints many more). */
interface ResultLine {
  type: "result";
  subtype?: string;
  is_error?: boolean;
  result?: string;
  errors?: unknown[];
  api_error_status?: number | null;
  session_id?: string;
  num_turns?: number;
  total_cost_usd?: number;
  usage?: Record<string, unknown>;
  modelUsage?: Record<string, { inputTokens?: number; outputTokens?: number }>;
  permission_denials?: { tool_name?: string }[];
}

/** What the stream told us so far. */
export class ClaudeStream {
  result: ResultLine | null = null;
  initModel: string | null = null;
  initSessionId: string | null = null;

  feed(line: string): void {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) return;
    let obj: unknown;
    try {
      obj = JSON.parse(trimmed);
    } catch {
      return; // not ours to judge here: no result line means "unparseable" later
    }
    if (!obj || typeof obj !== "object") return;
    const o = obj as Record<string, unknown>;
    if (o.type === "system" && o.subtype === "init") {
      if (typeof o.model === "string") this.initModel = o.model;
      if (typeof o.session_id === "string") this.initSessionId = o.session_id;
    } else if (o.type === "result") {
      this.result = o as unknown as ResultLine;
    }
  }
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

function usageOf(r: ResultLine | null): LlmUsage {
  const u = r?.usage;
  if (!u) return { ...ZERO_USAGE };
  return {
    input: num(u.input_tokens),
    output: num(u.output_tokens),
    cacheCreation: num(u.cache_creation_input_tokens),
    cacheRead: num(u.cache_read_input_tokens),
  };
}

/** The model that did the work: the init line's if it was used, else the busiest in modelUsage. */
function modelOf(stream: ClaudeStream, requested: string | undefined): string | null {
  const used = Object.entries(stream.result?.modelUsage ?? {});
  if (stream.initModel && (used.length === 0 || used.some(([name]) => name === stream.initModel))) return stream.initModel;
  if (used.length > 0) {
    const tokens = (u: { inputTokens?: number; outputTokens?: number }) => num(u.inputTokens) + num(u.outputTokens);
    return used.reduce((a, b) => (tokens(b[1]) > tokens(a[1]) ? b : a))[0];
  }
  return requested ?? null;
}

/** The end of stderr, for messages: the last few non-empty lines. */
function stderrBrief(tail: string): string {
  const text = tail.trim();
  return text.length > 600 ? `…${text.slice(-600)}` : text;
}

function describeIsError(r: ResultLine): string {
  const errors = (r.errors ?? []).map((e) => (typeof e === "string" ? e : JSON.stringify(e))).filter((e) => e !== "");
  const text = typeof r.result === "string" && r.result !== "" ? r.result : errors.length ? errors.join("; ") : `claude reported an error (${r.subtype ?? "no subtype"})`;
  return typeof r.api_error_status === "number" ? `API error ${r.api_error_status}: ${text}` : text;
}

/** ok/error for a finished run (timeouts, aborts and spawn errors are handled before). */
function judge(run: GroupRunResult, stream: ClaudeStream, req: LlmRequest): { ok: boolean; error: string | null; text: string } {
  const r = stream.result;
  if (!r) {
    if (run.exitCode !== 0) {
      const how = run.exitCode === null ? `was killed by ${run.signal ?? "a signal"}` : `exited with code ${run.exitCode}`;
      const why = stderrBrief(run.stderrTail) || `no result; output: ${run.stdoutHead.slice(0, 200)}`;
      return { ok: false, error: `claude ${how} without a result: ${why}`, text: "" };
    }
    return { ok: false, error: `unparseable output: ${run.stdoutHead.slice(0, 200) || "(empty)"}`, text: "" };
  }
  if (r.subtype === "error_max_turns") {
    return { ok: false, error: `reached the turn limit (${req.maxTurns ?? r.num_turns ?? "?"})`, text: "" };
  }
  if (r.is_error === true || (r.subtype !== undefined && r.subtype.startsWith("error"))) {
    return { ok: false, error: describeIsError(r), text: "" };
  }
  const text = typeof r.result === "string" ? r.result : "";
  const denials = r.permission_denials ?? [];
  if (denials.length > 0) {
    const tools = [...new Set(denials.map((d) => d.tool_name ?? "?"))].join(", ");
    return { ok: false, error: `permission denied for tools: ${tools}`, text };
  }
  if (run.exitCode !== 0) {
    const how = run.exitCode === null ? `was killed by ${run.signal ?? "a signal"}` : `exited with code ${run.exitCode}`;
    return { ok: false, error: `claude ${how} after its result: ${stderrBrief(run.stderrTail)}`, text };
  }
  return { ok: true, error: null, text };
}

/**
 * This process's environment minus the marks Claude Code puts on the processes it starts: when
 * skep itself runs under Claude Code, the call is its own session, not a child of that one.
 */
function inheritedEnv(): Record<string, string | undefined> {
  const { CLAUDECODE: _mark, CLAUDE_CODE_SESSION_ID: _session, CLAUDE_CODE_CHILD_SESSION: _child, ...rest } = process.env;
  return rest;
}

/**
 * With skep's MCP server: Claude Code (2.1.x) connects MCP servers while its first request is
 * already out, so on a busy machine the first turn may not list skep's tools and a call to one is
 * "No such tool available". skep's prompts tell the model to use those tools, so the call waits for
 * the connection (bounded by Claude Code's MCP_TIMEOUT); a server that fails still fails alone.
 */
function mcpEnv(mcp: McpConfigFile | undefined): Record<string, string> {
  return mcp ? { MCP_CONNECTION_NONBLOCKING: "0" } : {};
}

export class ClaudeBackend implements LlmBackend {
  readonly name = "claude";
  readonly bin: string;

  constructor(private readonly opts: ClaudeBackendOptions = {}) {
    this.bin = opts.bin ?? "claude";
  }

  async run(req: LlmRequest): Promise<LlmResult> {
    const started = performance.now();
    const stream = new ClaudeStream();
    const failBeforeStart = (error: string): LlmResult => failedBeforeStart(this.name, req, started, error);
    // Checked here because spawning in a missing cwd also fails with ENOENT, which would read as "claude not found".
    if (!existsSync(req.cwd)) return failBeforeStart(`working directory does not exist: ${req.cwd}`);
    let mcp: McpConfigFile | undefined;
    try {
      const target = req.mcpWorkspace ?? req.mcpRepo;
      if (target) mcp = writeMcpConfig(target, this.opts.skepCommand);
    } catch (e) {
      return failBeforeStart(`could not write the MCP config: ${(e as Error).message}`);
    }
    let run: GroupRunResult;
    try {
      run = await runInProcessGroup({
        cmd: [this.bin, ...claudeArgs(req, mcp?.path)],
        cwd: req.cwd,
        env: this.opts.inheritEnv === false ? { ...mcpEnv(mcp), ...this.opts.env } : { ...inheritedEnv(), ...mcpEnv(mcp), ...this.opts.env },
        timeoutMs: req.timeoutMs,
        signal: req.signal,
        killGraceMs: this.opts.killGraceMs,
        onLine: (line) => {
          stream.feed(line);
          req.onLine?.(line);
        },
      });
    } finally {
      mcp?.dispose();
    }

    const r = stream.result;
    const base: LlmResult = {
      ok: false,
      text: "",
      error: null,
      usage: usageOf(r),
      costUsd: num(r?.total_cost_usd),
      durationMs: Math.round(performance.now() - started),
      exitCode: run.exitCode,
      model: modelOf(stream, req.model),
      sessionId: r?.session_id ?? stream.initSessionId,
      backend: this.name,
      aborted: false,
    };
    if (run.spawnError) {
      const notFound = run.spawnError.code === "ENOENT";
      const error = notFound
        ? `claude CLI not found: ${this.bin} (install Claude Code or set claude_bin in .skep/config.json)`
        : `could not start claude (${this.bin}): ${run.spawnError.message}`;
      return { ...base, error };
    }
    if (run.aborted) return { ...base, aborted: true, error: "aborted" };
    if (run.timedOut) return { ...base, error: `timed out after ${formatSeconds(req.timeoutMs)} s` };
    return { ...base, ...judge(run, stream, req) };
  }
}

// The `gemini` backend: one headless Google Gemini CLI run (`gemini -p --output-format stream-json`)
// per call, in its own process group, with a per-call GEMINI_CLI_HOME (src/llm/cli-home.ts): its
// `.gemini/settings.json` is the user's own merged with what skep decides, and the user's login
// files are copied beside it, so the user's account is used and their ~/.gemini never written.
// skep decides: the auth type when an API key or base URL is in play (the CLI's headless check
// rejects the "gateway" type a base URL would otherwise select), usage statistics off, bounded
// attempts, the turn limit, skep's MCP server (trusted), no web tools, and the approval mode:
// `default` (read-only tools) for classify and plan, `auto_edit` (file edits, confined by the CLI
// to the worktree, no shell) for steps. The folder is trusted for the call only (environment).
// `-m` is always passed: without it the CLI makes a routing side call first.
// Output is JSONL: `tool_use` / `tool_result`, assistant `message` deltas, and a final `result`
// with the usage (notes: ../shared/notes/agent-clis-offline.md).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { LlmBackend, LlmRequest, LlmResult, LlmUsage } from "./backend.ts";
import { makeCliHome, seedFrom, type CliHome } from "./cli-home.ts";
import { failedBeforeStart, howItEnded, jsonLine, num, runCliCall, stderrBrief } from "./cli-run.ts";
import { MCP_SERVER_ENV, mcpServerCommand, skepCommand, type McpTarget } from "./mcp-config.ts";
import type { GroupRunResult } from "../util/process.ts";

export const INSTALL_GEMINI = "install the Gemini CLI (npm install -g @google/gemini-cli), or set gemini_bin: skep config gemini_bin /path/to/gemini";
/** When the config names no model for gemini (or a Claude alias): the CLI's own default. */
export const GEMINI_DEFAULT_MODEL = "gemini-2.5-pro";

export interface GeminiBackendOptions {
  bin?: string;
  env?: Record<string, string>;
  /** GOOGLE_GEMINI_BASE_URL from skep's config (gemini_base_url); undefined: the user's own. */
  baseUrl?: string;
  /** API retries (default 2): the CLI's maxAttempts is this plus one. */
  maxRetries?: number;
  /** The user's directory holding `.gemini` (default $GEMINI_CLI_HOME, else the home directory). */
  userHome?: string;
  /** Start from this process's environment (default true); false: the child sees only `env`. */
  inheritEnv?: boolean;
  /** Where per-call homes are made (default ~/.skep/llm-homes, or $SKEP_HOME/llm-homes). */
  homesDir?: string;
  skepCommand?: string[];
  killGraceMs?: number;
}

/** Files of the user's ~/.gemini a call needs: the login and the instructions the user keeps there. */
const SEEDED = ["oauth_creds.json", "google_accounts.json", "installation_id", "GEMINI.md", ".env"] as const;
/** Tool errors that mean the CLI refused the call (not a tool that ran and failed). */
const REFUSALS = new Set(["tool_not_registered", "permission_denied", "policy_violation", "path_not_in_workspace", "sandbox_expansion_required"]);
/** Web tools reach the network on their own: never offered. */
const WEB_TOOLS = ["google_web_search", "web_fetch"];

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `over` merged into `base`, objects key by key (arrays and scalars replaced). */
export function mergeSettings(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? mergeSettings(out[k] as Json, v) : v;
  return out;
}

/** skep's settings for a call, merged over the user's. */
export function geminiSettings(user: Json, req: LlmRequest, o: { maxRetries?: number; mcp?: string[]; apiKeyAuth: boolean }): Json {
  const userExclude = isObject(user.tools) && Array.isArray(user.tools.exclude) ? (user.tools.exclude as unknown[]).filter((t) => typeof t === "string") : [];
  const ours: Json = {
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { maxAttempts: (o.maxRetries ?? 2) + 1, enableAutoUpdate: false, enableAutoUpdateNotification: false },
    tools: { exclude: [...new Set([...userExclude, ...WEB_TOOLS])] },
  };
  if (req.maxTurns !== undefined) ours.model = { maxSessionTurns: req.maxTurns };
  if (o.apiKeyAuth) ours.security = { auth: { selectedType: "gemini-api-key" } };
  if (o.mcp) {
    const [command, ...args] = o.mcp;
    ours.mcpServers = { skep: { command, args, env: { ...MCP_SERVER_ENV }, trust: true } };
  }
  return mergeSettings(user, ours);
}

export function geminiArgs(req: LlmRequest): string[] {
  // Gemini has no "append to the system prompt" (GEMINI_SYSTEM_MD replaces it): it leads the prompt.
  const prompt = req.appendSystemPrompt ? `<instructions>\n${req.appendSystemPrompt}\n</instructions>\n\n${req.prompt}` : req.prompt;
  // `--prompt=`: a prompt that starts with "-" stays the prompt.
  return ["--output-format", "stream-json", "-m", req.model ?? GEMINI_DEFAULT_MODEL, "--approval-mode", req.allowEdits ? "auto_edit" : "default", `--prompt=${prompt}`];
}

/** What the JSONL told us so far. */
export class GeminiStream {
  sessionId: string | null = null;
  model: string | null = null;
  result: Json | null = null;
  /** Assistant text since the last tool call: the answer. */
  text = "";
  refused: string[] = [];
  errors: string[] = [];
  private tools = new Map<string, string>();

  feed(line: string): void {
    const o = jsonLine(line);
    if (!o) return;
    switch (o.type) {
      case "init":
        if (typeof o.session_id === "string") this.sessionId = o.session_id;
        if (typeof o.model === "string") this.model = o.model;
        break;
      case "message":
        if (o.role === "assistant" && typeof o.content === "string") this.text = o.delta === true ? this.text + o.content : o.content;
        break;
      case "tool_use":
        if (typeof o.tool_id === "string") this.tools.set(o.tool_id, typeof o.tool_name === "string" ? o.tool_name : "?");
        this.text = "";
        break;
      case "tool_result": {
        const err = isObject(o.error) ? o.error : null;
        // A path outside the workspace comes back as invalid parameters: a refusal all the same.
        const outside = typeof err?.message === "string" && err.message.startsWith("Path not in workspace");
        if (o.status === "error" && err && (REFUSALS.has(String(err.type)) || outside)) {
          this.refused.push(`${this.tools.get(String(o.tool_id)) ?? "?"}: ${String(err.message ?? err.type)}`);
        }
        break;
      }
      case "error":
        if (typeof o.message === "string") this.errors.push(o.message);
        break;
      case "result":
        this.result = o;
        break;
    }
  }

  usage(): LlmUsage {
    const s = isObject(this.result?.stats) ? (this.result.stats as Json) : null;
    if (!s) return { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, reasoning: 0 };
    // input_tokens is the whole prompt (cached included); output_tokens leaves thoughts out, and
    // the total holds them: reasoning is what the total has beyond prompt and answer.
    const prompt = num(s.input_tokens);
    const cached = num(s.cached);
    const answer = num(s.output_tokens);
    const reasoning = Math.max(0, num(s.total_tokens) - prompt - answer);
    return { input: Math.max(0, prompt - cached), output: answer + reasoning, cacheCreation: 0, cacheRead: cached, reasoning };
  }
}

function judge(run: GroupRunResult, s: GeminiStream): { ok: boolean; error: string | null; text: string } {
  const r = s.result;
  if (!r) {
    if (run.exitCode !== 0) {
      const why = s.errors.at(-1) ?? (stderrBrief(run.stderrTail) || `output: ${run.stdoutHead.slice(0, 200)}`);
      return { ok: false, error: `gemini ${howItEnded(run)} without a result: ${why}`, text: "" };
    }
    return { ok: false, error: `unparseable output (no result line): ${run.stdoutHead.slice(0, 200) || "(empty)"}`, text: "" };
  }
  if (r.status !== "success") {
    const e = isObject(r.error) ? r.error : {};
    return { ok: false, error: `gemini: ${String(e.message ?? `status ${String(r.status)}`)}${run.exitCode ? ` (exit code ${run.exitCode})` : ""}`, text: "" };
  }
  if (s.refused.length) return { ok: false, error: `tools refused: ${s.refused.join("; ")}`, text: s.text };
  if (run.exitCode !== 0) return { ok: false, error: `gemini ${howItEnded(run)} after its result: ${stderrBrief(run.stderrTail)}`, text: s.text };
  return { ok: true, error: null, text: s.text };
}

function readJson(path: string): Json {
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return isObject(v) ? v : {};
  } catch {
    return {};
  }
}

export class GeminiBackend implements LlmBackend {
  readonly name = "gemini";
  readonly bin: string;

  constructor(private readonly opts: GeminiBackendOptions = {}) {
    this.bin = opts.bin ?? "gemini";
  }

  async run(req: LlmRequest): Promise<LlmResult> {
    const started = performance.now();
    const env: Record<string, string | undefined> = { ...(this.opts.inheritEnv === false ? {} : process.env), ...this.opts.env };
    if (this.opts.baseUrl) env.GOOGLE_GEMINI_BASE_URL = this.opts.baseUrl;
    let home: CliHome;
    try {
      home = makeCliHome("gemini", this.opts.homesDir);
      const userDir = join(this.opts.userHome ?? process.env.GEMINI_CLI_HOME ?? homedir(), ".gemini");
      const dir = join(home.dir, ".gemini");
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      seedFrom(userDir, dir, SEEDED);
      const user = existsSync(join(userDir, "settings.json")) ? readJson(join(userDir, "settings.json")) : {};
      const userAuth = isObject(user.security) && isObject(user.security.auth) ? user.security.auth.selectedType : undefined;
      const apiKeyAuth = userAuth === undefined && Boolean(env.GEMINI_API_KEY || env.GOOGLE_GEMINI_BASE_URL);
      const target: McpTarget | undefined = req.mcpWorkspace ?? req.mcpRepo;
      const mcp = target ? mcpServerCommand(target, this.opts.skepCommand ?? skepCommand()) : undefined;
      writeFileSync(join(dir, "settings.json"), JSON.stringify(geminiSettings(user, req, { maxRetries: this.opts.maxRetries, mcp, apiKeyAuth }), null, 2), { mode: 0o600 });
    } catch (e) {
      return failedBeforeStart(this.name, req, started, `could not prepare gemini's home under ~/.skep/llm-homes: ${(e as Error).message}`);
    }
    // The call's own temp dir (error reports land there), its home, and this folder trusted for this call only.
    const tmp = join(home.dir, "tmp");
    mkdirSync(tmp, { recursive: true, mode: 0o700 });
    Object.assign(env, { GEMINI_CLI_HOME: home.dir, GEMINI_CLI_TRUST_WORKSPACE: "true", TMPDIR: tmp });
    const stream = new GeminiStream();
    try {
      return await runCliCall(
        {
          backend: this.name,
          bin: this.bin,
          args: geminiArgs(req),
          env,
          installHint: INSTALL_GEMINI,
          killGraceMs: this.opts.killGraceMs,
          feed: (line) => stream.feed(line),
          judge: (run) => judge(run, stream),
          usage: () => stream.usage(),
          model: () => stream.model ?? req.model ?? GEMINI_DEFAULT_MODEL,
          sessionId: () => stream.sessionId,
        },
        req,
        started,
      );
    } finally {
      home.dispose();
    }
  }
}

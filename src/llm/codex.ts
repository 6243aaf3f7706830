// The `codex` backend: one headless OpenAI Codex CLI run (`codex exec --json`) per call, in its own
// process group, with a per-call CODEX_HOME (src/llm/cli-home.ts) seeded with the user's
// config.toml and auth.json, so the user's login and provider are used and their ~/.codex is never
// written. What skep decides comes as `-c` overrides on top: the sandbox (read-only, or
// workspace-write limited to the worktree for steps), skep's MCP server (approved, and required:
// codex otherwise starts the turn before the server has listed its tools), no analytics or plugin
// traffic, and, when skep's config names a provider (codex_base_url), that provider with bounded
// retries. Codex ignores OPENAI_BASE_URL, so a provider can only be named this way.
// Output is JSONL: `item.*` events for tool calls, `turn.completed` with the usage,
// `turn.failed` / `error` with codex's own message (notes: ../shared/notes/agent-clis-offline.md).
import { homedir } from "node:os";
import { join } from "node:path";
import type { LlmBackend, LlmRequest, LlmResult, LlmUsage } from "./backend.ts";
import { makeCliHome, seedFrom, tomlString, type CliHome } from "./cli-home.ts";
import { failedBeforeStart, howItEnded, jsonLine, num, runCliCall, stderrBrief } from "./cli-run.ts";
import { MCP_SERVER_ENV, mcpServerCommand, skepCommand, type McpTarget } from "./mcp-config.ts";
import type { GroupRunResult } from "../util/process.ts";

export const INSTALL_CODEX = "install the Codex CLI (npm install -g @openai/codex), or set codex_bin: skep config codex_bin /path/to/codex";

export interface CodexProvider {
  /** `{base_url}/responses` is where codex posts (the Responses API). */
  baseUrl: string;
  /** The environment variable whose value codex sends as the bearer token. */
  envKey: string;
}

export interface CodexBackendOptions {
  bin?: string;
  /** Added to the child's environment (tests: the API key the provider names). */
  env?: Record<string, string>;
  /** The provider skep's config names; undefined: the user's own codex configuration. */
  provider?: CodexProvider;
  /** Request and stream retries for skep's provider (default 2). */
  maxRetries?: number;
  /** The user's codex directory to seed from (default $CODEX_HOME, else ~/.codex). */
  userHome?: string;
  /** Start from this process's environment (default true); false: the child sees only `env`. */
  inheritEnv?: boolean;
  /** Where per-call homes are made (default ~/.skep/llm-homes, or $SKEP_HOME/llm-homes). */
  homesDir?: string;
  skepCommand?: string[];
  killGraceMs?: number;
}

/** The user's files a call needs: their settings and their login. */
const SEEDED = ["config.toml", "auth.json"] as const;

/** `-c key=value` pairs, value already in TOML. */
function overrides(pairs: [string, string][]): string[] {
  return pairs.flatMap(([k, v]) => ["-c", `${k}=${v}`]);
}

/** The codex arguments for a request (without the executable). */
export function codexArgs(req: LlmRequest, o: { provider?: CodexProvider; maxRetries?: number; mcp?: string[] }): string[] {
  const args = ["exec", "--json", "--skip-git-repo-check", "--ephemeral", "--cd", req.cwd];
  if (req.model) args.push("-m", req.model);
  const pairs: [string, string][] = [["analytics.enabled", "false"]];
  if (o.provider) {
    const retries = String(o.maxRetries ?? 2);
    pairs.push(
      ["model_provider", tomlString("skep")],
      ["model_providers.skep.name", tomlString("skep")],
      ["model_providers.skep.base_url", tomlString(o.provider.baseUrl)],
      ["model_providers.skep.env_key", tomlString(o.provider.envKey)],
      ["model_providers.skep.wire_api", tomlString("responses")],
      ["model_providers.skep.request_max_retries", retries],
      ["model_providers.skep.stream_max_retries", retries],
    );
  }
  if (o.mcp) {
    const [bin, ...rest] = o.mcp;
    pairs.push(
      ["mcp_servers.skep.command", tomlString(bin!)],
      ["mcp_servers.skep.args", `[${rest.map(tomlString).join(",")}]`],
      // Read-only task tools for skep's own calls (see mcp-config.ts).
      ["mcp_servers.skep.env", `{${Object.entries(MCP_SERVER_ENV).map(([k, v]) => `${k}=${tomlString(v)}`).join(",")}}`],
      ["mcp_servers.skep.default_tools_approval_mode", tomlString("approve")],
      ["mcp_servers.skep.required", "true"],
    );
  }
  if (req.allowEdits) {
    // Writes in the worktree only: not in $TMPDIR or /tmp either, and no network for commands.
    pairs.push(["sandbox_workspace_write.exclude_tmpdir_env_var", "true"], ["sandbox_workspace_write.exclude_slash_tmp", "true"], ["sandbox_workspace_write.network_access", "false"]);
  }
  // Codex has no "append to the system prompt": its developer instructions are the place.
  if (req.appendSystemPrompt) pairs.push(["developer_instructions", tomlString(req.appendSystemPrompt)]);
  args.push(...overrides(pairs), "--disable", "plugins", "--sandbox", req.allowEdits ? "workspace-write" : "read-only");
  // Last, after `--`: a prompt that starts with "-" is not an option.
  args.push("--", req.prompt);
  return args;
}

interface Item {
  id?: string;
  type?: string;
  text?: string;
  status?: string;
  server?: string;
  tool?: string;
  command?: string;
  exit_code?: number | null;
  error?: { message?: string } | null;
  changes?: { path?: string }[];
}

/** What the JSONL told us so far. */
export class CodexStream {
  threadId: string | null = null;
  usage: LlmUsage | null = null;
  failed: string | null = null;
  /** `error` events: codex's messages (some only notes, such as unknown model metadata). */
  errors: string[] = [];
  /** Tools codex refused or that could not run: "skep.search_symbols: MCP tool call requires approval". */
  refused: string[] = [];
  lastText = "";
  lines = 0;

  feed(line: string): void {
    const o = jsonLine(line);
    if (!o) return;
    this.lines++;
    switch (o.type) {
      case "thread.started":
        if (typeof o.thread_id === "string") this.threadId = o.thread_id;
        break;
      case "item.completed":
        this.item((o.item ?? {}) as Item);
        break;
      case "turn.completed": {
        const u = (o.usage ?? {}) as Record<string, unknown>;
        // Codex's input_tokens include the cached ones (OpenAI's convention); ours do not.
        const cached = num(u.cached_input_tokens);
        const written = num(u.cache_write_input_tokens);
        this.usage = {
          input: Math.max(0, num(u.input_tokens) - cached - written),
          output: num(u.output_tokens),
          cacheRead: cached,
          cacheCreation: written,
          reasoning: num(u.reasoning_output_tokens),
        };
        break;
      }
      case "turn.failed":
        this.failed = ((o.error ?? {}) as { message?: string }).message ?? "turn failed";
        break;
      case "error":
        if (typeof o.message === "string") this.errors.push(o.message);
        break;
    }
  }

  /** Codex tells the model about a call it will not route (an unknown or unavailable tool) and logs it on stderr only. */
  feedStderr(line: string): void {
    const m = /ERROR codex_core::tools::router: error=(.*)$/.exec(line);
    if (m) this.refused.push(m[1]!.trim());
  }

  private item(item: Item): void {
    if (item.type === "agent_message" && typeof item.text === "string") this.lastText = item.text;
    else if (item.type === "mcp_tool_call" && (item.status === "failed" || item.error)) {
      this.refused.push(`${item.server ?? "?"}.${item.tool ?? "?"}: ${item.error?.message ?? "failed"}`);
    } else if (item.type === "file_change" && item.status === "failed") {
      this.refused.push(`apply_patch (${(item.changes ?? []).map((c) => c.path ?? "?").join(", ") || "?"}): the change was not applied`);
    }
  }
}

function judge(run: GroupRunResult, s: CodexStream): { ok: boolean; error: string | null; text: string } {
  if (s.failed !== null) return { ok: false, error: `codex: ${s.failed}`, text: "" };
  if (!s.usage) {
    if (run.exitCode !== 0) {
      const why = s.errors.at(-1) ?? (stderrBrief(run.stderrTail) || `output: ${run.stdoutHead.slice(0, 200)}`);
      return { ok: false, error: `codex ${howItEnded(run)} before its turn completed: ${why}`, text: "" };
    }
    return { ok: false, error: `unparseable output (no turn.completed): ${run.stdoutHead.slice(0, 200) || "(empty)"}`, text: "" };
  }
  if (s.refused.length) return { ok: false, error: `tools refused or failed: ${s.refused.join("; ")}`, text: s.lastText };
  if (run.exitCode !== 0) return { ok: false, error: `codex ${howItEnded(run)} after its turn completed: ${stderrBrief(run.stderrTail)}`, text: s.lastText };
  return { ok: true, error: null, text: s.lastText };
}

export class CodexBackend implements LlmBackend {
  readonly name = "codex";
  readonly bin: string;

  constructor(private readonly opts: CodexBackendOptions = {}) {
    this.bin = opts.bin ?? "codex";
  }

  async run(req: LlmRequest): Promise<LlmResult> {
    const started = performance.now();
    let home: CliHome;
    try {
      home = makeCliHome("codex", this.opts.homesDir);
      seedFrom(this.opts.userHome ?? process.env.CODEX_HOME ?? join(homedir(), ".codex"), home.dir, SEEDED);
    } catch (e) {
      return failedBeforeStart(this.name, req, started, `could not prepare codex's home under ${join("~/.skep", "llm-homes")}: ${(e as Error).message}`);
    }
    const stream = new CodexStream();
    const target: McpTarget | undefined = req.mcpWorkspace ?? req.mcpRepo;
    try {
      return await runCliCall(
        {
          backend: this.name,
          bin: this.bin,
          args: codexArgs(req, { provider: this.opts.provider, maxRetries: this.opts.maxRetries, mcp: target ? mcpServerCommand(target, this.opts.skepCommand ?? skepCommand()) : undefined }),
          env: { ...(this.opts.inheritEnv === false ? {} : process.env), ...this.opts.env, CODEX_HOME: home.dir },
          installHint: INSTALL_CODEX,
          killGraceMs: this.opts.killGraceMs,
          feed: (line) => stream.feed(line),
          feedStderr: (line) => stream.feedStderr(line),
          judge: (run) => judge(run, stream),
          usage: () => stream.usage ?? { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, reasoning: 0 },
          model: () => req.model ?? null,
          sessionId: () => stream.threadId,
        },
        req,
        started,
      );
    } finally {
      home.dispose();
    }
  }
}

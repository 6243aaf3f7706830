// End to end with the real Claude Code CLI (`@anthropic-ai/claude-code`, pinned in package.json)
// against a scripted fake of the Anthropic Messages API on 127.0.0.1 (test/support/fake-anthropic.ts).
// The scripted model calls skep's MCP tools; the test checks that skep's real answers travelled
// back through Claude into its final result, with no permission denials. Nothing leaves the
// machine: a fresh HOME per run, non-essential traffic off, the API base URL on localhost.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findClaude, offlineClaudeEnv } from "../support/claude.ts";
import { FakeAnthropic, type TurnContext } from "../support/fake-anthropic.ts";
import { BUN, childEnv, cleanupAll, git, indexAt, MAIN, makeRepo, SAMPLE, tempDir } from "./support.ts";

// Real child processes (servers, git, daemons) on a shared, busy machine: be generous.
setDefaultTimeout(60_000);

let claude: string;
let fake: FakeAnthropic;
let repo: string;

beforeAll(async () => {
  claude = findClaude(childEnv());
  fake = await FakeAnthropic.start();
  repo = makeRepo(SAMPLE);
  await indexAt(repo);
});
afterAll(async () => {
  await fake?.stop();
  await cleanupAll();
});

interface ClaudeResult {
  type: string;
  subtype: string;
  is_error: boolean;
  result: string;
  permission_denials: unknown[];
  num_turns: number;
}

/** Run `claude -p` headless, with a fresh HOME, against the fake API; kill it after `timeoutMs`. */
async function runClaude(prompt: string, opts: { cwd: string; args?: string[]; home?: string }): Promise<{ code: number; out: ClaudeResult; stderr: string }> {
  const env = childEnv(offlineClaudeEnv(fake.url, { home: opts.home }));
  const proc = Bun.spawn([claude, "-p", prompt, "--output-format", "json", "--max-turns", "6", ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 90_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(killer);
  let out: ClaudeResult;
  try {
    out = JSON.parse(stdout);
  } catch {
    throw new Error(`claude printed no JSON result (exit ${code}):\n${stdout}\n${stderr}`);
  }
  if (code !== 0 || out.is_error || out.permission_denials?.length) {
    // Say why before the assertions fail: the result, Claude's stderr, and what the fake API saw.
    console.error(`claude exited ${code}: ${JSON.stringify(out)}\n${stderr}\nfake API errors: ${JSON.stringify(fake.errors)}`);
  }
  return { code, out, stderr };
}

function mcpConfig(args: string[]): string {
  return JSON.stringify({ mcpServers: { skep: { type: "stdio", command: BUN, args: [MAIN, "mcp", ...args] } } });
}

/** The first hit's file from a search_symbols answer (the model "reads" the tool result). */
const firstHitFile = (ctx: TurnContext) => ({ file_path: JSON.parse(ctx.results[1]!.text).hits[0].file as string });

/**
 * Claude Code connects MCP servers while its first request is out: the model waits for them (its
 * WaitForMcpServers tool) first, as a real one does, so a slow start on a busy machine is no race.
 */
const WAIT_FOR_MCP = { tools: [{ name: "WaitForMcpServers", input: {} }] };

describe("Claude Code calls skep's MCP tools", () => {
  test("search_symbols then get_file_context: skep's real answers come back in Claude's result", async () => {
    fake.add({
      name: "search-then-file",
      turns: [
        WAIT_FOR_MCP,
        { tools: [{ name: "mcp__skep__search_symbols", input: { query: "greet" } }] },
        { tools: [{ name: "mcp__skep__get_file_context", input: firstHitFile }] },
        { text: (ctx) => `SEARCH<<${ctx.results[1]!.text}>>\nFILE<<${ctx.results[2]!.text}>>` },
      ],
    });
    const { code, out, stderr } = await runClaude("[[scenario:search-then-file]] Where is greet defined, and what else is in its file?", {
      cwd: repo,
      args: ["--mcp-config", mcpConfig(["--repo", repo]), "--strict-mcp-config", "--allowedTools", "mcp__skep__search_symbols,mcp__skep__get_file_context"],
    });
    expect(out.is_error).toBe(false);
    expect(code).toBe(0);
    expect(out.permission_denials).toEqual([]);
    expect(fake.errors).toEqual([]);

    const search = JSON.parse(/SEARCH<<([\s\S]*?)>>/.exec(out.result)![1]!);
    expect(search.hits[0]).toMatchObject({ name: "greet", file: "src/greet.ts", line: 2, signature: "export function greet(name: string): string" });
    expect(search.index).toMatchObject({ worktree: repo, stale: false, via: "direct", indexedHead: git(repo, "rev-parse", "HEAD") });
    const file = JSON.parse(/FILE<<([\s\S]*?)>>/.exec(out.result)![1]!);
    expect(file.file).toBe("src/greet.ts");
    expect(file.symbols.map((s: { name: string }) => s.name)).toEqual(["greet", "format"]);

    // Claude sent four requests for the scenario (the first waits for the MCP servers) and passed skep's answers back as tool results.
    const reqs = fake.requestsOf("search-then-file");
    expect(reqs.map((r) => r.turn)).toEqual([0, 1, 2, 3]);
    expect(reqs.every((r) => r.stream)).toBe(true); // the SSE was accepted: no non-streaming retries
    expect(fake.requests.every((r) => r.path === "/" || r.path.startsWith("/v1/messages"))).toBe(true);
    expect(stderr).not.toContain("MCP server \"skep\" failed");

    // What the tool list costs the model: the definitions Claude Code sent for skep's tools, once connected.
    const skepTools = (reqs.at(-1)!.body!.tools ?? []).filter((t) => t.name.startsWith("mcp__skep__"));
    const index = ["get_call_graph", "get_file_context", "get_overview", "get_symbol", "search_symbols"];
    const tasks = ["approve_task", "clarify_task", "create_task", "dedup_task", "delete_task", "list_tasks", "reject_task", "show_task"];
    // A repo without workspace peers: the cross-repo tools are not listed (remote-tools.test.ts lists them).
    expect(skepTools.map((t) => t.name).sort()).toEqual([...index, ...tasks].sort().map((n) => `mcp__skep__${n}`));
    const chars = JSON.stringify(skepTools).length;
    console.log(`skep tool definitions as Claude Code ${Bun.spawnSync([claude, "--version"], { stdout: "pipe", env: childEnv() }).stdout.toString().trim()} sends them: ${chars} chars ≈ ${Math.ceil(chars / 4)} tokens`);
    expect(chars / 4).toBeLessThan(2_000);
  }, 120_000);

  test("a tool error reaches the model as an error it can act on", async () => {
    fake.add({
      name: "typo",
      turns: [WAIT_FOR_MCP, { tools: [{ name: "mcp__skep__get_call_graph", input: { symbol_id: "gret" } }] }, { text: "GOT<<{{last_tool_result}}>>" }],
    });
    const { out } = await runClaude("[[scenario:typo]] who calls gret?", {
      cwd: repo,
      args: ["--mcp-config", mcpConfig(["--repo", repo]), "--strict-mcp-config", "--allowedTools", "mcp__skep__get_call_graph"],
    });
    expect(out.is_error).toBe(false);
    expect(out.permission_denials).toEqual([]);
    expect(out.result).toContain("no symbol named 'gret'; did you mean greet");
    // The last tool result (the first is WaitForMcpServers'): skep's error.
    const result = fake.requestsOf("typo")[2]!.body!.messages!.flatMap((m) => (typeof m.content === "string" ? [] : m.content)).filter((b) => b.type === "tool_result").at(-1)!;
    expect(result.is_error).toBe(true);
  }, 120_000);

  test("registered by `skep mcp install --scope user`, started by Claude in a worktree: it answers for the worktree", async () => {
    const home = tempDir("skep-claude-home-");
    const install = Bun.spawnSync([BUN, MAIN, "mcp", "install", "--scope", "user"], { env: childEnv({ HOME: home }), stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    expect(install.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(home, ".claude.json"), "utf8")).mcpServers.skep.args).toEqual([MAIN, "mcp"]);

    const wt = join(tempDir("skep-claude-wt-"), "wt");
    git(repo, "worktree", "add", "-q", wt, "-b", "claude-task");
    const text = readFileSync(join(wt, "src/greet.ts"), "utf8");
    writeFileSync(join(wt, "src/greet.ts"), text.replace("greet(name: string)", "greet(name: string, times: number)"));

    fake.add({
      name: "worktree",
      turns: [WAIT_FOR_MCP, { tools: [{ name: "mcp__skep__search_symbols", input: { query: "greet" } }] }, { text: "GOT<<{{last_tool_result}}>>" }],
    });
    // No --mcp-config: the server comes from the user config that install wrote, started in cwd.
    const { out } = await runClaude("[[scenario:worktree]] find greet", { cwd: wt, home, args: ["--allowedTools", "mcp__skep__search_symbols"] });
    expect(out.is_error).toBe(false);
    expect(out.permission_denials).toEqual([]);
    const answer = JSON.parse(/GOT<<([\s\S]*?)>>/.exec(out.result)![1]!);
    expect(answer.hits[0].signature).toBe("export function greet(name: string, times: number): string");
    expect(answer.index).toMatchObject({ worktree: wt, indexRoot: repo, overlayFiles: 1 });
  }, 120_000);
});

// The real Claude Code CLI (pinned devDependency) for tests: where its binary is, and the
// environment that keeps it offline and isolated (notes: ../shared/notes/claude-cli-offline.md):
// a fresh HOME and TMPDIR, no non-essential traffic, no retries, the API on 127.0.0.1.
import { afterAll, beforeAll } from "bun:test";
import { dirname, join } from "node:path";
import { childEnv } from "../mcp/support.ts";
import { FakeAnthropic } from "./fake-anthropic.ts";
import { cleanupAll, PROJECT, tempDir } from "./temp.ts";

/** The working claude binary; bin/claude.exe is a stub when npm skipped the package's install script. */
export function findClaude(env: Record<string, string>): string {
  const pkg = dirname(require.resolve("@anthropic-ai/claude-code/package.json", { paths: [PROJECT] }));
  const candidates = [join(pkg, "bin/claude.exe"), join(dirname(pkg), `claude-code-${process.platform}-${process.arch}`, "claude")];
  for (const bin of candidates) {
    try {
      const p = Bun.spawnSync([bin, "--version"], { stdout: "pipe", stderr: "pipe", stdin: "ignore", env });
      if (p.exitCode === 0 && p.stdout.toString().includes("Claude Code")) return bin;
    } catch {
      // not there: try the next
    }
  }
  throw new Error(`no working claude binary in ${candidates.join(" or ")}: run npm ci`);
}

/** Variables for a claude run against the fake API at `apiUrl`, with its own HOME and TMPDIR. */
export function offlineClaudeEnv(apiUrl: string, opts: { home?: string; apiTimeoutMs?: number } = {}): Record<string, string> {
  const tmp = tempDir("skep-claude-tmp-");
  return {
    HOME: opts.home ?? tempDir("skep-claude-home-"),
    TMPDIR: tmp,
    CLAUDE_CODE_TMPDIR: tmp,
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: "dummy",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_MAX_RETRIES: "0",
    API_TIMEOUT_MS: String(opts.apiTimeoutMs ?? 20_000),
  };
}

/**
 * A test file's real claude binary and fake Messages API: found and started before its tests and
 * handed to `use`; after them, everything the tests started is cleaned up, then the fake stops.
 */
export function useFakeClaude(use: (fake: FakeAnthropic, claude: string) => void): void {
  let fake: FakeAnthropic | undefined;
  beforeAll(async () => {
    const claude = findClaude(childEnv());
    fake = await FakeAnthropic.start();
    use(fake, claude);
  });
  afterAll(async () => {
    await cleanupAll();
    await fake?.stop();
  });
}

// A daemon started in tmux runs its tasks with the LLM environment (ANTHROPIC_*, CLAUDE_*, proxies,
// CA files) of the shell that ran `skep daemon start`, not the tmux server's; `skep doctor` says
// when the running daemon's differs from the shell's (issue 11, defect 2).
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configuredLlmEnvKeys } from "../../src/config/config.ts";
import { adoptCallerLlmEnv, llmEnvDifferences, llmEnvFingerprint, llmEnvForDaemon } from "../../src/llm/env.ts";
import { BUN, cleanupAll, MAIN, makeRepo, onCleanup, pathsFor, sampleFiles, tempDir, waitForPing } from "./support.ts";

afterEach(cleanupAll);
setDefaultTimeout(120_000);

test("a key the repo's config names for codex travels too, and a stale one is dropped", () => {
  const shell = { MY_PROXY_TOKEN: "mine", ANTHROPIC_BASE_URL: "http://mine", PATH: "/bin" };
  // Without the config's name the custom key is not an LLM key: a tmux-started daemon would lack it.
  expect(llmEnvForDaemon(shell).MY_PROXY_TOKEN).toBeUndefined();
  const given = llmEnvForDaemon(shell, ["MY_PROXY_TOKEN"]);
  expect(given).toEqual({ MY_PROXY_TOKEN: "mine", ANTHROPIC_BASE_URL: "http://mine", SKEP_LLM_ENV: "ANTHROPIC_BASE_URL,MY_PROXY_TOKEN" });
  // A shell without it: the tmux server's old value is dropped, as for the prefixed keys.
  const daemonEnv: Record<string, string | undefined> = { ...llmEnvForDaemon({ PATH: "/bin" }, ["MY_PROXY_TOKEN"]), MY_PROXY_TOKEN: "tmux-server's" };
  expect(adoptCallerLlmEnv(daemonEnv, ["MY_PROXY_TOKEN"])).toEqual(["MY_PROXY_TOKEN"]);
  expect(daemonEnv.MY_PROXY_TOKEN).toBeUndefined();
});

test("configuredLlmEnvKeys reads codex_env_key, and gives none for a config that does not read", () => {
  const dir = tempDir();
  expect(configuredLlmEnvKeys(dir)).toEqual([]);
  writeFileSync(join(dir, "config.json"), JSON.stringify({ codex_env_key: "MY_PROXY_TOKEN" }));
  expect(configuredLlmEnvKeys(dir)).toEqual(["MY_PROXY_TOKEN"]);
  writeFileSync(join(dir, "config.json"), "{not json");
  expect(configuredLlmEnvKeys(dir)).toEqual([]);
});

test("the caller's LLM keys travel with their list; the daemon drops the others", () => {
  const given = llmEnvForDaemon({ ANTHROPIC_BASE_URL: "http://mine", HTTPS_PROXY: "http://p", PATH: "/bin", CLAUDECODE: "1" });
  expect(given).toEqual({ ANTHROPIC_BASE_URL: "http://mine", HTTPS_PROXY: "http://p", SKEP_LLM_ENV: "ANTHROPIC_BASE_URL,HTTPS_PROXY" });
  const daemonEnv: Record<string, string | undefined> = { ...given, ANTHROPIC_API_KEY: "tmux-server's", NODE_EXTRA_CA_CERTS: "/old.pem", PATH: "/bin" };
  expect(adoptCallerLlmEnv(daemonEnv).sort()).toEqual(["ANTHROPIC_API_KEY", "NODE_EXTRA_CA_CERTS"]);
  expect(daemonEnv.PATH).toBe("/bin");
  expect(llmEnvDifferences(llmEnvFingerprint(daemonEnv), llmEnvFingerprint({ ANTHROPIC_BASE_URL: "http://mine", HTTPS_PROXY: "http://p" }))).toEqual([]);
  expect(llmEnvDifferences(llmEnvFingerprint(daemonEnv), llmEnvFingerprint({ ANTHROPIC_BASE_URL: "http://other" }))).toEqual(["ANTHROPIC_BASE_URL", "HTTPS_PROXY"]);
  // A daemon run by hand (no list) keeps what it has.
  const byHand: Record<string, string | undefined> = { ANTHROPIC_API_KEY: "k" };
  expect(adoptCallerLlmEnv(byHand)).toEqual([]);
  expect(byHand.ANTHROPIC_API_KEY).toBe("k");
});

/** This process's environment without any LLM variable, TMUX or SKEP_*: what the test controls. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === "TMUX" || k.startsWith("SKEP_") || Object.keys(llmEnvFingerprint({ [k]: v })).length) continue;
    env[k] = v;
  }
  return { ...env, SKEP_WORKERS: "2", ...extra };
}

function skep(args: string[], env: Record<string, string>) {
  const p = Bun.spawnSync([BUN, MAIN, ...args], { env, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

test("daemon start in a tmux server started with other LLM variables: the daemon has the shell's; doctor tells a shell that differs", async () => {
  if (!Bun.which("tmux")) return;
  const tmuxDir = tempDir("skep-tmux-");
  // The tmux server starts (the person's `work` session) with an old account and endpoint.
  const serverEnv = cleanEnv({ TMUX_TMPDIR: tmuxDir, ANTHROPIC_BASE_URL: "http://stale.invalid", ANTHROPIC_API_KEY: "old-key" });
  onCleanup(() => void Bun.spawnSync(["tmux", "kill-server"], { env: serverEnv, stdout: "ignore", stderr: "ignore" }));
  expect(Bun.spawnSync(["tmux", "new-session", "-d", "-s", "work", "sleep 600"], { env: serverEnv }).exitCode).toBe(0);

  const root = makeRepo(sampleFiles(2));
  const shell = cleanEnv({ TMUX_TMPDIR: tmuxDir, ANTHROPIC_BASE_URL: "http://127.0.0.1:9/mine", CLAUDE_CONFIG_DIR: "/tmp/claude-conf" });
  const start = skep(["daemon", "start", "--repo", root], shell);
  expect(start.code, start.stderr).toBe(0);
  expect(start.stdout).toContain("tmux session");
  onCleanup(() => void skep(["daemon", "stop", "--repo", root], shell));
  const info = await waitForPing(pathsFor(root));
  expect(info.llmEnv).toEqual(llmEnvFingerprint({ ANTHROPIC_BASE_URL: "http://127.0.0.1:9/mine", CLAUDE_CONFIG_DIR: "/tmp/claude-conf" }));

  const same = skep(["doctor", "--repo", root], shell);
  expect(same.stdout).not.toContain("LLM environment differs");
  const other = skep(["doctor", "--repo", root], { ...shell, ANTHROPIC_BASE_URL: "http://127.0.0.1:9/other" });
  expect(other.stdout).toContain("its LLM environment differs from this shell's: ANTHROPIC_BASE_URL");
  expect(other.stdout).toContain("skep daemon restart");
  expect(other.stdout).not.toContain("127.0.0.1:9"); // names, never values

  // restart from the other shell: the daemon now has that shell's.
  const restart = skep(["daemon", "restart", "--repo", root], { ...shell, ANTHROPIC_BASE_URL: "http://127.0.0.1:9/other" });
  expect(restart.code, restart.stderr).toBe(0);
  const again = await waitForPing(pathsFor(root));
  expect(again.llmEnv?.ANTHROPIC_BASE_URL).toBe(llmEnvFingerprint({ ANTHROPIC_BASE_URL: "http://127.0.0.1:9/other" }).ANTHROPIC_BASE_URL);
});

// `skep task create` with an LLM CLI that cannot start: it says what to install or configure,
// exits 1, stores no task and records no LLM call, in the CLI and through the daemon alike
// (issue 11, defect 5).
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { TaskStore } from "../../src/tasks/store.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, onCleanup, tempDir } from "../support/temp.ts";

setDefaultTimeout(120_000);
afterAll(cleanupAll);

/** The PATH without any directory that holds a `claude`. */
function pathWithoutClaude(): string {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((d) => d && !existsSync(join(d, "claude")))
    .join(delimiter);
}

function setup() {
  const root = initRepo(join(tempDir("skep-preflight-"), "repo"), { "src/main.ts": "export function main(): number {\n  return 1;\n}\n" });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "TMUX") env[k] = v;
  Object.assign(env, { SKEP_NO_TMUX: "1", SKEP_HOME: tempDir("skep-preflight-home-"), PATH: pathWithoutClaude() });
  const skep = (args: string[], extra: Record<string, string> = {}) => {
    const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd: root, env: { ...env, ...extra }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  };
  expect(skep(["init", "--no-daemon"]).code).toBe(0);
  return { root, skep };
}

function expectNothingStored(root: string): void {
  if (!existsSync(join(root, ".skep", "tasks.db"))) return;
  const store = TaskStore.open(join(root, ".skep"));
  try {
    expect(store.list().length).toBe(0);
    expect(store.calls().length).toBe(0);
  } finally {
    store.close();
  }
}

test("no claude on the PATH: task create exits 1 naming what to install; no task, no LLM call", () => {
  const { root, skep } = setup();
  const r = skep(["task", "create", "add a health endpoint"], { SKEP_NO_DAEMON: "1" });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("`claude` not found on the PATH");
  expect(r.stderr).toContain("npm install -g @anthropic-ai/claude-code");
  expect(r.stderr).toContain("Nothing was created");
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expectNothingStored(root);
  // --dry-run too.
  expect(skep(["task", "create", "--dry-run", "add a health endpoint"], { SKEP_NO_DAEMON: "1" }).code).toBe(1);
  expectNothingStored(root);
  // A claude_bin that is not there is named as such.
  expect(skep(["config", "claude_bin", "/nonexistent/claude"]).code).toBe(0);
  // Set in the repo's config, it is not run (nor looked for) before this user trusts it...
  const untrusted = skep(["task", "create", "add a health endpoint"], { SKEP_NO_DAEMON: "1" });
  expect(untrusted.code).toBe(1);
  expect(untrusted.stderr).toContain("claude_bin `/nonexistent/claude` in .skep/config.json is not trusted on this machine");
  expectNothingStored(root);
  // ...and once trusted, a missing file is named as such.
  expect(skep(["trust", "--yes"]).code).toBe(0);
  const bin = skep(["task", "create", "add a health endpoint"], { SKEP_NO_DAEMON: "1" });
  expect(bin.code).toBe(1);
  expect(bin.stderr).toContain("/nonexistent/claude (from claude_bin in .skep/config.json) is not an executable file");
  expectNothingStored(root);
});

test("through a running daemon: the same refusal, exit 1, nothing stored", async () => {
  const { root, skep } = setup();
  const start = skep(["daemon", "start"]);
  expect(start.code, start.stderr).toBe(0);
  onCleanup(() => void skep(["daemon", "stop"]));
  const r = skep(["task", "create", "add a health endpoint"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("`claude` not found on the PATH");
  expectNothingStored(root);
  expect(skep(["daemon", "stop"]).code).toBe(0);
});

test("skep init offers the LLM CLIs on the PATH; doctor checks the one the config names, with its version", () => {
  // Stand-ins on the PATH (doctor runs `--version`; nothing here runs a model).
  const bin = tempDir("skep-preflight-bin-");
  writeFileSync(join(bin, "codex"), "#!/bin/sh\necho 'codex-cli 9.8.7'\n", { mode: 0o755 });
  writeFileSync(join(bin, "gemini"), "#!/bin/sh\necho '6.5.4'\n", { mode: 0o755 });
  const path = [bin, ...pathWithoutClaude().split(delimiter).filter((d) => !existsSync(join(d, "codex")) && !existsSync(join(d, "gemini")))].join(delimiter);
  const root = initRepo(join(tempDir("skep-preflight-"), "repo"), { "src/main.ts": "export const x = 1;\n" });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "TMUX") env[k] = v;
  Object.assign(env, { SKEP_NO_TMUX: "1", SKEP_HOME: tempDir("skep-preflight-home-"), PATH: path, HOME: tempDir("skep-preflight-user-") });
  const skep = (args: string[]) => {
    const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd: root, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  };
  const init = skep(["init", "--no-daemon"]);
  expect(init.code).toBe(0);
  expect(init.stdout).toContain("LLM:        codex, gemini on the PATH; using codex (or skep config llm gemini;");
  expect(JSON.parse(readFileSync(join(root, ".skep/config.json"), "utf8")).llm).toBe("codex");
  expect(skep(["config", "llm_classify", "gemini"]).code).toBe(0);
  const doctor = skep(["doctor", "--json"]);
  const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string }[] }).checks;
  expect(checks.find((c) => c.name === "llm.codex")).toMatchObject({ status: "ok", detail: `llm=codex (dedup, plan, step): Codex CLI 9.8.7 at ${join(bin, "codex")}` });
  expect(checks.find((c) => c.name === "llm.gemini")).toMatchObject({ status: "ok", detail: `llm=gemini (classify): Gemini CLI 6.5.4 at ${join(bin, "gemini")}` });
  expect(checks.find((c) => c.name === "llm.claude")).toBeUndefined();
  // A codex_bin from the repo's config is not run before the user trusts it.
  expect(skep(["config", "codex_bin", join(bin, "codex")]).code).toBe(0);
  const untrusted = (JSON.parse(skep(["doctor", "--json"]).stdout) as { checks: { name: string; status: string; detail: string }[] }).checks.find((c) => c.name === "llm.codex");
  expect(untrusted?.status).toBe("fail");
  expect(untrusted?.detail).toContain("codex_bin");
  expect(untrusted?.detail).toContain("not trusted on this machine");
});

// Small things a person reads (issue 11, defect 6): commit subjects say the verb once, `skep cost
// --all` ends with a workspace total, `--help` lines end without spaces, list rows fit a popup's
// width without cutting the token count.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { listRow } from "../../src/cli/task-print.ts";
import type { LlmResult } from "../../src/llm/backend.ts";
import { commitSubject } from "../../src/tasks/format.ts";
import { TaskStore } from "../../src/tasks/store.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, tempDir } from "../support/temp.ts";

setDefaultTimeout(60_000);
afterAll(cleanupAll);

function skep(args: string[], cwd: string, extra: Record<string, string> = {}) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "TMUX" && k !== "COLUMNS") env[k] = v;
  const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd, env: { ...env, SKEP_NO_DAEMON: "1", SKEP_HOME: tempDir("skep-home-"), ...extra }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

function call(input: number, cacheRead: number): LlmResult {
  return { ok: true, text: "", error: null, usage: { input, output: 10, cacheCreation: 0, cacheRead }, costUsd: 0.01, durationMs: 5, exitCode: 0, model: null, sessionId: null, backend: "script", aborted: false };
}

test("commit subjects say the verb once", () => {
  expect(commitSubject(1, { seq: 1, verb: "add", description: "Add api/versiondetails.go" })).toBe("skep(task 1) step 1: Add api/versiondetails.go");
  expect(commitSubject(1, { seq: 2, verb: "modify", description: "Use sub in main" })).toBe("skep(task 1) step 2: modify Use sub in main");
  expect(commitSubject(3, { seq: 4, verb: "test", description: "tests for the handler" })).toBe("skep(task 3) step 4: test tests for the handler");
  expect(commitSubject(1, { seq: 1, verb: "add", description: "Additional  checks\nfor x" })).toBe("skep(task 1) step 1: add Additional checks for x");
});

test("skep cost --all: one line per repo, then the workspace total (text and JSON)", () => {
  const ws = tempDir("skep-cost-ws-");
  const repos = ["backend", "mobile"].map((name) => initRepo(join(ws, name), { "a.ts": "export const a = 1;\n" }));
  for (const r of repos) expect(skep(["init", "--workspace", ws, "--no-daemon"], r).code).toBe(0);
  const tokens: [number, number][] = [
    [1000, 5000],
    [2000, 0],
  ];
  repos.forEach((r, i) => {
    const store = TaskStore.open(join(r, ".skep"));
    const id = store.insert({ name: `t${i}`, description: `t${i}` });
    store.recordCall({ taskId: id, purpose: "step", result: call(...tokens[i]!) });
    store.close();
  });
  const text = skep(["cost", "--all"], repos[0]!);
  expect(text.code, text.stderr).toBe(0);
  const lines = text.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(3);
  expect(lines[2]).toMatch(/^workspace total\s+2 tasks  3,500 effective input \(input 3,000, output 20, cache write 0, cache read 5,000; 2 calls/);
  const json = JSON.parse(skep(["cost", "--all", "--json"], repos[0]!).stdout);
  expect(json.total).toMatchObject({ calls: 2, input: 3000, cacheRead: 5000, effectiveInput: 3500 });
});

test("--help: no line ends in spaces", () => {
  const cwd = tempDir("skep-help-");
  for (const args of [["--help"], ["task", "--help"], ["task", "create", "--help"], ["workspace", "--help"], ["daemon"]]) {
    const r = skep(args, cwd);
    expect(r.stdout.length).toBeGreaterThan(50);
    expect(r.stdout.split("\n").filter((l) => / $/.test(l))).toEqual([]);
  }
});

test("list rows fit a width by shortening the branch, then the name; the token count stays whole", () => {
  const store = TaskStore.open(tempDir("skep-rows-"));
  const id = store.insert({ name: "switch-auth-to-backend-routes", description: "x" });
  for (const to of ["approved", "queued", "executing", "done"] as const) store.transition(id, to, { patch: to === "executing" ? { branch: `skep/task-${id}-switch-auth-to-backend-routes` } : undefined });
  store.recordCall({ taskId: id, purpose: "step", result: call(18_000, 4_200) });
  const t = store.get(id);
  store.close();
  const whole = listRow(t, "mobile");
  expect(whole).toContain("→ skep/task-1-switch-auth-to-backend-routes  18,420 tok");
  for (const width of [100, 70, 50, 40]) {
    const first = listRow(t, "mobile", width).split("\n")[0]!;
    expect(first.length).toBeLessThanOrEqual(width);
    expect(first.endsWith("  18,420 tok")).toBe(true);
  }
  expect(listRow(t, "mobile", 80).split("\n")[0]).toContain("→ skep/task-1-");
});

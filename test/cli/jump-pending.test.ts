// Approvals from the cockpit (issue 11, criterion 8, in part): `skep task jump-pending` shows the
// oldest task of the workspace waiting for a person with the commands that answer it (bound to
// prefix ! by `cockpit setup`), and the live dashboard rings the bell once when a task starts
// waiting, unless the repo's approval_watchdog is false.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { WatchFrame } from "../../src/protocol/workspace.ts";
import { TaskStore } from "../../src/tasks/store.ts";
import { bellFor } from "../../src/cockpit/dashboard.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, tempDir } from "../support/temp.ts";

setDefaultTimeout(60_000);
afterAll(cleanupAll);

function skep(args: string[], cwd: string, home: string) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "TMUX" && k !== "COLUMNS") env[k] = v;
  const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd, env: { ...env, SKEP_NO_DAEMON: "1", SKEP_HOME: home, HOME: home }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

test("jump-pending: the oldest waiting task across the workspace, with approve and reject commands; none: says so", () => {
  const ws = tempDir("skep-jump-ws-");
  const home = tempDir("skep-jump-home-");
  const [backend, mobile] = ["backend", "mobile"].map((n) => initRepo(join(ws, n), { "a.ts": "export const a = 1;\n" }));
  for (const r of [backend!, mobile!]) expect(skep(["init", "--workspace", ws, "--no-daemon"], r, home).code).toBe(0);
  expect(skep(["task", "jump-pending"], mobile!, home).stdout).toContain("no task is waiting for a person");
  const add = (root: string, name: string, at: string) => {
    const store = TaskStore.open(join(root, ".skep"));
    const id = store.insert({ name, description: name });
    store.transition(id, "pending", { reason: "large: waiting for approval" });
    store.db.query("UPDATE tasks SET created_at = ? WHERE id = ?").run(at, id);
    store.close();
    return id;
  };
  add(mobile!, "switch-auth", "2026-01-02T00:00:00.000Z");
  add(backend!, "add-auth-routes", "2026-01-01T00:00:00.000Z");
  const r = skep(["task", "jump-pending"], mobile!, home);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain("backend #1 add-auth-routes");
  expect(r.stdout).toContain(`approve: skep task approve 1 --repo ${backend}`);
  expect(r.stdout).toContain(`reject:  skep task reject 1 --repo ${backend}`);
  // cockpit setup binds it to prefix !.
  expect(skep(["cockpit", "setup"], mobile!, home).code).toBe(0);
  const conf = readFileSync(join(home, ".tmux.conf.d", "skep.conf"), "utf8");
  expect(conf).toMatch(/^bind ! display-popup .* task jump-pending/m);
});

function frame(tasks: { repo: string; id: number; status: string }[]): WatchFrame {
  return { tasks: tasks.map((t) => ({ ...t, name: "x", classification: null, branch: null, createdAt: "", updatedAt: "", tokens: { calls: 0, input: 0, cacheRead: 0, effectiveInput: 0 } })) } as unknown as WatchFrame;
}

test("the bell: once per task that starts waiting while the dashboard runs; not for what waited at start; not in a quiet repo", () => {
  const first = bellFor(frame([{ repo: "api", id: 1, status: "pending" }]), null, new Set());
  expect(first.ring).toBe(false);
  const same = bellFor(frame([{ repo: "api", id: 1, status: "pending" }]), first.waiting, new Set());
  expect(same.ring).toBe(false);
  const added = bellFor(frame([{ repo: "api", id: 1, status: "pending" }, { repo: "web", id: 1, status: "pending_clarification" }]), same.waiting, new Set());
  expect(added.ring).toBe(true);
  expect(bellFor(frame([{ repo: "api", id: 1, status: "pending" }, { repo: "web", id: 1, status: "pending_clarification" }]), added.waiting, new Set()).ring).toBe(false);
  expect(bellFor(frame([{ repo: "web", id: 2, status: "pending" }]), added.waiting, new Set(["web"])).ring).toBe(false);
  expect(bellFor(frame([{ repo: "web", id: 2, status: "executing" }]), added.waiting, new Set()).ring).toBe(false);
});

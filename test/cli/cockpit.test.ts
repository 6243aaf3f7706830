// Seeing every repo's tasks at once, through the real CLI: `workspace watch --once` (rows, order,
// header counts, token total, unreadable and vanished repos), `workspace list`, `status --oneline`
// (idle, busy, outside any repo), and `cockpit setup|reset|status` with a temp HOME and a real
// tmux server on a private socket that loads the snippet.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LlmResult } from "../../src/llm/backend.ts";
import type { TaskStatus } from "../../src/protocol/tasks.ts";
import { OnelineAnswer, WatchFrame, WorkspaceListAnswer } from "../../src/protocol/workspace.ts";
import { TaskStore } from "../../src/tasks/store.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, onCleanup, tempDir } from "../support/temp.ts";

setDefaultTimeout(60_000);
afterAll(cleanupAll);

function env(extra: Record<string, string> = {}): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "TMUX" && k !== "NO_COLOR") e[k] = v;
  return { ...e, SKEP_NO_DAEMON: "1", SKEP_HOME: tempDir("skep-cockpit-home-"), ...extra };
}

function run(args: string[], cwd: string, extra: Record<string, string> = {}) {
  const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd, env: env(extra), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** One LLM call for the ledger (the numbers are what the dashboard sums). */
function call(input: number, cacheRead: number): LlmResult {
  return { ok: true, text: "", error: null, usage: { input, output: 10, cacheCreation: 0, cacheRead }, costUsd: 0, durationMs: 5, exitCode: 0, model: null, sessionId: null, backend: "script", aborted: false };
}

/** Walk a task to `status` through legal transitions, as the pipeline and executor would. */
const PATHS: Record<string, TaskStatus[]> = {
  executing: ["approved", "queued", "executing"],
  queued: ["approved", "queued"],
  pending: ["pending"],
  pending_clarification: ["pending_clarification"],
  done: ["approved", "queued", "executing", "done"],
  failed: ["approved", "queued", "executing", "failed"],
  rejected: ["rejected"],
};

function addTask(store: TaskStore, name: string, status: TaskStatus, createdAt: string, tokens?: [number, number]): number {
  const id = store.insert({ name, description: name });
  for (const to of PATHS[status] ?? []) store.transition(id, to, { patch: to === "executing" ? { branch: `skep/task-${id}-${name}` } : undefined });
  store.db.query("UPDATE tasks SET created_at = ? WHERE id = ?").run(createdAt, id);
  if (tokens) store.recordCall({ taskId: id, purpose: "step", result: call(tokens[0], tokens[1]) });
  return id;
}

/** Two repos in a workspace with tasks in several states, a third whose store is garbage, a fourth that is gone. */
function workspace() {
  const ws = tempDir("skep-cockpit-ws-");
  const repos: Record<string, string> = {};
  for (const name of ["api", "web", "broken", "gone"]) {
    repos[name] = initRepo(join(ws, name), { "a.ts": "export const a = 1;\n" });
    expect(run(["init", "--workspace", ws, "--no-daemon"], repos[name]!).code).toBe(0);
  }
  const api = TaskStore.open(join(repos.api!, ".skep"));
  addTask(api, "old-done", "done", "2025-01-01T00:00:00.000Z", [1000, 5000]); // api#1: 1,500
  addTask(api, "run-me", "executing", "2025-01-02T00:00:00.000Z", [2000, 0]); // api#2: 2,000
  addTask(api, "ask-me", "pending_clarification", "2025-01-03T00:00:00.000Z"); // api#3
  addTask(api, "approve-me", "pending", "2025-01-05T00:00:00.000Z"); // api#4 (newer pending)
  api.recordCall({ taskId: null, purpose: "dedup", result: call(100, 0) }); // unattributed: in the total only
  api.close();
  const web = TaskStore.open(join(repos.web!, ".skep"));
  addTask(web, "web-pending", "pending", "2025-01-04T00:00:00.000Z", [300, 1000]); // web#1: 400 (older pending)
  addTask(web, "web-failed", "failed", "2025-01-06T00:00:00.000Z"); // web#2
  addTask(web, "web-queued", "queued", "2025-01-07T00:00:00.000Z"); // web#3
  addTask(web, "web-runs-too", "executing", "2025-01-08T00:00:00.000Z"); // web#4: newest executing
  web.close();
  writeFileSync(join(repos.broken!, ".skep", "tasks.db"), "this is not a database, just text that is long enough to not be empty".repeat(20));
  rmSync(repos.gone!, { recursive: true, force: true });
  return { ws, repos };
}

describe("skep workspace watch and list", () => {
  test("rows in status order, newest first; header counts; token total; unreadable and missing repos named", () => {
    const { ws, repos } = workspace();
    const r = run(["workspace", "watch", "--once"], repos.api!);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toContain(`skep workspace ${ws}`);
    expect(lines[1]).toBe("4 repos • 6 tasks in flight • 2 executing • 2 waiting for approval • 1 needs clarification");
    expect(lines[3]).toMatch(/^ID\s+REPO\s+NAME\s+STATUS\s+CLASS\s+AGE\s+TOKENS\s+BRANCH$/);
    // executing (newest first), queued, pending (newest first), pending_clarification, failed, done.
    const rows = lines.slice(4, 12).map((l) => l.split(/\s+/).slice(0, 4).join(" "));
    expect(rows).toEqual([
      "#4 web web-runs-too executing",
      "#2 api run-me executing",
      "#3 web web-queued queued",
      "#4 api approve-me pending",
      "#1 web web-pending pending",
      "#3 api ask-me pending_clarification",
      "#2 web web-failed failed",
      "#1 api old-done done",
    ]);
    expect(lines[5]).toMatch(/#2\s+api\s+run-me\s+executing\s+-\s+\d+d\s+2,000\s+skep\/task-2-run-me$/);
    expect(lines[11]).toMatch(/#1\s+api\s+old-done\s+done\s+-\s+\d+d\s+1,500\s+skep\/task-1-old-done$/);
    const broken = lines.find((l) => /^-\s+broken\s/.test(l));
    expect(broken).toContain(".skep/tasks.db cannot be read: file is not a database");
    expect(lines.find((l) => /^-\s+gone\s/.test(l))).toContain(`repo path is gone: ${repos.gone}`);
    // 1,500 + 2,000 + 100 (api's dedup call) + 400 (web).
    expect(r.stdout).toContain("workspace total: 4,000 effective input tokens over 4 LLM calls");
    // Read-only: the garbage file is still there, not moved aside and replaced.
    expect(readFileSync(join(repos.broken!, ".skep", "tasks.db"), "utf8")).toStartWith("this is not a database");
    expect(readdirSync(join(repos.broken!, ".skep")).filter((f) => f.includes("corrupt"))).toEqual([]);
    // Piped: no colour codes.
    expect(r.stdout).not.toContain("\x1b[");
  });

  test("--json is the documented frame; COLUMNS truncates NAME and BRANCH", () => {
    const { repos } = workspace();
    const frame = WatchFrame.parse(JSON.parse(run(["workspace", "watch", "--once", "--json"], repos.web!).stdout));
    expect(frame.scope).toBe("workspace");
    expect(frame.counts).toEqual({ repos: 4, inFlight: 6, executing: 2, waitingApproval: 2, needsClarification: 1 });
    expect(frame.tasks.map((t) => `${t.repo}#${t.id}`)).toEqual(["web#4", "api#2", "web#3", "api#4", "web#1", "api#3", "web#2", "api#1"]);
    expect(frame.total.effectiveInput).toBe(4000);
    expect(Object.fromEntries(frame.repos.map((r) => [r.name, r.state]))).toEqual({ api: "ok", web: "ok", broken: "unreadable", gone: "missing" });
    expect(frame.repos.find((r) => r.name === "api")!.counts).toEqual({ done: 1, executing: 1, pending_clarification: 1, pending: 1 });

    const narrow = run(["workspace", "watch", "--once"], repos.web!, { COLUMNS: "70" });
    const body = narrow.stdout.split("\n").filter((l) => l.startsWith("#"));
    for (const l of body) expect(l.length).toBeLessThanOrEqual(70);
    expect(body.some((l) => l.includes("…"))).toBe(true);
  });

  test("outside a workspace: the repo alone, said in the header; nowhere: exit 1", () => {
    const root = initRepo(join(tempDir("skep-cockpit-solo-"), "solo"), { "a.ts": "export const a = 1;\n" });
    expect(run(["init", "--no-daemon"], root).code).toBe(0);
    const s = TaskStore.open(join(root, ".skep"));
    addTask(s, "solo-task", "pending", "2025-02-01T00:00:00.000Z");
    s.close();
    const r = run(["workspace", "watch", "--once"], join(root));
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toContain(`repo ${root} (no workspace above it: this repo alone)`);
    expect(r.stdout).toContain("1 repo • 1 task in flight • 0 executing • 1 waiting for approval • 0 need clarification");
    expect(r.stdout).toMatch(/#1\s+solo\s+solo-task\s+pending/);
    expect(r.stdout).toContain("repo total: 0 effective input tokens over 0 LLM calls");
    const nowhere = run(["workspace", "watch", "--once"], tempDir("skep-cockpit-nowhere-"));
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain("no skep workspace or repo at");
    expect(run(["workspace", "watch", "--once", "--interval", "soon"], root).code).toBe(2);
  });

  test("a registry that is not JSON: the reason, exit 1; the status line says so and exits 0", () => {
    const { ws, repos } = workspace();
    writeFileSync(join(ws, ".skep-workspace", "registry.json"), "{ not json");
    const r = run(["workspace", "watch", "--once"], repos.api!);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("the workspace registry cannot be read:");
    expect(run(["workspace", "list"], repos.api!).code).toBe(1);
    expect(run(["status", "--oneline"], repos.api!)).toMatchObject({ code: 0, stdout: "◠ (workspace registry unreadable)\n" });
  });

  test("live on a terminal (tmux pane): alternate screen, redrawn; q, then SIGTERM, restore the terminal", async () => {
    if (!Bun.which("tmux")) throw new Error("tmux is not installed: the live dashboard test needs it");
    const { repos } = workspace();
    // A socket in a temp dir: no server the user runs is touched, and no socket file outlives the test.
    const socket = join(tempDir("skep-tmux-"), "s");
    const tmux = (...args: string[]) => Bun.spawnSync(["tmux", "-S", socket, "-f", "/dev/null", ...args], { env: { ...env(), TMUX: "" }, stdout: "pipe", stderr: "pipe" }).stdout.toString();
    onCleanup(() => void tmux("kill-server"));
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 100 && !what(); i++) await Bun.sleep(100);
      return what();
    };
    const skepCmd = `${BUN} ${MAIN} workspace watch --interval 500ms`;
    for (const stop of ["q", "SIGTERM"] as const) {
      const session = `w-${stop}`;
      const e = env();
      const envs = ["SKEP_NO_DAEMON", "SKEP_HOME"].map((k) => `${k}=${e[k]}`).join(" ");
      // `-u CI`: the pane is a person's terminal even when the suite runs in CI (CI=true turns the
      // live screen off, as it should for a CI job's own pseudo-terminal).
      tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "30", "-c", repos.api!, `env -u CI ${envs} ${skepCmd}; echo EXITED rc=$?; sleep 60`);
      const screen = () => tmux("capture-pane", "-p", "-t", session);
      expect(await until(() => screen().includes("#4  web"))).toBe(true);
      expect(tmux("display", "-p", "-t", session, "#{alternate_on}").trim()).toBe("1");
      expect(screen()).toContain("every 500ms, q quits");
      if (stop === "q") {
        // Each tick reads the stores again: a task created meanwhile appears without a restart.
        const web = TaskStore.open(join(repos.web!, ".skep"));
        addTask(web, "arrived-later", "pending", new Date().toISOString());
        web.close();
        expect(await until(() => /#5\s+web\s+arrived-later\s+pending/.test(screen()))).toBe(true);
        tmux("send-keys", "-t", session, "q");
      } else {
        const shell = tmux("display", "-p", "-t", session, "#{pane_pid}").trim();
        const child = Bun.spawnSync(["pgrep", "-P", shell, "-f", "workspace watch"], { stdout: "pipe" }).stdout.toString().trim().split("\n")[0]!;
        process.kill(Number(child), "SIGTERM");
      }
      expect(await until(() => screen().includes("EXITED rc=0"))).toBe(true);
      expect(tmux("display", "-p", "-t", session, "#{alternate_on} #{cursor_flag}").trim()).toBe("0 1");
    }
    tmux("kill-server");
  });

  test("workspace list: every registered repo, whether it exists, daemon, task counts", () => {
    const { repos } = workspace();
    const text = run(["workspace"], repos.api!);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^api\s+-\s+4 \(1 executing, 1 pending, 1 pending_clarification\)\s+\//m);
    expect(text.stdout).toMatch(/^gone\s+-\s+repo path is gone/m);
    const list = WorkspaceListAnswer.parse(JSON.parse(run(["workspace", "list", "--json"], repos.api!).stdout));
    const byName = Object.fromEntries(list.repos.map((r) => [r.name, r]));
    expect(byName.web).toMatchObject({ exists: true, daemonRunning: false, tasks: 4, inFlight: 3, state: "ok" });
    expect(byName.gone).toMatchObject({ exists: false, state: "missing", tasks: 0 });
    expect(byName.broken).toMatchObject({ exists: true, state: "unreadable" });
  });
});

describe("skep status --oneline", () => {
  test("busy workspace: counts and the oldest task waiting for a person, with its repo", () => {
    const { repos } = workspace();
    const r = run(["status", "--oneline"], join(repos.api!));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("◠ 2 exec · 1 queued · 2 pending · 1 needs clarify · 🔔 api#3 needs clarify · ⚠ 2 unreadable\n");
    const tmux = run(["status", "--oneline", "--tmux"], repos.api!).stdout;
    expect(tmux).toContain("#[fg=green]2 exec#[default]");
    const json = OnelineAnswer.parse(JSON.parse(run(["status", "--oneline", "--json"], repos.web!).stdout));
    expect(json.waiting).toEqual({ repo: "api", id: 3, status: "pending_clarification" });
  });

  test("idle repo alone, a pending task names no repo, outside any repo; never non-zero", () => {
    const root = initRepo(join(tempDir("skep-oneline-"), "solo"), { "a.ts": "export const a = 1;\n" });
    expect(run(["init", "--no-daemon"], root).code).toBe(0);
    expect(run(["status", "--oneline"], root).stdout).toBe("◠ idle\n");
    const s = TaskStore.open(join(root, ".skep"));
    addTask(s, "finished", "done", "2025-02-01T00:00:00.000Z");
    expect(run(["status", "--oneline"], root).stdout).toBe("◠ idle\n");
    addTask(s, "wait-for-me", "pending", "2025-02-02T00:00:00.000Z");
    s.close();
    mkdirSync(join(root, "sub", "dir"), { recursive: true });
    expect(run(["status", "--oneline"], join(root, "sub", "dir")).stdout).toBe("◠ 1 pending · 🔔 #2 waiting approval\n");
    const outside = run(["status", "--oneline"], tempDir("skep-oneline-out-"));
    expect(outside).toMatchObject({ code: 0, stdout: "◠ (no skep repo)\n" });
    expect(run(["status", "--oneline", "--repo", "/no/such/dir"], root)).toMatchObject({ code: 0, stdout: "◠ (no skep repo)\n" });
    expect(run(["status", "--tmux"], root).code).toBe(2);
  });
});

describe("skep cockpit", () => {
  test("setup writes the snippet (backing up the old one), status reports it, reset removes it", () => {
    const home = tempDir("skep-cockpit-home-");
    const cwd = tempDir("skep-cockpit-cwd-");
    const h = { HOME: home, XDG_CONFIG_HOME: join(home, ".config") };
    const conf = join(home, ".tmux.conf.d", "skep.conf");

    const before = JSON.parse(run(["cockpit", "--json"], cwd, h).stdout);
    expect(before).toEqual({ conf_path: conf, installed: false, size: 0, user_tmux_conf: join(home, ".tmux.conf"), sourced: false, user_tmux_exists: false });

    const first = run(["cockpit", "setup"], cwd, h);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Wrote ${conf}`);
    expect(first.stdout).toContain("    source-file ~/.tmux.conf.d/skep.conf");
    expect(first.stdout).toContain("this skep runs from source");
    const text = readFileSync(conf, "utf8");
    expect(text).toContain("set -g status-right '#(skep status --oneline --tmux --repo #{q:pane_current_path})");
    expect(text).toContain("set -g status-interval 5");
    expect(text).toContain("'skep workspace watch'");
    expect(text).toContain("skep tasks --all");
    expect(existsSync(join(home, ".tmux.conf"))).toBe(false); // never written

    writeFileSync(join(home, ".tmux.conf"), "set -g mouse off\n# source-file ~/.tmux.conf.d/skep.conf\n");
    expect(JSON.parse(run(["cockpit", "status", "--json"], cwd, h).stdout)).toMatchObject({ installed: true, sourced: false, user_tmux_exists: true });
    writeFileSync(join(home, ".tmux.conf"), "set -g mouse off\nsource-file ~/.tmux.conf.d/skep.conf\n");
    const second = run(["cockpit", "setup"], cwd, h);
    expect(second.stdout).toContain("already sources it");
    expect(readFileSync(join(home, ".tmux.conf"), "utf8")).toBe("set -g mouse off\nsource-file ~/.tmux.conf.d/skep.conf\n");
    const backups = readdirSync(join(home, ".tmux.conf.d")).filter((f) => /^skep\.conf\.backup-\d+(-\d+)?$/.test(f));
    expect(backups).toHaveLength(1);
    expect(second.stdout).toContain(`(the previous one is kept as ${backups[0]})`);
    const status = JSON.parse(run(["cockpit", "status", "--json"], cwd, h).stdout);
    expect(status).toMatchObject({ conf_path: conf, installed: true, sourced: true, user_tmux_exists: true });
    expect(status.size).toBe(readFileSync(conf).length);
    // A glob naming the directory counts as sourcing it too.
    writeFileSync(join(home, ".tmux.conf"), "source-file -q '~/.tmux.conf.d/*.conf'\n");
    expect(JSON.parse(run(["cockpit", "status", "--json"], cwd, h).stdout).sourced).toBe(true);

    const reset = run(["cockpit", "reset"], cwd, h);
    expect(reset.stdout).toContain(`Removed ${conf}`);
    expect(reset.stdout).toContain("still sources it");
    expect(existsSync(conf)).toBe(false);
    expect(readdirSync(join(home, ".tmux.conf.d")).filter((f) => f.startsWith("skep.conf.backup-"))).toHaveLength(1);
    expect(run(["cockpit", "reset"], cwd, h).stdout).toContain("Nothing to remove");
  });

  test("a real tmux server loads the snippet without error", () => {
    if (!Bun.which("tmux")) throw new Error("tmux is not installed: the cockpit test needs it");
    const home = tempDir("skep-cockpit-tmux-");
    const h = { HOME: home, XDG_CONFIG_HOME: join(home, ".config") };
    expect(run(["cockpit", "setup"], home, h).code).toBe(0);
    const conf = join(home, ".tmux.conf.d", "skep.conf");
    const socket = join(tempDir("skep-tmux-"), "s");
    const tmux = (...args: string[]) => {
      const p = Bun.spawnSync(["tmux", "-S", socket, ...args], { cwd: home, env: { ...env(h), TMUX: "" }, stdout: "pipe", stderr: "pipe" });
      return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
    };
    onCleanup(() => void tmux("kill-server"));
    const started = tmux("-f", conf, "new-session", "-d", "-s", "cockpit");
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    // Sourcing again reports any error the server would otherwise keep to itself.
    expect(tmux("source-file", conf)).toMatchObject({ code: 0, stderr: "" });
    expect(tmux("show-options", "-g", "status-right").stdout).toContain("skep status --oneline");
    expect(tmux("show-options", "-g", "status-interval").stdout.trim()).toBe("status-interval 5");
    const keys = tmux("list-keys", "-T", "prefix").stdout;
    expect(keys).toContain("workspace watch");
    expect(keys).toContain("tasks --all");
    tmux("kill-server");
  });
});

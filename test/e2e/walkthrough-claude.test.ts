// The seed's cross-repo walkthrough as a person lives it (issue 11, "How this is checked"), with the
// real Claude Code CLI against the fake Messages API. A private tmux server holds the person's
// `work` session (an attached client) with the live dashboard in a split; `skep init` from there
// starts both daemons in hidden sessions (skep-backend, skep-mobile). The person approves the
// Kotlin mobile task, whose plan delegates the auth routes to the Go backend with the peer task
// approved on the person's behalf (criterion 9): the backend's task, gated `pending` there, is
// approved by mobile's executor once it has a plan, with no one at the backend; its pane appears in `work` by itself, ends on its last line and
// closes on Enter; the mobile side wakes on the backend's `done` (latency printed) having made no
// LLM call while it waited, and finishes; a second mobile task is approved with a key press on
// the dashboard and runs to done. Both ledgers equal the API's usage to the token, both checkouts
// are untouched, `skep daemon stop` exits 0 in both repos (and in 20 more start/stop rounds each,
// times printed), and no skep or tmux process is left.
import { expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DaemonClient } from "../../src/client/daemon-client.ts";
import type { Event } from "../../src/protocol/socket.ts";
import { clientSocketPath, daemonPaths } from "../../src/repo/daemon-paths.ts";
import { offlineClaudeEnv, useFakeClaude } from "../support/claude.ts";
import { FakeAnthropic, type Turn, type TurnContext, type Usage } from "../support/fake-anthropic.ts";
import { childEnv, git, makeRepo } from "../mcp/support.ts";
import { BUN, MAIN, onCleanup, tempDir } from "../support/temp.ts";
import { PersonTmux, until } from "../support/tmux.ts";

setDefaultTimeout(600_000);

let fake: FakeAnthropic;
let claude: string;
useFakeClaude((f, c) => ((fake = f), (claude = c)));

const MOBILE_TASK =
  "Switch authentication from direct session-provider calls to the new backend /auth/login, /auth/refresh, /auth/logout routes: add AuthApi, update the LoginViewModel [[scenario:walk]]";
const SECOND_TASK = "Second task: make NetworkModule provide AuthApi [[scenario:walk]]";
const DELEGATED = "add POST /auth/login, /auth/refresh, /auth/logout routes; return a JWT on login";

type Who = "mobile1" | "mobile2" | "backend";
type Purpose = "classify" | "plan" | "step";

function firstUserText(body: TurnContext["body"]): string {
  const first = body.messages?.find((m) => m.role === "user");
  if (!first) return "";
  return typeof first.content === "string" ? first.content : first.content.map((b) => b.text ?? "").join("\n");
}

/** Whose call a request is, and for what, from its prompt alone (the fake is stateless). */
function callOf(body: TurnContext["body"], roots: { backend: string; mobile: string }): { who: Who; purpose: Purpose; step: number; worktree: string } {
  const text = firstUserText(body);
  const purpose: Purpose = text.includes("You are the CLASSIFIER") ? "classify" : text.includes("You are the PLANNER") ? "plan" : "step";
  if (purpose !== "step") {
    const who: Who = text.includes("Requested by mobile task") ? "backend" : text.includes("Second task:") ? "mobile2" : "mobile1";
    return { who, purpose, step: 0, worktree: "" };
  }
  const step = Number(/<step number="(\d+)"/.exec(text)?.[1]);
  const worktree = /current directory, (\S+?)\. Change only/.exec(text)?.[1] ?? "";
  const who: Who = worktree.startsWith(roots.backend) ? "backend" : /\/task-2-/.test(worktree) ? "mobile2" : "mobile1";
  return { who, purpose, step, worktree };
}

/** Distinct usage per caller, purpose, step and turn: the ledgers' totals then mean something. */
function usageFor(who: Who, purpose: Purpose, step: number, turn: number): Usage {
  const base = { mobile1: 1000, mobile2: 3000, backend: 5000 }[who] + { classify: 0, plan: 200, step: 400 + 50 * step }[purpose];
  return { input_tokens: base + turn, output_tokens: 7 + turn, cache_creation_input_tokens: 10 * (turn + 1), cache_read_input_tokens: 900 + base / 10 + turn };
}

const classify = (reason: string) => JSON.stringify({ classification: "large", confidence: 0.9, reason, needs_clarification: false, clarifying_questions: [], reject_reason: null });
const plan = (steps: { verb: string; target_file: string; description: string; depends_on?: number[]; approve_peer?: boolean }[]) =>
  `Plan:\n${JSON.stringify({ plan: steps.map((s) => ({ symbols: [], acceptance: "done as described", depends_on: [], ...s })), files_affected: steps.map((s) => s.target_file).filter(Boolean) })}`;

const KT = "app/src/main/java/com/example";
const FILES = {
  mobile: {
    [`${KT}/net/LegacyAuthApi.kt`]: "package com.example.net\n\nclass LegacyAuthApi {\n    fun login(user: String, password: String): String = \"session\"\n}\n",
    [`${KT}/net/NetworkModule.kt`]: "package com.example.net\n\nobject NetworkModule {\n    fun legacyAuth(): LegacyAuthApi = LegacyAuthApi()\n}\n",
    [`${KT}/auth/LoginViewModel.kt`]: "package com.example.auth\n\nimport com.example.net.NetworkModule\n\nclass LoginViewModel {\n    fun login(user: String, password: String): String = NetworkModule.legacyAuth().login(user, password)\n}\n",
  },
  backend: {
    "go.mod": "module example.com/backend\n\ngo 1.21\n",
    "api/server.go": 'package api\n\nimport "net/http"\n\n// Routes registers the HTTP routes.\nfunc Routes(mux *http.ServeMux) {\n\tmux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })\n}\n',
  },
};

function turnFor(roots: { backend: string; mobile: string }) {
  return (ctx: TurnContext): Turn => {
    const c = callOf(ctx.body, roots);
    const usage = usageFor(c.who, c.purpose, c.step, ctx.turn);
    if (c.purpose === "classify") return { text: classify(`${c.who}: a change a person should look at`), usage };
    if (c.purpose === "plan") {
      if (c.who === "backend") return { text: plan([{ verb: "add", target_file: "api/auth.go", description: "Add the /auth/login, /auth/refresh and /auth/logout handlers" }]), usage };
      if (c.who === "mobile2") return { text: plan([{ verb: "modify", target_file: `${KT}/net/NetworkModule.kt`, description: "Provide AuthApi from NetworkModule" }]), usage };
      return {
        text: plan([
          { verb: "delegate", target_file: "", description: `Delegate to backend: ${DELEGATED}`, approve_peer: true },
          { verb: "add", target_file: `${KT}/net/AuthApi.kt`, description: "Add AuthApi with login, refresh and logout against /auth/*", depends_on: [0] },
          { verb: "modify", target_file: `${KT}/auth/LoginViewModel.kt`, description: "Call AuthApi.login from LoginViewModel", depends_on: [1] },
        ]),
        usage,
      };
    }
    const at = (p: string) => join(c.worktree, p);
    if (ctx.turn > 0) return { text: `${c.who} step ${c.step} done`, usage };
    const write = (file: string, content: string): Turn => ({ tools: [{ name: "Write", input: { file_path: at(file), content } }], usage });
    if (c.who === "backend") return write("api/auth.go", 'package api\n\nimport "net/http"\n\n// AuthRoutes registers /auth/login, /auth/refresh and /auth/logout.\nfunc AuthRoutes(mux *http.ServeMux) {\n\tfor _, p := range []string{"/auth/login", "/auth/refresh", "/auth/logout"} {\n\t\tmux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"token":"jwt"}`)) })\n\t}\n}\n');
    if (c.who === "mobile2") return write(`${KT}/net/NetworkModule.kt`, "package com.example.net\n\nobject NetworkModule {\n    fun auth(): AuthApi = AuthApi()\n}\n");
    if (c.step === 2) return write(`${KT}/net/AuthApi.kt`, 'package com.example.net\n\nclass AuthApi {\n    fun login(user: String, password: String): String = "jwt"\n    fun refresh(token: String): String = token\n    fun logout(token: String) {}\n}\n');
    return write(`${KT}/auth/LoginViewModel.kt`, "package com.example.auth\n\nimport com.example.net.AuthApi\n\nclass LoginViewModel(private val api: AuthApi = AuthApi()) {\n    fun login(user: String, password: String): String = api.login(user, password)\n}\n");
  };
}

interface TaskJson {
  id: number;
  status: string;
  reason: string | null;
  branch: string | null;
  steps: { verb: string; status: string; peer: { repo: string; taskId: number; status: string } | null }[];
  tokens: { calls: number; input: number; output: number; cacheCreation: number; cacheRead: number };
}

test("the cross-repo walkthrough in a person's tmux: panes, approvals, wake, ledgers, clean stops", async () => {
  const ws = tempDir("skep-walk-");
  const roots = { backend: makeRepo(FILES.backend, join(ws, "backend")), mobile: makeRepo(FILES.mobile, join(ws, "mobile")) };
  fake.add({ name: "walk", turns: Array.from({ length: 6 }, () => turnFor(roots)) });
  const home = tempDir("skep-walk-home-");
  // The person's shell: their LLM account (the fake), their skep home; tmux starts daemons.
  const env = childEnv({ ...offlineClaudeEnv(fake.url, { home, apiTimeoutMs: 60_000 }), SKEP_HOME: join(home, ".skep"), SKEP_CLAUDE_BIN: claude, SKEP_NO_TMUX: "0" });
  delete env.CI; // the dashboard pane is a person's terminal
  const t = await PersonTmux.start(env);
  const shell = { ...env, TMUX: t.tmuxVar };
  const skep = async (root: string, ...args: string[]) => {
    const p = Bun.spawn([BUN, MAIN, ...args, "--repo", root], { cwd: root, env: shell, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, stdout, stderr };
  };
  const json = async <T>(root: string, ...args: string[]): Promise<T> => {
    const r = await skep(root, ...args, "--json");
    if (r.code !== 0) throw new Error(`skep ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  const show = (root: string, id: number) => json<TaskJson>(root, "task", "show", String(id));
  onCleanup(async () => {
    for (const root of Object.values(roots)) await skep(root, "daemon", "stop");
  });

  for (const root of Object.values(roots)) {
    const init = await skep(root, "init", "--workspace", ws);
    expect(init.code, init.stderr).toBe(0);
    const cfg = join(root, ".skep", "config.json");
    writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(cfg, "utf8")), test_cmd: null }, null, 2));
  }
  // Both daemons run hidden in the person's server, each in its own session with no client.
  const sessions = t.run("list-sessions", "-F", "#{session_name} #{session_attached}").stdout.trim().split("\n").sort();
  expect(sessions).toEqual(["skep-backend 0", "skep-mobile 0", "work 1"]);
  const checkouts = Object.fromEntries(Object.entries(roots).map(([k, r]) => [k, { head: git(r, "rev-parse", "HEAD"), status: git(r, "status", "--porcelain") }]));

  // The dashboard beside the person's shell, as the seed sets it up.
  // -d: the person's focus stays in their shell, so task panes split the shell's side, not the dashboard.
  t.run("split-window", "-d", "-h", "-t", "work", "-c", roots.mobile, `env -u CI ${BUN} ${MAIN} workspace watch --interval 500ms`);
  const dashboard = t.panes().find((p) => p.session === "work" && p.left > 0)!.id;
  expect(await until(() => t.capture(dashboard).includes("ID  REPO"))).toBe(true);

  // Both daemons' events, as they happen: when the backend is done, when mobile wakes.
  const events: { at: number; repo: string; e: Event }[] = [];
  for (const [repo, root] of Object.entries(roots)) {
    const c = await DaemonClient.connect(clientSocketPath(daemonPaths(root, join(root, ".skep"))));
    onCleanup(() => c.close());
    await c.subscribe((e) => events.push({ at: performance.now(), repo, e }), ["task.*"]);
  }
  const progress = (repo: string, re: RegExp) => events.find((x) => x.repo === repo && x.e.event === "task.progress" && re.test((x.e.data as { message: string }).message));
  const mobileCalls = () => fake.requestsOf("walk").filter((r) => r.body && callOf(r.body, roots).who !== "backend").length;

  // 1. The mobile task: classified large, planned with a delegate step; the person approves it.
  const created = await json<{ task: TaskJson & { plan: { plan: { verb: string }[] } } }>(roots.mobile, "task", "create", MOBILE_TASK);
  expect(created.task.status).toBe("pending");
  expect(created.task.plan.plan.map((s) => s.verb)).toEqual(["delegate", "add", "modify"]);
  expect((await skep(roots.mobile, "task", "approve", "1")).code).toBe(0);
  // Its pane opens in the person's session.
  expect(await until(() => t.panes().some((p) => p.mark === `${roots.mobile}#1` && p.session === "work"), 60_000)).toBe(true);

  // 2. The backend's task appears, is gated `pending` there (large), and is approved by mobile's
  //    executor on the person's behalf: nobody touches the backend repo.
  const backendStatus = (to: string) => events.find((x) => x.repo === "backend" && x.e.event === "task.status" && (x.e.data as { taskId: number; to: string }).taskId === 1 && (x.e.data as { to: string }).to === to);
  expect(await until(() => !!backendStatus("approved"), 120_000)).toBe(true);
  expect(backendStatus("pending")).toBeDefined();
  expect((backendStatus("approved")!.e.data as { reason: string }).reason).toBe("approved by mobile task #1 on behalf of the person who approved its plan there");
  // Mobile's log says it approved on the person's behalf, and why.
  expect(await until(() => !!progress("mobile", /^approved backend task #1 on your behalf: the plan you approved says so/), 30_000)).toBe(true);
  const callsWhenWaiting = mobileCalls();

  // 3. The backend pane appears by itself, follows the task to its end, and closes on Enter.
  let backendPane = "";
  expect(await until(() => (backendPane = t.panes().find((p) => p.mark === `${roots.backend}#1`)?.id ?? "") !== "", 60_000)).toBe(true);
  expect(t.panes().find((p) => p.id === backendPane)).toMatchObject({ session: "work", title: expect.stringMatching(/^skep-1-/) });
  const backendEnded = await until(() => t.capture(backendPane).includes("--- task #1 done (exit 0) --- press Enter to close"), 120_000);
  if (!backendEnded) console.log(t.capture(backendPane), JSON.stringify(await show(roots.backend, 1), null, 1), fake.errors);
  expect(backendEnded).toBe(true);
  expect(t.capture(backendPane)).toContain("step 1/1: add api/auth.go");
  t.sendKeys(backendPane, "Enter");
  expect(await until(() => !t.panes().some((p) => p.id === backendPane))).toBe(true);

  // 4. Mobile wakes on the backend's done, without having called the LLM meanwhile, and finishes.
  expect(await until(() => !!progress("mobile", /^step 1\/3: delegate done/), 60_000)).toBe(true);
  const backendDone = events.find((x) => x.repo === "backend" && x.e.event === "task.status" && (x.e.data as { taskId: number; to: string }).taskId === 1 && (x.e.data as { to: string }).to === "done")!;
  const woke = progress("mobile", /^step 1\/3: delegate done/)!;
  expect(mobileCalls()).toBe(callsWhenWaiting); // zero LLM calls while waiting
  console.log(`wake latency: mobile's delegate step done ${(woke.at - backendDone.at).toFixed(1)} ms after backend's done event (both as this test received them)`);
  expect(await until(() => events.some((x) => x.repo === "mobile" && x.e.event === "task.status" && (x.e.data as { to: string; taskId: number }).taskId === 1 && ["done", "failed"].includes((x.e.data as { to: string }).to)), 120_000)).toBe(true);
  const mobileDone = await show(roots.mobile, 1);
  expect(mobileDone.status, mobileDone.reason ?? "").toBe("done");
  expect(mobileDone.steps[0]).toMatchObject({ verb: "delegate", status: "done", peer: { repo: "backend", taskId: 1, status: "done" } });
  const mobilePane = t.panes().find((p) => p.mark === `${roots.mobile}#1`)!.id;
  expect(await until(() => t.capture(mobilePane).includes("--- task #1 done (exit 0) --- press Enter to close"))).toBe(true);
  t.sendKeys(mobilePane, "Enter");
  expect(await until(() => !t.panes().some((p) => p.id === mobilePane))).toBe(true);

  // 5. A second mobile task, approved from the dashboard with a key press.
  const second = await json<{ task: TaskJson }>(roots.mobile, "task", "create", SECOND_TASK);
  expect(second.task).toMatchObject({ id: 2, status: "pending" });
  const selected = () => /\x1b\[(?:0;)?7m(?:\x1b\[[0-9;]*m)*(#\d+\s+\w+)/.exec(t.capture(dashboard, true))?.[1]?.replace(/\s+/g, " ") ?? null;
  expect(await until(() => t.capture(dashboard).includes("make-networkmodule") || /#2\s+mobile\s+\S+\s+pending/.test(t.capture(dashboard)))).toBe(true);
  for (let i = 0; i < 6 && selected() !== "#2 mobile"; i++) {
    t.sendKeys(dashboard, "k");
    await Bun.sleep(300);
  }
  expect(selected()).toBe("#2 mobile");
  t.sendKeys(dashboard, "a");
  expect(await until(() => t.capture(dashboard).includes("mobile#2 approved;"))).toBe(true);
  expect((await show(roots.mobile, 2)).status).not.toBe("pending");
  expect(await until(() => t.panes().some((p) => p.mark === `${roots.mobile}#2`), 60_000)).toBe(true);
  const secondPane = t.panes().find((p) => p.mark === `${roots.mobile}#2`)!.id;
  expect(await until(() => t.capture(secondPane).includes("--- task #2 done (exit 0) --- press Enter to close"), 120_000)).toBe(true);
  t.sendKeys(secondPane, "Enter");
  expect((await show(roots.mobile, 2)).status).toBe("done");
  expect((await show(roots.backend, 1)).status).toBe("done");
  expect(fake.errors).toEqual([]);

  // 6. Ledgers: each repo's equals the usage the API reported for its calls, to the token.
  for (const [repo, whos] of [["mobile", ["mobile1", "mobile2"]], ["backend", ["backend"]]] as const) {
    const want = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
    for (const r of fake.requestsOf("walk").filter((x) => x.body)) {
      const c = callOf(r.body!, roots);
      if (!(whos as readonly string[]).includes(c.who)) continue;
      const u = usageFor(c.who, c.purpose, c.step, r.turn!);
      want.input += u.input_tokens;
      want.output += u.output_tokens;
      want.cacheCreation += u.cache_creation_input_tokens ?? 0;
      want.cacheRead += u.cache_read_input_tokens ?? 0;
    }
    const cost = await json<{ total: typeof want & { calls: number } }>(roots[repo], "cost");
    expect(cost.total).toMatchObject(want);
    expect(cost.total.calls).toBe(repo === "mobile" ? 2 + 2 + 2 + 1 : 3); // classify, plan and steps (the delegate step makes none)
  }
  // 7. Both user checkouts are as they were.
  for (const [k, r] of Object.entries(roots)) expect({ head: git(r, "rev-parse", "HEAD"), status: git(r, "status", "--porcelain") }).toEqual(checkouts[k]!);

  // 8. `skep daemon stop` in both repos, with the person's session in the same server: exit 0,
  // and again over 20 start/stop rounds per repo (both repos at once).
  for (const root of Object.values(roots)) expect(await skep(root, "daemon", "stop")).toMatchObject({ code: 0 });
  const times: number[] = [];
  await Promise.all(
    Object.values(roots).map(async (root) => {
      for (let i = 0; i < 20; i++) {
        const started = await skep(root, "daemon", "start");
        expect(started.code, started.stderr).toBe(0);
        const t0 = performance.now();
        const stopped = await skep(root, "daemon", "stop");
        times.push(performance.now() - t0);
        expect(stopped.code, stopped.stderr).toBe(0);
      }
    }),
  );
  times.sort((a, b) => a - b);
  console.log(`daemon stop over ${times.length} rounds: median ${times[times.length >> 1]!.toFixed(0)} ms, max ${times[times.length - 1]!.toFixed(0)} ms`);

  // 9. Nothing left: the server goes, and with it every pane; no skep or tmux process names this test's dirs.
  t.stop();
  const left = () =>
    Bun.spawnSync(["ps", "-eo", "pid=,args="], { stdout: "pipe" })
      .stdout.toString()
      .split("\n")
      .filter((l) => (l.includes(ws) || l.includes(t.socket)) && !l.includes("ps -eo"));
  expect(await until(() => left().length === 0, 10_000), left().join("\n")).toBe(true);
}, 600_000);

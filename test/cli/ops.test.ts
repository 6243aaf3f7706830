// The operator commands as a user runs them: `skep doctor` against fake `claude` executables on
// the PATH (one that answers, one that hangs, one that prints garbage, one that fails, none at
// all), inside and outside a repo; `skep config` round trips and refusals against real files;
// `skep completion` scripts checked against the live command tree and run by bash itself (and by
// zsh and fish when they are installed). Subprocesses against temp repos, like cli.test.ts.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { completionTree } from "../../src/cli/completion/tree.ts";
import { app } from "../../src/cli/app.ts";
import { RepoConfig } from "../../src/protocol/config.ts";
import { ConfigEntry, ConfigList } from "../../src/protocol/config-cli.ts";
import { DoctorAnswer } from "../../src/protocol/doctor.ts";
import { TaskStore } from "../../src/tasks/store.ts";
import { initRepo, tempDir } from "../helpers/git-repo.ts";

setDefaultTimeout(120_000); // real subprocesses on a shared, busy machine

const PROJECT = join(import.meta.dir, "../..");
const MAIN = join(PROJECT, "src/main.ts");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

const tmp = tempDir("skep-ops-");
const cleanups: (() => void)[] = [tmp.cleanup];
afterAll(() => {
  for (const c of cleanups) c();
});
const home = join(tmp.dir, "home"); // SKEP_HOME: this file's own trust store
const userHome = join(tmp.dir, "userhome"); // HOME: no cockpit snippet unless a test writes one

/** A directory of one-line fake programs (written in beforeAll), so the machine's own versions do not matter. */
const tools = join(tmp.dir, "bin", "tools");

/**
 * The PATH the tests run with: the fake tmux and ctags first, and no directory that holds a
 * `claude`: the machine's own install must not answer for the fakes.
 */
const PATH_WITHOUT_CLAUDE = [tools, ...(process.env.PATH ?? "").split(delimiter).filter((d) => d && !existsSync(join(d, "claude")))].join(delimiter);

function env(extra: Record<string, string> = {}): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) e[k] = v;
  for (const k of ["NO_COLOR", "FORCE_COLOR", "CI", "SKEP_DIR", "SKEP_DEBUG", "SKEP_CLAUDE_BIN", "SKEP_NO_TMUX"]) delete e[k];
  return { ...e, SKEP_NO_DAEMON: "1", SKEP_HOME: home, HOME: userHome, PATH: PATH_WITHOUT_CLAUDE, ...extra };
}

function skep(args: string[], opts: { cwd?: string; env?: Record<string, string>; bin?: string } = {}): Run {
  const started = performance.now();
  const cmd = opts.bin ? [opts.bin, ...args] : [process.execPath, MAIN, ...args];
  const p = Bun.spawnSync(cmd, { cwd: opts.cwd ?? tmp.dir, env: env(opts.env), stdout: "pipe", stderr: "pipe" });
  const run = { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString(), ms: performance.now() - started };
  expect(run.stdout).not.toMatch(/[\r\x1b]/); // piped output is plain
  return run;
}

function ok(args: string[], opts?: Parameters<typeof skep>[1]): Run {
  const r = skep(args, opts);
  if (r.code !== 0) throw new Error(`skep ${args.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r;
}

/** A directory holding one executable shell script `program` with this body; its path for PATH. */
function fakeProgram(dir: string, program: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, program), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, program), 0o755);
  return dir;
}

const fakeClaude = (name: string, body: string) => fakeProgram(join(tmp.dir, "bin", name), "claude", body);

const withClaude = (dir: string) => ({ PATH: `${dir}${delimiter}${PATH_WITHOUT_CLAUDE}` });

function doctor(cwd: string, extra: Record<string, string> = {}): { run: Run; answer: DoctorAnswer } {
  const run = skep(["doctor", "--json"], { cwd, env: extra });
  const raw = JSON.parse(run.stdout);
  const answer = DoctorAnswer.parse(raw);
  expect(answer).toEqual(raw); // nothing undocumented
  expect(run.code).toBe(answer.healthy ? 0 : 1);
  return { run, answer };
}

function check(answer: DoctorAnswer, name: string) {
  const c = answer.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check '${name}' in ${answer.checks.map((x) => x.name).join(", ")}`);
  return c;
}

let repo: string;
let goodClaude: string;

beforeAll(() => {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  mkdirSync(userHome, { recursive: true });
  fakeProgram(tools, "tmux", 'echo "tmux 3.4"');
  fakeProgram(tools, "ctags", 'echo "Universal Ctags 6.1.0, Copyright (C) 2015-2023 Universal Ctags Team"');
  goodClaude = fakeClaude("good", 'echo "2.1.197 (Claude Code)"');
  repo = initRepo(join(tmp.dir, "shop"), {
    "package.json": JSON.stringify({ name: "shop", scripts: { test: "bun test" } }),
    "src/a.ts": "export function alpha(): number { return 1; }\n",
  });
  ok(["init", "--no-daemon", "--workspace", tmp.dir], { cwd: repo });
});

describe("skep doctor", () => {
  test("a working claude, git and a set-up repo: healthy, exit 0, every check in its order", () => {
    const { run, answer } = doctor(repo, withClaude(goodClaude));
    expect(run.code).toBe(0);
    expect(answer.healthy).toBe(true);
    expect(answer.root).toBe(repo);
    expect(answer.checks.map((c) => c.name)).toEqual(["llm.claude", "git", "tmux", "ctags", "os", "skep", "install", "completions", "repo", "config", "test_cmd", "index", "daemon", "workspace", "tasks"]);
    const llm = check(answer, "llm.claude");
    expect(llm).toMatchObject({ level: "critical", status: "ok" });
    expect(llm.detail).toContain(`Claude Code 2.1.197 at ${join(goodClaude, "claude")}`);
    expect(check(answer, "git").detail).toMatch(/^git version \d/);
    expect(check(answer, "install").detail).toStartWith("from source: ");
    expect(check(answer, "config")).toMatchObject({ status: "ok" });
    expect(check(answer, "config").detail).toContain("llm=claude");
    // init detected `npm test`; nobody trusted it here.
    expect(check(answer, "test_cmd")).toMatchObject({ level: "warning", status: "fail", fix: "skep trust" });
    expect(check(answer, "test_cmd").detail).toContain("`npm test`, not trusted on this machine");
    const index = check(answer, "index");
    expect(index.status).toBe("ok");
    expect(index.detail).toMatch(/^1 file, 1 symbol, schema \d+, built .*; fresh$/);
    expect(check(answer, "daemon").detail).toStartWith("not running");
    expect(check(answer, "workspace").detail).toContain(`${tmp.dir}: 1 repo registered; this repo is 'shop'`);
    expect(check(answer, "tasks").detail).toContain("no tasks.db yet");
  });

  test("human output: one line per check with ✓ ✗ ! marks, fixes, and the verdict", () => {
    const r = skep(["doctor"], { cwd: repo, env: withClaude(goodClaude) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ llm\.claude {2,}llm=claude \(dedup, classify, plan, step\): Claude Code 2\.1\.197 at /m);
    expect(r.stdout).toMatch(/^! test_cmd {2,}`npm test`, not trusted on this machine: tasks skip their tests\n {3,}fix: skep trust$/m);
    expect(r.stdout).toMatch(/^✓ git {2,}git version/m);
    expect(r.stdout.trimEnd()).toMatch(/\nskep is healthy \(1 warning, 1 note\)\.$/);
    const missing = skep(["doctor"], { cwd: repo });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^✗ llm\.claude {2,}llm=claude .*`claude` not found on the PATH\n {3,}fix: install Claude Code/m);
    expect(missing.stdout.trimEnd()).toMatch(/\nskep has 1 critical problem \(1 warning, 1 note\)\.$/);
  });

  test("claude missing from the PATH: critical, exit 1", () => {
    const { run, answer } = doctor(repo);
    expect(run.code).toBe(1);
    expect(answer.healthy).toBe(false);
    expect(check(answer, "llm.claude")).toMatchObject({ status: "fail", level: "critical" });
    expect(check(answer, "llm.claude").detail).toContain("`claude` not found on the PATH");
  });

  test("a claude that hangs is killed after the timeout and reported, not waited on", () => {
    const hang = fakeClaude("hang", "sleep 60");
    const { run, answer } = doctor(repo, withClaude(hang));
    expect(run.code).toBe(1);
    expect(check(answer, "llm.claude").detail).toContain("`claude --version` did not answer within 5 s (killed)");
    expect(run.ms).toBeLessThan(20_000);
  });

  test("a claude that prints garbage, or fails, is a failure with what it said", () => {
    const garbage = fakeClaude("garbage", 'echo "hello from some other claude"');
    const g = doctor(repo, withClaude(garbage));
    expect(g.run.code).toBe(1);
    expect(check(g.answer, "llm.claude").detail).toContain("--version printed no Claude Code version: 'hello from some other claude'");
    const failing = fakeClaude("failing", 'echo "segfault in module loader" >&2\nexit 3');
    const f = doctor(repo, withClaude(failing));
    expect(f.run.code).toBe(1);
    expect(check(f.answer, "llm.claude").detail).toContain("`claude --version` exited with code 3: segfault in module loader");
  });

  test("claude_bin in the config and SKEP_CLAUDE_BIN are followed, as tasks follow them", () => {
    const dir = join(repo, ".skep");
    const before = readFileSync(join(dir, "config.json"), "utf8");
    try {
      const set = ok(["config", "claude_bin", join(goodClaude, "claude")], { cwd: repo });
      expect(set.stderr).toContain(`note: skep will not run \`${join(goodClaude, "claude")}\` until you trust it on this machine: skep trust`);
      const untrusted = check(doctor(repo).answer, "llm.claude"); // named by the config file, not yet trusted: not run
      expect(untrusted).toMatchObject({ status: "fail", fix: "skep trust" });
      ok(["trust", "--yes"], { cwd: repo });
      const viaConfig = doctor(repo).answer; // not on the PATH, but configured and trusted
      expect(check(viaConfig, "llm.claude").status).toBe("ok");
      expect(check(viaConfig, "llm.claude").detail).toContain("(from claude_bin in .skep/config.json)");
      const garbage = fakeClaude("garbage2", "echo nope");
      const viaEnv = doctor(repo, { SKEP_CLAUDE_BIN: join(garbage, "claude") }).answer;
      expect(check(viaEnv, "llm.claude").detail).toContain(`${join(garbage, "claude")} --version printed no Claude Code version: 'nope'`);
    } finally {
      writeFileSync(join(dir, "config.json"), before);
    }
  });

  test("the script backend is checked for its answers file instead", () => {
    const cfg = join(repo, ".skep", "config.json");
    const before = readFileSync(cfg, "utf8");
    try {
      writeFileSync(cfg, JSON.stringify({ ...JSON.parse(before), llm: "script", llm_script: "answers.json", llm_step: "claude" }));
      const missing = doctor(repo, withClaude(goodClaude)).answer;
      expect(missing.checks.map((c) => c.name).slice(0, 2)).toEqual(["llm.script", "llm.claude"]);
      expect(check(missing, "llm.script")).toMatchObject({ status: "fail", level: "critical" });
      expect(check(missing, "llm.script").detail).toContain("llm=script (dedup, classify, plan)");
      expect(check(missing, "llm.claude").detail).toStartWith("llm=claude (step): Claude Code");
      writeFileSync(join(repo, "answers.json"), JSON.stringify({ answers: [{ purpose: "classify", text: "{}" }] }));
      const present = doctor(repo, withClaude(goodClaude)).answer;
      expect(check(present, "llm.script").detail).toContain(`replays 1 answer from ${join(repo, "answers.json")} (not a model)`);
      expect(present.healthy).toBe(true);
    } finally {
      writeFileSync(cfg, before);
      rmSync(join(repo, "answers.json"), { force: true });
    }
  });

  test("an invalid config.json is critical, with the schema's message; nothing is rewritten", () => {
    const cfg = join(repo, ".skep", "config.json");
    const before = readFileSync(cfg, "utf8");
    try {
      writeFileSync(cfg, JSON.stringify({ ...JSON.parse(before), step_timeout_sec: 0, tmux_layout: "sideways" }));
      const bad = readFileSync(cfg, "utf8");
      const { run, answer } = doctor(repo, withClaude(goodClaude));
      expect(run.code).toBe(1);
      const c = check(answer, "config");
      expect(c).toMatchObject({ level: "critical", status: "fail" });
      expect(c.detail).toContain("step_timeout_sec: Too small: expected number to be >=1");
      expect(c.detail).toContain("tmux_layout: Invalid option");
      expect(readFileSync(cfg, "utf8")).toBe(bad);
      writeFileSync(cfg, "{ not json");
      const notJson = check(doctor(repo, withClaude(goodClaude)).answer, "config");
      expect(notJson.detail).toContain("is not valid JSON");
      expect(readFileSync(cfg, "utf8")).toBe("{ not json");
    } finally {
      writeFileSync(cfg, before);
    }
  });

  test("trust, a stale index, a workspace entry whose repo is gone, tasks.db: each shows", () => {
    ok(["trust", "--yes"], { cwd: repo });
    writeFileSync(join(repo, "src/b.ts"), "export const beta = 2;\n");
    const reg = join(tmp.dir, ".skep-workspace", "registry.json");
    const regBefore = readFileSync(reg, "utf8");
    try {
      const r = JSON.parse(regBefore);
      r.agents.gone = { path: join(tmp.dir, "no-such-repo"), llm: "claude" };
      writeFileSync(reg, JSON.stringify(r));
      expect(ok(["task", "list"], { cwd: repo }).stdout).toContain("no tasks"); // a read makes no tasks.db
      expect(check(doctor(repo, withClaude(goodClaude)).answer, "tasks").detail).toBe("no tasks.db yet (the first task creates it)");
      TaskStore.open(join(repo, ".skep")).close(); // as the first task would
      const { answer } = doctor(repo, withClaude(goodClaude));
      expect(check(answer, "test_cmd")).toMatchObject({ status: "ok", detail: "`npm test`, trusted on this machine" });
      expect(check(answer, "index")).toMatchObject({ status: "fail", level: "info" });
      expect(check(answer, "index").detail).toContain("stale: 1 file changed since");
      const ws = check(answer, "workspace");
      expect(ws).toMatchObject({ status: "fail", level: "warning" });
      expect(ws.detail).toContain(`2 repos registered; this repo is 'shop'; missing: gone (${join(tmp.dir, "no-such-repo")})`);
      expect(check(answer, "tasks").detail).toContain("tasks.db: 0 tasks");
      expect(answer.healthy).toBe(true); // none of these is critical
    } finally {
      writeFileSync(reg, regBefore);
      ok(["trust", "--revoke"], { cwd: repo });
    }
  });

  test("tmux: missing is a warning, never critical; popups (cockpit, tmux_layout popup) need 3.2", () => {
    // A PATH with git and the fake claude only: no tmux, no ctags.
    const gitOnly = join(tmp.dir, "bin", "git-only");
    mkdirSync(gitOnly, { recursive: true });
    symlinkSync(Bun.which("git")!, join(gitOnly, "git"));
    const bare = doctor(repo, { PATH: `${goodClaude}${delimiter}${gitOnly}` });
    expect(bare.run.code).toBe(0);
    expect(check(bare.answer, "tmux")).toMatchObject({ level: "warning", status: "fail" });
    expect(check(bare.answer, "tmux").detail).toStartWith("not installed: `skep daemon start` runs the daemon detached");
    expect(check(bare.answer, "ctags")).toMatchObject({ level: "info", status: "fail" });
    expect(check(bare.answer, "ctags").detail).toStartWith("not installed (optional");

    const old = fakeProgram(join(tmp.dir, "bin", "old-tmux"), "tmux", 'echo "tmux 3.0a"');
    const oldEnv = { PATH: `${old}${delimiter}${goodClaude}${delimiter}${PATH_WITHOUT_CLAUDE}` };
    expect(check(doctor(repo, oldEnv).answer, "tmux")).toMatchObject({ status: "ok", detail: "tmux 3.0a" });
    const cfg = join(repo, ".skep", "config.json");
    const before = readFileSync(cfg, "utf8");
    const snippet = join(userHome, ".tmux.conf.d", "skep.conf");
    try {
      ok(["config", "tmux_layout", "popup"], { cwd: repo });
      const popup = doctor(repo, oldEnv);
      expect(check(popup.answer, "tmux")).toMatchObject({ level: "warning", status: "fail", detail: "tmux 3.0a: tmux_layout 'popup' needs tmux 3.2 or later (popups)" });
      expect(popup.run.code).toBe(0);
      writeFileSync(cfg, before);
      mkdirSync(join(userHome, ".tmux.conf.d"), { recursive: true });
      writeFileSync(snippet, "# skep cockpit\n");
      expect(check(doctor(repo, oldEnv).answer, "tmux").detail).toBe(`tmux 3.0a: the cockpit (${snippet}) needs tmux 3.2 or later (popups)`);
    } finally {
      writeFileSync(cfg, before);
      rmSync(snippet, { force: true });
    }
  });

  test("doctor changes nothing: .skep/, the trust store and the registry are byte-for-byte the same", () => {
    const snapshot = () => {
      const files: Record<string, string> = {};
      for (const dir of [join(repo, ".skep"), home, join(tmp.dir, ".skep-workspace")]) {
        for (const name of readdirSync(dir)) {
          const p = join(dir, name);
          // SQLite's shared-memory index of a WAL file is scratch space any reader maps.
          if (name.endsWith("-shm") || !statSync(p).isFile()) continue;
          files[p] = `${statSync(p).mtimeMs} ${readFileSync(p).toString("base64")}`;
        }
      }
      return files;
    };
    const before = snapshot();
    doctor(repo, withClaude(goodClaude));
    skep(["doctor"], { cwd: repo });
    expect(snapshot()).toEqual(before);
  });

  test("outside a repo: the programs are checked, the repo checks say 'not in a skep repo'", () => {
    const outside = join(tmp.dir, "plain");
    mkdirSync(outside, { recursive: true });
    const { run, answer } = doctor(outside, withClaude(goodClaude));
    expect(run.code).toBe(0);
    expect(answer.root).toBeNull();
    expect(check(answer, "llm.claude").status).toBe("ok");
    expect(check(answer, "repo")).toMatchObject({ status: "fail", level: "warning" });
    expect(check(answer, "repo").detail).toBe(`not in a skep repo: no .skep/ in ${outside}`);
    for (const n of ["config", "test_cmd", "index", "daemon", "tasks"]) expect(check(answer, n).detail).toBe("not in a skep repo");
    expect(check(answer, "workspace").detail).toStartWith(`${tmp.dir}: 1 repo registered`); // the workspace above is still found
    expect(existsSync(join(outside, ".skep"))).toBe(false);
  });
});

describe("skep config", () => {
  let r2: string;
  let cfg: string;
  beforeAll(() => {
    // Outside tmp.dir's workspace, so the doctor tests' registry stays as they expect.
    const own = tempDir("skep-ops-cfg-");
    cleanups.push(own.cleanup);
    r2 = initRepo(join(own.dir, "cfg"), { "a.go": "package a\n" });
    ok(["init", "--no-daemon"], { cwd: r2 });
    cfg = join(r2, ".skep", "config.json");
    // A key skep does not know, as a teammate's newer skep might write: it must survive every edit.
    writeFileSync(cfg, JSON.stringify({ llm: "claude", model: "sonnet", custom_thing: { keep: true } }, null, 2));
  });
  const file = () => JSON.parse(readFileSync(cfg, "utf8"));

  test("set and get round trip: snake_case or kebab-case, typed values, unknown keys and order kept", () => {
    expect(ok(["config", "model", "opus"], { cwd: r2 }).stdout).toBe("model = opus\n");
    expect(ok(["config", "model"], { cwd: r2 }).stdout).toBe("opus\n");
    expect(ok(["config", "get", "model"], { cwd: r2 }).stdout).toBe("opus\n");
    expect(ok(["config", "step-timeout-sec", "120"], { cwd: r2 }).stdout).toBe("step_timeout_sec = 120\n");
    expect(ok(["config", "auto-execute-small", "true"], { cwd: r2 }).stdout).toBe("auto_execute_small = true\n");
    expect(ok(["config", "tmux_layout", "window"], { cwd: r2 }).stdout).toBe("tmux_layout = window\n");
    expect(ok(["config", "set", "step_model_by_verb", '{"test": "haiku"}'], { cwd: r2 }).stdout).toBe('step_model_by_verb = {"test":"haiku"}\n');
    expect(file()).toEqual({ llm: "claude", model: "opus", custom_thing: { keep: true }, step_timeout_sec: 120, auto_execute_small: true, tmux_layout: "window", step_model_by_verb: { test: "haiku" } });
    expect(Object.keys(file()).slice(0, 3)).toEqual(["llm", "model", "custom_thing"]);
    // What was written is what every reader of the config sees.
    expect(RepoConfig.parse(file())).toMatchObject({ model: "opus", step_timeout_sec: 120, auto_execute_small: true });
    const e = ConfigEntry.parse(JSON.parse(ok(["config", "get", "step_timeout_sec", "--json"], { cwd: r2 }).stdout));
    expect(e).toEqual({ key: "step_timeout_sec", value: 120, default: false, set: true, follows: null });
  });

  test("test_cmd: set as words, never trusted by setting it, null clears it", () => {
    const r = ok(["config", "test-cmd", "go", "test", "./..."], { cwd: r2 });
    expect(r.stdout).toBe("test_cmd = go test ./...\n");
    expect(r.stderr).toContain("tasks will not run `go test ./...` until you trust it on this machine: skep trust");
    expect(file().test_cmd).toBe("go test ./...");
    const trustStore = join(home, "trusted-repos.json");
    const entries = existsSync(trustStore) ? (JSON.parse(readFileSync(trustStore, "utf8")).entries as { path: string }[]) : [];
    expect(entries.some((e) => e.path === r2)).toBe(false);
    expect(ok(["config", "test_cmd", "null"], { cwd: r2 }).stdout).toBe("test_cmd = null\n");
    expect(file().test_cmd).toBeNull();
  });

  test("refusals exit 2 with the schema's message, and leave the file as it was", () => {
    const before = readFileSync(cfg, "utf8");
    const cases: [string[], string][] = [
      [["step_timeout_sec", "0"], "invalid value for step_timeout_sec: Too small: expected number to be >=1"],
      [["classify-timeout-sec", "99999"], "invalid value for classify_timeout_sec: Too big: expected number to be <=3600"],
      [["plan_max_turns", "ten"], "invalid value for plan_max_turns: expected a whole number from 1 to 200, not 'ten'"],
      [["dedup_llm", "maybe"], "invalid value for dedup_llm: expected true or false, not 'maybe'"],
      [["tmux_layout", "sideways"], 'invalid value for tmux_layout: Invalid option: expected one of "split-h"|"split-v"|"window"|"popup"|"none"'],
      [["model", "has space"], "invalid value for model: Invalid string: must match pattern"],
      [["llm", "gpt"], "invalid value for llm: unknown llm backend 'gpt' (known: claude, codex, gemini, script)"],
      [["step_model_by_verb", "{test: haiku}"], "invalid value for step_model_by_verb: expected JSON"],
      [["step_model_by_verb", '{"test": "a b"}'], "invalid value for step_model_by_verb: test: Invalid string"],
      [["auto_execute_small", "null"], "invalid value for auto_execute_small: expected true or false, not 'null'"],
      [["modle", "opus"], "unknown config key 'modle'; did you mean 'model'? (see 'skep config list')"],
    ];
    for (const [args, message] of cases) {
      const r = skep(["config", ...args], { cwd: r2 });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(`skep: ${message}`);
      expect(readFileSync(cfg, "utf8")).toBe(before);
    }
  });

  test("list: every schema key with its effective value and whether it is the default", () => {
    const l = ConfigList.parse(JSON.parse(ok(["config", "list", "--json"], { cwd: r2 }).stdout));
    expect(l.file).toBe(cfg);
    // A group's fields are keys of their own (`index.include`).
    expect(l.keys.map((k) => k.key)).toEqual(Object.keys(RepoConfig.shape).flatMap((k) => (k === "index" ? ["index.include", "index.exclude"] : [k])));
    const by = Object.fromEntries(l.keys.map((k) => [k.key, k]));
    expect(by.model).toEqual({ key: "model", value: "opus", default: false, set: true, follows: null });
    expect(by.llm).toEqual({ key: "llm", value: "claude", default: true, set: true, follows: null });
    expect(by.model_plan).toEqual({ key: "model_plan", value: "opus", default: true, set: false, follows: "model" });
    expect(by.model_classify).toMatchObject({ value: "haiku", default: true, set: false });
    expect(by.test_timeout_sec).toMatchObject({ value: 900, default: true, set: false });
    expect(by.base_branch).toMatchObject({ value: null, default: true });
    expect(l.unknown).toEqual({ custom_thing: { keep: true } });
    const human = ok(["config", "list"], { cwd: r2 }).stdout;
    expect(human).toMatch(/^model {2,}opus$/m);
    expect(human).toMatch(/^model_plan {2,}opus {2}\(default: follows model\)$/m);
    expect(human).toMatch(/^test_timeout_sec {2,}900 {2}\(default\)$/m);
    expect(human).toMatch(/^custom_thing {2,}\{"keep":true\} {2}\(not a skep key; kept\)$/m);
    expect(ok(["config"], { cwd: r2 }).stdout).toBe(human); // bare `skep config` lists
  });

  test("unset: the default applies again; unknown keys in the file can go too", () => {
    expect(ok(["config", "unset", "model"], { cwd: r2 }).stdout).toBe("model unset: sonnet (default)\n");
    expect("model" in file()).toBe(false);
    expect(ok(["config", "unset", "model"], { cwd: r2 }).stdout).toBe("model was not set: sonnet (default)\n");
    expect(ok(["config", "unset", "custom_thing"], { cwd: r2 }).stdout).toBe("custom_thing removed\n");
    expect("custom_thing" in file()).toBe(false);
    const r = skep(["config", "unset", "nonsense_key"], { cwd: r2 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown config key 'nonsense_key'");
  });

  test("a malformed config.json is reported, never overwritten; a bad key can be repaired by setting it", () => {
    writeFileSync(cfg, "{ \"model\": ");
    for (const args of [["model", "opus"], ["list"], ["model"], ["unset", "model"]]) {
      const r = skep(["config", ...args], { cwd: r2 });
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toContain(`skep: ${cfg} is not valid JSON`);
      expect(readFileSync(cfg, "utf8")).toBe('{ "model": ');
    }
    writeFileSync(cfg, JSON.stringify({ model: "sonnet", step_timeout_sec: 0 }));
    const other = skep(["config", "model", "opus"], { cwd: r2 });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("step_timeout_sec: Too small: expected number to be >=1; nothing was changed");
    expect(file().model).toBe("sonnet");
    ok(["config", "step_timeout_sec", "60"], { cwd: r2 });
    expect(file()).toEqual({ model: "sonnet", step_timeout_sec: 60 });
  });

  test("writing needs a set-up repo; reading outside one shows the defaults", () => {
    const plain = join(tmp.dir, "plain-cfg");
    mkdirSync(plain, { recursive: true });
    const w = skep(["config", "model", "opus"], { cwd: plain });
    expect(w.code).toBe(1);
    expect(w.stderr).toContain(`no .skep/ in ${plain}: run \`skep init\` first`);
    expect(existsSync(join(plain, ".skep"))).toBe(false);
    const r = ok(["config", "model"], { cwd: plain });
    expect(r.stdout).toBe("sonnet\n");
  });

  test("--help for the group and each verb", () => {
    expect(ok(["config", "--help"], { cwd: r2 }).stdout).toContain("USAGE skep config list|ls|get|set|unset");
    for (const verb of ["list", "get", "set", "unset"]) expect(ok(["config", verb, "--help"], { cwd: r2 }).stdout).toContain(`USAGE skep config ${verb}`);
  });
});

describe("skep completion", () => {
  const scripts: Record<string, string> = {};
  beforeAll(() => {
    for (const sh of ["bash", "zsh", "fish"]) scripts[sh] = ok(["completion", sh]).stdout;
  });

  test("every command, verb and flag of the live tree is in every script", async () => {
    const nodes = await completionTree(app);
    const commands = nodes.flatMap((n) => n.children.map((c) => c.name));
    // The tree itself is complete: the top-level commands dispatch knows, and the new ones.
    for (const c of ["init", "search", "task", "tasks", "daemon", "doctor", "config", "completion", "trust"]) expect(commands).toContain(c);
    expect(nodes.map((n) => n.path)).toEqual(expect.arrayContaining(["task create", "daemon status", "config unset", "index build"]));
    for (const [sh, script] of Object.entries(scripts)) {
      for (const n of nodes) {
        for (const c of n.children) expect(script, `${sh}: ${n.path} ${c.name}`).toContain(c.name);
        if (n.path) expect(script, `${sh}: ${n.path}`).toContain(n.path);
        for (const f of n.flags) for (const name of f.names) expect(script, `${sh}: ${n.path} ${name}`).toContain(sh === "fish" ? name.replace(/^--?/, "") : name);
      }
    }
  });

  /** What bash completes for `line` (a trailing space: a new, empty word). */
  function bashComplete(line: string): string[] {
    const words = line.split(" ");
    const arr = words.map((w) => `'${w}'`).join(" ");
    const script = `source <(${process.execPath} ${MAIN} completion bash); COMP_WORDS=(${arr}); COMP_CWORD=${words.length - 1}; _skep_complete; echo "\${COMPREPLY[@]}"`;
    const p = Bun.spawnSync(["bash", "-c", script], { cwd: tmp.dir, env: env(), stdout: "pipe", stderr: "pipe" });
    expect(p.stderr.toString()).toBe("");
    expect(p.exitCode).toBe(0);
    return p.stdout.toString().trim().split(/\s+/).filter(Boolean);
  }

  test("bash completes commands, verbs, flags and their values", () => {
    expect(bashComplete("skep ta")).toEqual(["task", "tasks"]);
    expect(bashComplete("skep task ")).toEqual(["create", "show", "list", "approve", "reject", "clarify", "run", "interrupt", "resume", "logs", "attach", "delete", "done", "jump-pending"]);
    expect(bashComplete("skep do")).toEqual(["doctor"]);
    expect(bashComplete("skep --repo /tmp ta")).toEqual(["task", "tasks"]); // a flag's value is not a command
    expect(bashComplete("skep help con")).toEqual(["contracts", "config"]);
    expect(bashComplete("skep task list --")).toEqual(["--all", "--repo", "--json", "--help"]);
    expect(bashComplete("skep index --j")).toEqual(["--json"]); // the default verb's flags
    expect(bashComplete("skep mcp install --scope ")).toEqual(["project", "user"]);
    expect(bashComplete("skep completion ")).toEqual(["bash", "zsh", "fish"]);
    expect(bashComplete("skep config mo")).toEqual(["model", "model_classify", "model_plan", "model_dedup"]);
    expect(bashComplete("skep config unset test")).toEqual(["test_cmd", "test_timeout_sec"]);
    expect(bashComplete("skep config model ")).toEqual([]); // a value: no key offered again
    expect(bashComplete("skep init --no-")).toEqual(["--no-daemon"]);
    expect(bashComplete("skep task list --repo sh")).toEqual(["shop"]); // directories
    expect(bashComplete("skep --repo sh")).toEqual(["shop"]); // a verb's flag before the verb, as dispatch reads it
  });

  const has = (sh: string) => Bun.which(sh) !== null;

  test.skipIf(!has("zsh"))("zsh parses its script; the walk reaches the same places", () => {
    const file = join(tmp.dir, "_skep");
    writeFileSync(file, scripts.zsh!);
    expect(Bun.spawnSync(["zsh", "-n", file]).exitCode).toBe(0);
    // Stand-ins for the completion system's builtins print what they would offer.
    const harness = `compdef() { :; }
_describe() { local -a a; a=("\${(@P)\${@[-1]}}"); print -rl -- "\${a[@]%%:*}"; }
compadd() { shift; print -rl -- "$@"; }
_files() { print -rl -- FILES "$@"; }
source ${file}
words=(skep task ''); CURRENT=3; _skep
words=(skep mcp install --scope ''); CURRENT=5; _skep`;
    const p = Bun.spawnSync(["zsh", "-f", "-c", harness], { stdout: "pipe", stderr: "pipe" });
    expect(p.stderr.toString()).toBe("");
    const out = p.stdout.toString().split("\n");
    expect(out).toEqual(expect.arrayContaining(["create", "approve", "project", "user"]));
  });

  test.skipIf(!has("fish"))("fish completes from its script", () => {
    const file = join(tmp.dir, "skep.fish");
    writeFileSync(file, scripts.fish!);
    const p = Bun.spawnSync(["fish", "--no-config", "-c", `source ${file}; complete -C 'skep ta'; complete -C 'skep config unset test'`], { stdout: "pipe", stderr: "pipe" });
    expect(p.stderr.toString()).toBe("");
    const names = p.stdout.toString().trim().split("\n").map((l) => l.split("\t")[0]);
    expect(names).toEqual(["task", "tasks", "test_cmd", "test_timeout_sec"]);
  });

  test("an unknown shell exits 2 with the nearest one; --help works", () => {
    const r = skep(["completion", "bsh"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no completion for 'bsh'; did you mean 'bash'?");
    expect(skep(["completion"]).code).toBe(2);
    expect(ok(["completion", "--help"]).stdout).toContain("USAGE skep completion");
    expect(ok(["doctor", "--help"]).stdout).toContain("USAGE skep doctor");
  });
});

test("the compiled binary: doctor, config and completion work from it too", () => {
  const binDir = tempDir("skep-ops-bin-");
  try {
    binaryChecks(join(binDir.dir, "skep"));
  } finally {
    binDir.cleanup(); // the binary is over 100 MB
  }
}, 180_000);

function binaryChecks(out: string): void {
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts", "--outfile", out], { cwd: PROJECT, stdout: "pipe", stderr: "pipe" });
  expect(build.exitCode, build.stderr.toString()).toBe(0);
  const script = ok(["completion", "bash"], { bin: out }).stdout;
  expect(script).toBe(ok(["completion", "bash"]).stdout);
  const d = skep(["doctor", "--json"], { bin: out, cwd: repo, env: withClaude(goodClaude) });
  expect(d.code, d.stderr).toBe(0);
  const answer = DoctorAnswer.parse(JSON.parse(d.stdout));
  expect(check(answer, "skep").detail).toBe(`skep ${answer.version} (binary ${out})`);
  expect(answer.root).toBe(repo);
  expect(ok(["config", "plan_max_turns", "7"], { bin: out, cwd: repo }).stdout).toBe("plan_max_turns = 7\n");
  expect(ok(["config", "unset", "plan_max_turns"], { bin: out, cwd: repo }).stdout).toBe("plan_max_turns unset: 20 (default)\n");
}

// Red-team attack 1: a cloned repo that commits .skep/config.json naming its own `claude_bin` (and
// a .skep/tasks.db holding a `created` task) must not get that executable run by `skep doctor`,
// `skep init`, a task or the daemon until this user trusts that exact value for that repo.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { BUN, cleanupAll, MAIN, tempDir } from "../support/temp.ts";
import { git } from "../helpers/git-repo.ts";

setDefaultTimeout(120_000);
afterAll(cleanupAll);

function setup() {
  const base = tempDir("skep-attack1-");
  const up = join(base, "up");
  const pwned = join(base, "pwned.txt");
  mkdirSync(join(up, ".skep"), { recursive: true });
  mkdirSync(join(up, "tools"));
  writeFileSync(join(up, "tools/claude"), `#!/bin/sh\necho "PWNED $*" >> "${pwned}"\necho "2.1.197 (Claude Code)"\n`);
  chmodSync(join(up, "tools/claude"), 0o755);
  writeFileSync(join(up, "main.go"), "package main\nfunc main() {}\n");
  writeFileSync(join(up, ".skep/config.json"), JSON.stringify({ llm: "claude", claude_bin: "tools/claude", test_cmd: null }));
  git(up, "init", "-q");
  git(up, "add", "-A");
  git(up, "add", "-f", ".skep/config.json");
  git(up, "commit", "-qm", "innocent");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "TMUX") env[k] = v;
  Object.assign(env, { SKEP_HOME: join(base, "home"), SKEP_NO_TMUX: "1", SKEP_WORKERS: "1" });
  const skep = (cwd: string, args: string[], extra: Record<string, string> = {}) => {
    const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd, env: { ...env, ...extra }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  };
  return { base, up, pwned, skep };
}

describe("a committed claude_bin is data until trusted", () => {
  test("doctor, init, a task and the trust command: nothing runs it before `skep trust`, and a changed file needs trusting again", () => {
    const { base, up, pwned, skep } = setup();
    const clone = join(base, "clone");
    git(base, "clone", "-q", up, clone);

    const doctor = skep(clone, ["doctor", "--json"]);
    expect(existsSync(pwned)).toBe(false);
    const check = JSON.parse(doctor.stdout).checks.find((c: { name: string }) => c.name === "llm.claude");
    expect(check).toMatchObject({ status: "fail", level: "critical", fix: "skep trust" });
    expect(check.detail).toContain("claude_bin `tools/claude` in .skep/config.json is not trusted on this machine");

    // init refuses a tracked .skep/ (config or tasks.db came with the clone) and writes nothing.
    const init = skep(clone, ["init", "--no-daemon"]);
    expect(init.code).toBe(1);
    expect(init.stderr).toContain(".skep/ is tracked by git (.skep/config.json)");
    expect(init.stderr).toContain("git rm -r --cached .skep");
    expect(existsSync(join(clone, ".skep/index.db"))).toBe(false);

    // Untracked but kept: init keeps the config and says the executable is not trusted.
    git(clone, "rm", "-q", "-r", "--cached", ".skep");
    git(clone, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "untrack");
    const init2 = skep(clone, ["init", "--no-daemon"]);
    expect(init2.code).toBe(0);
    expect(init2.stdout).toContain("claude_bin `tools/claude` in .skep/config.json is not trusted on this machine");
    expect(existsSync(pwned)).toBe(false);

    // A task's classification would start it: it fails with the reason instead.
    const created = skep(clone, ["task", "create", "add a flag to main", "--json"], { SKEP_NO_DAEMON: "1" });
    expect(existsSync(pwned)).toBe(false);
    expect(created.stdout + created.stderr).toContain("claude_bin `tools/claude` in .skep/config.json is not trusted on this machine");

    // Trusted: doctor runs it (once, --version).
    expect(skep(clone, ["trust", "--yes"]).stdout).toContain("tasks will use `tools/claude` as the claude CLI");
    const trusted = JSON.parse(skep(clone, ["doctor", "--json"]).stdout).checks.find((c: { name: string }) => c.name === "llm.claude");
    expect(trusted.status).toBe("ok");
    expect(readFileSync(pwned, "utf8")).toBe("PWNED --version\n");

    // The file changes (a later pull): trust is gone until given again.
    writeFileSync(join(clone, "tools/claude"), `#!/bin/sh\necho "PWNED2 $*" >> "${pwned}"\necho "2.1.197 (Claude Code)"\n`);
    const changed = JSON.parse(skep(clone, ["doctor", "--json"]).stdout).checks.find((c: { name: string }) => c.name === "llm.claude");
    expect(changed.detail).toContain("changed since you trusted it");
    expect(readFileSync(pwned, "utf8")).toBe("PWNED --version\n");

    // The user's own environment is the user's choice: no trust needed.
    const viaEnv = JSON.parse(skep(clone, ["doctor", "--json"], { SKEP_CLAUDE_BIN: join(clone, "tools/claude") }).stdout).checks.find((c: { name: string }) => c.name === "llm.claude");
    expect(viaEnv.status).toBe("ok");
  });

  test("a committed tasks.db is never processed: the daemon ignores it with a warning, the CLI says why", async () => {
    const { base, up, pwned, skep } = setup();
    // The attacker's second stage: a `created` task in a committed store.
    expect(skep(up, ["task", "create", "add a flag to main"], { SKEP_NO_DAEMON: "1", SKEP_CLAUDE_BIN: "/bin/false" }).code).not.toBe(-1);
    const db = new Database(join(up, ".skep/tasks.db"));
    db.exec("UPDATE tasks SET status = 'created'; PRAGMA wal_checkpoint(TRUNCATE);");
    db.close();
    git(up, "add", "-f", ".skep/tasks.db");
    git(up, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "tasks");
    const clone = join(base, "clone2");
    git(base, "clone", "-q", up, clone);
    // Even trusted, the committed queue must not run (trust is about the value, not the queue).
    skep(clone, ["trust", "--yes"]);
    writeFileSync(pwned, "");

    const direct = skep(clone, ["task", "run", "1"], { SKEP_NO_DAEMON: "1" });
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain("is committed to git; a task store is per machine, so skep ignores a committed one");

    const start = skep(clone, ["daemon", "start"]);
    try {
      expect(start.code).toBe(0);
      await Bun.sleep(1500);
      const log = readFileSync(join(clone, ".skep/logs/daemon.log"), "utf8");
      expect(log).toContain("warning: the task store");
      const tasks = skep(clone, ["tasks"]);
      expect(tasks.code).toBe(1);
      expect(tasks.stderr).toContain("is committed to git");
      expect(skep(clone, ["search", "main"]).code).toBe(0); // the index still has its daemon
      expect(readFileSync(pwned, "utf8")).toBe("");
    } finally {
      skep(clone, ["daemon", "stop"]);
    }
  });
});

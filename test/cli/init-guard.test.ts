// `skep init` refuses, before writing anything, a folder that is not a git repo (unless asked
// with --allow-non-git) and a workspace folder whose children are the repos (issue 11, defect 4).
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, tempDir } from "../support/temp.ts";

setDefaultTimeout(60_000);
afterAll(cleanupAll);

function skep(args: string[], cwd: string) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "TMUX") env[k] = v;
  const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd, env: { ...env, SKEP_NO_DAEMON: "1", SKEP_HOME: tempDir("skep-home-") }, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

test("the workspace folder (its children are repos): refused, names the repos and what to run; nothing written", () => {
  const ws = tempDir("skep-ws-");
  initRepo(join(ws, "backend"), { "main.go": "package main\n" });
  initRepo(join(ws, "mobile"), { "App.kt": "class App\n" });
  const r = skep(["init"], ws);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`${ws} is a workspace folder holding git repos (backend, mobile), not a repo`);
  expect(r.stderr).toContain(`cd ${join(ws, "backend")} && skep init --workspace ${ws}`);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
  expect(existsSync(join(ws, ".skep"))).toBe(false);
  expect(existsSync(join(ws, ".skep-workspace"))).toBe(false);
  // --workspace naming itself, and --allow-non-git, are refused the same way.
  expect(skep(["init", "--workspace", ws], ws).code).toBe(1);
  expect(skep(["init", "--allow-non-git"], ws).stderr).toContain("is a workspace folder");
  expect(existsSync(join(ws, ".skep"))).toBe(false);
  // Done as the message says, it works; the workspace folder with its registry is still refused.
  expect(skep(["init", "--workspace", ws], join(ws, "backend")).code).toBe(0);
  const again = skep(["init"], ws);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain("is a workspace folder");
});

test("a folder that is not a git repo: refused with what to do; --allow-non-git indexes it", () => {
  const plain = tempDir("skep-plain-");
  writeFileSync(join(plain, "x.py"), "def x():\n    pass\n");
  mkdirSync(join(plain, "docs"));
  const r = skep(["init"], plain);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`${plain} is not a git repository`);
  expect(r.stderr).toContain("git init");
  expect(r.stderr).toContain("--allow-non-git");
  expect(existsSync(join(plain, ".skep"))).toBe(false);
  const allowed = skep(["init", "--allow-non-git"], plain);
  expect(allowed.code, allowed.stderr).toBe(0);
  expect(allowed.stdout).toContain("Indexed 1 files");
});

// Merged means done (issue 11, criterion 11): `skep tasks` says "done (merged)" once a task's
// commits are in its base branch, and an interrupted task whose commits are all there is done
// when resumed (or when a daemon starts), instead of running again.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { TaskStore } from "../../src/tasks/store.ts";
import { git, initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, tempDir } from "../support/temp.ts";

setDefaultTimeout(60_000);
afterAll(cleanupAll);

const SMALL = JSON.stringify({ classification: "small", confidence: 0.9, reason: "one file", needs_clarification: false, clarifying_questions: [], reject_reason: null });
const PLAN = (f: string) => JSON.stringify({ plan: [{ verb: "add", target_file: f, description: `Add ${f}`, acceptance: "it exists" }] });

test("done (merged) in the list; an interrupted task already merged is done on resume", () => {
  const root = initRepo(join(tempDir("skep-merged-"), "repo"), { "src/main.ts": "export const m = 1;\n" });
  const script = join(tempDir("skep-merged-script-"), "answers.json");
  const answers = ["a", "b"].flatMap((n) => [
    { purpose: "classify", text: SMALL },
    { purpose: "plan", text: PLAN(`src/${n}.ts`) },
    { purpose: "step", text: "done", writes: [{ path: `src/${n}.ts`, content: `export const ${n} = 1;\n` }] },
  ]);
  writeFileSync(script, JSON.stringify({ answers }));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "COLUMNS") env[k] = v;
  Object.assign(env, { SKEP_NO_DAEMON: "1", SKEP_HOME: tempDir("skep-merged-home-") });
  const skep = (...args: string[]) => {
    const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd: root, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  };
  expect(skep("init", "--no-daemon").code).toBe(0);
  writeFileSync(join(root, ".skep/config.json"), JSON.stringify({ llm: "script", llm_script: script }));
  for (const id of ["1", "2"]) {
    expect(skep("task", "create", id === "1" ? "add constant a" : "write a beta helper for parsing dates").code).toBe(0);
    skep("task", "approve", id);
    const run = skep("task", "run", id);
    expect(run.code, run.stderr).toBe(0);
  }
  const before = skep("tasks").stdout;
  expect(before).toMatch(/#1 add-constant-a\s+done/);
  expect(before).not.toContain("merged");

  git(root, "merge", "-q", "--no-edit", "skep/task-1-add-constant-a");
  expect(skep("tasks").stdout).toMatch(/#1 add-constant-a\s+done \(merged\)/);
  expect(skep("tasks").stdout).not.toMatch(/#2 \S+\s+done \(merged\)/);

  // Task 2 was interrupted after its commit (as a killed run leaves it), then merged by hand.
  const store = TaskStore.open(join(root, ".skep"));
  store.db.query("UPDATE tasks SET status = 'interrupted' WHERE id = 2").run();
  store.close();
  git(root, "merge", "-q", "--no-edit", "skep/task-2-write-a-beta-helper-for-parsing");
  const resume = skep("task", "resume", "2");
  expect(resume.code, resume.stderr).toBe(0);
  const shown = skep("task", "show", "2").stdout;
  expect(shown).toContain("Status:      done (merged: its commits are all in main)");
  expect(skep("tasks").stdout).toMatch(/#2 \S+\s+done \(merged\)/);
});

// Red-team attack 10: a damaged tasks.db read through the daemon is named as the task store, with
// its path and what to do, never blamed on "the index".
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { TaskStore } from "../../src/tasks/store.ts";
import { damagePages } from "../support/damage.ts";
import { cleanupAll, makeRepo, run, sampleFiles, startDaemon } from "./support.ts";

afterEach(cleanupAll);
setDefaultTimeout(60_000);

test("a damaged tasks table: `skep tasks` through the daemon names the task store and the fix", async () => {
  const root = makeRepo(sampleFiles());
  const skepDir = join(root, ".skep");
  const store = TaskStore.open(skepDir);
  for (let i = 0; i < 40; i++) store.insert({ name: `t${i}`, description: `task number ${i} ${"x".repeat(200)}` });
  store.close();
  damagePages(join(skepDir, "tasks.db"), ["tasks"]);
  await startDaemon(root);
  const r = run(["tasks", "--repo", root]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`the task store ${join(skepDir, "tasks.db")} could not be read`);
  expect(r.stderr).not.toContain("the index could not be read");
});

test("the same damage read by the CLI itself (no daemon): every task command names the task store, its path and the fix", () => {
  const root = makeRepo(sampleFiles());
  const skepDir = join(root, ".skep");
  const store = TaskStore.open(skepDir);
  for (let i = 0; i < 40; i++) store.insert({ name: `t${i}`, description: `task number ${i} ${"x".repeat(200)}` });
  store.close();
  damagePages(join(skepDir, "tasks.db"), ["tasks"]);
  const path = join(skepDir, "tasks.db");
  for (const args of [["tasks"], ["task", "show", "2"], ["cost"]]) {
    const r = run([...args, "--repo", root], { env: { SKEP_NO_DAEMON: "1" } });
    expect(r.code, args.join(" ")).toBe(1);
    expect(r.stderr).toContain(`the task store ${path} could not be read`);
    expect(r.stderr).toContain(`mv ${path} ${path}.damaged`);
  }
});

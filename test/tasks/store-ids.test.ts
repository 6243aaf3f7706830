// Red-team attack 11: after a damaged tasks.db is moved aside, new task ids continue past the
// highest `.skep/tasks/<id>/` folder, so a new task never overwrites a lost task's plan or log.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TaskStore } from "../../src/tasks/store.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

test("ids continue past the highest task folder and are never reused after a delete", () => {
  const skepDir = join(tempDir("skep-ids-"), ".skep");
  mkdirSync(join(skepDir, "tasks", "7"), { recursive: true });
  mkdirSync(join(skepDir, "tasks", "notanumber"), { recursive: true });
  writeFileSync(join(skepDir, "tasks.db"), "garbage: a damaged store, moved aside on open");
  const store = TaskStore.open(skepDir);
  try {
    expect(store.insert({ name: "a", description: "a" })).toBe(8);
    expect(store.insert({ name: "b", description: "b" })).toBe(9);
  } finally {
    store.close();
  }
  expect(TaskStore.inMemory().insert({ name: "c", description: "c" })).toBe(1);
});

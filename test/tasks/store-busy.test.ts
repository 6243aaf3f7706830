// A task store another process holds (the daemon, a dashboard, a CLI) is busy, not damaged: opening
// it waits, then fails saying so; it is never moved aside as corrupt (which lost every task when a
// test read the store while the live dashboard wrote to it).
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { TaskStore, tasksDbPath } from "../../src/tasks/store.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

test("a store locked by another connection: 'busy', the file stays where it is with its tasks", { timeout: 30_000 }, () => {
  const skepDir = tempDir("skep-store-busy-");
  const store = TaskStore.open(skepDir);
  store.insert({ name: "keep-me", description: "keep me" });
  store.close();
  const holder = new Database(tasksDbPath(skepDir));
  holder.exec("PRAGMA locking_mode = EXCLUSIVE");
  holder.exec("BEGIN EXCLUSIVE");
  holder.exec("UPDATE tasks SET name = name");
  try {
    expect(() => TaskStore.open(skepDir)).toThrow(/is busy \(another skep process holds it/);
    expect(readdirSync(skepDir).filter((f) => f.includes("corrupt"))).toEqual([]);
  } finally {
    holder.exec("COMMIT");
    holder.close();
  }
  const again = TaskStore.open(skepDir);
  expect(again.list().map((t) => t.name)).toEqual(["keep-me"]);
  again.close();
});

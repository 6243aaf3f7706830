// The status line's kept counts (tasks/counts-cache.ts): the same answer as reading the store,
// kept only once the store has been quiet, never served after the store changed, and a kept file
// that is damaged or for another schema ignored.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cachedTaskCounts, countsCachePath, QUIET_MS } from "../../src/tasks/counts-cache.ts";
import { readTaskCounts, type TaskCounts } from "../../src/tasks/counts.ts";
import { TaskStore, tasksDbPath } from "../../src/tasks/store.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

/** A store with one pending task; its path. */
function store(): { dir: string; db: string } {
  const dir = join(tempDir("skep-counts-cache-"), ".skep");
  const s = TaskStore.open(dir);
  const id = s.insert({ name: "first", description: "first" });
  s.transition(id, "pending");
  s.close();
  return { dir, db: tasksDbPath(dir) };
}

/** readTaskCounts, counting its calls. */
function countingReader() {
  const r = { calls: 0, read: (p: string): TaskCounts | null => (r.calls++, readTaskCounts(p)) };
  return r;
}

const later = () => Date.now() + QUIET_MS + 1000;

describe("kept task counts", () => {
  test("kept once the store is quiet, then served without reading it, the same counts", async () => {
    const { db } = store();
    const r = countingReader();
    const direct = readTaskCounts(db);
    expect(direct?.byStatus).toEqual({ pending: 1 });
    // Just written: read, and not kept.
    expect(await cachedTaskCounts(db, { read: r.read })).toEqual(direct!);
    expect(existsSync(countsCachePath(db))).toBe(false);
    // Quiet (the clock moved on): read once more and kept; then served from the file.
    expect(await cachedTaskCounts(db, { read: r.read, now: later })).toEqual(direct!);
    expect(existsSync(countsCachePath(db))).toBe(true);
    const calls = r.calls;
    expect(await cachedTaskCounts(db, { read: r.read, now: later })).toEqual(direct!);
    expect(await cachedTaskCounts(db, { read: r.read })).toEqual(direct!);
    expect(r.calls).toBe(calls);
  });

  test("a change to the store is never hidden: every answer equals a fresh read, through many quick changes", async () => {
    const { dir, db } = store();
    const r = countingReader();
    await cachedTaskCounts(db, { read: r.read, now: later }); // kept
    const s = TaskStore.open(dir);
    try {
      for (let i = 0; i < 40; i++) {
        const id = s.insert({ name: `t${i}`, description: `task ${i}` });
        if (i % 2) s.transition(id, "pending");
        // Kept as if quiet at every step: the signature alone must tell the change.
        const got = await cachedTaskCounts(db, { read: r.read, now: later });
        expect(got).toEqual(readTaskCounts(db)!);
      }
      expect(r.calls).toBeGreaterThanOrEqual(40); // each change read again
    } finally {
      s.close();
    }
    // And after the writer closed (the WAL folded into the database file).
    expect(await cachedTaskCounts(db, { read: r.read })).toEqual(readTaskCounts(db)!);
  });

  test("a kept file that is damaged, of another schema or with the wrong shapes is ignored and rewritten", async () => {
    const { db } = store();
    const direct = readTaskCounts(db)!;
    await cachedTaskCounts(db, { now: later });
    const good = JSON.parse(readFileSync(countsCachePath(db), "utf8"));
    const bad = [
      "not json{",
      JSON.stringify({ ...good, schema: 99, counts: { byStatus: { done: 7 }, waiting: [] } }),
      JSON.stringify({ ...good, counts: { byStatus: { pending: "many" }, waiting: [] } }),
      JSON.stringify({ ...good, counts: { byStatus: {}, waiting: [{ id: "1" }] } }),
      JSON.stringify({ ...good, format: 1 }),
      JSON.stringify(null),
    ];
    for (const text of bad) {
      writeFileSync(countsCachePath(db), text);
      const r = countingReader();
      expect(await cachedTaskCounts(db, { read: r.read, now: later })).toEqual(direct);
      expect(r.calls).toBe(1);
      expect(JSON.parse(readFileSync(countsCachePath(db), "utf8"))).toEqual(good);
    }
  });

  test("a store this reader does not answer for (another schema) is not kept", async () => {
    const { dir, db } = store();
    const s = TaskStore.open(dir);
    s.db.query("UPDATE meta SET value = '99' WHERE key = 'tasks_schema'").run();
    s.close();
    expect(await cachedTaskCounts(db, { now: later })).toBeNull();
    expect(existsSync(countsCachePath(db))).toBe(false);
  });

  test("never written into a .skep/ others can write, nor through a name planted there", async () => {
    const { dir, db } = store();
    chmodSync(dir, 0o770);
    expect(await cachedTaskCounts(db, { now: later })).toEqual(readTaskCounts(db)!);
    expect(existsSync(countsCachePath(db))).toBe(false);
    chmodSync(dir, 0o700);
    const victim = join(tempDir("skep-counts-victim-"), "precious.txt");
    writeFileSync(victim, "mine\n");
    symlinkSync(victim, `${countsCachePath(db)}.${process.pid}.tmp`);
    expect(await cachedTaskCounts(db, { now: later })).toEqual(readTaskCounts(db)!);
    expect(readFileSync(victim, "utf8")).toBe("mine\n");
    expect(existsSync(countsCachePath(db))).toBe(false);
  });
});

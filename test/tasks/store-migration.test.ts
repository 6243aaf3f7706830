// tasks.db schema 1 → 2: a store written before delegate steps recorded their peer task opens
// with its rows intact, gains the steps' peer columns, and records a peer task; a store from a
// newer skep is still refused.
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { TASKS_SCHEMA_VERSION } from "../../src/tasks/schema.ts";
import { TaskStore } from "../../src/tasks/store.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

/** The tables as skep wrote them at task schema 1 (before the steps' peer columns). */
const SCHEMA_1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL,
  classification TEXT, confidence REAL, reason TEXT, questions TEXT NOT NULL DEFAULT '[]',
  clarifications TEXT NOT NULL DEFAULT '[]', plan TEXT, branch TEXT, base_branch TEXT, base_commit TEXT,
  worktree TEXT, source_repo TEXT, source_task_id INTEGER, result TEXT, runner_pid INTEGER,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX tasks_status ON tasks(status);
CREATE TABLE steps (
  task_id INTEGER NOT NULL, seq INTEGER NOT NULL, verb TEXT NOT NULL, target_file TEXT NOT NULL,
  description TEXT NOT NULL, acceptance TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
  commit_sha TEXT, retries INTEGER NOT NULL DEFAULT 0, duration_ms REAL, error TEXT,
  PRIMARY KEY (task_id, seq)
) WITHOUT ROWID;
CREATE TABLE llm_calls (
  id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER, step_seq INTEGER, purpose TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1, backend TEXT NOT NULL, model TEXT, input INTEGER NOT NULL,
  output INTEGER NOT NULL, cache_creation INTEGER NOT NULL, cache_read INTEGER NOT NULL,
  cost_usd REAL NOT NULL, duration_ms REAL NOT NULL, exit_code INTEGER, ok INTEGER NOT NULL, error TEXT, at TEXT NOT NULL
);
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL, from_status TEXT, to_status TEXT NOT NULL, reason TEXT, at TEXT NOT NULL);
INSERT INTO meta(key, value) VALUES ('tasks_schema', '1');
`;

const PLAN = JSON.stringify({
  plan: [
    { verb: "delegate", target_file: "", symbols: [], description: "Delegate to mobile: add a ping screen", acceptance: "mobile has it", depends_on: [] },
    { verb: "add", target_file: "src/a.ts", symbols: [], description: "Add a", acceptance: "a exists", depends_on: [0] },
  ],
  files_affected: [],
  symbols_affected: [],
});

function version1Store(): string {
  const skepDir = tempDir("skep-migrate-");
  const db = new Database(join(skepDir, "tasks.db"), { create: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(SCHEMA_1);
  const now = "2026-01-01T00:00:00.000Z";
  db.query("INSERT INTO tasks(name, description, status, classification, plan, source_repo, source_task_id, created_at, updated_at) VALUES (?, ?, 'interrupted', 'large', ?, 'web', 7, ?, ?)").run(
    "ping",
    "Add a ping screen and use it",
    PLAN,
    now,
    now,
  );
  db.query("INSERT INTO steps(task_id, seq, verb, target_file, description, acceptance, status, error) VALUES (1, 1, 'delegate', '', 'Delegate to mobile: add a ping screen', 'mobile has it', 'failed', 'not built')").run();
  db.query("INSERT INTO steps(task_id, seq, verb, target_file, description, acceptance, status, commit_sha, retries) VALUES (1, 2, 'add', 'src/a.ts', 'Add a', 'a exists', 'done', 'abc123', 1)").run();
  db.query("INSERT INTO llm_calls(task_id, purpose, backend, input, output, cache_creation, cache_read, cost_usd, duration_ms, ok, at) VALUES (1, 'plan', 'script', 40, 2, 0, 0, 0, 5, 1, ?)").run(now);
  db.query("INSERT INTO events(task_id, from_status, to_status, at) VALUES (1, NULL, 'created', ?)").run(now);
  db.close();
  return skepDir;
}

describe("tasks.db migration", () => {
  test("a version 1 store opens as version 2 with every row kept and the steps' peer columns added", () => {
    const skepDir = version1Store();
    const store = TaskStore.open(skepDir);
    try {
      expect(TASKS_SCHEMA_VERSION).toBe(3);
      expect((store.db.query("SELECT value FROM meta WHERE key = 'tasks_schema'").get() as { value: string }).value).toBe("3");
      const columns = (store.db.query("PRAGMA table_info(steps)").all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(["peer_repo", "peer_task_id", "peer_status", "peer_branch"]));

      const task = store.get(1);
      expect(task).toMatchObject({ status: "interrupted", classification: "large", sourceRepo: "web", sourceTaskId: 7 });
      expect(task.plan?.plan).toHaveLength(2);
      expect(task.steps).toEqual([
        expect.objectContaining({ seq: 1, verb: "delegate", status: "failed", error: "not built", peer: null }),
        expect.objectContaining({ seq: 2, verb: "add", status: "done", commit: "abc123", retries: 1, peer: null }),
      ]);
      expect(task.tokens).toMatchObject({ calls: 1, input: 40 });
      expect(store.events(1).map((e) => e.to)).toEqual(["created"]);

      // The new columns work: a delegate step records its peer task.
      store.updateStep(1, 1, { peer_repo: "mobile", peer_task_id: 3, peer_status: "pending", peer_branch: null });
      expect(store.get(1).steps[0]!.peer).toEqual({ repo: "mobile", taskId: 3, status: "pending", branch: null });
    } finally {
      store.close();
    }
    // Opening again is a no-op: the version is current and the columns are there once.
    const again = TaskStore.open(skepDir);
    try {
      const columns = (again.db.query("PRAGMA table_info(steps)").all() as { name: string }[]).map((c) => c.name);
      expect(columns.filter((c) => c === "peer_task_id")).toHaveLength(1);
      expect(again.get(1).steps[0]!.peer).toEqual({ repo: "mobile", taskId: 3, status: "pending", branch: null });
    } finally {
      again.close();
    }
  });

  test("two stores opening the same version 1 file at once both succeed", () => {
    const skepDir = version1Store();
    const a = TaskStore.open(skepDir);
    const b = TaskStore.open(skepDir);
    try {
      expect(b.get(1).steps).toHaveLength(2);
      expect(a.get(1).steps[1]!.peer).toBeNull();
    } finally {
      a.close();
      b.close();
    }
  });

  test("a store from a newer skep is refused, not rewritten", () => {
    const skepDir = version1Store();
    const db = new Database(join(skepDir, "tasks.db"));
    db.query("UPDATE meta SET value = '99' WHERE key = 'tasks_schema'").run();
    db.close();
    expect(() => TaskStore.open(skepDir)).toThrow(/newer skep \(task schema 99\)/);
  });
});

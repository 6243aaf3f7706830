// The task store's tables, in `.skep/tasks.db`. Tasks live in their own database, not in the
// index: the index is derived data that a schema change or corruption rebuilds from the sources,
// while tasks, steps, the token ledger and the event log are records that must survive that; and
// the index worker's long write transactions must never hold up a status change.
//
// Version 2 added the peer columns of `steps` (a delegate step's task in a peer repo). A version 1
// store is migrated in place by TASKS_MIGRATIONS when it is opened. Version 3 added the ledger's
// `reasoning` column (of `output`, the tokens spent reasoning, as Codex and Gemini report them).
import { join } from "node:path";

export const TASKS_SCHEMA_VERSION = 3;

/** A repo's task store: `<skepDir>/tasks.db`. */
export function tasksDbPath(skepDir: string): string {
  return join(skepDir, "tasks.db");
}

export const TASKS_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL,
  classification TEXT,
  confidence REAL,
  reason TEXT,
  questions TEXT NOT NULL DEFAULT '[]',
  clarifications TEXT NOT NULL DEFAULT '[]',
  plan TEXT,
  branch TEXT,
  base_branch TEXT,
  base_commit TEXT,
  worktree TEXT,
  source_repo TEXT,
  source_task_id INTEGER,
  result TEXT,
  runner_pid INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks(status);
CREATE TABLE IF NOT EXISTS steps (
  task_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  verb TEXT NOT NULL,
  target_file TEXT NOT NULL,
  description TEXT NOT NULL,
  acceptance TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  commit_sha TEXT,
  retries INTEGER NOT NULL DEFAULT 0,
  duration_ms REAL,
  error TEXT,
  peer_repo TEXT,
  peer_task_id INTEGER,
  peer_status TEXT,
  peer_branch TEXT,
  PRIMARY KEY (task_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS llm_calls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id INTEGER,
  step_seq INTEGER,
  purpose TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1,
  backend TEXT NOT NULL,
  model TEXT,
  input INTEGER NOT NULL,
  output INTEGER NOT NULL,
  cache_creation INTEGER NOT NULL,
  cache_read INTEGER NOT NULL,
  reasoning INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL,
  duration_ms REAL NOT NULL,
  exit_code INTEGER,
  ok INTEGER NOT NULL,
  error TEXT,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS llm_calls_task ON llm_calls(task_id);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id INTEGER NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason TEXT,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_task ON events(task_id);
`;

/**
 * Columns added since version 1, per table: opening an older store adds what it lacks (ALTER TABLE
 * ADD COLUMN keeps every row; the new columns start NULL). Checked by column, not only by version,
 * so a migration interrupted half way, or run by two processes at once, completes safely.
 */
export const TASKS_MIGRATIONS: { version: number; table: string; column: string; type: string }[] = [
  { version: 2, table: "steps", column: "peer_repo", type: "TEXT" },
  { version: 2, table: "steps", column: "peer_task_id", type: "INTEGER" },
  { version: 2, table: "steps", column: "peer_status", type: "TEXT" },
  { version: 2, table: "steps", column: "peer_branch", type: "TEXT" },
  { version: 3, table: "llm_calls", column: "reasoning", type: "INTEGER NOT NULL DEFAULT 0" },
];

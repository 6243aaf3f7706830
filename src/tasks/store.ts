// The task store: tasks, their steps, the token ledger and the event log in `.skep/tasks.db`
// (SQLite, WAL; the daemon and the CLI may both write, each change in one short transaction).
// transition() is the only place a status changes.
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { trackedUnder } from "../git/repo.ts";
import type { LlmResult } from "../llm/backend.ts";
import {
  Plan,
  type Classification,
  type LlmCall,
  type LlmPurpose,
  type StepStatus,
  type Task,
  type TaskStatus,
  type TaskStep,
  type TokenTotals,
} from "../protocol/tasks.ts";
import { TASKS_MIGRATIONS, TASKS_SCHEMA, TASKS_SCHEMA_VERSION, tasksDbPath } from "./schema.ts";
import { IllegalTransition, canTransition } from "./states.ts";
import { SkepError } from "../errors.ts";
import { isCorruptionError } from "../index/store.ts";

/** A tasks.db that git tracks: never opened for writing or processing. */
export class CommittedTaskStore extends Error {
  override name = "CommittedTaskStore";
  constructor(readonly path: string) {
    super(
      `the task store ${path} is committed to git; a task store is per machine, so skep ignores a committed one (its tasks were chosen by the repo, not by you): untrack it (git rm --cached ${basename(dirname(path))}/tasks.db), then move the file aside`,
    );
  }
}

export class TaskNotFound extends SkepError {
  constructor(readonly taskId: number) {
    super("not_found", `no task #${taskId}`);
  }
}

/** Receives every status change after it is committed (the daemon publishes it on its bus). */
export type TransitionListener = (e: { taskId: number; from: TaskStatus | null; to: TaskStatus; reason: string | null }) => void;

/** Columns other code may set alongside (or apart from) a transition. Never `status`. */
export interface TaskPatch {
  name?: string;
  classification?: Classification | null;
  confidence?: number | null;
  reason?: string | null;
  questions?: string[];
  clarifications?: { question: string; answer: string }[];
  plan?: Plan | null;
  branch?: string | null;
  base_branch?: string | null;
  base_commit?: string | null;
  worktree?: string | null;
  result?: string | null;
  runner_pid?: number | null;
}

export interface StepPatch {
  status?: StepStatus;
  commit_sha?: string | null;
  retries?: number;
  duration_ms?: number | null;
  error?: string | null;
  /** A delegate step's task in a peer repo: the peer's registry name, its task id, last seen status and branch. */
  peer_repo?: string | null;
  peer_task_id?: number | null;
  peer_status?: TaskStatus | null;
  peer_branch?: string | null;
}

/** A task as dashboards list it (TaskStore.summaries()). */
export interface TaskSummary {
  id: number;
  name: string;
  status: TaskStatus;
  classification: Classification | null;
  branch: string | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  tokens: { calls: number; input: number; cacheRead: number; effectiveInput: number };
  /** A parked task: the peer task its `waiting` delegate step waits on. */
  waitingOn: { repo: string; taskId: number } | null;
}

interface TaskRow {
  id: number;
  name: string;
  description: string;
  status: TaskStatus;
  classification: Classification | null;
  confidence: number | null;
  reason: string | null;
  questions: string;
  clarifications: string;
  plan: string | null;
  branch: string | null;
  base_branch: string | null;
  base_commit: string | null;
  worktree: string | null;
  source_repo: string | null;
  source_task_id: number | null;
  result: string | null;
  runner_pid: number | null;
  created_at: string;
  updated_at: string;
}

const JSON_COLUMNS = new Set(["questions", "clarifications", "plan"]);

/**
 * A SQLite error met in the task store, in words that name it (never "the index"): its path, and
 * for damage what to do, ending with `then` (restart the daemon, or run the command again).
 */
export function taskStoreError(err: Error, path: string, then: string): SkepError {
  const damaged = isCorruptionError(err) ? `; it is damaged: move it aside (mv ${path} ${path}.damaged) and ${then}, which starts a new one (task ids continue past the old ones)` : "";
  return new SkepError("unavailable", `the task store ${path} could not be read (${err.message})${damaged}`);
}

export { tasksDbPath };

export class TaskStore {
  private listeners = new Set<TransitionListener>();

  private constructor(
    readonly db: Database,
    readonly path: string,
  ) {}

  /**
   * Open (creating) the store. A file that is not a database is moved aside, never deleted. A
   * tasks.db tracked by git is refused (CommittedTaskStore): it came with the repo, so its tasks
   * were chosen by whoever committed them, and the daemon would classify and run them.
   */
  static open(skepDir: string): TaskStore {
    mkdirSync(skepDir, { recursive: true });
    const path = tasksDbPath(skepDir);
    if (existsSync(path) && trackedUnder(skepDir, "tasks.db").length) throw new CommittedTaskStore(path);
    let db: Database;
    try {
      db = configure(new Database(path, { create: true }));
      db.query("SELECT count(*) FROM sqlite_master").get();
    } catch (err) {
      // Busy is another process at work on a healthy store (the daemon, a dashboard, a CLI), not
      // damage: moving it aside would lose every task. Said as it is instead.
      if (isBusy(err)) throw new Error(`${path} is busy (another skep process holds it: ${(err as Error).message}); try again`);
      const aside = `${path}.corrupt-${Date.now()}`;
      renameSync(path, aside);
      for (const ext of ["-wal", "-shm"]) if (existsSync(path + ext)) renameSync(path + ext, aside + ext);
      process.stderr.write(`skep: ${path} could not be opened (${(err as Error).message}); moved aside as ${aside}\n`);
      db = configure(new Database(path, { create: true }));
    }
    db.exec(TASKS_SCHEMA);
    const version = (db.query("SELECT value FROM meta WHERE key = 'tasks_schema'").get() as { value: string } | null)?.value;
    if (version === undefined) db.query("INSERT INTO meta(key, value) VALUES ('tasks_schema', ?)").run(String(TASKS_SCHEMA_VERSION));
    else if (Number(version) > TASKS_SCHEMA_VERSION) {
      db.close();
      throw new Error(`${path} was written by a newer skep (task schema ${version}); upgrade skep to read it`);
    } else if (Number(version) < TASKS_SCHEMA_VERSION) migrate(db);
    return new TaskStore(db, path);
  }

  /** An empty store in memory, for answering a read where no tasks.db exists without making one. */
  static inMemory(): TaskStore {
    const db = configure(new Database(":memory:"));
    db.exec(TASKS_SCHEMA);
    return new TaskStore(db, ":memory:");
  }

  /**
   * Open an existing store for reading only, for dashboards that look at other repos: nothing is
   * created, migrated or moved aside (a damaged file is the user's to see, and a writer may be
   * running), so a file that is not a database throws and the caller reports why.
   */
  static openReadOnly(skepDir: string): TaskStore {
    const path = tasksDbPath(skepDir);
    const db = new Database(path, { readonly: true });
    try {
      // Short: a reader only waits on a WAL recovery or checkpoint, and a status line must not hang.
      db.exec("PRAGMA busy_timeout = 1000");
      const version = (db.query("SELECT value FROM meta WHERE key = 'tasks_schema'").get() as { value: string } | null)?.value;
      if (version !== undefined && Number(version) > TASKS_SCHEMA_VERSION) throw new Error(`written by a newer skep (task schema ${version}); upgrade skep to read it`);
    } catch (err) {
      db.close();
      throw err;
    }
    return new TaskStore(db, path);
  }

  close(): void {
    this.db.close();
  }

  onTransition(listener: TransitionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------------------------- tasks

  insert(t: { name: string; description: string; sourceRepo?: string | null; sourceTaskId?: number | null }): number {
    const now = new Date().toISOString();
    // Past the highest `.skep/tasks/<id>/` too: a store moved aside (damaged) restarts its ids, and
    // a new task must never write into a lost task's folder.
    const floor = this.path === ":memory:" ? 0 : highestTaskFolder(join(dirname(this.path), "tasks"));
    const id = this.db.transaction(() => {
      const seq = (this.db.query("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'tasks'), 0) AS n").get() as { n: number }).n;
      const row = this.db
        .query("INSERT INTO tasks(id, name, description, status, source_repo, source_task_id, created_at, updated_at) VALUES (?, ?, ?, 'created', ?, ?, ?, ?) RETURNING id")
        .get(Math.max(seq, floor) + 1, t.name, t.description, t.sourceRepo ?? null, t.sourceTaskId ?? null, now, now) as { id: number };
      this.db.query("INSERT INTO events(task_id, from_status, to_status, reason, at) VALUES (?, NULL, 'created', NULL, ?)").run(row.id, now);
      return row.id;
    }).immediate();
    this.emit({ taskId: id, from: null, to: "created", reason: null });
    return id;
  }

  /**
   * Move a task to `to`: refuses illegal moves (and, with `from`, a task that is no longer in one of
   * those states: another process got there first), writes the event row and any patch in the same
   * transaction, then tells the listeners.
   */
  transition(id: number, to: TaskStatus, opts: { reason?: string | null; from?: readonly TaskStatus[]; patch?: TaskPatch } = {}): TaskStatus {
    const reason = opts.reason ?? null;
    const now = new Date().toISOString();
    const from = this.db.transaction(() => {
      const row = this.db.query("SELECT status FROM tasks WHERE id = ?").get(id) as { status: TaskStatus } | null;
      if (!row) throw new TaskNotFound(id);
      if ((opts.from && !opts.from.includes(row.status)) || !canTransition(row.status, to)) throw new IllegalTransition(id, row.status, to);
      // The latest reason is the task's reason: why it waits, failed, or was rejected.
      this.applyPatch(id, { ...(reason !== null ? { reason } : {}), ...opts.patch }, { status: to, updated_at: now });
      this.db.query("INSERT INTO events(task_id, from_status, to_status, reason, at) VALUES (?, ?, ?, ?, ?)").run(id, row.status, to, reason, now);
      return row.status;
    }).immediate();
    this.emit({ taskId: id, from, to, reason });
    return from;
  }

  /** Change columns that are not the status. */
  patch(id: number, patch: TaskPatch): void {
    this.db.transaction(() => {
      if (!this.db.query("SELECT 1 FROM tasks WHERE id = ?").get(id)) throw new TaskNotFound(id);
      this.applyPatch(id, patch, { updated_at: new Date().toISOString() });
    }).immediate();
  }

  private applyPatch(id: number, patch: TaskPatch, extra: Record<string, string>): void {
    const cols: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      cols.push(`${k} = ?`);
      values.push(JSON_COLUMNS.has(k) ? (v === null ? null : JSON.stringify(v)) : (v as string | number | null));
    }
    for (const [k, v] of Object.entries(extra)) {
      cols.push(`${k} = ?`);
      values.push(v);
    }
    if (cols.length) this.db.query(`UPDATE tasks SET ${cols.join(", ")} WHERE id = ?`).run(...values, id);
  }

  status(id: number): TaskStatus {
    const row = this.db.query("SELECT status FROM tasks WHERE id = ?").get(id) as { status: TaskStatus } | null;
    if (!row) throw new TaskNotFound(id);
    return row.status;
  }

  get(id: number): Task {
    const row = this.db.query("SELECT * FROM tasks WHERE id = ?").get(id) as TaskRow | null;
    if (!row) throw new TaskNotFound(id);
    return this.toTask(row);
  }

  /** Internal columns the wire shape leaves out. */
  internals(id: number): { runnerPid: number | null; clarifications: { question: string; answer: string }[] } {
    const row = this.db.query("SELECT runner_pid, clarifications FROM tasks WHERE id = ?").get(id) as Pick<TaskRow, "runner_pid" | "clarifications"> | null;
    if (!row) throw new TaskNotFound(id);
    return { runnerPid: row.runner_pid, clarifications: JSON.parse(row.clarifications) };
  }

  list(filter: { statuses?: readonly TaskStatus[] } = {}): Task[] {
    const rows = filter.statuses
      ? (this.db.query(`SELECT * FROM tasks WHERE status IN (${filter.statuses.map(() => "?").join(",")}) ORDER BY id`).all(...filter.statuses) as TaskRow[])
      : (this.db.query("SELECT * FROM tasks ORDER BY id").all() as TaskRow[]);
    return rows.map((r) => this.toTask(r));
  }

  /**
   * Every task as a dashboard row, oldest first: no description, plan or steps, and the token
   * totals summed in the same query (list() costs two more queries a task), so a watcher
   * re-reading a whole workspace every tick stays cheap. tokens: false skips the ledger.
   */
  summaries(opts: { tokens?: boolean } = {}): TaskSummary[] {
    const withTokens = opts.tokens ?? true;
    // A parked task's waiting step (at most one: steps run in order), by the primary key's order.
    const waiting = "(SELECT peer_repo FROM steps s WHERE s.task_id = t.id AND s.status = 'waiting' LIMIT 1) AS w_repo, (SELECT peer_task_id FROM steps s WHERE s.task_id = t.id AND s.status = 'waiting' LIMIT 1) AS w_id";
    const rows = this.db
      .query(
        withTokens
          ? `SELECT t.id, t.name, t.status, t.classification, t.branch, t.reason, t.created_at, t.updated_at,
                    coalesce(c.calls, 0) AS calls, coalesce(c.input, 0) AS input, coalesce(c.cr, 0) AS cr, ${waiting}
             FROM tasks t LEFT JOIN (SELECT task_id, count(*) AS calls, sum(input) AS input, sum(cache_read) AS cr
                                     FROM llm_calls WHERE task_id IS NOT NULL GROUP BY task_id) c ON c.task_id = t.id
             ORDER BY t.id`
          : `SELECT t.id, t.name, t.status, t.classification, t.branch, t.reason, t.created_at, t.updated_at, 0 AS calls, 0 AS input, 0 AS cr, ${waiting} FROM tasks t ORDER BY t.id`,
      )
      .all() as (Pick<TaskRow, "id" | "name" | "status" | "classification" | "branch" | "reason" | "created_at" | "updated_at"> & { calls: number; input: number; cr: number; w_repo: string | null; w_id: number | null })[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      classification: r.classification,
      branch: r.branch,
      reason: r.reason,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      tokens: { calls: r.calls, input: r.input, cacheRead: r.cr, effectiveInput: effectiveInput(r.input, r.cr) },
      waitingOn: r.status === "executing" && r.w_repo !== null && r.w_id !== null ? { repo: r.w_repo, taskId: r.w_id } : null,
    }));
  }

  /** Hard delete of the task, its steps and events; its ledger rows stay (the money was spent). */
  delete(id: number): void {
    this.db.transaction(() => {
      if (!this.db.query("SELECT 1 FROM tasks WHERE id = ?").get(id)) throw new TaskNotFound(id);
      this.db.query("DELETE FROM steps WHERE task_id = ?").run(id);
      this.db.query("DELETE FROM events WHERE task_id = ?").run(id);
      this.db.query("DELETE FROM tasks WHERE id = ?").run(id);
    }).immediate();
  }

  private toTask(r: TaskRow): Task {
    const plan = r.plan === null ? null : Plan.safeParse(JSON.parse(r.plan));
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      status: r.status,
      classification: r.classification,
      confidence: r.confidence,
      reason: r.reason,
      questions: JSON.parse(r.questions),
      plan: plan?.success ? plan.data : null,
      steps: this.steps(r.id),
      branch: r.branch,
      baseBranch: r.base_branch,
      baseCommit: r.base_commit,
      worktree: r.worktree,
      sourceRepo: r.source_repo,
      sourceTaskId: r.source_task_id,
      result: r.result,
      tokens: this.totals(r.id),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  // ---------------------------------------------------------------------------------- steps

  /** Materialise a plan's steps (replacing any earlier ones). */
  setSteps(id: number, plan: Plan): void {
    this.db.transaction(() => {
      this.db.query("DELETE FROM steps WHERE task_id = ?").run(id);
      const ins = this.db.query("INSERT INTO steps(task_id, seq, verb, target_file, description, acceptance) VALUES (?, ?, ?, ?, ?, ?)");
      plan.plan.forEach((s, i) => ins.run(id, i + 1, s.verb, s.target_file, s.description, s.acceptance));
    }).immediate();
  }

  steps(id: number): TaskStep[] {
    const rows = this.db.query("SELECT * FROM steps WHERE task_id = ? ORDER BY seq").all(id) as {
      seq: number;
      verb: TaskStep["verb"];
      target_file: string;
      description: string;
      acceptance: string;
      status: StepStatus;
      commit_sha: string | null;
      retries: number;
      duration_ms: number | null;
      error: string | null;
      peer_repo: string | null;
      peer_task_id: number | null;
      peer_status: TaskStatus | null;
      peer_branch: string | null;
    }[];
    return rows.map((s) => ({
      seq: s.seq,
      verb: s.verb,
      targetFile: s.target_file,
      description: s.description,
      acceptance: s.acceptance,
      status: s.status,
      commit: s.commit_sha,
      retries: s.retries,
      durationMs: s.duration_ms,
      error: s.error,
      peer: s.peer_repo !== null && s.peer_task_id !== null ? { repo: s.peer_repo, taskId: s.peer_task_id, status: s.peer_status, branch: s.peer_branch } : null,
    }));
  }

  updateStep(id: number, seq: number, patch: StepPatch): void {
    const cols = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (!cols.length) return;
    this.db.query(`UPDATE steps SET ${cols.map(([k]) => `${k} = ?`).join(", ")} WHERE task_id = ? AND seq = ?`).run(...cols.map(([, v]) => v as string | number | null), id, seq);
  }

  // ---------------------------------------------------------------------------------- ledger

  /** One ledger row per LLM call, failed calls included. */
  recordCall(c: { taskId: number | null; stepSeq?: number | null; purpose: LlmPurpose; attempt?: number; result: LlmResult }): number {
    const r = c.result;
    const row = this.db
      .query(
        `INSERT INTO llm_calls(task_id, step_seq, purpose, attempt, backend, model, input, output, cache_creation, cache_read, reasoning, cost_usd, duration_ms, exit_code, ok, error, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(
        c.taskId,
        c.stepSeq ?? null,
        c.purpose,
        c.attempt ?? 1,
        r.backend,
        r.model,
        r.usage.input,
        r.usage.output,
        r.usage.cacheCreation,
        r.usage.cacheRead,
        r.usage.reasoning ?? 0,
        r.costUsd,
        Math.round(r.durationMs),
        r.exitCode,
        r.ok ? 1 : 0,
        r.error,
        new Date().toISOString(),
      ) as { id: number };
    return row.id;
  }

  /** Attach ledger rows recorded before the task existed (the dedup check) to it. */
  adoptCalls(ids: number[], taskId: number): void {
    const q = this.db.query("UPDATE llm_calls SET task_id = ? WHERE id = ? AND task_id IS NULL");
    for (const id of ids) q.run(taskId, id);
  }

  calls(filter: { taskId?: number } = {}): LlmCall[] {
    const rows = (
      filter.taskId === undefined
        ? this.db.query("SELECT * FROM llm_calls ORDER BY id").all()
        : this.db.query("SELECT * FROM llm_calls WHERE task_id = ? ORDER BY id").all(filter.taskId)
    ) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as number,
      taskId: r.task_id as number | null,
      stepSeq: r.step_seq as number | null,
      purpose: r.purpose as LlmPurpose,
      attempt: r.attempt as number,
      backend: r.backend as string,
      model: r.model as string | null,
      input: r.input as number,
      output: r.output as number,
      cacheCreation: r.cache_creation as number,
      cacheRead: r.cache_read as number,
      reasoning: r.reasoning as number,
      costUsd: r.cost_usd as number,
      durationMs: r.duration_ms as number,
      exitCode: r.exit_code as number | null,
      ok: r.ok === 1,
      error: r.error as string | null,
      at: r.at as string,
    }));
  }

  /** Token totals of one task, or of every call in the repo when taskId is undefined. */
  totals(taskId?: number): TokenTotals {
    return taskId === undefined ? this.sumCalls("", []) : this.sumCalls("WHERE task_id = ?", [taskId]);
  }

  /** Totals per purpose (classify, plan, step, dedup) over the whole repo. */
  totalsByPurpose(): { purpose: LlmPurpose; tokens: TokenTotals }[] {
    const purposes = this.db.query("SELECT DISTINCT purpose FROM llm_calls ORDER BY purpose").all() as { purpose: LlmPurpose }[];
    return purposes.map(({ purpose }) => ({ purpose, tokens: this.sumCalls("WHERE purpose = ?", [purpose]) }));
  }

  /** Calls with no task to show them under: dry runs, duplicates, deleted tasks. */
  unattributedTotals(): TokenTotals {
    return this.sumCalls("WHERE task_id IS NULL OR task_id NOT IN (SELECT id FROM tasks)", []);
  }

  private sumCalls(where: string, params: (string | number)[]): TokenTotals {
    const r = this.db
      .query(
        `SELECT count(*) AS calls, coalesce(sum(input),0) AS input, coalesce(sum(output),0) AS output, coalesce(sum(cache_creation),0) AS cc,
                coalesce(sum(cache_read),0) AS cr, coalesce(sum(reasoning),0) AS rs, coalesce(sum(cost_usd),0) AS cost, group_concat(DISTINCT backend) AS backends FROM llm_calls ${where}`,
      )
      .get(...params) as { calls: number; input: number; output: number; cc: number; cr: number; rs: number; cost: number; backends: string | null };
    return {
      calls: r.calls,
      input: r.input,
      output: r.output,
      cacheCreation: r.cc,
      cacheRead: r.cr,
      reasoning: r.rs,
      effectiveInput: effectiveInput(r.input, r.cr),
      costUsd: r.cost,
      backends: r.backends ? r.backends.split(",").sort() : [],
    };
  }

  events(taskId: number): { from: TaskStatus | null; to: TaskStatus; reason: string | null; at: string }[] {
    return (this.db.query("SELECT from_status, to_status, reason, at FROM events WHERE task_id = ? ORDER BY id").all(taskId) as Record<string, string | null>[]).map((e) => ({
      from: e.from_status as TaskStatus | null,
      to: e.to_status as TaskStatus,
      reason: e.reason ?? null,
      at: e.at as string,
    }));
  }

  private emit(e: Parameters<TransitionListener>[0]): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a listener's failure must not undo a committed transition
      }
    }
  }
}

/**
 * Read a repo's task store if it has one (null otherwise: a read never creates a store), closing
 * it afterwards. For commands that look at other repos, or at a repo without going through it.
 * readOnly: open with TaskStore.openReadOnly (a damaged file throws instead of being moved aside).
 */
export function withTaskStore<T>(skepDir: string, read: (store: TaskStore) => T, opts: { readOnly?: boolean } = {}): T | null {
  if (!existsSync(tasksDbPath(skepDir))) return null;
  const store = opts.readOnly ? TaskStore.openReadOnly(skepDir) : TaskStore.open(skepDir);
  try {
    return read(store);
  } finally {
    store.close();
  }
}

/** The highest numeric folder name under `dir` (0 when none, or no such dir). */
function highestTaskFolder(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  return names.reduce((m, n) => (/^[1-9][0-9]*$/.test(n) ? Math.max(m, Number(n)) : m), 0);
}

/** "Effective billed input" as the reference defines it: cache reads cost a tenth of fresh input. */
export function effectiveInput(input: number, cacheRead: number): number {
  return input + Math.round(cacheRead / 10);
}

/**
 * Bring an older store up to TASKS_SCHEMA_VERSION in one immediate transaction: the columns it
 * lacks are added (rows kept), then the version is recorded. Re-reading the version inside the
 * transaction lets two processes opening the same old store at once both succeed.
 */
function migrate(db: Database): void {
  db.transaction(() => {
    const now = Number((db.query("SELECT value FROM meta WHERE key = 'tasks_schema'").get() as { value: string } | null)?.value ?? 0);
    if (now >= TASKS_SCHEMA_VERSION) return;
    for (const m of TASKS_MIGRATIONS) {
      if (m.version <= now) continue;
      const columns = (db.query(`PRAGMA table_info(${m.table})`).all() as { name: string }[]).map((c) => c.name);
      if (!columns.includes(m.column)) db.exec(`ALTER TABLE ${m.table} ADD COLUMN ${m.column} ${m.type}`);
    }
    db.query("UPDATE meta SET value = ? WHERE key = 'tasks_schema'").run(String(TASKS_SCHEMA_VERSION));
  }).immediate();
}

/** SQLITE_BUSY or SQLITE_LOCKED (with any extended code). */
function isBusy(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? "");
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED") || /database is (locked|busy)/i.test((err as Error)?.message ?? "");
}

function configure(db: Database): Database {
  // The timeout first: switching to WAL already takes a lock another process may hold for a moment.
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = OFF");
  return db;
}

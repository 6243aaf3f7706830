// The runs store: `<workspace>/.skep-workspace/runs/<id>/`, plain files (docs/architecture.md,
// "Coordinator runs", says why not SQLite):
//   run.json      the record (status, repos, workers), replaced atomically on every change
//   events.jsonl  every status change with its reason, appended
//   ledger.jsonl  the run's own LLM calls (coordinator and review stages)
//   log.txt       progress lines, the workers' relayed events
//   spec.md, prompts/, coordinator.json, contract.md, specs/<repo>.md, review.json, report.md
// Changes take `lock` (O_EXCL) for the read-modify-write, so the process driving a run and a CLI
// verb from another terminal never lose each other's change. Waiters watch the run's directory
// (inotify through fs.watch): every change renames a new run.json into it, so nothing polls.
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Run, RunEvent, RunLedgerRow, type RunStatus, type RunWorker, SETTLED_RUN_STATUSES } from "../protocol/runs.ts";
import { effectiveInput } from "../tasks/store.ts";
import type { TokenTotals } from "../protocol/tasks.ts";
import { alive } from "../util/pid.ts";
import { writeFileAtomic } from "../util/fs.ts";
import { runsDir } from "./peek.ts";
import { canRunTransition, IllegalRunTransition } from "./states.ts";

export class RunNotFound extends Error {}

/** A lock older than this belongs to a process that died mid-change (a change takes milliseconds). */
const LOCK_STALE_MS = 10_000;

export { runsDir };

export interface RunFiles {
  dir: string;
  record: string;
  events: string;
  ledger: string;
  log: string;
  spec: string;
  prompts: string;
  coordinator: string;
  contract: string;
  specs: string;
  review: string;
  report: string;
  /** The coordinator's questions with room for the answers, while the run is pending_clarification. */
  clarify: string;
  clarifyArchive: string;
}

export function runFiles(workspace: string, id: number): RunFiles {
  const dir = join(runsDir(workspace), String(id));
  return {
    dir,
    record: join(dir, "run.json"),
    events: join(dir, "events.jsonl"),
    ledger: join(dir, "ledger.jsonl"),
    log: join(dir, "log.txt"),
    spec: join(dir, "spec.md"),
    prompts: join(dir, "prompts"),
    coordinator: join(dir, "coordinator.json"),
    contract: join(dir, "contract.md"),
    specs: join(dir, "specs"),
    review: join(dir, "review.json"),
    report: join(dir, "report.md"),
    clarify: join(dir, "clarify.md"),
    clarifyArchive: join(dir, "clarify-archive"),
  };
}

type Listener = (run: Run, from: RunStatus | null) => void;

export class RunStore {
  private readonly listeners = new Set<Listener>();

  constructor(readonly workspace: string) {}

  files(id: number): RunFiles {
    return runFiles(this.workspace, id);
  }

  /** A new run in `drafting`: its id is the first free number (mkdir is the atomic claim). */
  create(init: Pick<Run, "spec" | "repos" | "configRepo">): Run {
    const root = runsDir(this.workspace);
    mkdirSync(root, { recursive: true });
    const taken = this.ids();
    for (let id = (taken.at(-1) ?? 0) + 1; ; id++) {
      const f = this.files(id);
      try {
        mkdirSync(f.dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") continue; // another process took it
        throw err;
      }
      mkdirSync(f.specs);
      mkdirSync(f.prompts);
      const now = new Date().toISOString();
      const run: Run = {
        id,
        spec: init.spec,
        status: "drafting",
        reason: null,
        workspace: this.workspace,
        repos: init.repos,
        configRepo: init.configRepo,
        workers: init.repos.map((r) => ({ repo: r.name, taskId: null, status: null, branch: null, baseCommit: null, reason: null })),
        questions: [],
        clarifications: [],
        driverPid: null,
        createdAt: now,
        updatedAt: now,
      };
      writeFileSync(f.spec, `${init.spec}\n`);
      writeFileAtomic(f.record, `${JSON.stringify(run, null, 2)}\n`);
      appendFileSync(f.events, `${JSON.stringify({ at: now, from: null, to: "drafting", reason: null } satisfies RunEvent)}\n`);
      return run;
    }
  }

  /** Run ids, ascending. */
  ids(): number[] {
    const root = runsDir(this.workspace);
    if (!existsSync(root)) return [];
    return readdirSync(root)
      .filter((n) => /^\d+$/.test(n) && existsSync(join(root, n, "run.json")))
      .map(Number)
      .sort((a, b) => a - b);
  }

  get(id: number): Run {
    const f = this.files(id);
    let text: string;
    try {
      text = readFileSync(f.record, "utf8");
    } catch {
      const known = this.ids();
      throw new RunNotFound(`no run ${id} in ${this.workspace}${known.length ? ` (runs: ${known.join(", ")})` : " (no runs yet)"}`);
    }
    const parsed = Run.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${f.record} is damaged: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  /** Newest first. A damaged record is skipped here (`run show` names it). */
  list(): Run[] {
    const out: Run[] = [];
    for (const id of this.ids().reverse()) {
      try {
        out.push(this.get(id));
      } catch {
        // reported by `skep run show <id>`
      }
    }
    return out;
  }

  /**
   * The only code that changes a run's status: under the run's lock it reads the status, refuses a
   * move the table does not allow (or, when `from` is given, a run another process moved
   * meanwhile), writes the record with `patch`, and appends the event. Listeners run after.
   */
  transition(id: number, to: RunStatus, opts: { from?: readonly RunStatus[]; reason?: string | null; patch?: Partial<Pick<Run, "driverPid" | "workers" | "questions" | "clarifications">> } = {}): Run {
    const [run, from] = this.locked(id, () => {
      const cur = this.get(id);
      if (!canRunTransition(cur.status, to) || (opts.from && !opts.from.includes(cur.status))) throw new IllegalRunTransition(id, cur.status, to);
      const next: Run = { ...cur, ...opts.patch, status: to, reason: opts.reason ?? null, updatedAt: new Date().toISOString() };
      // A request to stop is answered by the run settling (or moot once it has).
      if (SETTLED_RUN_STATUSES.includes(to)) rmSync(join(this.files(id).dir, "interrupt"), { force: true });
      this.write(next);
      appendFileSync(this.files(id).events, `${JSON.stringify({ at: next.updatedAt, from: cur.status, to, reason: next.reason } satisfies RunEvent)}\n`);
      return [next, cur.status] as const;
    });
    for (const l of this.listeners) l(run, from);
    return run;
  }

  /** Change one worker's record (never the status of the run). */
  updateWorker(id: number, repo: string, patch: Partial<RunWorker>): Run {
    return this.locked(id, () => {
      const cur = this.get(id);
      const next: Run = { ...cur, workers: cur.workers.map((w) => (w.repo === repo ? { ...w, ...patch } : w)), updatedAt: new Date().toISOString() };
      this.write(next);
      return next;
    });
  }

  setDriver(id: number, pid: number | null): void {
    this.locked(id, () => this.write({ ...this.get(id), driverPid: pid }));
  }

  onTransition(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  events(id: number): RunEvent[] {
    return readJsonl(this.files(id).events, RunEvent);
  }

  recordCall(id: number, row: RunLedgerRow): void {
    appendFileSync(this.files(id).ledger, `${JSON.stringify(row)}\n`);
  }

  ledger(id: number): RunLedgerRow[] {
    return readJsonl(this.files(id).ledger, RunLedgerRow);
  }

  log(id: number, line: string): void {
    appendFileSync(this.files(id).log, `${new Date().toISOString()} ${line}\n`);
  }

  /**
   * Ask the process driving run `id` to stop: a request file in the run's directory, which the
   * driver watches (watchInterrupt). No signal: the driver may be an agent's MCP server, which
   * must not die for it.
   */
  requestInterrupt(id: number): void {
    writeFileSync(join(this.files(id).dir, "interrupt"), `${process.pid}\n`);
  }

  /** Call `onRequest` once an interrupt is requested for run `id` (at once if one is). Returns the unwatch. */
  watchInterrupt(id: number, onRequest: () => void): () => void {
    const flag = join(this.files(id).dir, "interrupt");
    let fired = false;
    const check = () => {
      if (!fired && existsSync(flag)) {
        fired = true;
        onRequest();
      }
    };
    const w = watch(this.files(id).dir, check);
    w.on("error", () => {});
    check();
    return () => w.close();
  }

  delete(id: number): void {
    this.get(id);
    rmSync(this.files(id).dir, { recursive: true, force: true });
  }

  /**
   * Resolve with the run once `done(run)` holds, or with the run as it is after `timeoutMs`. The
   * run's directory is watched: every change renames a new run.json into it.
   */
  async waitFor(id: number, done: (run: Run) => boolean, timeoutMs: number, signal?: AbortSignal, recheckMs?: number): Promise<{ run: Run; timedOut: boolean }> {
    const dir = this.files(id).dir;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (timedOut: boolean) => {
        if (settled) return;
        let run: Run;
        try {
          run = this.get(id);
        } catch (err) {
          settled = true;
          cleanup();
          return reject(err);
        }
        if (!timedOut && !done(run)) return;
        settled = true;
        cleanup();
        resolve({ run, timedOut });
      };
      const watcher = watch(dir, () => finish(false));
      watcher.on("error", () => finish(false));
      const timer = setTimeout(() => finish(true), timeoutMs);
      // A driver killed outright (SIGKILL, OOM) writes nothing to watch; `done` may look at more
      // than the files (the driver's pid), so it is asked again now and then when the caller says so.
      const recheck = recheckMs ? setInterval(() => finish(false), recheckMs) : null;
      const onAbort = () => finish(true);
      signal?.addEventListener("abort", onAbort, { once: true });
      const cleanup = () => {
        watcher.close();
        clearTimeout(timer);
        if (recheck) clearInterval(recheck);
        signal?.removeEventListener("abort", onAbort);
      };
      finish(false); // it may hold already (or have changed before the watch began)
    });
  }

  private write(run: Run): void {
    writeFileAtomic(this.files(run.id).record, `${JSON.stringify(run, null, 2)}\n`);
  }

  private locked<T>(id: number, fn: () => T): T {
    const lock = join(this.files(id).dir, "lock");
    if (!existsSync(this.files(id).record)) this.get(id); // throws RunNotFound
    for (let tries = 0; ; tries++) {
      try {
        closeSync(openSync(lock, "wx"));
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        try {
          if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { force: true });
        } catch {
          // released meanwhile
        }
        if (tries > 2000) throw new Error(`run ${id} stays locked (${lock}); remove the file if no skep process is using the run`);
        Bun.sleepSync(5);
      }
    }
    try {
      return fn();
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

function readJsonl<T>(path: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const p = schema.safeParse(JSON.parse(line));
      if (p.success) out.push(p.data);
    } catch {
      // a line cut short by a crash: the rest still counts
    }
  }
  return out;
}

/** The driver recorded on a run is gone (killed): the run is no longer running anywhere. */
export function driverGone(run: Run): boolean {
  return (run.status === "running" || run.status === "reviewing" || run.status === "drafting") && (run.driverPid === null || !alive(run.driverPid));
}

/** Token totals of ledger rows, shaped as the task ledger's (`TokenTotals`). */
export function totalsOf(rows: readonly { input: number; output: number; cacheCreation: number; cacheRead: number; costUsd: number; backend: string }[]): TokenTotals {
  const sum = (k: "input" | "output" | "cacheCreation" | "cacheRead" | "costUsd") => rows.reduce((s, r) => s + r[k], 0);
  const input = sum("input");
  const cacheRead = sum("cacheRead");
  return {
    calls: rows.length,
    input,
    output: sum("output"),
    cacheCreation: sum("cacheCreation"),
    cacheRead,
    effectiveInput: effectiveInput(input, cacheRead),
    costUsd: sum("costUsd"),
    backends: [...new Set(rows.map((r) => r.backend))].sort(),
  };
}

export function addTotals(parts: readonly TokenTotals[]): TokenTotals {
  const sum = (k: "calls" | "input" | "output" | "cacheCreation" | "cacheRead" | "costUsd") => parts.reduce((s, t) => s + t[k], 0);
  const input = sum("input");
  const cacheRead = sum("cacheRead");
  return {
    calls: sum("calls"),
    input,
    output: sum("output"),
    cacheCreation: sum("cacheCreation"),
    cacheRead,
    effectiveInput: effectiveInput(input, cacheRead),
    costUsd: sum("costUsd"),
    backends: [...new Set(parts.flatMap((t) => t.backends))].sort(),
  };
}

/** Runs not final, newest first, as the dashboard and the status line show them (read only: nothing reconciled). */
export function runsInFlight(workspace: string | null): { id: number; status: RunStatus; spec: string; workers: string[] }[] | undefined {
  if (!workspace) return undefined;
  return new RunStore(workspace)
    .list()
    .filter((r) => r.status !== "done" && r.status !== "rejected")
    .map((r) => ({
      id: r.id,
      status: driverGone(r) ? "interrupted" : r.status,
      spec: r.spec,
      workers: r.workers.filter((w) => w.taskId !== null).map((w) => `${w.repo} #${w.taskId} ${w.status ?? "?"}`),
    }));
}

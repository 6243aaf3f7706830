// The main thread's side of indexing: it remembers which paths changed (and when), decides what
// the next run covers, sends one run at a time to the index worker, and publishes what happened.
// Its list of changed-but-not-yet-indexed paths is what the daemon's answers report as pending.
import type { Database } from "bun:sqlite";
import { lstatSync } from "node:fs";
import { join } from "node:path";
import type { PendingChanges } from "../index/freshness.ts";
import type { Freshness } from "../protocol/index-answers.ts";
import type { EventBus } from "./bus.ts";
import type { RunMode, RunReport, WorkerIn, WorkerOut } from "./worker-messages.ts";

export interface WatchBatch {
  /** Repo-relative paths that changed (created, modified or deleted). */
  paths: Iterable<string>;
  /** The set of files may have changed beyond `paths` (directories came or went, .gitignore changed, HEAD moved): rescan. */
  rescan: boolean;
  /** Which files changed is not fully known (a directory vanished, .gitignore changed): freshness must rescan until a full run. */
  uncertain?: boolean;
}

export interface RunnerOptions {
  root: string;
  dbPath: string;
  /** Paths runs need git to tell ignored files; outside git every run is a full rescan. */
  isGit: boolean;
  bus: EventBus;
  /** Freshness as answers report it, for the index.updated event. */
  freshness: () => Freshness;
  log: (msg: string) => void;
  /** Above this many changed paths a full rescan is cheaper than per-path work. */
  maxPathsPerRun?: number;
}

interface Run {
  id: number;
  mode: RunMode;
  paths: string[];
  /** Every change with a sequence number up to this one is covered by the run. */
  maxSeq: number;
}

const SHOWN_PATHS = 200;

/** The worker entry, src/daemon-worker.ts: from source, a sibling of src/daemon/; compiled, embedded beside the binary's root. */
const COMPILED = /\/\$bunfs\/|~BUN/.test(import.meta.url);
const WORKER_URL = new URL(COMPILED ? "./daemon-worker.ts" : "../daemon-worker.ts", import.meta.url).href;

export class IndexRunner {
  private worker: Worker | null = null;
  private readonly dirty = new Map<string, number>();
  private seq = 0;
  /** Highest change sequence number already sent to the worker. */
  private sentSeq = 0;
  private wantFull = false;
  /** Sequence number of the last uncertain change (0: none outstanding). */
  private uncertainSeq = 0;
  private writing: Run | null = null;
  private readonly inflight: Run[] = [];
  private nextId = 1;
  private closing = false;
  private readonly waiters: { afterId: number; resolve: (r: RunReport | null) => void }[] = [];
  private idleWaiters: (() => void)[] = [];
  runs = 0;
  lastError: string | null = null;
  lastReport: RunReport | null = null;
  started = false;

  constructor(private readonly o: RunnerOptions) {}

  get state(): "starting" | "idle" | "running" {
    if (!this.started) return "starting";
    return this.inflight.length ? "running" : "idle";
  }

  /** Some change is not known path by path: pending files can only be told by rescanning. */
  get uncertain(): boolean {
    return this.uncertainSeq > 0;
  }

  /** Work is waiting that is not yet sent to the worker. */
  get queued(): boolean {
    return this.wantFull || this.seq > this.sentSeq;
  }

  /** Start the worker and open (create, repair or migrate) the database. */
  async start(): Promise<void> {
    this.worker = this.spawn();
    await new Promise<void>((resolve, reject) => {
      const w = this.worker!;
      const onMessage = (e: MessageEvent<WorkerOut>) => {
        if (e.data.type === "ready") {
          w.removeEventListener("message", onMessage);
          resolve();
        } else if (e.data.type === "fatal") reject(new Error(`the index worker could not open ${this.o.dbPath}: ${e.data.message}`));
      };
      w.addEventListener("message", onMessage);
      w.addEventListener("error", (ev) => reject(new Error(`the index worker failed: ${(ev as ErrorEvent).message}`)), { once: true });
      this.send({ type: "init", dbPath: this.o.dbPath, root: this.o.root });
    });
    this.worker.addEventListener("message", (e: MessageEvent<WorkerOut>) => this.onWorker(e.data));
    this.started = true;
  }

  private spawn(): Worker {
    const w = new Worker(WORKER_URL);
    w.addEventListener("error", (ev) => this.onCrash((ev as ErrorEvent).message));
    return w;
  }

  private send(m: WorkerIn): void {
    this.worker!.postMessage(m);
  }

  /** Paths known to differ from the index (the startup scan): pending until a run covers them. */
  seed(paths: string[]): void {
    for (const p of paths) this.dirty.set(p, ++this.seq);
  }

  /** The watcher saw changes. */
  notify(batch: WatchBatch): void {
    for (const p of batch.paths) this.dirty.set(p, ++this.seq);
    if (batch.rescan) this.wantFull = true;
    if (batch.uncertain) this.uncertainSeq = ++this.seq;
    this.schedule();
  }

  /** Ask for a full rescan; resolves with its report when it is done (null on timeout or shutdown). */
  refresh(wait: boolean, timeoutMs: number): Promise<RunReport | null> {
    this.wantFull = true;
    const afterId = this.nextId - 1;
    this.schedule();
    if (!wait) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          resolve(null);
        }
      }, timeoutMs);
      const waiter = {
        afterId,
        resolve: (r: RunReport | null) => {
          clearTimeout(timer); // no timer outlives its request
          resolve(r);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.queued && this.inflight.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * What changed on disk and is not in the index yet: every path the watcher reported that no
   * finished run has covered, classified against the index (a path neither on disk nor indexed
   * was a temporary file and is not pending).
   */
  pending(db: Database, unflushed: Iterable<string> = []): PendingChanges {
    const out: PendingChanges = { added: [], modified: [], deleted: [] };
    const paths = new Set([...this.dirty.keys(), ...unflushed]);
    if (paths.size === 0) return out;
    const known = db.prepare("SELECT 1 AS x FROM files WHERE path = ?");
    for (const path of [...paths].sort()) {
      const inIndex = known.get(path) !== null;
      let onDisk = false;
      try {
        const st = lstatSync(join(this.o.root, path));
        onDisk = st.isFile() || st.isSymbolicLink();
      } catch {
        onDisk = false;
      }
      if (onDisk) (inIndex ? out.modified : out.added).push(path);
      else if (inIndex) out.deleted.push(path);
    }
    return out;
  }

  private schedule(): void {
    if (this.closing || !this.started || this.writing || !this.queued) {
      this.checkIdle();
      return;
    }
    const fresh = [...this.dirty].filter(([, s]) => s > this.sentSeq).map(([p]) => p);
    const full = this.wantFull || !this.o.isGit || fresh.length > (this.o.maxPathsPerRun ?? 64);
    const run: Run = { id: this.nextId++, mode: full ? "full" : "paths", paths: fresh, maxSeq: this.seq };
    this.wantFull = false;
    this.sentSeq = this.seq;
    this.writing = run;
    this.inflight.push(run);
    this.o.bus.publish("index.started", { mode: run.mode, paths: run.paths.length });
    this.send({ type: "run", id: run.id, mode: run.mode, paths: run.mode === "paths" ? run.paths : [] });
  }

  private onWorker(m: WorkerOut): void {
    switch (m.type) {
      case "searchable": {
        const run = this.inflight.find((r) => r.id === m.id);
        if (this.writing?.id === m.id) this.writing = null;
        if (run) this.o.bus.publish("index.searchable", { mode: run.mode, paths: run.paths.slice(0, SHOWN_PATHS) });
        this.schedule();
        break;
      }
      case "done":
      case "failed": {
        const i = this.inflight.findIndex((r) => r.id === m.id);
        if (i < 0) break;
        const [run] = this.inflight.splice(i, 1) as [Run];
        if (this.writing?.id === m.id) this.writing = null;
        this.runs++;
        if (m.type === "done") {
          // Everything the run covered is indexed now, unless it changed again since (a newer seq).
          for (const [p, s] of this.dirty) if (s <= run.maxSeq) this.dirty.delete(p);
          if (run.mode === "full" && run.maxSeq >= this.uncertainSeq) this.uncertainSeq = 0;
          this.lastReport = m.report;
          this.o.bus.publish("index.updated", {
            mode: run.mode,
            parsed: m.report.parsed,
            deleted: m.report.deleted,
            files: m.report.files,
            symbols: m.report.symbols,
            durationMs: Math.round(m.report.durationMs),
            paths: run.paths.slice(0, SHOWN_PATHS),
            pathsTotal: run.paths.length,
            freshness: this.o.freshness(),
          });
          for (const w of [...this.waiters]) {
            if (run.mode === "full" && run.id > w.afterId) {
              this.waiters.splice(this.waiters.indexOf(w), 1);
              w.resolve(m.report);
            }
          }
        } else {
          // The paths stay pending (honestly stale); the next change or refresh retries them.
          this.lastError = m.message;
          this.o.log(`index run ${run.id} (${run.mode}) failed: ${m.message}`);
          this.o.bus.publish("index.failed", { message: m.message });
          for (const w of this.waiters.splice(0)) w.resolve(null);
        }
        this.schedule();
        break;
      }
      case "rebuilt":
        this.o.log(`the index was damaged: moved aside as ${m.aside}, rebuilding it from scratch`);
        break;
      case "fatal":
        this.lastError = m.message;
        this.o.log(`index worker error: ${m.message}`);
        break;
      default:
        break;
    }
  }

  private onCrash(message: string): void {
    if (this.closing || !this.started) return; // a failure to start is start()'s to report
    this.lastError = `index worker crashed: ${message}`;
    this.o.log(this.lastError);
    // Start over with a new worker and a full rescan; the runs in flight are lost.
    for (const run of this.inflight.splice(0)) this.o.bus.publish("index.failed", { message: `run ${run.id}: ${this.lastError}` });
    this.writing = null;
    this.worker?.terminate();
    this.started = false;
    this.wantFull = true;
    this.start()
      .then(() => this.schedule())
      .catch((err) => this.o.log(`could not restart the index worker: ${(err as Error).message}`));
  }

  private checkIdle(): void {
    if (this.queued || this.inflight.length || this.idleWaiters.length === 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Answer every refresh waiting for a run now (with null: not finished). */
  cancelWaiters(): void {
    for (const w of this.waiters.splice(0)) w.resolve(null);
  }

  /** Stop taking runs, let the current one finish (up to graceMs), then close the worker. */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    for (const w of this.waiters.splice(0)) w.resolve(null);
    if (!this.worker) return;
    const w = this.worker;
    const closed = new Promise<void>((resolve) => {
      w.addEventListener("message", (e: MessageEvent<WorkerOut>) => e.data.type === "closed" && resolve());
    });
    if (this.started) this.send({ type: "close" });
    await Promise.race([closed, Bun.sleep(graceMs)]);
    w.terminate();
    this.worker = null;
  }
}

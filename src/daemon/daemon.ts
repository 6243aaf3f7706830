// `skep daemon run`: one long-running process per repo. It takes the repo's lock, opens the index
// (its worker is the only writer), watches the files, and answers the socket and the HTTP sidecar
// until SIGTERM/SIGINT or a `stop` request, then drains in-flight requests and exits cleanly.
import type { Database } from "bun:sqlite";
import { appendFileSync, chmodSync, existsSync, lstatSync, mkdirSync, renameSync, statSync, unlinkSync } from "node:fs";
import { gitDirs, gitHead } from "../git/repo.ts";
import { freshnessOf, pendingChanges, type PendingChanges } from "../index/freshness.ts";
import { indexFileReplaced, isCorruptionError, noteDamaged, openReadonly } from "../index/store.ts";
import type { DaemonInfo } from "../protocol/socket.ts";
import { writeFileAtomic } from "../util/fs.ts";
import { VERSION } from "../version.ts";
import { adoptCallerLlmEnv, llmEnvFingerprint } from "../llm/env.ts";
import { configuredLlmEnvKeys } from "../config/config.ts";
import type { AnswerContext, FreshnessSource } from "../api/answers.ts";
import { EventBus } from "./bus.ts";
import { HttpServer } from "./http-server.ts";
import { collectAfterActivity } from "./idle-gc.ts";
import { IndexRunner } from "./index-runner.ts";
import { readPid, tryLock, type Lock } from "../util/lock.ts";
import { serverSocketPath, type DaemonPaths } from "../repo/daemon-paths.ts";
import { SocketServer } from "./socket-server.ts";
import { TaskHost } from "./task-host.ts";
import { showExecutingTasks } from "./task-panes.ts";
import { CommittedTaskStore } from "../tasks/store.ts";
import { SQLiteError } from "bun:sqlite";
import type { VerbHost } from "./verbs.ts";
import { RepoWatcher } from "./watcher.ts";
import { SkepError } from "../errors.ts";
import { clientFdBudget, clientLimits } from "../util/fds.ts";

export class DaemonAlreadyRunning extends Error {
  readonly exitCode = 1;
}

export interface DaemonOptions {
  /** Watcher quiet period before a batch is indexed (ms). */
  debounceMs?: number;
  /** Also log to stderr (the foreground and the tmux pane); the log file is always written. */
  stderr?: boolean;
}

const MAX_LOG_BYTES = 10 * 1024 * 1024;
const DRAIN_MS = 5_000;

export async function runDaemon(paths: DaemonPaths, opts: DaemonOptions = {}): Promise<number> {
  const { root, skepDir } = paths;
  mkdirSync(skepDir, { recursive: true, mode: 0o700 });
  // The socket must sit in a directory only this user can enter.
  if (lstatSync(skepDir).uid === process.getuid?.() && (statSync(skepDir).mode & 0o077) !== 0) chmodSync(skepDir, 0o700);
  mkdirSync(paths.logDir, { recursive: true, mode: 0o700 });

  let lock: Lock | null = null;
  for (let attempt = 0; attempt < 5 && !lock; attempt++) {
    lock = tryLock(paths.lock);
    if (!lock) await Bun.sleep(40); // someone may be only probing the lock (skep daemon status)
  }
  if (!lock) {
    const pid = readPid(paths.pid);
    throw new DaemonAlreadyRunning(`a daemon already runs for ${root}${pid ? ` (pid ${pid})` : ""}`);
  }

  const log = makeLogger(paths.log, opts.stderr ?? false);
  const started = new Date();
  let db: Database | null = null;
  let socket: SocketServer | null = null;
  let http: HttpServer | null = null;
  let watcher: RepoWatcher | null = null;
  let runner: IndexRunner | null = null;
  let tasks: TaskHost | null = null;
  let stopping = false;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));

  try {
    writeFileAtomic(paths.pid, `${process.pid}\n`, 0o600);
    log(`starting skep ${VERSION} daemon for ${root} (pid ${process.pid}, lock: ${lock.kind})`);
    const dropped = adoptCallerLlmEnv(process.env, configuredLlmEnvKeys(paths.skepDir));
    if (dropped.length) log(`LLM environment: dropped ${dropped.join(", ")} (not in the environment of the command that started this daemon)`);

    const git = gitDirs(root);
    const isGit = git !== null;
    let head = isGit ? gitHead(root) : null;
    const bus = new EventBus();
    const collectSoon = collectAfterActivity();
    bus.subscribe(collectSoon, ["index.updated", "index.failed"]);

    const fresh: FreshnessSource = {
      // With the watcher complete, what changed is known; with it degraded, rescan like the CLI does.
      pending: (d) => {
        if (!watcher || !runner || watcher.degraded) return pendingChanges(d, root).pending;
        const seen = watcher.unflushed();
        if (seen.uncertain || runner.uncertain) return pendingChanges(d, root).pending;
        return runner.pending(d, seen.paths);
      },
      freshness: (d, p?: PendingChanges) => freshnessOf(d, root, p ?? fresh.pending(d), head),
    };
    runner = new IndexRunner({
      root,
      dbPath: paths.dbPath,
      isGit,
      bus,
      freshness: () => fresh.freshness(current()),
      log,
    });
    await runner.start();
    db = openReadonly(paths.dbPath);
    const answers: AnswerContext = {
      db,
      root,
      fresh,
      // The index only changes while a run is in flight: between runs, whole-table answers are cached.
      generation: () => (runner!.state === "idle" && !runner!.queued ? runner!.runs : undefined),
    };
    // The index worker moves a damaged file aside and rebuilds the index in a new one: follow it
    // there (one stat per answer), or every answer would keep coming from the old file.
    function current(): Database {
      if (db && indexFileReplaced(db)) {
        const next = openReadonly(paths.dbPath);
        db.close();
        db = answers.db = next;
        log("the index file was replaced: answering from the new one");
      }
      return db!;
    }

    // Watch first, then scan: a change during the scan is seen by one or the other, never neither.
    watcher = new RepoWatcher({
      root,
      isGit,
      gitDir: git?.gitDir,
      gitCommonDir: git?.commonDir,
      debounceMs: opts.debounceMs,
      maxDelayMs: opts.debounceMs === undefined ? undefined : Math.max(200, opts.debounceMs),
      log,
      onBatch: (b) => runner!.notify(b),
      skepDir,
      onGone: () => host.stop("the repo or its .skep directory was removed"),
      onGitChange: () => {
        const next = gitHead(root);
        if (next !== head) {
          bus.publish("head.moved", { from: head, to: next });
          head = next;
        }
      },
    });
    watcher.start();
    let pending: PendingChanges = { added: [], modified: [], deleted: [] };
    try {
      pending = pendingChanges(db, root).pending;
    } catch (err) {
      // A damaged index still gets a daemon: the first run (a full one) moves it aside and rebuilds it.
      if (!isCorruptionError(err)) throw err;
      noteDamaged(paths.dbPath, err, db);
      log(`the index could not be read (${(err as Error).message}): the first run rebuilds it`);
    }
    runner.seed([...pending.added, ...pending.modified, ...pending.deleted]);
    runner.notify({ paths: [], rescan: true });
    log(`watching ${watcher.directories} directories; ${pending.added.length + pending.modified.length + pending.deleted.length} files changed since the last index`);

    // A committed tasks.db is ignored (never classified or run): the index still gets its daemon.
    let tasksRefused: Error | null = null;
    const refuseTasks = (err: unknown) => {
      // A committed or damaged task store costs the tasks, not the index's daemon: said in the log
      // and in every task verb's answer, naming the file.
      if (!(err instanceof CommittedTaskStore) && !(err instanceof SQLiteError)) throw err;
      tasksRefused = err instanceof CommittedTaskStore ? err : new Error(`the task store ${paths.skepDir}/tasks.db could not be read (${err.message}); move it aside (mv .skep/tasks.db .skep/tasks.db.damaged) and restart the daemon`);
      log(`warning: ${tasksRefused.message}`);
      tasks = null;
    };
    try {
      tasks = new TaskHost(paths, bus, log);
      showExecutingTasks(tasks, paths, log);
    } catch (err) {
      refuseTasks(err);
    }
    const host: VerbHost = {
      get tasks(): TaskHost {
        if (!tasks) throw new SkepError("unavailable", tasksRefused?.message ?? "tasks are not available");
        return tasks;
      },
      answers: () => (current(), answers),
      info: (): DaemonInfo => ({
        pid: process.pid,
        version: VERSION,
        root,
        socket: socket?.path ?? "",
        http: http?.url ?? null,
        startedAt: started.toISOString(),
        uptimeMs: Date.now() - started.getTime(),
        indexer: { state: runner!.state, queued: runner!.queued, runs: runner!.runs, lastError: runner!.lastError },
        watcher: { directories: watcher?.directories ?? 0, degraded: watcher?.degraded ?? true },
        connections: socket?.connections ?? 0,
        requests: (socket?.answered ?? 0) + (http?.answered ?? 0),
        llmEnv: llmEnvFingerprint(),
      }),
      refresh: (wait, timeoutMs) => runner!.refresh(wait, timeoutMs),
      stop: (reason) => void stop(reason),
      activity: collectSoon,
      get stopping() {
        return stopping;
      },
    };

    const sockPath = serverSocketPath(paths);
    if (sockPath !== paths.socketDefault) writeFileAtomic(paths.socketPathFile, `${sockPath}\n`, 0o600);
    else if (existsSync(paths.socketPathFile)) unlinkSync(paths.socketPathFile);
    // Clients share what the reserve (util/fds.ts) leaves: half for the socket, half for HTTP.
    const limits = clientLimits(clientFdBudget());
    socket = new SocketServer(sockPath, host, bus, log, { maxConnections: limits.socket });
    socket.start();
    http = new HttpServer(paths.http, sockPath.replace(/(agent)?\.sock$/, (_m, agent) => (agent ? "http.sock" : "-http.sock")), host, bus, limits.http);
    const info = http.start();
    log(`listening on ${sockPath} and ${info.url}`);
    // Tasks last: a task resumed at start-up may ask this daemon's MCP tools about the index.
    try {
      tasks?.start();
    } catch (err) {
      refuseTasks(err);
    }

    const stop = async (reason: string) => {
      if (stopping) return;
      stopping = true;
      log(`stopping: ${reason}`);
      bus.publish("daemon.stopping", { reason });
      socket?.stopAccepting();
      http?.stopAccepting();
      watcher?.close();
      // A running task is interrupted (it keeps its worktree and branch) before the index closes.
      await tasks?.stop();
      // Requests waiting for a re-index get their answer now (finished: false), then drain.
      runner?.cancelWaiters();
      await Promise.all([socket?.drain(DRAIN_MS), http?.drain(DRAIN_MS)]);
      await runner?.close();
      await socket?.closeAll();
      http?.closeAll();
      resolveExit(0);
    };
    for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(sig, () => void stop(`${sig}`));
    process.on("uncaughtException", (err) => log(`uncaught: ${err.stack ?? err.message}`));
    process.on("unhandledRejection", (err) => log(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));

    const code = await exited;
    log("stopped");
    return code;
  } catch (err) {
    log(`failed: ${(err as Error).message}`);
    throw err;
  } finally {
    watcher?.close();
    if (!stopping) {
      await tasks?.stop().catch(() => undefined);
      socket?.stopAccepting();
      http?.stopAccepting();
      await runner?.close(2_000);
    }
    db?.close();
    for (const f of [paths.pid, paths.socketPathFile]) {
      try {
        unlinkSync(f);
      } catch {
        // not there
      }
    }
    lock.release();
  }
}

function makeLogger(path: string, stderr: boolean): (msg: string) => void {
  try {
    if (existsSync(path) && statSync(path).size > MAX_LOG_BYTES) renameSync(path, `${path}.1`);
  } catch {
    // rotation is best effort
  }
  return (msg) => {
    const line = `${new Date().toISOString()} ${msg}\n`;
    try {
      appendFileSync(path, line, { mode: 0o600 });
    } catch {
      // the log is best effort; never let it stop the daemon
    }
    if (stderr) process.stderr.write(line);
  };
}

// `skep daemon start | stop | status | restart | run`: the repo's long-running daemon.
import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { daemonState, startDaemon, stopDaemon } from "../../client/control.ts";
import { DaemonAlreadyRunning, runDaemon } from "../../daemon/daemon.ts";
import { daemonPaths, type DaemonPaths } from "../../repo/daemon-paths.ts";
import { CommandFailed, UsageError } from "../../errors.ts";
import { DaemonStatusAnswer } from "../../protocol/cli-answers.ts";
import { printJson } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";

function pathsOf(repo: string | undefined): DaemonPaths {
  const ctx = repoContext(repo);
  return daemonPaths(ctx.root, ctx.skepDir);
}

const tmuxArg = {
  tmux: { type: "boolean", description: "Run it in a hidden tmux session (default when tmux is installed; --no-tmux to detach instead)", default: true },
} as const;

function describeStart(r: Awaited<ReturnType<typeof startDaemon>>): string {
  if (r.how === "already") return `Daemon:     already running (pid ${r.info.pid})`;
  const where = r.how === "tmux" ? `in tmux session '${r.session}'` : "detached";
  return `Daemon:     started ${where} (pid ${r.info.pid}), socket ${r.info.socket}`;
}

const start = defineCommand({
  meta: { name: "start", description: "Start the repo's daemon (in tmux when installed, else detached)" },
  args: { ...tmuxArg, ...repoArgs },
  async run({ args }) {
    const paths = pathsOf(args.repo);
    console.log(describeStart(await startDaemon(paths, { tmux: args.tmux ? undefined : false })));
  },
});

const stop = defineCommand({
  meta: { name: "stop", description: "Stop the repo's daemon (it finishes in-flight requests first)" },
  args: { ...repoArgs },
  async run({ args }) {
    const paths = pathsOf(args.repo);
    const r = await stopDaemon(paths);
    if (r.stopped) console.log(`Daemon:     stopped (pid ${r.pid ?? "?"})`);
    else console.log("Daemon:     not running");
    if (r.cleaned.length) console.log(`            removed ${r.cleaned.length} stale file${r.cleaned.length === 1 ? "" : "s"} left by a daemon that died`);
  },
});

const restart = defineCommand({
  meta: { name: "restart", description: "Stop the daemon if it runs, then start it" },
  args: { ...tmuxArg, ...repoArgs },
  async run({ args }) {
    const paths = pathsOf(args.repo);
    await stopDaemon(paths);
    console.log(describeStart(await startDaemon(paths, { tmux: args.tmux ? undefined : false })));
  },
});

const status = defineCommand({
  meta: { name: "status", description: "Is the daemon running, and what is it doing" },
  args: { ...repoArgs, ...jsonArg },
  async run({ args }) {
    const paths = pathsOf(args.repo);
    const s = await daemonState(paths);
    if (!s.running) process.exitCode = 3;
    if (args.json) return printJson(DaemonStatusAnswer, s);
    if (s.info) {
      const i = s.info;
      console.log(`Daemon:     running (pid ${i.pid}, skep ${i.version}, up ${Math.round(i.uptimeMs / 1000)}s)`);
      console.log(`Socket:     ${i.socket}`);
      console.log(`HTTP:       ${i.http ?? "off"} (token in ${paths.http})`);
      console.log(`Indexer:    ${i.indexer.state}${i.indexer.queued ? ", more queued" : ""}, ${i.indexer.runs} runs${i.indexer.lastError ? `; last error: ${i.indexer.lastError}` : ""}`);
      console.log(`Watcher:    ${i.watcher.directories} directories${i.watcher.degraded ? " (degraded: some could not be watched)" : ""}`);
      console.log(`Clients:    ${i.connections} connected`);
    } else if (s.unresponsive) {
      const stopped = s.pid !== null && processStopped(s.pid);
      console.log(`Daemon:     does not answer (pid ${s.pid ?? "?"} holds the lock but did not answer a ping within 2 s${stopped ? "; the process is stopped (SIGSTOP)" : ", or is still starting"})`);
      console.log(`            reads use the index file directly meanwhile; ${stopped ? `\`kill -CONT ${s.pid}\` resumes it, or ` : ""}\`skep daemon restart\` replaces it`);
    } else {
      console.log("Daemon:     not running");
      if (s.stale.length) console.log(`            stale files from a daemon that died: ${s.stale.join(", ")} (\`skep daemon start\` cleans them)`);
    }
  },
});

const run = defineCommand({
  meta: { name: "run", description: "Run the daemon in the foreground (what start runs; logs to stderr too)" },
  args: {
    debounce: { type: "string", description: "Quiet period before changed files are indexed, in ms (default 20)" },
    ...repoArgs,
  } as const,
  async run({ args }) {
    const debounceMs = args.debounce === undefined ? undefined : Number(args.debounce);
    if (debounceMs !== undefined && (!Number.isInteger(debounceMs) || debounceMs < 0 || debounceMs > 10_000)) {
      throw new UsageError(`--debounce must be 0 to 10000 ms, not '${args.debounce}'`);
    }
    const paths = pathsOf(args.repo);
    try {
      const code = await runDaemon(paths, { debounceMs, stderr: Boolean(process.stderr.isTTY) });
      process.exit(code);
    } catch (err) {
      if (err instanceof DaemonAlreadyRunning) throw new CommandFailed(err.message);
      throw err;
    }
  },
});

export const daemonCommand = defineCommand({
  meta: TOP.daemon,
  subCommands: { start, stop, status, restart, run },
});

/** Whether process `pid` is stopped (state T in /proc/<pid>/stat; Linux only, false elsewhere). */
function processStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return /^\S+ \(.*\) [Tt] /s.test(stat);
  } catch {
    return false;
  }
}

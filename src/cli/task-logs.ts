// Following a task's log in a terminal: what `skep task logs [-f] [--hold]` and `skep task attach`
// (outside a pane) print, and what a task pane runs (src/cockpit/panes.ts).
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { TERMINAL_STATUSES, type Task } from "../protocol/tasks.ts";
import type { RepoContext } from "../repo/repo.ts";
import { taskFiles } from "../tasks/paths.ts";
import { TaskNotFound, TaskStore, tasksDbPath } from "../tasks/store.ts";
import { CommandFailed } from "../errors.ts";
import { terminalText } from "../util/terminal.ts";

/**
 * Print task `id`'s log (and, following, what is appended until the task stops running). On a
 * terminal, control characters are dropped: the log holds text the model and the repo's files
 * produced, which must not move the cursor, retitle the pane or reach the clipboard. `hold`: then
 * a last line says how the task ended, and Enter (or the terminal going away) ends the command.
 * Returns the exit code `skep task run` would give: 0 when done.
 */
export async function followLog(ctx: RepoContext, id: number, opts: { follow: boolean; hold: boolean }): Promise<number> {
  // No tasks.db: no task #N either; a read makes no store.
  if (!existsSync(tasksDbPath(ctx.skepDir))) throw new CommandFailed(new TaskNotFound(id).message);
  const store = TaskStore.open(ctx.skepDir);
  const clean = process.stdout.isTTY ? terminalSafe() : null;
  const out = (buf: Buffer) => process.stdout.write(clean ? clean(buf) : buf);
  try {
    store.get(id); // a clear "no task #N" before anything else
    const file = taskFiles(ctx.skepDir, id).log;
    let offset = 0;
    const drain = () => {
      if (!existsSync(file)) return;
      const size = statSync(file).size;
      if (size <= offset) return;
      const fd = openSync(file, "r");
      try {
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        out(buf);
        offset = size;
      } finally {
        closeSync(fd);
      }
    };
    drain();
    if (!opts.follow) {
      if (offset === 0) console.log(`(task #${id} has no log yet)`);
      return 0;
    }
    // Follow like `tail -f`: until the task is final (and its last lines are out), or Ctrl-C.
    const stopped = (s: string) => TERMINAL_STATUSES.includes(s as Task["status"]) || s === "pending" || s === "pending_clarification";
    while (!stopped(store.status(id))) {
      await Bun.sleep(200);
      drain();
    }
    await Bun.sleep(100);
    drain();
    const status = store.status(id);
    const code = status === "done" ? 0 : 1;
    if (opts.hold) {
      process.stdout.write(`${offset ? "\n" : ""}--- task #${id} ${status} (exit ${code}) --- press Enter to close\n`);
      await enterOrHangUp();
    }
    return code;
  } catch (err) {
    if (err instanceof TaskNotFound) throw new CommandFailed(err.message);
    throw err;
  } finally {
    store.close();
  }
}

/** terminalText for a stream of bytes (a character split between two reads is kept whole). */
function terminalSafe(): (buf: Buffer) => string {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  return (buf) => terminalText(decoder.decode(buf, { stream: true }));
}

/** Resolve on Enter, or when the input ends (the pane, its session or its server is gone). */
function enterOrHangUp(): Promise<void> {
  return new Promise((done) => {
    const stdin = process.stdin;
    const finish = () => {
      stdin.pause();
      done();
    };
    stdin.on("data", (b: Buffer) => b.includes(10) || b.includes(13) ? finish() : undefined);
    stdin.on("end", finish);
    stdin.on("error", finish);
    process.on("SIGHUP", finish);
    stdin.resume();
  });
}


// Run a command in its own process group, the way an LLM CLI call (and later a repo's test
// command) must run: output read line by line as it comes, a bounded stderr tail, and a timeout
// or abort that kills the whole group — the CLI, the MCP servers and shells it started, and
// whatever those started — not just the direct child. Nothing is left behind: the child is
// reaped, and stragglers still in its group when it exits are killed too.
import { readdirSync, readFileSync } from "node:fs";

export interface GroupRunOptions {
  /** argv: the executable, then its arguments (no shell). */
  cmd: string[];
  cwd: string;
  /** The child's whole environment (default: this process's). */
  env?: Record<string, string | undefined>;
  /** Kill the group after this long (undefined: no limit). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Each stdout line as it arrives, without its newline. */
  onLine?: (line: string) => void;
  /** Each stderr line as it arrives. */
  onStderrLine?: (line: string) => void;
  /** Characters of stderr kept (the end of it). Default 4000. */
  stderrTailChars?: number;
  /** Characters of stdout kept from its start, for error messages. Default 2000. */
  stdoutHeadChars?: number;
  /** Between SIGTERM and SIGKILL. Default 2000 ms. */
  killGraceMs?: number;
}

export interface GroupRunResult {
  /** Null when the child was killed by a signal or never started. */
  exitCode: number | null;
  /** The signal that ended the child (e.g. "SIGTERM"), else null. */
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the command could not be started (ENOENT, EACCES, ...); nothing ran. */
  spawnError: NodeJS.ErrnoException | null;
  stdoutHead: string;
  stderrTail: string;
  /** The child's pid (= its process group id), null when it never started. */
  pid: number | null;
  durationMs: number;
}

const DEFAULT_GRACE_MS = 2000;
/** After SIGKILL, how long pipes may stay open (held by a process that left the group) before we stop reading. */
const PIPE_DRAIN_MS = 500;
/** After a clean exit, how long to keep reading pipes someone outside the group still holds open. */
const EXITED_DRAIN_MS = 2000;

/** "90", "1.5": a duration in seconds for messages ("timed out after 1.5 s"). */
export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1);
}

/** Signal a whole process group; a group that is already gone is not an error. */
export function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nobody left in the group
  }
}

/**
 * Does any live process of the group remain? Zombies do not count: an orphaned grandchild is
 * reaped by init whenever init gets to it (some inits sweep only every few seconds), and a dead
 * process holds nothing. Linux answers from /proc; elsewhere kill(-pgid, 0), zombies included.
 */
export function groupAlive(pgid: number): boolean {
  if (!killGroup(pgid, 0)) return false;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return true; // no /proc: kill(0) said someone is there
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}

interface LineReader {
  /** Settles when the stream ended (or was stopped); the last unterminated line is emitted too. */
  done: Promise<void>;
  /** Stop reading now (a pending read ends as if the stream had). */
  stop(): void;
}

/** Splits a byte stream into lines, decoding UTF-8 across chunk boundaries. */
function readLines(stream: ReadableStream<Uint8Array>, onText: (text: string) => void, onLine: (line: string) => void): LineReader {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  const emit = (text: string) => {
    onText(text);
    // Only the new text can hold new line ends: no rescans of a long pending line.
    let searchFrom = pending.length;
    pending += text;
    let lineStart = 0;
    for (let nl = pending.indexOf("\n", searchFrom); nl >= 0; nl = pending.indexOf("\n", searchFrom)) {
      onLine(pending.slice(lineStart, nl).replace(/\r$/, ""));
      lineStart = nl + 1;
      searchFrom = lineStart;
    }
    if (lineStart > 0) pending = pending.slice(lineStart);
  };
  const done = (async () => {
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        emit(decoder.decode(next.value, { stream: true }));
      }
    } catch {
      // the pipe broke: keep what we have
    }
    emit(decoder.decode());
    if (pending !== "") onLine(pending.replace(/\r$/, ""));
  })();
  return { done, stop: () => void reader.cancel().catch(() => {}) };
}

/** Run `cmd` as the leader of a new process group; never throws for the child's failures. */
export async function runInProcessGroup(opts: GroupRunOptions): Promise<GroupRunResult> {
  const started = performance.now();
  const grace = opts.killGraceMs ?? DEFAULT_GRACE_MS;
  const tailCap = opts.stderrTailChars ?? 4000;
  const headCap = opts.stdoutHeadChars ?? 2000;
  const result: GroupRunResult = {
    exitCode: null,
    signal: null,
    timedOut: false,
    aborted: false,
    spawnError: null,
    stdoutHead: "",
    stderrTail: "",
    pid: null,
    durationMs: 0,
  };
  const finish = () => {
    result.durationMs = Math.round(performance.now() - started);
    return result;
  };

  if (opts.signal?.aborted) {
    result.aborted = true;
    return finish();
  }

  let child: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    child = Bun.spawn(opts.cmd, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      // setsid(): the child leads a new process group, so -pid reaches everything it starts.
      detached: true,
      // stdin is /dev/null: a CLI that sees an open stdin pipe waits for it (claude -p waits 3 s).
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch (e) {
    result.spawnError = e as NodeJS.ErrnoException;
    return finish();
  }
  const pgid = child.pid;
  result.pid = pgid;

  const stdout = readLines(
    child.stdout,
    (text) => {
      if (result.stdoutHead.length < headCap) result.stdoutHead = (result.stdoutHead + text).slice(0, headCap);
    },
    (line) => opts.onLine?.(line),
  );
  const stderr = readLines(
    child.stderr,
    (text) => {
      result.stderrTail = (result.stderrTail + text).slice(-tailCap);
    },
    (line) => opts.onStderrLine?.(line),
  );
  const releaseReaders = () => {
    stdout.stop();
    stderr.stop();
  };

  // Killing: SIGTERM to the group, SIGKILL to whatever is left after the grace period.
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  let terminating = false;
  const terminateGroup = () => {
    if (terminating) return;
    terminating = true;
    killGroup(pgid, "SIGTERM");
    killTimer = setTimeout(() => {
      killGroup(pgid, "SIGKILL");
      // A process that escaped the group (its own setsid) may still hold our pipes: stop waiting.
      drainTimer = setTimeout(releaseReaders, PIPE_DRAIN_MS);
    }, grace);
  };

  const timeout =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          result.timedOut = true;
          terminateGroup();
        }, opts.timeoutMs);
  const onAbort = () => {
    result.aborted = true;
    terminateGroup();
  };
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  await child.exited; // Bun reaps the child here
  result.exitCode = child.exitCode;
  result.signal = typeof child.signalCode === "string" ? child.signalCode : null;
  if (timeout) clearTimeout(timeout);
  opts.signal?.removeEventListener("abort", onAbort);

  // The leader is gone; anything still in its group (a backgrounded grandchild) belongs to this
  // call and must not outlive it, nor keep the pipes (and so this function) open.
  if (groupAlive(pgid)) terminateGroup();
  else drainTimer = setTimeout(releaseReaders, EXITED_DRAIN_MS); // only a process that left the group can still hold the pipes
  await Promise.all([stdout.done, stderr.done]);
  // Wait for the stragglers to go before answering, so callers (and tests) see a clean slate.
  const giveUpAt = performance.now() + grace + 2000;
  while (terminating && groupAlive(pgid) && performance.now() < giveUpAt) {
    await Bun.sleep(20);
  }
  if (killTimer) clearTimeout(killTimer);
  if (drainTimer) clearTimeout(drainTimer);
  return finish();
}

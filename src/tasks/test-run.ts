// Run a repo's test command in a task's worktree. The command is a string from .skep/config.json;
// it is split into argv here and run WITHOUT a shell, so `|`, `>`, `&&`, `$VAR` and globs are
// plain arguments: what was trusted is exactly what runs. Leading NAME=value words set the
// environment (`CI=1 npm test`), the one shell habit common in test commands. The process-group
// handling (timeout and abort kill everything the command started, nothing is left running) is
// the shared runner in src/util/process.ts.
import { runInProcessGroup } from "../util/process.ts";

export class CommandSyntaxError extends Error {
  override name = "CommandSyntaxError";
}

/**
 * Split a command line into words, POSIX-shell style but with no expansion of any kind:
 * whitespace separates words; '…' is literal; in "…" a backslash escapes only " \ $ ` and
 * newline; elsewhere a backslash makes the next character literal; backslash-newline joins lines;
 * '' and "" give an empty word. Unbalanced quotes, a trailing backslash or no words at all throw.
 */
export function splitCommand(cmd: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false; // true once a word has begun, even if empty ('' is a word)
  let i = 0;
  const n = cmd.length;
  while (i < n) {
    const c = cmd[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = cmd.indexOf("'", i + 1);
      if (end === -1) throw new CommandSyntaxError(`unterminated single quote at column ${i + 1}: ${cmd}`);
      word += cmd.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const start = i;
      i++;
      for (;;) {
        if (i >= n) throw new CommandSyntaxError(`unterminated double quote at column ${start + 1}: ${cmd}`);
        const d = cmd[i]!;
        if (d === '"') break;
        if (d === "\\" && i + 1 < n && '"\\$`\n'.includes(cmd[i + 1]!)) {
          if (cmd[i + 1] !== "\n") word += cmd[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === "\\") {
      if (i + 1 >= n) throw new CommandSyntaxError(`trailing backslash: ${cmd}`);
      if (cmd[i + 1] !== "\n") {
        word += cmd[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0) throw new CommandSyntaxError("empty command");
  return words;
}

/** Leading NAME=value words become the environment; the rest is argv. */
export function parseCommand(cmd: string): { env: Record<string, string>; argv: string[] } {
  const words = splitCommand(cmd);
  const env: Record<string, string> = {};
  let k = 0;
  for (; k < words.length; k++) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(words[k]!);
    if (!m) break;
    env[m[1]!] = m[2]!;
  }
  const argv = words.slice(k);
  if (argv.length === 0) throw new CommandSyntaxError(`only variable assignments, no command: ${cmd}`);
  return { env, argv };
}

export interface TestRunOptions {
  /** Kill the command (and everything it started) after this long. Default 30 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Each output line (stdout and stderr) as it arrives. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

export interface TestRunResult {
  /** Exit 0, and neither timed out nor aborted. */
  ok: boolean;
  exitCode: number | null;
  /** The signal that ended it ("SIGTERM", "SIGKILL"), else null. */
  signal: string | null;
  durationMs: number;
  /** The last 8 KB of stdout and stderr, interleaved as lines arrived. */
  outputTail: string;
  timedOut: boolean;
  aborted: boolean;
  /** Why the command never ran (bad quoting, not found); it is also the outputTail. */
  error: string | null;
}

export const OUTPUT_TAIL_BYTES = 8192;
const DEFAULT_TIMEOUT_MS = 30 * 60_000;

/** Run `cmd` in `cwd`. Never throws for the command's failures: they are in the result. */
export async function runTestCommand(cmd: string, cwd: string, opts: TestRunOptions = {}): Promise<TestRunResult> {
  let parsed: { env: Record<string, string>; argv: string[] };
  try {
    parsed = parseCommand(cmd);
  } catch (err) {
    return notRun(`skep: cannot run the test command: ${(err as Error).message}`);
  }
  const tail = new Tail(OUTPUT_TAIL_BYTES);
  const r = await runInProcessGroup({
    cmd: parsed.argv,
    cwd,
    env: { ...process.env, ...parsed.env },
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    signal: opts.signal,
    onLine: (line) => {
      tail.push(line);
      opts.onLine?.(line, "stdout");
    },
    onStderrLine: (line) => {
      tail.push(line);
      opts.onLine?.(line, "stderr");
    },
  });
  if (r.spawnError) {
    const e = r.spawnError;
    const why = e.code === "ENOENT" ? "not found (or the worktree is gone)" : e.code === "EACCES" ? "not executable" : e.message;
    return notRun(`skep: cannot run ${parsed.argv[0]}: ${why}`, r.durationMs);
  }
  return {
    ok: r.exitCode === 0 && !r.timedOut && !r.aborted,
    exitCode: r.exitCode,
    signal: r.signal,
    durationMs: r.durationMs,
    outputTail: tail.text(),
    timedOut: r.timedOut,
    aborted: r.aborted,
    error: null,
  };
}

function notRun(message: string, durationMs = 0): TestRunResult {
  return { ok: false, exitCode: null, signal: null, durationMs, outputTail: message, timedOut: false, aborted: false, error: message };
}

/** The last `max` bytes of a stream of lines, without keeping the whole output in memory. */
class Tail {
  private lines: string[] = [];
  private sizes: number[] = [];
  /** Index of the first line still kept; the array is compacted now and then, not shifted per line. */
  private first = 0;
  private bytes = 0;
  constructor(private readonly max: number) {}

  push(line: string): void {
    // A character is at least one byte, so the last `max` characters cover the last `max` bytes.
    const kept = line.length > this.max ? line.slice(-this.max) : line;
    const size = Buffer.byteLength(kept) + 1;
    this.lines.push(kept);
    this.sizes.push(size);
    this.bytes += size;
    // Drop whole lines from the front while what remains still covers `max` bytes.
    while (this.lines.length - this.first > 1 && this.bytes - this.sizes[this.first]! >= this.max) {
      this.bytes -= this.sizes[this.first]!;
      this.first++;
    }
    if (this.first > 1024 && this.first * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.first);
      this.sizes = this.sizes.slice(this.first);
      this.first = 0;
    }
  }

  text(): string {
    const kept = this.lines.slice(this.first);
    const all = Buffer.from(kept.length ? `${kept.join("\n")}\n` : "");
    if (all.length <= this.max) return all.toString();
    // Cut at a byte boundary, then drop a partly cut UTF-8 character at the start.
    return all.subarray(all.length - this.max).toString().replace(/^\uFFFD+/, "");
  }
}

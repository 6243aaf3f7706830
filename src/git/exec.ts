// The one way skep runs git: argv only (never a shell string), one environment and one flag set
// for every call, output as bytes, and a GitError carrying the command and git's stderr whenever
// git says no. repo.ts builds its null-when-no-answer facts (top level, HEAD, git dirs, and the
// asynchronous ones the MCP overlay runs several at a time) on gitRaw/gitRawAsync; the index's
// file listing and ignore checks and the watcher use gitRaw; the task machinery uses
// gitBytes/gitText because it needs to know why git refused, and the daemon's task work uses the
// *Async forms so no git command holds its event loop.

export class GitError extends Error {
  override name = "GitError";
  constructor(
    /** The full argv, starting with "git". */
    readonly command: string[],
    readonly cwd: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${command.join(" ")} failed${exitCode === null ? "" : ` (exit ${exitCode})`} in ${cwd}: ${stderr.trim() || "no message"}`);
  }
}

export interface GitResult {
  exitCode: number;
  stdout: Uint8Array;
  stderr: string;
}

/**
 * Git's environment: no prompts (a daemon has no terminal), no optional index refreshes (a read
 * must not take the index lock a user's commit needs), messages in English (they are matched).
 */
function gitEnv(): Record<string, string | undefined> {
  return { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" };
}

/** Before every subcommand: paths printed as they are (UTF-8), never C-quoted. */
const GIT_FLAGS = ["-c", "core.quotepath=off"];

/**
 * Run git and return whatever it answered, whatever the exit code; throws GitError only when git
 * could not run at all (not installed, cwd gone). For commands whose non-zero exit is an answer.
 */
export function gitRaw(cwd: string, args: string[], stdin?: Uint8Array): GitResult {
  const command = ["git", ...args];
  let p;
  try {
    p = Bun.spawnSync(["git", ...GIT_FLAGS, ...args], { cwd, env: gitEnv(), stdin: stdin ?? "ignore", stdout: "pipe", stderr: "pipe" });
  } catch (err) {
    throw new GitError(command, cwd, null, (err as Error).message);
  }
  return { exitCode: p.exitCode ?? -1, stdout: p.stdout, stderr: p.stderr.toString() };
}

/**
 * gitRaw without blocking the event loop: the daemon runs every task's git (a `git add` of 30,000
 * files takes seconds) this way, so its socket keeps answering meanwhile. Aborting `signal` kills
 * git (SIGTERM: git removes its lock files on that signal) and throws GitError "interrupted", so an
 * interrupt does not wait for a long commit to finish.
 */
export async function gitRawAsync(cwd: string, args: string[], opts: { stdin?: Uint8Array; signal?: AbortSignal } = {}): Promise<GitResult> {
  const command = ["git", ...args];
  if (opts.signal?.aborted) throw new GitError(command, cwd, null, "interrupted");
  let p;
  try {
    p = Bun.spawn(["git", ...GIT_FLAGS, ...args], { cwd, env: gitEnv(), stdin: opts.stdin ?? "ignore", stdout: "pipe", stderr: "pipe" });
  } catch (err) {
    throw new GitError(command, cwd, null, (err as Error).message);
  }
  const kill = () => p.kill("SIGTERM");
  opts.signal?.addEventListener("abort", kill, { once: true });
  try {
    const [stdout, stderr, exitCode] = await Promise.all([new Response(p.stdout).bytes(), new Response(p.stderr).text(), p.exited]);
    if (opts.signal?.aborted) throw new GitError(command, cwd, null, "interrupted");
    return { exitCode, stdout, stderr };
  } finally {
    opts.signal?.removeEventListener("abort", kill);
  }
}

/** gitBytes without blocking the event loop (see gitRawAsync). */
export async function gitBytesAsync(cwd: string, args: string[], signal?: AbortSignal): Promise<Uint8Array> {
  const r = await gitRawAsync(cwd, args, { signal });
  if (r.exitCode !== 0) throw new GitError(["git", ...args], cwd, r.exitCode, r.stderr);
  return r.stdout;
}

/** gitText without blocking the event loop. */
export async function gitTextAsync(cwd: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new TextDecoder().decode(await gitBytesAsync(cwd, args, signal)).replace(/\n$/, "");
}

/** Run git; its stdout bytes on exit 0, GitError otherwise. */
export function gitBytes(cwd: string, args: string[]): Uint8Array {
  const r = gitRaw(cwd, args);
  if (r.exitCode !== 0) throw new GitError(["git", ...args], cwd, r.exitCode, r.stderr);
  return r.stdout;
}

/** Run git; its stdout as text without the trailing newline. */
export function gitText(cwd: string, args: string[]): string {
  return new TextDecoder().decode(gitBytes(cwd, args)).replace(/\n$/, "");
}

/**
 * Refs and branch names come from task names and callers: one starting with "-" would be read
 * as an option. Git has no end-of-options marker for every subcommand, so refuse them up front.
 */
export function assertRef(cwd: string, what: string, ref: string): void {
  if (ref === "" || ref.startsWith("-") || ref.includes("\0")) {
    throw new GitError(["git", "<" + what + ">", ref], cwd, null, `refusing ${what} ${JSON.stringify(ref)}`);
  }
}

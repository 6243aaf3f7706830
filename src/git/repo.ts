// Facts about the git repository around a directory, read by shelling out to real git. Each is
// null when git has no answer (outside a repo, no commits yet, git missing): callers treat that as
// "not in git", so these never throw. Commands run through exec.ts like every other git call.
import { basename, dirname, resolve } from "node:path";
import { GitError, gitRaw, gitRawAsync } from "./exec.ts";
import { fastTopLevel } from "./top-level.ts";

function git(cwd: string, args: string[]): string | null {
  try {
    const r = gitRaw(cwd, args);
    return r.exitCode === 0 ? new TextDecoder().decode(r.stdout).trim() : null;
  } catch (err) {
    if (err instanceof GitError) return null; // git not installed, or cwd gone: as outside a repo
    throw err;
  }
}

/** The top of the work tree containing `dir`, or null outside git (git asked only when top-level.ts cannot tell). */
export function gitTopLevel(dir: string): string | null {
  const fast = fastTopLevel(dir);
  return fast !== undefined ? fast : git(dir, ["rev-parse", "--show-toplevel"]);
}

/** The commit HEAD points at, or null (not a repo, or a repo with no commits yet). */
export function gitHead(root: string): string | null {
  return git(root, ["rev-parse", "--verify", "--quiet", "HEAD"]);
}

export function gitBranch(root: string): string | null {
  return git(root, ["symbolic-ref", "--short", "--quiet", "HEAD"]);
}

/** The .git directory shared by all worktrees (for .git/info/exclude), or null outside git. */
export function gitCommonDir(root: string): string | null {
  return git(root, ["rev-parse", "--path-format=absolute", "--git-common-dir"]);
}

/** The git directory of `dir`'s checkout and the one its worktrees share (absolute), or null outside git. */
export function gitDirs(dir: string): { gitDir: string; commonDir: string } | null {
  const out = git(dir, ["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir"]);
  if (out === null) return null;
  const [gitDir, commonDir] = out.split("\n");
  return gitDir && commonDir ? { gitDir, commonDir } : null;
}

/**
 * When `dir` is inside a linked worktree (`git worktree add`), the main checkout's root; else null.
 * The main worktree is the parent of the common git directory for a normal (non-bare) repo.
 */
export function mainCheckoutOf(dir: string): string | null {
  const dirs = gitDirs(dir);
  if (!dirs || resolve(dirs.gitDir) === resolve(dirs.commonDir)) return null;
  if (basename(dirs.commonDir) !== ".git") return null; // a bare repo: no main checkout to borrow an index from
  return dirname(dirs.commonDir);
}

// Asynchronous facts, so several can run at once (a worktree answer of the MCP server needs four
// per call). Null when git has no answer, like the rest.

async function gitAsync(cwd: string, args: string[]): Promise<string | null> {
  try {
    const r = await gitRawAsync(cwd, args);
    return r.exitCode === 0 ? new TextDecoder().decode(r.stdout) : null;
  } catch (err) {
    if (err instanceof GitError) return null;
    throw err;
  }
}

const zsplit = (out: string | null) => (out === null ? null : out.split("\0").filter(Boolean));

/** Tracked paths whose working-tree content differs from `commit` (committed, staged or not); null on failure. */
export async function changedSince(cwd: string, commit: string): Promise<string[] | null> {
  return zsplit(await gitAsync(cwd, ["diff", "--name-only", "--no-renames", "--no-ext-diff", "-z", commit, "--"]));
}

/** Untracked, not ignored paths. */
export async function untrackedPaths(cwd: string): Promise<string[] | null> {
  return zsplit(await gitAsync(cwd, ["ls-files", "-o", "--exclude-standard", "-z"]));
}

/** gitHead, asynchronously. */
export async function gitHeadAsync(cwd: string): Promise<string | null> {
  return (await gitAsync(cwd, ["rev-parse", "--verify", "--quiet", "HEAD"]))?.trim() || null;
}

/** True when `dir` is inside a bare repository (no work tree: nothing for skep to index or change). */
export function isBareRepo(dir: string): boolean {
  return git(dir, ["rev-parse", "--is-bare-repository"]) === "true";
}

/**
 * The tracked files under `path` (relative to `root`, the work tree's top), or [] outside git.
 * skep's own files must never be tracked: a committed `.skep/` would arrive with every clone.
 */
export function trackedUnder(root: string, path: string): string[] {
  const out = git(root, ["ls-files", "-z", "--full-name", "--", path]);
  return out ? out.split("\0").filter(Boolean) : [];
}

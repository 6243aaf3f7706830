// Task worktrees: each task runs on its own branch in its own `git worktree`, so the user's main
// checkout (its files, index and HEAD) is never touched. Everything shells out to real git and
// throws GitError (with the command and git's stderr) when git refuses. What can take seconds on a
// big tree (checking a worktree out, removing it, staging and committing) is asynchronous: the
// daemon runs it while its socket keeps answering.
import { existsSync, mkdirSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { assertRef, GitError, gitBytes as check, gitBytesAsync, gitRaw, gitRawAsync, gitTextAsync } from "./exec.ts";

export { GitError } from "./exec.ts";
export { branchCommits, changedFiles, type ChangedFile, type ChangeStatus, currentBranch, fileAt, isMerged, mergeBase, resolveCommit } from "./history.ts";
export { slugify } from "./slug.ts";

/** Skep's own files inside a checkout: never committed, never make a tree "dirty". */
const SKEP_DIR = ".skep";

/** Whether the checkout at `worktreeDir` has no changes, staged, unstaged or untracked (outside .skep/). */
export function isClean(worktreeDir: string): boolean {
  const out = new TextDecoder().decode(check(worktreeDir, ["status", "--porcelain=v1", "-z", "--untracked-files=normal"]));
  const fields = out.split("\0");
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!;
    if (entry === "") continue;
    const xy = entry.slice(0, 2);
    const path = entry.slice(3);
    if (xy.includes("R") || xy.includes("C")) i++; // the next field is the rename's source path
    // .skep/ holds the index, logs and result files: untracked there is skep's business, not a change.
    if (xy === "??" && (path === `${SKEP_DIR}/` || path.startsWith(`${SKEP_DIR}/`))) continue;
    return false;
  }
  return true;
}

export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** Short branch name, or null when detached or bare. */
  branch: string | null;
  /** Git marks a worktree prunable when its directory is gone. */
  prunable: boolean;
}

/** The worktrees git has registered for the repo at `root`, the main checkout first. */
export function listWorktrees(root: string): WorktreeEntry[] {
  const out = new TextDecoder().decode(check(root, ["worktree", "list", "--porcelain", "-z"]));
  const entries: WorktreeEntry[] = [];
  let cur: WorktreeEntry | null = null;
  for (const line of out.split("\0")) {
    if (line === "") {
      if (cur) entries.push(cur);
      cur = null;
      continue;
    }
    const sp = line.indexOf(" ");
    const key = sp === -1 ? line : line.slice(0, sp);
    const value = sp === -1 ? "" : line.slice(sp + 1);
    if (key === "worktree") cur = { path: value, head: null, branch: null, prunable: false };
    else if (!cur) continue;
    else if (key === "HEAD") cur.head = value;
    else if (key === "branch") cur.branch = value.replace(/^refs\/heads\//, "");
    else if (key === "prunable") cur.prunable = true;
  }
  if (cur) entries.push(cur);
  return entries;
}

export interface AddWorktreeOptions {
  /** Where the worktree goes; relative paths are taken from `root`. */
  path: string;
  branch: string;
  /** What a new branch starts from (a branch name or commit). Ignored when the branch exists. */
  base: string;
}

export interface AddedWorktree {
  path: string;
  branch: string;
  /** False when the worktree was already there, registered and on `branch` (a resumed task). */
  created: boolean;
}

/**
 * Make sure a worktree for `branch` exists at `path`: create the branch from `base` with it, or
 * (a resumed task whose directory was removed) check the existing branch out there again, or
 * return the existing worktree unchanged.
 */
export async function addWorktree(root: string, opts: AddWorktreeOptions): Promise<AddedWorktree> {
  const path = resolve(root, opts.path);
  const { branch, base } = opts;
  assertRef(root, "branch", branch);
  assertRef(root, "base", base);
  // Full ref form: `--branch` would expand "@{-1}" and friends instead of checking the name.
  check(root, ["check-ref-format", `refs/heads/${branch}`]);

  const mine = findWorktree(root, path);
  if (mine && existsSync(path)) {
    if (mine.branch === branch) return { path, branch, created: false };
    throw new GitError(["git", "worktree", "add", path, branch], root, null, `${path} is already a worktree on ${mine.branch ?? "a detached HEAD"}`);
  }
  mkdirSync(dirname(path), { recursive: true });
  if (branchExists(root, branch)) {
    // A worktree directory deleted by hand stays registered and keeps its branch "checked out";
    // pruning forgets only such missing ones, so the branch can be checked out here again.
    pruneWorktrees(root);
    await gitBytesAsync(root, ["worktree", "add", path, branch]);
  } else {
    if (mine) pruneWorktrees(root);
    // --no-track: a task branch made from origin/main must not push to or pull from it.
    await gitBytesAsync(root, ["worktree", "add", "--no-track", "-b", branch, path, base]);
  }
  return { path, branch, created: true };
}

/**
 * Remove the worktree at `path` (its directory and git's record of it). With `force`, local
 * changes are discarded; without, git refuses a dirty worktree. False when none was registered.
 */
export async function removeWorktree(root: string, path: string, opts: { force?: boolean } = {}): Promise<boolean> {
  const abs = resolve(root, path);
  const mine = findWorktree(root, abs);
  if (!mine) return false;
  if (!existsSync(abs)) {
    pruneWorktrees(root);
    return true;
  }
  await gitBytesAsync(root, ["worktree", "remove", ...(opts.force ? ["--force"] : []), abs]);
  return true;
}

/** Forget worktrees whose directories are gone. */
export function pruneWorktrees(root: string): void {
  check(root, ["worktree", "prune"]);
}

export function branchExists(root: string, branch: string): boolean {
  assertRef(root, "branch", branch);
  const args = ["show-ref", "--verify", "--quiet", `refs/heads/${branch}`];
  const r = gitRaw(root, args);
  if (r.exitCode === 0) return true;
  if (r.exitCode === 1) return false;
  throw new GitError(["git", ...args], root, r.exitCode, r.stderr);
}

/**
 * Delete a local branch. Without `force` git refuses a branch not merged into HEAD; it always
 * refuses one checked out in a worktree. False when there was no such branch.
 */
export function deleteBranch(root: string, branch: string, opts: { force?: boolean } = {}): boolean {
  if (!branchExists(root, branch)) return false;
  // A worktree directory deleted by hand still "has the branch checked out" until pruned.
  pruneWorktrees(root);
  check(root, ["branch", opts.force ? "-D" : "-d", branch]);
  return true;
}

export interface CommitOptions {
  /** "Name <email>", as `git commit --author` takes it. */
  author?: string;
  /** Aborting kills the running git command (an interrupt must not wait for a long `git add`). */
  signal?: AbortSignal;
  /**
   * The worktree's own git dir (src/git/guard.ts pinWorktree): every command then runs with
   * --git-dir/--work-tree instead of discovering the repository through the worktree's `.git`,
   * which a task step could have rewritten or deleted. Task commits always pass it.
   */
  gitDir?: string;
}

/**
 * Stage everything in the worktree (except .skep/) and commit it. Returns the new commit's sha,
 * or null when there was nothing to commit. Hooks are skipped (--no-verify): a task's commit must
 * not hang on, or be rewritten by, a hook expecting a person.
 */
export async function commitAll(worktreeDir: string, message: string, opts: CommitOptions = {}): Promise<string | null> {
  const pin = opts.gitDir ? [`--git-dir=${opts.gitDir}`, `--work-tree=${worktreeDir}`] : [];
  const { signal } = opts;
  await gitBytesAsync(worktreeDir, [...pin, "add", "-A", "--", ":(top)", `:(top,exclude)${SKEP_DIR}`], signal);
  const staged = await gitRawAsync(worktreeDir, [...pin, "diff", "--cached", "--quiet", "--no-ext-diff"], { signal });
  if (staged.exitCode === 0) return null;
  if (staged.exitCode !== 1) throw new GitError(["git", ...pin, "diff", "--cached", "--quiet"], worktreeDir, staged.exitCode, staged.stderr);

  // A fresh machine (CI, a container) may have no identity: commit as skep rather than fail,
  // but never override one the user or the repo configured.
  const identity: string[] = [];
  if (!(await configured(worktreeDir, pin, "user.name"))) identity.push("-c", "user.name=skep");
  if (!(await configured(worktreeDir, pin, "user.email"))) identity.push("-c", "user.email=skep@localhost");
  const author = opts.author === undefined ? [] : [`--author=${opts.author}`];
  await gitBytesAsync(worktreeDir, [...identity, ...pin, "commit", "-q", "--no-verify", ...author, "-m", message], signal);
  return gitTextAsync(worktreeDir, [...pin, "rev-parse", "HEAD"]);
}

async function configured(dir: string, pin: string[], key: string): Promise<boolean> {
  const r = await gitRawAsync(dir, [...pin, "config", "--get", key]);
  return r.exitCode === 0 && new TextDecoder().decode(r.stdout).trim() !== "";
}

function findWorktree(root: string, path: string): WorktreeEntry | undefined {
  const want = canonical(path);
  return listWorktrees(root).find((w) => canonical(w.path) === want);
}

/** Symlinks resolved as far as the path exists (git stores real paths; /tmp may be a link). */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(canonical(parent), basename(path));
  }
}

// Facts about the git repository around a directory, read by shelling out to real git.
import { basename, dirname, resolve } from "node:path";

function git(cwd: string, args: string[]): string | null {
  let p;
  try {
    p = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" } });
  } catch {
    return null; // git not installed, or cwd gone: no answer, as outside a repo
  }
  return p.exitCode === 0 ? p.stdout.toString().trim() : null;
}

/** The top of the work tree containing `dir`, or null outside git. */
export function gitTopLevel(dir: string): string | null {
  return git(dir, ["rev-parse", "--show-toplevel"]);
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
  let p;
  try {
    p = Bun.spawnSync(["git", "rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir"], { cwd: dir, stdout: "pipe", stderr: "ignore" });
  } catch {
    return null;
  }
  if (p.exitCode !== 0) return null;
  const [gitDir, commonDir] = p.stdout.toString().trim().split("\n");
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

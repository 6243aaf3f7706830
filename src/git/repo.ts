// Facts about the git repository around a directory, read by shelling out to real git.

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

// The git facts the MCP server needs, asked of real git. Asynchronous so several can run at once
// (a worktree answer needs four of them per call).

async function git(cwd: string, args: string[]): Promise<string | null> {
  try {
    const p = Bun.spawn(["git", ...args], { cwd, stdout: "pipe", stderr: "ignore", stdin: "ignore", env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" } });
    const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
    return code === 0 ? out : null;
  } catch {
    return null;
  }
}

const zsplit = (out: string | null) => (out === null ? null : out.split("\0").filter(Boolean));

/** Tracked paths whose working-tree content differs from `commit` (committed, staged or not); null on failure. */
export async function changedSince(cwd: string, commit: string): Promise<string[] | null> {
  return zsplit(await git(cwd, ["diff", "--name-only", "--no-renames", "--no-ext-diff", "-z", commit, "--"]));
}

/** Untracked, not ignored paths. */
export async function untracked(cwd: string): Promise<string[] | null> {
  return zsplit(await git(cwd, ["ls-files", "-o", "--exclude-standard", "-z"]));
}

export async function head(cwd: string): Promise<string | null> {
  return (await git(cwd, ["rev-parse", "--verify", "--quiet", "HEAD"]))?.trim() || null;
}

export { mainCheckoutOf } from "../git/repo.ts";

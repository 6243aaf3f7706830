// Merged means done: a task whose step commits are all in its base branch has had its work
// merged (a fast-forward or a merge commit; a squash makes new commits and is not seen). Checked
// by commit, not by branch, so a branch deleted after the merge does not hide it.
import { gitRaw } from "../git/exec.ts";
import type { Task } from "../protocol/tasks.ts";

/** The base branch the task's commits are all in, or null (no commits, no base, or not merged). */
export function mergedInto(root: string, t: Pick<Task, "baseBranch" | "steps">): string | null {
  const base = t.baseBranch;
  const commits = t.steps.map((s) => s.commit).filter((c): c is string => !!c);
  if (!base || !commits.length) return null;
  if (gitRaw(root, ["rev-parse", "--verify", "--quiet", `refs/heads/${base}`]).exitCode !== 0) return null;
  for (const c of commits) if (gitRaw(root, ["merge-base", "--is-ancestor", c, `refs/heads/${base}`]).exitCode !== 0) return null;
  return base;
}

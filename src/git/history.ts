// Facts about branches and commits a task needs: where HEAD is, what a branch changed against its
// base, whether it is merged, and a file's bytes at a commit. All throw GitError on failure.
import { assertRef, GitError, gitBytes, gitRaw, gitText } from "./exec.ts";

/** The branch checked out at `root`, or null when HEAD is detached. */
export function currentBranch(root: string): string | null {
  const r = gitRaw(root, ["symbolic-ref", "--short", "-q", "HEAD"]);
  if (r.exitCode === 0) return new TextDecoder().decode(r.stdout).trim();
  // Exit 1 with no message is git's "detached"; anything else (not a repo) is a failure.
  if (r.exitCode === 1 && r.stderr.trim() === "") return null;
  throw new GitError(["git", "symbolic-ref", "--short", "-q", "HEAD"], root, r.exitCode, r.stderr);
}

/** The full sha of the commit `ref` names; GitError when it names none. */
export function resolveCommit(root: string, ref: string): string {
  assertRef(root, "ref", ref);
  return gitText(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
}

/** The best common ancestor of two refs (what `base...branch` diffs from). */
export function mergeBase(root: string, a: string, b: string): string {
  assertRef(root, "ref", a);
  assertRef(root, "ref", b);
  return gitText(root, ["merge-base", a, b]);
}

export type ChangeStatus = "A" | "M" | "D" | "R";

export interface ChangedFile {
  status: ChangeStatus;
  path: string;
  /** The path in base, for renames. */
  oldPath?: string;
}

/**
 * Files `branch` changed since it left `base` (three dots: base's own later commits are not
 * counted), renames detected. Type changes count as modifications; copies (only reported when
 * copy detection is on) as additions.
 */
export function changedFiles(root: string, base: string, branch: string): ChangedFile[] {
  assertRef(root, "ref", base);
  assertRef(root, "ref", branch);
  const out = gitBytes(root, ["diff", "--name-status", "-z", "--find-renames", "--no-ext-diff", `${base}...${branch}`, "--"]);
  const fields = new TextDecoder().decode(out).split("\0");
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < fields.length; ) {
    const code = fields[i++]!;
    const letter = code[0];
    if (letter === "R" || letter === "C") {
      const oldPath = fields[i++]!;
      const path = fields[i++]!;
      files.push(letter === "R" ? { status: "R", path, oldPath } : { status: "A", path });
      continue;
    }
    const path = fields[i++]!;
    if (letter === "A" || letter === "D" || letter === "M") files.push({ status: letter, path });
    else if (letter === "T") files.push({ status: "M", path });
    // "U" (unmerged) and "X" cannot occur between two commits.
  }
  return files;
}

/** Commits on `branch` that `base` does not have, newest first. */
export function branchCommits(root: string, base: string, branch: string): string[] {
  assertRef(root, "ref", base);
  assertRef(root, "ref", branch);
  return gitText(root, ["rev-list", `${base}..${branch}`, "--"]).split("\n").filter(Boolean);
}

/** Whether every commit of `branch` is already in `base` (a fast-forward or merge happened). */
export function isMerged(root: string, branch: string, base: string): boolean {
  assertRef(root, "ref", branch);
  assertRef(root, "ref", base);
  const args = ["merge-base", "--is-ancestor", branch, base];
  const r = gitRaw(root, args);
  if (r.exitCode === 0) return true;
  if (r.exitCode === 1) return false;
  throw new GitError(["git", ...args], root, r.exitCode, r.stderr);
}

/**
 * The bytes of repo-relative `path` at `ref`, or null when the commit has no such file (or it is
 * a directory or submodule there). `cat-file blob` rather than `show`: raw bytes, no textconv.
 * GitError when `ref` itself names no commit.
 */
export function fileAt(root: string, ref: string, path: string): Uint8Array | null {
  const commit = resolveCommit(root, ref);
  // A leading "./" or "/" would make git resolve the path against cwd or reject it.
  const rel = path.replace(/^(\.\/|\/)+/, "");
  const r = gitRaw(root, ["cat-file", "blob", `${commit}:${rel}`]);
  if (r.exitCode === 0) return r.stdout;
  return null;
}

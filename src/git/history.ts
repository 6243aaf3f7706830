// Facts about branches and commits a task needs: where HEAD is, what a branch changed against its
// base, whether it is merged, and a file's bytes at a commit. All throw GitError on failure. What a
// task's end runs on its whole branch (the diff, the files' bytes) is asynchronous: a branch of
// 30,000 files must not hold the daemon's event loop.
import { assertRef, GitError, gitBytesAsync, gitRaw, gitRawAsync, gitText, gitTextAsync } from "./exec.ts";

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
export async function mergeBase(root: string, a: string, b: string): Promise<string> {
  assertRef(root, "ref", a);
  assertRef(root, "ref", b);
  return gitTextAsync(root, ["merge-base", a, b]);
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
export async function changedFiles(root: string, base: string, branch: string): Promise<ChangedFile[]> {
  assertRef(root, "ref", base);
  assertRef(root, "ref", branch);
  const out = await gitBytesAsync(root, ["diff", "--name-status", "-z", "--find-renames", "--no-ext-diff", `${base}...${branch}`, "--"]);
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
export async function fileAt(root: string, ref: string, path: string): Promise<Uint8Array | null> {
  return (await filesAt(root, ref, [path])).get(path) ?? null;
}

/**
 * fileAt for many paths with one `git cat-file --batch` (one process, not one per file): a map
 * from each path to its bytes, or null when the commit has no such blob.
 */
export async function filesAt(root: string, ref: string, paths: string[]): Promise<Map<string, Uint8Array | null>> {
  const commit = await gitTextAsync(root, ["rev-parse", "--verify", "--quiet", `${checkedRef(root, ref)}^{commit}`]);
  const out = new Map<string, Uint8Array | null>();
  if (!paths.length) return out;
  // A leading "./" or "/" would make git resolve the path against cwd or reject it.
  const rel = (p: string) => p.replace(/^(\.\/|\/)+/, "");
  // Names are NUL-separated (-z): a file name may hold a newline.
  const input = Buffer.from(paths.map((p) => `${commit}:${rel(p)}\0`).join(""));
  const r = await gitRawAsync(root, ["cat-file", "--batch", "-z"], { stdin: input });
  if (r.exitCode !== 0) throw new GitError(["git", "cat-file", "--batch", "-z"], root, r.exitCode, r.stderr);
  const buf = r.stdout;
  let at = 0;
  for (const path of paths) {
    const nl = buf.indexOf(10, at);
    if (nl === -1) break;
    const header = new TextDecoder().decode(buf.subarray(at, nl));
    at = nl + 1;
    const m = /^[0-9a-f]+ (\S+) (\d+)$/.exec(header);
    if (!m) {
      out.set(path, null); // "<name> missing" (or ambiguous): no such file at that commit
      continue;
    }
    const size = Number(m[2]);
    out.set(path, m[1] === "blob" ? buf.slice(at, at + size) : null);
    at += size + 1; // the content, then a newline
  }
  return out;
}

function checkedRef(root: string, ref: string): string {
  assertRef(root, "ref", ref);
  return ref;
}

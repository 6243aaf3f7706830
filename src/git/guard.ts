// What a task step must not change, and the proof it did not. A step (an LLM with Write/Edit in
// the worktree) could rewrite the worktree's `.git` file to point at the user's repository, or
// delete it so git finds the parent checkout: git commands discovering their repository from the
// worktree would then stage and commit in the user's checkout. So task git commands run with the
// git dir and work tree pinned (found from the repository's own record of its worktrees, never
// from the worktree's `.git` file), a step that touches `.git`, `.skep` or `.gitmodules` fails,
// and the user's checkout (HEAD, branch, index) is compared before and after every step.
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { gitBytesAsync, gitRawAsync, GitError } from "./exec.ts";
import { gitCommonDir } from "./repo.ts";

/** The paths at a worktree's top a step may not create, change or delete. */
export const PROTECTED_PATHS = [".git", ".skep", ".gitmodules"] as const;

/** A worktree and the git dir that belongs to it, as git itself registered them. */
export interface PinnedWorktree {
  workTree: string;
  gitDir: string;
}

/**
 * The git dir of the linked worktree at `workTree`, from `<common dir>/worktrees/*\/gitdir` (which
 * git writes and the worktree cannot reach), never from `<workTree>/.git`.
 */
export function pinWorktree(root: string, workTree: string): PinnedWorktree {
  const common = gitCommonDir(root);
  if (!common) throw new GitError(["git", "rev-parse", "--git-common-dir"], root, null, "not a git repository");
  const dir = join(common, "worktrees");
  const want = resolve(workTree, ".git");
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no linked worktrees at all
  }
  for (const name of names) {
    let recorded: string;
    try {
      recorded = readFileSync(join(dir, name, "gitdir"), "utf8").trim();
    } catch {
      continue;
    }
    if (resolve(recorded) === want) return { workTree: resolve(workTree), gitDir: join(dir, name) };
  }
  throw new GitError(["git", "worktree", "list"], root, null, `${workTree} is not a worktree registered in ${common}`);
}

/** argv prefix that pins a git command to the worktree (no discovery through `.git` files). */
export function pinnedArgs(pin: PinnedWorktree): string[] {
  return [`--git-dir=${pin.gitDir}`, `--work-tree=${pin.workTree}`];
}

/** A fingerprint of the protected paths at the worktree's top (type, and bytes or names below). */
export function protectedState(workTree: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of PROTECTED_PATHS) out.set(p, describe(join(workTree, p), 0));
  return out;
}

/** The protected paths whose fingerprint differs, in words ("changed .git", "created .skep"). */
export function protectedChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const p of PROTECTED_PATHS) {
    const a = before.get(p);
    const b = after.get(p);
    if (a === b) continue;
    changes.push(`${a === "absent" ? "created" : b === "absent" ? "deleted" : "changed"} ${p}`);
  }
  return changes;
}

function describe(path: string, depth: number): string {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return "absent";
  }
  if (st.isSymbolicLink()) return `link:${readlinkSync(path)}`;
  if (st.isFile()) return `file:${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
  if (!st.isDirectory()) return "other";
  if (depth > 3) return "dir";
  const names = readdirSync(path).sort();
  return `dir:${createHash("sha256").update(names.map((n) => `${n}=${describe(join(path, n), depth + 1)}`).join("\n")).digest("hex")}`;
}

/** The user's checkout as a step must leave it: HEAD, the branch checked out, and the index's entries. */
export interface CheckoutState {
  head: string | null;
  branch: string | null;
  index: string;
}

/** Asynchronous: the user's index may list tens of thousands of files, and the daemon keeps answering meanwhile. */
export async function checkoutState(root: string): Promise<CheckoutState> {
  const text = async (args: string[]) => {
    const r = await gitRawAsync(root, args);
    return r.exitCode === 0 ? new TextDecoder().decode(r.stdout).trim() : null;
  };
  // Entries (mode, blob, stage, path), not the index file: git rewrites that file to refresh stat data.
  const index = createHash("sha256").update(await gitBytesAsync(root, ["ls-files", "--stage", "-z"])).digest("hex");
  return { head: await text(["rev-parse", "--verify", "--quiet", "HEAD"]), branch: await text(["symbolic-ref", "--quiet", "HEAD"]), index };
}

/** How the checkout moved, in words; [] when it is as before. */
export function checkoutChanges(before: CheckoutState, after: CheckoutState): string[] {
  const out: string[] = [];
  if (before.branch !== after.branch) out.push(`the branch checked out went from ${before.branch ?? "a detached HEAD"} to ${after.branch ?? "a detached HEAD"}`);
  if (before.head !== after.head) out.push(`HEAD moved from ${before.head?.slice(0, 10) ?? "none"} to ${after.head?.slice(0, 10) ?? "none"}`);
  if (before.index !== after.index) out.push("the staging area (index) changed");
  return out;
}

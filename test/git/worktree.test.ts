// Task worktrees against real git: add, resume, commit, remove, all without touching the main
// checkout, whose dirty file, untracked file, index and HEAD are compared before and after.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  addWorktree,
  branchCommits,
  changedFiles,
  commitAll,
  currentBranch,
  deleteBranch,
  fileAt,
  GitError,
  isClean,
  isMerged,
  listWorktrees,
  mergeBase,
  pruneWorktrees,
  removeWorktree,
  resolveCommit,
} from "../../src/git/worktree.ts";
import { git, initRepo } from "../helpers/git-repo.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

setDefaultTimeout(30_000);

let dir: string;
let main: string;
let before: { status: string; head: string; dirty: string; untracked: string; index: string };

const BINARY = new Uint8Array([0, 1, 2, 255, 254, 0, 10, 13, 0x80]);

function snapshot(): typeof before {
  return {
    status: git(main, "status", "--porcelain=v1", "--untracked-files=all"),
    head: git(main, "rev-parse", "HEAD") + git(main, "symbolic-ref", "HEAD"),
    dirty: readFileSync(join(main, "a.txt"), "utf8"),
    untracked: readFileSync(join(main, "scratch.txt"), "utf8"),
    index: git(main, "ls-files", "-s"),
  };
}

beforeAll(async () => {
  dir = tempDir("skep-git-wt-");
  main = initRepo(join(dir, "main"), {
    "a.txt": "one\n",
    "src/keep.ts": "export const keep = 1;\n",
    "src/old-name.ts": "export function moved(): number {\n  return 42;\n}\n// padding so the rename is detected\n// more padding\n",
    "gone.txt": "bye\n",
    "bin.dat": BINARY,
  });
  // The user's own uncommitted work in the main checkout: must survive everything below.
  writeFileSync(join(main, "a.txt"), "one\nlocal edit\n");
  writeFileSync(join(main, "scratch.txt"), "untracked\n");
  git(main, "add", "a.txt"); // staged, then edited again: index and work tree differ
  writeFileSync(join(main, "a.txt"), "one\nlocal edit\nmore\n");
  before = snapshot();
});
afterAll(async () => {
  // After every test below, the main checkout is exactly as the user left it.
  expect(snapshot()).toEqual(before);
  await cleanupAll();
});

describe("facts", () => {
  test("currentBranch and resolveCommit", async () => {
    expect(currentBranch(main)).toBe("main");
    expect(resolveCommit(main, "main")).toBe(git(main, "rev-parse", "HEAD").trim());
    expect(resolveCommit(main, "HEAD")).toMatch(/^[0-9a-f]{40}$/);
  });

  test("an unknown ref is a GitError naming the command", async () => {
    let err: unknown;
    try {
      resolveCommit(main, "no-such-branch");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).command).toContain("rev-parse");
    expect((err as GitError).message).toContain("git rev-parse");
  });

  test("refs that look like options are refused before git sees them", async () => {
    expect(() => resolveCommit(main, "--all")).toThrow(GitError);
    await expect(changedFiles(main, "-p", "main")).rejects.toThrow(GitError);
    await expect(addWorktree(main, { path: join(dir, "x"), branch: "-D", base: "main" })).rejects.toThrow(GitError);
  });

  test("outside a repository, currentBranch throws", async () => {
    const plain = join(dir, "plain");
    mkdirSync(plain, { recursive: true });
    expect(() => currentBranch(plain)).toThrow(GitError);
    expect(() => currentBranch(join(dir, "does-not-exist"))).toThrow(GitError);
  });

  test("the main checkout with local edits is not clean", async () => {
    expect(isClean(main)).toBe(false);
  });
});

describe("a task's worktree", () => {
  let wt: string;
  const branch = "skep/task-1-rename-things";

  test("is created with its branch, parent directories included", async () => {
    wt = join(dir, "worktrees", "deep", "task-1");
    const r = await addWorktree(main, { path: wt, branch, base: "main" });
    expect(r).toEqual({ path: wt, branch, created: true });
    expect(existsSync(join(wt, "a.txt"))).toBe(true);
    expect(readFileSync(join(wt, "a.txt"), "utf8")).toBe("one\n"); // the commit, not the user's edit
    expect(currentBranch(wt)).toBe(branch);
    expect(isClean(wt)).toBe(true);
    expect(listWorktrees(main).map((w) => w.branch)).toEqual(["main", branch]);
    // A new task branch does not track its base.
    expect(() => git(main, "config", `branch.${branch}.merge`)).toThrow();
  });

  test("is returned as is when asked again", async () => {
    writeFileSync(join(wt, "wip.txt"), "work in progress\n");
    expect(await addWorktree(main, { path: wt, branch, base: "main" })).toEqual({ path: wt, branch, created: false });
    expect(readFileSync(join(wt, "wip.txt"), "utf8")).toBe("work in progress\n");
    rmSync(join(wt, "wip.txt"));
  });

  test("another branch at the same path is refused", async () => {
    await expect(addWorktree(main, { path: wt, branch: "skep/other", base: "main" })).rejects.toThrow(GitError);
  });

  test("a relative path is taken from the repo root", async () => {
    const r = await addWorktree(main, { path: "../worktrees/deep/task-1", branch, base: "main" });
    expect(r.created).toBe(false);
  });

  test("untracked files in .skep/ do not make it dirty; others do", async () => {
    mkdirSync(join(wt, ".skep"), { recursive: true });
    writeFileSync(join(wt, ".skep", "task-1-result.md"), "result\n");
    expect(isClean(wt)).toBe(true);
    writeFileSync(join(wt, "new.txt"), "x\n");
    expect(isClean(wt)).toBe(false);
    rmSync(join(wt, "new.txt"));
    writeFileSync(join(wt, "a.txt"), "changed\n");
    expect(isClean(wt)).toBe(false);
    git(wt, "checkout", "--", "a.txt");
    expect(isClean(wt)).toBe(true);
  });

  test("commitAll with nothing changed commits nothing", async () => {
    const head = resolveCommit(wt, "HEAD");
    expect(await commitAll(wt, "nothing")).toBeNull();
    expect(resolveCommit(wt, "HEAD")).toBe(head);
  });

  test("commitAll commits every change except .skep/", async () => {
    writeFileSync(join(wt, "a.txt"), "one\ntwo\n");
    writeFileSync(join(wt, "added.ts"), "export function added(x: number): number {\n  return x;\n}\n");
    rmSync(join(wt, "gone.txt"));
    git(wt, "mv", "src/old-name.ts", "src/new-name.ts");
    const sha = await commitAll(wt, "step 1: modify things");
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(resolveCommit(wt, "HEAD")).toBe(sha!);
    const files = git(wt, "show", "--name-only", "--no-renames", "--format=", sha!).trim().split("\n").sort();
    expect(files).toEqual(["a.txt", "added.ts", "gone.txt", "src/new-name.ts", "src/old-name.ts"]);
    expect(git(wt, "ls-files", ".skep")).toBe("");
    expect(existsSync(join(wt, ".skep", "task-1-result.md"))).toBe(true);
    expect(isClean(wt)).toBe(true);
    expect(git(wt, "log", "-1", "--format=%s")).toBe("step 1: modify things\n");
  });

  test("commitAll takes an author", async () => {
    writeFileSync(join(wt, "by-author.txt"), "x\n");
    const sha = (await commitAll(wt, "authored", { author: "Ada <ada@example.com>" }))!;
    expect(git(wt, "log", "-1", "--format=%an <%ae>", sha).trim()).toBe("Ada <ada@example.com>");
  });

  test("changedFiles lists additions, modifications, deletions and renames", async () => {
    const files = (await changedFiles(main, "main", branch)).sort((a, b) => a.path.localeCompare(b.path));
    expect(files).toEqual([
      { status: "M", path: "a.txt" },
      { status: "A", path: "added.ts" },
      { status: "A", path: "by-author.txt" },
      { status: "D", path: "gone.txt" },
      { status: "R", path: "src/new-name.ts", oldPath: "src/old-name.ts" },
    ]);
  });

  test("branchCommits and isMerged", async () => {
    const commits = branchCommits(main, "main", branch);
    expect(commits).toHaveLength(2);
    expect(commits[0]).toBe(resolveCommit(main, branch)); // newest first
    expect(isMerged(main, branch, "main")).toBe(false);
    expect(isMerged(main, "main", branch)).toBe(true);
    git(main, "branch", "pretend-merged", branch); // a base that has the commits, without touching the checkout
    expect(isMerged(main, branch, "pretend-merged")).toBe(true);
    expect(branchCommits(main, "pretend-merged", branch)).toEqual([]);
    expect(await mergeBase(main, "main", branch)).toBe(resolveCommit(main, "main"));
    expect(() => isMerged(main, "nope", "main")).toThrow(GitError);
  });

  test("fileAt reads bytes at a ref, binary safe; null when absent", async () => {
    expect(await fileAt(main, "main", "bin.dat")).toEqual(BINARY);
    expect(new TextDecoder().decode((await fileAt(main, branch, "a.txt"))!)).toBe("one\ntwo\n");
    expect(new TextDecoder().decode((await fileAt(main, "main", "a.txt"))!)).toBe("one\n");
    expect(await fileAt(main, branch, "gone.txt")).toBeNull();
    expect(await fileAt(main, "main", "added.ts")).toBeNull();
    expect(await fileAt(main, "main", "src")).toBeNull(); // a directory is not a file
    expect(await fileAt(main, "main", "./src/keep.ts")).not.toBeNull();
    await expect(fileAt(main, "no-such-ref", "a.txt")).rejects.toThrow(GitError);
  });

  test("a removed worktree directory is recreated from the existing branch (resume)", async () => {
    const head = resolveCommit(main, branch);
    rmSync(wt, { recursive: true, force: true });
    const r = await addWorktree(main, { path: wt, branch, base: "main" });
    expect(r.created).toBe(true);
    expect(resolveCommit(wt, "HEAD")).toBe(head); // the task's commits are still there
    expect(readFileSync(join(wt, "a.txt"), "utf8")).toBe("one\ntwo\n");
  });

  test("the branch can resume at a different path after its old directory vanished", async () => {
    rmSync(wt, { recursive: true, force: true });
    const elsewhere = join(dir, "worktrees", "moved");
    expect((await addWorktree(main, { path: elsewhere, branch, base: "main" })).created).toBe(true);
    expect(currentBranch(elsewhere)).toBe(branch);
    expect(await removeWorktree(main, elsewhere)).toBe(true);
    expect((await addWorktree(main, { path: wt, branch, base: "main" })).created).toBe(true);
  });

  test("removeWorktree refuses a dirty worktree unless forced", async () => {
    writeFileSync(join(wt, "dirty.txt"), "x\n");
    await expect(removeWorktree(main, wt)).rejects.toThrow(GitError);
    expect(existsSync(wt)).toBe(true);
    expect(await removeWorktree(main, wt, { force: true })).toBe(true);
    expect(existsSync(wt)).toBe(false);
    expect(listWorktrees(main).map((w) => w.branch)).toEqual(["main"]);
    expect(await removeWorktree(main, wt)).toBe(false);
  });

  test("removeWorktree and pruneWorktrees forget a directory deleted by hand", async () => {
    const other = join(dir, "worktrees", "task-2");
    await addWorktree(main, { path: other, branch: "skep/task-2", base: "main" });
    rmSync(other, { recursive: true, force: true });
    expect(listWorktrees(main).find((w) => w.branch === "skep/task-2")?.prunable).toBe(true);
    pruneWorktrees(main);
    expect(listWorktrees(main).map((w) => w.branch)).toEqual(["main"]);
    expect(await removeWorktree(main, other)).toBe(false);
  });

  test("a registered worktree whose directory is gone is made again on a new branch", async () => {
    const other = join(dir, "worktrees", "task-3");
    await addWorktree(main, { path: other, branch: "skep/task-3", base: "main" });
    rmSync(other, { recursive: true, force: true });
    deleteBranch(main, "skep/task-3", { force: true });
    expect((await addWorktree(main, { path: other, branch: "skep/task-3b", base: "main" })).created).toBe(true);
    expect(await removeWorktree(main, other)).toBe(true);
  });

  test("deleteBranch refuses an unmerged branch unless forced", async () => {
    git(main, "branch", "-D", "pretend-merged");
    expect(() => deleteBranch(main, branch)).toThrow(GitError);
    expect(deleteBranch(main, branch, { force: true })).toBe(true);
    expect(deleteBranch(main, branch, { force: true })).toBe(false);
    expect(deleteBranch(main, "skep/task-2")).toBe(true); // merged (no commits of its own)
    expect(deleteBranch(main, "skep/task-3b")).toBe(true);
  });
});

describe("commit identity", () => {
  let wt: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    // No global or system git config at all, as on a fresh CI machine.
    const empty = join(dir, "empty-gitconfig");
    writeFileSync(empty, "");
    for (const k of ["GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "EMAIL", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"]) saved[k] = process.env[k];
    process.env.GIT_CONFIG_GLOBAL = empty;
    process.env.GIT_CONFIG_NOSYSTEM = "1";
    for (const k of ["EMAIL", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"]) delete process.env[k];
    wt = join(dir, "worktrees", "ident");
    await addWorktree(main, { path: wt, branch: "skep/ident", base: "main" });
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await removeWorktree(main, wt, { force: true });
    deleteBranch(main, "skep/ident", { force: true });
  });

  test("with no identity configured anywhere, commits as skep", async () => {
    writeFileSync(join(wt, "f.txt"), "1\n");
    const sha = (await commitAll(wt, "no identity"))!;
    expect(git(wt, "log", "-1", "--format=%an <%ae>|%cn <%ce>", sha).trim()).toBe("skep <skep@localhost>|skep <skep@localhost>");
  });

  test("a repo's own identity wins", async () => {
    git(main, "config", "user.name", "Repo Owner");
    git(main, "config", "user.email", "owner@example.com");
    try {
      writeFileSync(join(wt, "f.txt"), "2\n");
      const sha = (await commitAll(wt, "repo identity"))!;
      expect(git(wt, "log", "-1", "--format=%an <%ae>", sha).trim()).toBe("Repo Owner <owner@example.com>");
    } finally {
      git(main, "config", "--unset", "user.name");
      git(main, "config", "--unset", "user.email");
    }
  });
});

describe("a detached worktree", () => {
  test("has no current branch", async () => {
    const wt = join(dir, "worktrees", "detached");
    git(main, "worktree", "add", "-q", "--detach", wt, "main");
    try {
      expect(currentBranch(wt)).toBeNull();
    } finally {
      await removeWorktree(main, wt, { force: true });
    }
  });
});

// The top level found without git (src/git/top-level.ts) against `git rev-parse --show-toplevel`
// itself: the same answer wherever it answers, and git's answer wherever discovery could differ.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gitTopLevel } from "../../src/git/repo.ts";
import { fastTopLevel } from "../../src/git/top-level.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

function git(cwd: string, ...args: string[]): string {
  const p = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${p.stderr.toString()}`);
  return p.stdout.toString().trim();
}

/** What git itself answers, or null when it says this is no work tree. */
function gitSays(dir: string, env: Record<string, string> = {}): string | null {
  const p = Bun.spawnSync(["git", "rev-parse", "--show-toplevel"], { cwd: dir, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  return p.exitCode === 0 ? p.stdout.toString().trim() : null;
}

function repo(): string {
  const dir = realpathSync(tempDir("skep-toplevel-"));
  git(dir, "init", "-q");
  mkdirSync(join(dir, "src/deep/er"), { recursive: true });
  writeFileSync(join(dir, "src/a.ts"), "export const a = 1;\n");
  git(dir, "add", "-A");
  git(dir, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "init");
  return dir;
}

describe("the top level without git", () => {
  test("a plain checkout: answered without git, as git answers, from the root, a subdirectory and through a symlink", () => {
    const r = repo();
    const link = join(tempDir("skep-toplevel-link-"), "here");
    symlinkSync(join(r, "src/deep"), link);
    for (const dir of [r, join(r, "src"), join(r, "src/deep/er"), link]) {
      expect(fastTopLevel(dir)).toBe(r);
      expect(gitSays(dir)).toBe(r);
    }
  });

  test("a repository inside another's work tree: the inner one", () => {
    const outer = repo();
    const inner = join(outer, "src/deep");
    git(inner, "init", "-q");
    expect(fastTopLevel(join(inner, "er"))).toBe(inner);
    expect(gitSays(join(inner, "er"))).toBe(inner);
  });

  test("where discovery could answer differently, git is asked and gitTopLevel gives git's answer", () => {
    const r = repo();
    const cases: { dir: string; env?: Record<string, string> }[] = [];
    // Inside the git directory, and a bare repository: no work tree.
    cases.push({ dir: join(r, ".git/refs") });
    const bare = realpathSync(tempDir("skep-toplevel-bare-"));
    git(bare, "init", "-q", "--bare");
    cases.push({ dir: bare });
    // A linked worktree (.git is a file).
    const wt = join(realpathSync(tempDir("skep-toplevel-wt-")), "wt");
    git(r, "worktree", "add", "-q", wt, "-b", "side");
    cases.push({ dir: join(wt, "src") });
    // GIT_DIR and friends steer discovery.
    cases.push({ dir: join(r, "src"), env: { GIT_DIR: join(bare) } });
    // A config that moves the work tree.
    const moved = repo();
    const elsewhere = realpathSync(tempDir("skep-toplevel-elsewhere-"));
    git(moved, "config", "core.worktree", elsewhere);
    cases.push({ dir: join(moved, "src") });
    // A `.git` directory that is no repository: git looks further up.
    const fake = join(r, "src/deep");
    mkdirSync(join(fake, ".git"));
    cases.push({ dir: join(fake, "er") });

    for (const c of cases) {
      const saved = { ...process.env };
      Object.assign(process.env, c.env ?? {});
      try {
        expect({ dir: c.dir, fast: fastTopLevel(c.dir) }).toEqual({ dir: c.dir, fast: undefined });
        expect({ dir: c.dir, top: gitTopLevel(c.dir) }).toEqual({ dir: c.dir, top: gitSays(c.dir, c.env) });
      } finally {
        for (const k of Object.keys(c.env ?? {})) if (!(k in saved)) delete process.env[k];
      }
    }
    // The answers themselves, so the comparison above compares something.
    expect(gitSays(join(wt, "src"))).toBe(wt);
    expect(gitSays(join(fake, "er"))).toBe(r);
    expect(gitSays(bare)).toBeNull();
  });

  test("outside any repository: null, or git asked (a mount point on the way up)", () => {
    const dir = realpathSync(tempDir("skep-toplevel-none-"));
    const fast = fastTopLevel(dir);
    if (fast !== undefined) expect(fast).toBe(gitSays(dir));
    expect(gitTopLevel(dir)).toBe(gitSays(dir));
  });
});

// Temporary git repositories for tests: real `git init`, real commits, removed afterwards.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export type Files = Record<string, string | Uint8Array>;

/**
 * A fresh temp directory, symlinks resolved (macOS's /var is /private/var, and git reports the
 * real path as the work tree); `cleanup()` removes it.
 */
export function tempDir(prefix = "skep-test-"): { dir: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function git(cwd: string, ...args: string[]): string {
  const p = Bun.spawnSync(["git", "-c", "user.email=t@t", "-c", "user.name=t", "-c", "init.defaultBranch=main", ...args], {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (p.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed in ${cwd}: ${p.stderr.toString()}`);
  return p.stdout.toString();
}

export function writeFiles(root: string, files: Files): void {
  for (const [path, content] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/** `git init` a repo at `dir` (created if needed) holding `files`, all committed. */
export function initRepo(dir: string, files: Files): string {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q");
  writeFiles(dir, files);
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "x");
  return dir;
}

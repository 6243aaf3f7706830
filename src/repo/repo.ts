// Which repo a command acts on, and where its `.skep/` lives.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { gitTopLevel, mainCheckoutOf } from "../git/repo.ts";
import { UsageError } from "../errors.ts";
import { requireOwned } from "../trust/ownership.ts";

export interface RepoContext {
  /** The work tree root (git top level, or the directory itself outside git). */
  root: string;
  skepDir: string;
  dbPath: string;
  isGit: boolean;
}

/** `--repo DIR`, else the current directory; then up to the git top level. SKEP_DIR moves `.skep/`. */
export function repoContext(repoFlag?: string): RepoContext {
  const start = resolve(repoFlag || process.cwd());
  if (!existsSync(start) || !statSync(start).isDirectory()) throw new UsageError(`not a directory: ${start}`);
  const top = gitTopLevel(start);
  const root = top ?? start;
  const skepDir = process.env.SKEP_DIR ? resolve(process.env.SKEP_DIR) : join(root, ".skep");
  // As git's safe.directory: a .skep/ another user owns or can write (or a committed symlink to
  // one) would let them choose the config, socket and tasks skep uses as this user.
  requireOwned(skepDir, { followSymlink: Boolean(process.env.SKEP_DIR) });
  return { root, skepDir, dbPath: join(skepDir, "index.db"), isGit: top !== null };
}

/**
 * Where a repo's tasks live: tasks belong to the repo, not to a checkout, so in a linked worktree
 * (a task's own, or one the user made) this is the main checkout's `.skep/`, as for the MCP tools.
 */
export function taskRepoContext(repoFlag?: string): RepoContext {
  const ctx = repoContext(repoFlag);
  if (process.env.SKEP_DIR || !ctx.isGit) return ctx;
  const main = mainCheckoutOf(ctx.root);
  if (!main) return ctx;
  const skepDir = join(main, ".skep");
  requireOwned(skepDir);
  return { root: main, skepDir, dbPath: join(skepDir, "index.db"), isGit: true };
}

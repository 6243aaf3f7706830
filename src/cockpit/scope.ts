// What a view covers, found from a directory: the workspace above the repo containing it, else
// that repo alone, else nothing. Walks the directories itself instead of asking git, so a status
// line that runs every few seconds stays in the milliseconds; and it loads nothing heavy: the
// workspace registry (and its schema) is read by the `reposOf` the caller passes, only when a
// workspace is there (snapshot.ts findScope reads it; the status line imports it only then).
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { homeDir, skepHome } from "../trust/home.ts";
import { findWorkspace } from "../workspace/find.ts";

/** What a view covers: a workspace's registered repos, the repo alone outside one, or nothing. */
export type Scope =
  | { kind: "workspace"; workspace: string; repos: ScopeRepo[]; problem: string | null }
  | { kind: "repo"; workspace: null; repos: [ScopeRepo]; problem: null }
  | { kind: "none"; workspace: null; repos: []; problem: null };

export interface ScopeRepo {
  name: string;
  path: string;
  skepDir: string;
}

/** Where a directory stands: the repo at or above it and the workspace above that, neither read yet. */
export interface Place {
  from: string;
  root: string | null;
  workspace: string | null;
}

/** A workspace's repos by name (workspace/registry.ts workspaceRepos); throws when the registry cannot be read. */
export type ReposOf = (workspace: string) => { name: string; path: string }[];

/** The repo and workspace above `start` (throws UnsafePath for a workspace another user controls). */
export function locate(start: string): Place {
  const from = resolve(start);
  const root = repoRootAbove(from);
  return { from, root, workspace: findWorkspace(root ?? from) };
}

/** The scope at `place`, the workspace's repos read by `reposOf` (a registry that cannot be read is the scope's problem). */
export function scopeAt(place: Place, reposOf: ReposOf): Scope {
  const { root, workspace: ws } = place;
  if (ws) {
    try {
      const repos = reposOf(ws).map((r) => ({ name: r.name, path: r.path, skepDir: join(r.path, ".skep") }));
      return { kind: "workspace", workspace: ws, repos, problem: null };
    } catch (err) {
      return { kind: "workspace", workspace: ws, repos: [], problem: (err as Error).message };
    }
  }
  if (!root) return { kind: "none", workspace: null, repos: [], problem: null };
  // SKEP_DIR moves this repo's `.skep/` (as every other command honours it); a workspace's repos keep theirs.
  const skepDir = process.env.SKEP_DIR ? resolve(process.env.SKEP_DIR) : join(root, ".skep");
  return { kind: "repo", workspace: null, repos: [{ name: basename(root), path: root, skepDir }], problem: null };
}

/**
 * The nearest directory at or above `dir` that is a repo: one holding a skep store
 * (`.skep/tasks.db` or `.skep/config.json`) or a `.git` directory. A linked worktree (`.git` is a
 * file naming `<main>/.git/worktrees/<name>`) stands for its main checkout, where tasks live.
 * `~/.skep` (skep's per-user files) is not a repo's store.
 */
function repoRootAbove(dir: string): string | null {
  const userDirs = new Set([skepHome(), join(homeDir(), ".skep")]);
  for (let d = dir; ; d = dirname(d)) {
    const skep = join(d, ".skep");
    if (!userDirs.has(skep) && (existsSync(join(skep, "tasks.db")) || existsSync(join(skep, "config.json")))) return d;
    const git = join(d, ".git");
    const kind = statKind(git);
    if (kind === "dir") return d;
    if (kind === "file") return mainCheckoutFromGitFile(git) ?? d;
    if (dirname(d) === d) return null;
  }
}

function statKind(path: string): "dir" | "file" | null {
  try {
    const s = statSync(path);
    return s.isDirectory() ? "dir" : "file";
  } catch {
    return null;
  }
}

/** `gitdir: /src/app/.git/worktrees/x` → /src/app; null for anything else (a submodule's `.git` file). */
function mainCheckoutFromGitFile(path: string): string | null {
  try {
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(path, "utf8"));
    const gitdir = m?.[1] ? resolve(dirname(path), m[1]) : null;
    const w = gitdir ? /^(.*)\/\.git\/worktrees\/[^/]+$/.exec(gitdir) : null;
    return w?.[1] ?? null;
  } catch {
    return null;
  }
}

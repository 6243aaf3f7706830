// The work tree's top level, found the way git finds it but without starting git, for the common
// case only. Every command asks this first (`skep search` through a warm daemon spent ~10 ms of its
// ~30 on `git rev-parse --show-toplevel`), so a plain checkout is answered by a few stat calls; any
// case where git's discovery could answer differently is left to git (undefined): the variables
// that steer discovery, a `.git` file (linked worktree, submodule) or symlink, a `.git` directory
// that is not a plain repository, a repository config naming a work tree or saying bare (or
// including other files), a directory another user owns (git's safe.directory), a start inside a
// git directory or a bare repository, and crossing a file system boundary.
import { lstatSync, readFileSync, realpathSync, statSync, type Stats } from "node:fs";

/** Variables that change where git looks or what it finds (git help environment, git help config). */
const STEERING = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_COMMON_DIR",
  "GIT_CEILING_DIRECTORIES",
  "GIT_DISCOVERY_ACROSS_FILESYSTEM",
  "GIT_CONFIG",
  "GIT_CONFIG_COUNT",
  "GIT_CONFIG_PARAMETERS",
  "GIT_OBJECT_DIRECTORY",
];

/**
 * The absolute, symlink-free top level of the work tree holding `dir` (as `git rev-parse
 * --show-toplevel` prints it), null when no repository holds it, or undefined when only git can say.
 */
export function fastTopLevel(dir: string): string | null | undefined {
  if (STEERING.some((v) => process.env[v] !== undefined)) return undefined;
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  let path: string;
  let device: number;
  try {
    path = realpathSync(dir);
    device = statSync(path).dev;
  } catch {
    return undefined;
  }
  // Inside a git directory, git answers differently (no work tree): left to it.
  if (path.split("/").includes(".git")) return undefined;
  for (;;) {
    const dotGit = lstatOrNull(`${path === "/" ? "" : path}/.git`);
    if (dotGit) return dotGit.isDirectory() ? plainRepoTop(path, dotGit, uid) : undefined;
    if (looksLikeGitDir(path)) return undefined; // a bare repository, or a git directory by another name
    if (path === "/") return null;
    const parent = path.slice(0, path.lastIndexOf("/")) || "/";
    const up = statOrNull(parent);
    if (!up || up.dev !== device) return undefined; // git stops at a mount point unless told otherwise
    path = parent;
  }
}

/** `top`, whose `.git` (`dotGit`, already looked at) is a directory, when it is a plain repository of this user; else undefined. */
function plainRepoTop(top: string, dotGit: Stats, uid: number): string | undefined {
  const gitDir = `${top === "/" ? "" : top}/.git`;
  if (!looksLikeGitDir(gitDir)) return undefined; // git would go on looking above: left to it
  if (dotGit.uid !== uid || statOrNull(top)?.uid !== uid) return undefined;
  let config: string;
  try {
    config = readFileSync(`${gitDir}/config`, "utf8");
  } catch {
    return undefined;
  }
  // core.worktree, core.bare = true, extensions.worktreeConfig and [include]/[includeIf] sections
  // can each move or remove the work tree.
  if (/worktree|include|^\s*bare\s*=\s*(true|yes|on|1)\s*$/im.test(config)) return undefined;
  return top;
}

/** As git's is_git_directory: HEAD, objects/ and refs/. */
function looksLikeGitDir(dir: string): boolean {
  const head = lstatOrNull(`${dir}/HEAD`);
  return Boolean(head && (head.isFile() || head.isSymbolicLink()) && statOrNull(`${dir}/objects`)?.isDirectory() && statOrNull(`${dir}/refs`)?.isDirectory());
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // ENOTDIR, EACCES...
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

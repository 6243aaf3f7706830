// Which files the index covers: what git lists (tracked plus untracked-but-not-ignored) in a git
// repo, or a .gitignore-aware walk elsewhere, through the index rules (rules.ts: vendored, test
// data and generated code are left out by default; .skep/config.json changes that). Only files in a
// language skep parses are returned; the rest are counted so `skep status` can say how much was
// left out, and why.
import ignore, { type Ignore } from "ignore";
import { readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { join, relative, sep } from "node:path";
import { GitError, gitRaw } from "../git/exec.ts";
import type { LanguageId } from "../parser/languages.ts";
import { loadIndexRules, type IndexRules } from "./rules.ts";

export interface Candidate {
  path: string; // repo-relative, forward slashes
  lang: LanguageId;
  /** index.include names it: the content rules (generated, minified) do not apply. */
  forced: boolean;
}

export interface Discovery {
  candidates: Candidate[];
  /** Files seen that no grammar covers (docs, configs, images...). */
  otherFiles: number;
  /** Files in a language skep parses that a rule left out, per reason (never read). */
  ruleSkips: Record<string, number>;
  source: "git" | "walk";
}

/** Never walked into: skep's and git's own state, and installed packages (never listed by git either). */
const ALWAYS_SKIPPED_DIRS = new Set([".git", ".skep", ".skep-workspace"]);

export function discover(root: string, rules: IndexRules = loadIndexRules(root)): Discovery {
  // A root that is missing (unmounted, moved) must fail loudly: an empty listing would read as
  // "every file was deleted" and empty the index.
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`cannot index ${root}: not a directory`);
  const listed = gitListFiles(root);
  const paths = listed ?? walk(root);
  const candidates: Candidate[] = [];
  const ruleSkips: Record<string, number> = {};
  let otherFiles = 0;
  for (const path of paths) {
    const v = rules.verdict(path);
    if (v.kind === "index") candidates.push({ path, lang: v.lang, forced: v.forced });
    else if (v.kind === "skip") ruleSkips[v.reason] = (ruleSkips[v.reason] ?? 0) + 1;
    else if (v.kind === "other") otherFiles++;
  }
  candidates.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { candidates, otherFiles, ruleSkips, source: listed ? "git" : "walk" };
}

/** `git ls-files -co --exclude-standard -z`, or null when root is not inside a git work tree. */
function gitListFiles(root: string): string[] | null {
  let proc;
  try {
    proc = gitRaw(root, ["ls-files", "-co", "--exclude-standard", "-z"]);
  } catch (err) {
    if (err instanceof GitError) return null; // git is not installed: walk instead
    throw err;
  }
  if (proc.exitCode !== 0) return null;
  const out = new TextDecoder().decode(proc.stdout);
  // ls-files lists a path once per stage during a merge conflict, and both -c and -o can overlap.
  return [...new Set(out.split("\0").filter(Boolean))];
}

/** A walk that honours .gitignore files at every level, never follows symlinked directories. */
function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string, rules: { base: string; ig: Ignore }[]) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (dir === root) throw err; // not "no files": that would empty the index
      return; // unreadable directory: nothing under it can be indexed
    }
    const local = readGitignore(dir, entries);
    const active = local ? [...rules, { base: dir, ig: local }] : rules;
    for (const e of entries) {
      if (ALWAYS_SKIPPED_DIRS.has(e.name) || e.name === "node_modules") continue;
      const abs = join(dir, e.name);
      const isDir = e.isDirectory();
      if (active.some((r) => r.ig.ignores(relative(r.base, abs) + (isDir ? "/" : "")))) continue;
      if (isDir) visit(abs, active);
      else if (e.isFile() || e.isSymbolicLink()) out.push(sep === "/" ? relative(root, abs) : relative(root, abs).split(sep).join("/"));
    }
  };
  visit(root, []);
  return out;
}

/** A directory's .gitignore, when it is a regular file: like git, never through a symlink, and
 * never a FIFO, whose read would block forever. */
function readGitignore(dir: string, entries: Dirent[]): Ignore | null {
  if (!entries.some((e) => e.name === ".gitignore" && e.isFile())) return null;
  try {
    return ignore().add(readFileSync(join(dir, ".gitignore"), "utf8"));
  } catch {
    return null;
  }
}

// Watch a repo for changes, without polling: one inotify (fs.watch) watch per directory that can
// hold indexed files, i.e. every directory except .git/.skep, nested repositories and what
// .gitignore excludes. New directories are watched as they appear (and their contents reported,
// since files may land in them before the watch does). Git's HEAD and branch refs are watched too,
// so a branch switch, commit or rebase is seen even when no worktree file changes.
//
// Events are debounced (a quiet period) and coalesced (at most maxDelayMs after the first) into
// one batch of paths, plus a `rescan` flag when the set of files may have changed beyond them.
import ignore, { type Ignore } from "ignore";
import { existsSync, lstatSync, readdirSync, readFileSync, watch, type FSWatcher } from "node:fs";
import { basename, join, relative } from "node:path";
import { gitRaw } from "../git/exec.ts";
import { languageForPath } from "../parser/languages.ts";
import type { WatchBatch } from "./index-runner.ts";

const NEVER_WATCHED = new Set([".git", ".skep", ".skep-workspace"]);

export interface WatcherOptions {
  root: string;
  isGit: boolean;
  /** `git rev-parse --git-dir` and `--git-common-dir` (absolute), when in git. */
  gitDir?: string | null;
  gitCommonDir?: string | null;
  onBatch: (batch: WatchBatch) => void;
  /** HEAD or a branch ref changed. */
  onGitChange?: () => void;
  /** The repo directory or its .skep/ directory was removed: nothing left to serve. */
  onGone?: () => void;
  skepDir?: string;
  log: (msg: string) => void;
  debounceMs?: number;
  maxDelayMs?: number;
}

interface Rules {
  base: string;
  ig: Ignore;
}

export class RepoWatcher {
  /** Watched worktree directories, repo-relative ("" is the root). */
  private readonly dirs = new Map<string, { w: FSWatcher; rules: Rules[] }>();
  private readonly gitWatches: FSWatcher[] = [];
  private paths = new Set<string>();
  private rescan = false;
  private uncertain = false;
  private gitChanged = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private firstAt = 0;
  private closed = false;
  /** Some directory could not be watched (inotify limit, permissions): changes may go unseen. */
  degraded = false;

  constructor(private readonly o: WatcherOptions) {}

  get directories(): number {
    return this.dirs.size;
  }

  /** Changes seen but not yet handed over (they wait out the quiet period): pending all the same. */
  unflushed(): { paths: ReadonlySet<string>; uncertain: boolean } {
    return { paths: this.paths, uncertain: this.uncertain };
  }

  start(): void {
    const ignoredDirs = this.o.isGit ? gitIgnoredDirs(this.o.root) : new Set<string>();
    this.addTree("", [], ignoredDirs);
    if (this.o.isGit) this.watchGit();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const { w } of this.dirs.values()) w.close();
    this.dirs.clear();
    for (const w of this.gitWatches.splice(0)) w.close();
  }

  // ------------------------------------------------------------------ directories

  /**
   * Watch `rel` and every directory below it that may hold indexed files (directories already
   * watched are walked too, to find new ones below them). Files found are added to `found`.
   */
  private addTree(rel: string, parentRules: Rules[], ignoredDirs: Set<string> | null, found?: string[]): void {
    if (this.closed) return;
    const abs = join(this.o.root, rel);
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    // A nested repository (or submodule) is not part of this one.
    if (rel !== "" && entries.some((e) => e.name === ".git")) return;
    let entry = this.dirs.get(rel);
    if (!entry) {
      const rules = this.o.isGit ? parentRules : withGitignore(abs, parentRules);
      try {
        const w = watch(abs, { persistent: true }, (_event, name) => this.onEvent(rel, name === null ? null : String(name)));
        w.on("error", () => this.dropTree(rel, true));
        entry = { w, rules };
      } catch (err) {
        this.degraded = true;
        this.o.log(`cannot watch ${abs}: ${(err as Error).message}; answers will rescan for freshness`);
        return;
      }
      this.dirs.set(rel, entry);
    }
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (NEVER_WATCHED.has(e.name) || (!this.o.isGit && e.name === "node_modules")) continue;
        if (this.ignored(childRel, true, entry.rules, ignoredDirs)) continue;
        this.addTree(childRel, entry.rules, ignoredDirs, found);
      } else if (found && languageForPath(childRel)) found.push(childRel);
    }
  }

  private dropTree(rel: string, structural: boolean): void {
    for (const [d, entry] of this.dirs) {
      if (d === rel || rel === "" || d.startsWith(`${rel}/`)) {
        entry.w.close();
        this.dirs.delete(d);
      }
    }
    if (structural) this.mark(null, true, true);
  }

  /** Is this path excluded? In git, ask git (once per new directory); elsewhere, the .gitignore rules. */
  private ignored(rel: string, isDir: boolean, rules: Rules[], ignoredDirs: Set<string> | null): boolean {
    if (this.o.isGit) {
      if (ignoredDirs) return ignoredDirs.has(rel);
      return gitRaw(this.o.root, ["check-ignore", "-q", "--", isDir ? `${rel}/` : rel]).exitCode === 0;
    }
    const abs = join(this.o.root, rel);
    return rules.some((r) => r.ig.ignores(relative(r.base, abs) + (isDir ? "/" : "")));
  }

  // ------------------------------------------------------------------ events

  private onEvent(dir: string, name: string | null): void {
    if (this.closed) return;
    if (name === null) {
      this.mark(null, true, true); // the kernel did not say what changed (e.g. a queue overflow)
      return;
    }
    const rel = dir ? `${dir}/${name}` : name;
    if (dir === "" && (name === ".skep" || name === basename(this.o.root)) && this.o.onGone) {
      if (!existsSync(this.o.root) || (this.o.skepDir && !existsSync(this.o.skepDir))) {
        this.o.onGone();
        return;
      }
    }
    const top = rel.split("/", 1)[0]!;
    if (NEVER_WATCHED.has(top) || NEVER_WATCHED.has(basename(rel))) return;
    if (this.dirs.has(rel)) {
      // A watched directory was removed, renamed or replaced.
      let stillDir = false;
      try {
        stillDir = lstatSync(join(this.o.root, rel)).isDirectory();
      } catch {
        stillDir = false;
      }
      if (!stillDir) this.dropTree(rel, true);
      return;
    }
    let isDir = false;
    try {
      isDir = lstatSync(join(this.o.root, rel)).isDirectory();
    } catch {
      isDir = false;
    }
    if (isDir) {
      const parent = this.dirs.get(dir);
      if (!parent || NEVER_WATCHED.has(name) || (!this.o.isGit && name === "node_modules")) return;
      if (this.ignored(rel, true, parent.rules, null)) return;
      const found: string[] = [];
      // One git call for everything ignored below the new directory, not one per subdirectory.
      this.addTree(rel, parent.rules, this.o.isGit ? gitIgnoredDirs(this.o.root, rel) : null, found);
      for (const f of found) this.mark(f, false);
      this.mark(null, true);
      return;
    }
    if (basename(rel) === ".gitignore") {
      this.mark(null, true, true);
      this.rewalkSoon = true;
      return;
    }
    if (languageForPath(rel)) this.mark(rel, false);
  }

  private rewalkSoon = false;

  /**
   * Note a change. `rescan`: the indexer should rescan everything; `uncertain`: which files
   * changed is not known (a directory vanished, .gitignore changed), so freshness must rescan too.
   */
  private mark(path: string | null, rescan: boolean, uncertain = false): void {
    if (path !== null) this.paths.add(path);
    if (rescan) this.rescan = true;
    if (uncertain) this.uncertain = true;
    const now = performance.now();
    if (!this.timer) this.firstAt = now;
    else clearTimeout(this.timer);
    const debounce = this.o.debounceMs ?? 20;
    const maxDelay = this.o.maxDelayMs ?? 200;
    const wait = Math.max(0, Math.min(debounce, maxDelay - (now - this.firstAt)));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    if (this.closed) return;
    if (this.rewalkSoon) {
      // .gitignore changed: watch what is no longer ignored, stop watching what now is.
      this.rewalkSoon = false;
      const ignoredDirs = this.o.isGit ? gitIgnoredDirs(this.o.root) : null;
      if (ignoredDirs) for (const d of [...this.dirs.keys()]) if (d && ignoredDirs.has(d)) this.dropTree(d, false);
      if (!this.o.isGit) this.dropTree("", false);
      this.addTree("", [], ignoredDirs ?? new Set());
    }
    const batch: WatchBatch = { paths: this.paths, rescan: this.rescan, uncertain: this.uncertain };
    this.paths = new Set();
    this.rescan = false;
    this.uncertain = false;
    if (this.gitChanged) {
      this.gitChanged = false;
      this.o.onGitChange?.();
    }
    this.o.onBatch(batch);
  }

  // ------------------------------------------------------------------ git

  private watchGit(): void {
    const { gitDir, gitCommonDir } = this.o;
    if (!gitDir) return;
    const refDirs = new Set<string>();
    // Branch refs: a commit moves refs/heads/<branch>, not HEAD. Branch names may contain slashes,
    // so new subdirectories are looked for whenever something in git changes.
    const heads = join(gitCommonDir ?? gitDir, "refs", "heads");
    const visit = (dir: string) => {
      if (!existsSync(dir)) return;
      if (!refDirs.has(dir) && tryWatch(dir, () => "HEAD")) refDirs.add(dir);
      try {
        for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) visit(join(dir, e.name));
      } catch {
        // removed meanwhile
      }
    };
    const onGit = (file: string | null) => {
      if (this.closed) return;
      if (file !== null && !/^(HEAD|packed-refs)$/.test(file)) return;
      this.gitChanged = true;
      this.mark(null, true);
      visit(heads);
    };
    const tryWatch = (dir: string, filter: (name: string | null) => string | null): boolean => {
      try {
        const w = watch(dir, (_e, name) => onGit(filter(name === null ? null : String(name))));
        w.on("error", () => undefined);
        this.gitWatches.push(w);
        return true;
      } catch (err) {
        this.o.log(`cannot watch ${dir}: ${(err as Error).message}`);
        return false;
      }
    };
    tryWatch(gitDir, (n) => n);
    if (gitCommonDir && gitCommonDir !== gitDir) tryWatch(gitCommonDir, (n) => (n === "packed-refs" ? n : "-"));
    visit(heads);
  }
}

/** Untracked directories git ignores (repo-relative, no trailing slash): never watched. */
function gitIgnoredDirs(root: string, under?: string): Set<string> {
  const p = gitRaw(root, ["ls-files", "-o", "-i", "--exclude-standard", "--directory", "-z", ...(under ? ["--", `${under}/`] : [])]);
  const out = new Set<string>();
  if (p.exitCode !== 0) return out;
  for (const entry of new TextDecoder().decode(p.stdout).split("\0")) if (entry.endsWith("/")) out.add(entry.slice(0, -1));
  return out;
}

function withGitignore(dir: string, rules: Rules[]): Rules[] {
  try {
    return [...rules, { base: dir, ig: ignore().add(readFileSync(join(dir, ".gitignore"), "utf8")) }];
  } catch {
    return rules;
  }
}

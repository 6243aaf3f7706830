// A git worktree answered from its main checkout's index. The worktree has no index of its own;
// the files where it differs from the indexed commit are parsed on demand and laid over a private,
// in-memory copy of that index: their rows replace the index's rows for those paths, references
// into and out of them are resolved again, and everything else is the main index unchanged.
// Neither checkout is ever written: the main index is opened read-only and copied into memory.
//
// Which files differ: what `git diff <indexed HEAD>` and untracked files list in the worktree,
// plus the same in the main checkout (files the main index may hold in a state other than the
// indexed commit). Every call recomputes that set and re-parses only the paths whose (size,
// mtime) moved since the last call, so a burst of calls costs a few git commands each.
import type { Database } from "bun:sqlite";
import { Database as SqliteDatabase } from "bun:sqlite";
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { changedSince, gitHeadAsync, untrackedPaths } from "../git/repo.ts";
import { updateEdges } from "../graph/edges.ts";
import type { Freshness } from "../protocol/index-answers.ts";
import { applySteps, stepFor, type Step } from "./apply.ts";
import { incompleteReason } from "./freshness.ts";
import { loadIndexRules, type IndexRules } from "./rules.ts";
import { getMeta, type FileState } from "./store.ts";

export interface OverlayView {
  /** The database to answer from: the main index itself when nothing differs, else the overlay copy. */
  db: Database;
  freshness: Freshness;
  /** Paths parsed from the worktree (they differ from the indexed commit). */
  paths: Set<string>;
  /** Changes whenever the copy's contents do (for caching whole-table answers); undefined for the main index, which others write. */
  generation: number | undefined;
}

export class OverlayError extends Error {}

export class WorktreeOverlay {
  private copy: Database | null = null;
  /** `indexed_at` of the main index when the copy was taken: a newer index means a new copy. */
  private copiedAt: string | null = null;
  /** Path -> the (size, mtime) signature it was applied with ("-" = absent from the worktree). */
  private readonly applied = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Bumped on every write to the copy, and for every new copy. */
  private generation = 0;
  /** Files the main index may hold in another state than the indexed commit, per index version. */
  private dirtyInMain: { indexedAt: string | null; paths: string[] } | null = null;

  constructor(
    /** The main index, opened read-only. */
    readonly base: Database,
    readonly indexRoot: string,
    readonly worktree: string,
  ) {}

  /** Calls are serialised: one overlay update at a time. */
  view(): Promise<OverlayView> {
    const next = this.queue.then(() => this.update());
    this.queue = next.catch(() => {});
    return next;
  }

  private async update(): Promise<OverlayView> {
    const indexedHead = getMeta(this.base, "head");
    const indexedAt = getMeta(this.base, "indexed_at");
    if (!indexedHead) throw new OverlayError(`the index of ${this.indexRoot} records no commit, so this worktree cannot be compared with it: run \`skep index\` in ${this.indexRoot} after a first commit`);
    const [inWorktree, newInWorktree, worktreeHead, inMain] = await Promise.all([
      changedSince(this.worktree, indexedHead),
      untrackedPaths(this.worktree),
      gitHeadAsync(this.worktree),
      this.mainDirty(indexedHead, indexedAt),
    ]);
    if (inWorktree === null || newInWorktree === null) {
      throw new OverlayError(`git could not compare ${this.worktree} with the indexed commit ${indexedHead.slice(0, 12)}: run \`skep index\` in ${this.indexRoot}`);
    }
    // The rules the main index was built under (its checkout's config), so the overlay holds what
    // indexing the worktree there would.
    const rules = loadIndexRules(this.indexRoot);
    const differing = new Set<string>();
    for (const p of [...inWorktree, ...newInWorktree, ...inMain]) if (rules.indexed(p)) differing.add(p);

    const incomplete = incompleteReason(this.base);
    if (this.copy && this.copiedAt !== indexedAt) this.drop(false); // the main index moved on: start again from it
    const freshness: Freshness = {
      worktree: this.worktree,
      head: worktreeHead,
      indexedHead,
      indexedAt: indexedAt ? new Date(Number(indexedAt)).toISOString() : null,
      pendingFiles: 0, // everything that differs is parsed below
      stale: incomplete !== null,
      staleReason: incomplete,
    };
    if (differing.size === 0 && this.applied.size === 0) {
      this.drop(false);
      return { db: this.base, freshness, paths: differing, generation: undefined };
    }
    if (!this.copy) {
      this.copy = copyToMemory(this.base);
      this.copiedAt = indexedAt;
      this.generation++;
    }
    await this.apply(this.copy, new Set([...differing, ...this.applied.keys()]), differing, rules);
    return { db: this.copy, freshness, paths: differing, generation: this.generation };
  }

  /**
   * Paths where the main checkout differed from the indexed commit (tracked changes, untracked
   * files): the main index may hold those in their edited state, so the worktree's own version is
   * parsed instead. What the index holds only changes when it is re-indexed, so this is asked of
   * git once per index version, not per call.
   */
  private async mainDirty(indexedHead: string, indexedAt: string | null): Promise<string[]> {
    if (this.dirtyInMain && this.dirtyInMain.indexedAt === indexedAt) return this.dirtyInMain.paths;
    const [changed, added] = await Promise.all([changedSince(this.indexRoot, indexedHead), untrackedPaths(this.indexRoot)]);
    const paths = [...(changed ?? []), ...(added ?? [])];
    this.dirtyInMain = { indexedAt, paths };
    return paths;
  }

  /** The in-memory copy while the worktree differs from the index, else null. */
  get current(): Database | null {
    return this.copy;
  }

  close(): void {
    this.drop();
  }

  /**
   * Forget the copy. A tool call that asks several verbs may still be reading the copy it got
   * (another call can get here in between): unless the server is closing, the copy is closed a
   * little later rather than under it.
   */
  private drop(now = true): void {
    const old = this.copy;
    if (old && now) old.close();
    else if (old) setTimeout(() => old.close(), 10_000).unref();
    this.copy = null;
    this.copiedAt = null;
    this.applied.clear();
  }

  /** Bring `paths` in the copy in line with the worktree's files (apply.ts, as any index run). */
  private async apply(db: Database, paths: Set<string>, differing: Set<string>, rules: IndexRules): Promise<void> {
    const todo: { path: string; sig: string }[] = [];
    for (const path of [...paths].sort()) {
      const sig = signature(join(this.worktree, path));
      if (this.applied.get(path) !== sig) todo.push({ path, sig });
    }
    if (todo.length === 0) return;
    // The copy's rows describe the main checkout, whose (size, mtime) say nothing about the
    // worktree's files: each one is read (an unchanged hash is not parsed again).
    const stateOf = db.prepare("SELECT id, size, mtime_us AS mtimeUs, hash, skip_reason AS skipReason FROM files WHERE path = ?");
    const steps: Step[] = todo.map(({ path }): Step => {
      const v = rules.verdict(path);
      // A path no longer differing, or one a rule leaves out: the copy must hold what the index does.
      return v.kind === "index" ? stepFor(this.worktree, { path, lang: v.lang, forced: v.forced }, undefined) : { kind: "absent", path };
    });
    // PageRank over the whole graph costs too much per call: a symbol keeps the rank of its
    // namesake in the old version of the file, and a new symbol gets the mean rank (1).
    const oldRanks = db.prepare("SELECT s.name, s.kind, s.container, s.rank FROM symbols s JOIN files f ON f.id = s.file_id WHERE f.path = ?");
    const newSymbols = db.prepare("SELECT s.id, s.name, s.kind, s.container FROM symbols s JOIN files f ON f.id = s.file_id WHERE f.path = ?");
    const setRank = db.prepare("UPDATE symbols SET rank = ? WHERE id = ?");
    type Row = { name: string; kind: string; container: string | null };
    const key = (o: Row) => `${o.name}\0${o.kind}\0${o.container ?? ""}`;
    const ranksBefore = new Map<string, Map<string, number>>();
    // Parsed on the indexer's worker pool (in-process for a handful of files, threads for many:
    // a branch far ahead of the indexed commit can differ in thousands); written in one transaction.
    await applySteps(db, this.worktree, steps, {
      known: (path) => stateOf.get(path) as FileState | null,
      beforeWrite: (readPaths) => {
        this.generation++; // here, not before the parse: a reader meanwhile must not cache old contents under the new number
        for (const path of readPaths) ranksBefore.set(path, new Map((oldRanks.all(path) as (Row & { rank: number })[]).map((o) => [key(o), o.rank])));
      },
      afterWrite: (report) => {
        for (const path of report.parsedPaths) {
          const ranks = ranksBefore.get(path)!;
          for (const s of newSymbols.all(path) as (Row & { id: number })[]) setRank.run(ranks.get(key(s)) ?? 1, s.id);
        }
        const c = report.changes;
        if (c.files.size + c.names.size + c.pathsAddedOrRemoved.size > 0) {
          updateEdges(db, c);
          db.exec("UPDATE files SET rank = COALESCE((SELECT sum(rank) FROM symbols WHERE symbols.file_id = files.id), 0)");
        }
      },
    });
    for (const { path, sig } of todo) {
      // A path that no longer differs now holds the indexed commit's content again: forget it.
      if (differing.has(path)) this.applied.set(path, sig);
      else this.applied.delete(path);
    }
  }
}

/** `size:mtimeUs:kind` of a worktree file (kind f = file, l = symlink, o = other), or "-" when absent. */
function signature(abs: string): string {
  try {
    const st = lstatSync(abs, { bigint: true });
    const kind = st.isSymbolicLink() ? "l" : st.isFile() ? "f" : "o";
    if (kind === "o") return "-";
    return `${st.size}:${st.mtimeNs / 1000n}:${kind}`;
  } catch {
    return "-";
  }
}

/** A private in-memory copy of an index (the original is only read). */
function copyToMemory(base: Database): Database {
  const image = base.serialize();
  // Bytes 18-19 of the header say WAL; an in-memory database cannot use WAL, so mark it rollback-journal.
  image[18] = 1;
  image[19] = 1;
  const db = SqliteDatabase.deserialize(image);
  db.exec("PRAGMA foreign_keys = OFF");
  return db;
}

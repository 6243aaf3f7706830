// Where the MCP server's answers come from. Three cases, decided per call:
//   - the repo's daemon runs: ask it over its socket (api/fallback.ts: the one rule) (warm index, freshness from its watcher);
//   - no daemon: open the index file read-only and compute the answer here, with the very same
//     functions the daemon uses (src/api/answers.ts), freshness from a (size, mtime) rescan;
//   - started inside a git worktree without an index of its own: the main checkout's index with
//     the worktree's differing files parsed on demand over a private copy (overlay.ts). When the
//     worktree does not differ from the indexed commit at all, this is the main index as is (and
//     its daemon, when one runs).
// Every answer comes back with a Stamp saying which of these produced it and how fresh it is.
import type { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { repoContext, type RepoContext } from "../repo/repo.ts";
import { answerRead, type FreshnessSource, type ReadVerb } from "../api/answers.ts";
import { DaemonLink } from "../api/fallback.ts";
import { askRemote, READ_TIMEOUT_MS } from "../api/remote.ts";
import { clientSocketPath, daemonPaths } from "../repo/daemon-paths.ts";
import { freshnessOf, pendingChanges, type PendingChanges } from "../index/freshness.ts";
import { gitHead, mainCheckoutOf } from "../git/repo.ts";
import { getMeta, indexFileReplaced, indexReadError, IndexUnavailable, openReadonly } from "../index/store.ts";
import type { Freshness } from "../protocol/index-answers.ts";
import type { Stamp } from "../protocol/mcp.ts";
import type { ParamsOf, ResultOf } from "../protocol/socket.ts";
import { OverlayError, type OverlayView, WorktreeOverlay } from "../index/overlay.ts";
import { UnsafePath } from "../trust/ownership.ts";
import { daemonGone } from "../errors.ts";

/** A failure the agent should read: becomes an MCP tool error with this message. */
export class ToolError extends Error {}

/** What the server serves: the checkout it was started in, and whose index answers for it. */
interface Location {
  worktree: string;
  /** The checkout the index describes (= worktree unless this is a worktree borrowing an index). */
  indexRoot: string;
  dbPath: string;
  overlay: boolean;
}

export interface Answer<V extends ReadVerb> {
  result: ResultOf<V>;
  stamp: Stamp;
  /** The database this answer was read from (for follow-up lookups like "did you mean"), when direct. */
  db: Database | null;
}

const PENDING_LISTED = 10;

/** What one tool call's several asks share (see IndexBackend.ask). */
export interface Session {
  view?: Promise<OverlayView>;
  pending?: PendingChanges;
  freshness?: Freshness;
}

export class IndexBackend {
  private location: Location | null = null;
  private base: Database | null = null;
  private overlay: WorktreeOverlay | null = null;
  /** The daemon of the index's checkout, found by the one fallback rule (api/fallback.ts). */
  private link: DaemonLink | null = null;

  private readonly ctx: RepoContext;

  /** Throws UsageError when `repoFlag` is not a directory. */
  constructor(
    repoFlag: string | undefined,
    private readonly opts: { daemon?: boolean } = {},
  ) {
    this.ctx = repoContext(repoFlag);
  }

  /** The checkout answers describe. */
  get worktree(): string {
    return this.ctx.root;
  }

  /** The checkout whose index answers (the worktree itself unless it borrows its main checkout's). */
  get indexRoot(): string {
    try {
      return this.locate().indexRoot;
    } catch {
      return this.ctx.root;
    }
  }

  /**
   * Answer one read verb. Pass the same `session` to the several asks one tool call makes (the
   * call graph asks for callers and callees): the worktree comparison and the freshness scan are
   * then done once for the call, and all its parts describe the same moment.
   */
  async ask<V extends ReadVerb>(verb: V, params: ParamsOf<V>, session: Session = {}): Promise<Answer<V>> {
    const loc = this.locate();
    const base = this.openBase(loc);
    if (loc.overlay) {
      const overlay = (this.overlay ??= new WorktreeOverlay(base, loc.indexRoot, loc.worktree));
      let view;
      try {
        view = await (session.view ??= overlay.view());
      } catch (err) {
        if (err instanceof OverlayError) throw new ToolError(err.message);
        throw this.readError(err, loc, base);
      }
      const extra = { indexRoot: loc.indexRoot, overlayFiles: view.paths.size };
      if (view.db === base) {
        // The worktree is the indexed commit: the main index (or its daemon) answers as it is.
        const viaDaemon = await this.tryDaemon(loc, verb, params);
        if (viaDaemon) {
          const f = (viaDaemon as { freshness: Freshness }).freshness;
          return { result: viaDaemon, stamp: { ...f, worktree: loc.worktree, head: view.freshness.head, via: "daemon", ...extra }, db: null };
        }
      }
      const fixed: FreshnessSource = { pending: () => ({ added: [], modified: [], deleted: [] }), freshness: () => view.freshness };
      let result;
      try {
        result = answerRead({ db: view.db, root: loc.worktree, fresh: fixed, generation: () => view.generation }, verb, params);
      } catch (err) {
        throw this.readError(err, loc, base); // the copy holds the main index's pages, damage and all
      }
      return { result, stamp: { ...view.freshness, via: "direct", ...extra }, db: view.db };
    }
    const viaDaemon = await this.tryDaemon(loc, verb, params);
    // An index built for another directory (a copied checkout, or SKEP_DIR outside git) says so.
    const elsewhere = resolve(loc.indexRoot) !== resolve(loc.worktree) ? { indexRoot: loc.indexRoot } : {};
    if (viaDaemon) return { result: viaDaemon, stamp: { ...(viaDaemon as { freshness: Freshness }).freshness, via: "daemon", ...elsewhere }, db: null };
    const fresh: FreshnessSource = {
      pending: (db) => (session.pending ??= pendingChanges(db, loc.worktree).pending),
      freshness: (db, p) => (session.freshness ??= freshnessOf(db, loc.worktree, (session.pending ??= p ?? pendingChanges(db, loc.worktree).pending), gitHead(loc.worktree))),
    };
    let result;
    try {
      result = answerRead({ db: base, root: loc.worktree, fresh }, verb, params);
    } catch (err) {
      throw this.readError(err, loc, base);
    }
    const stamp: Stamp = { ...(result as { freshness: Freshness }).freshness, via: "direct", ...elsewhere };
    if (session.pending && stamp.pendingFiles > 0) {
      const s = session.pending;
      stamp.pending = [...s.modified, ...s.added, ...s.deleted].slice(0, PENDING_LISTED);
    }
    return { result, stamp, db: base };
  }

  /** The index database, read-only (for lookups that need no freshness: suggestions, counts). */
  database(): Database {
    const loc = this.locate();
    if (loc.overlay && this.overlay) {
      // The overlay's current view (or the base when nothing differs); callers only read.
      return this.overlay.current ?? this.openBase(loc);
    }
    return this.openBase(loc);
  }

  close(): void {
    this.link?.drop();
    this.overlay?.close();
    this.overlay = null;
    this.base?.close();
    this.base = null;
  }

  // ---------------------------------------------------------------------------------------------

  private locate(): Location {
    if (this.location) return this.location;
    const ctx = this.ctx;
    const worktree = ctx.root;
    if (existsSync(ctx.dbPath)) {
      // An index of its own, or (SKEP_DIR) one that describes another checkout of the same repo.
      const indexRoot = readIndexRoot(ctx.dbPath) ?? worktree;
      const overlay = ctx.isGit && resolve(indexRoot) !== resolve(worktree);
      this.location = { worktree, indexRoot, dbPath: ctx.dbPath, overlay };
      return this.location;
    }
    if (ctx.isGit) {
      const main = mainCheckoutOf(worktree);
      if (main && existsSync(`${main}/.skep/index.db`)) {
        this.location = { worktree, indexRoot: main, dbPath: `${main}/.skep/index.db`, overlay: true };
        return this.location;
      }
      if (main) throw new ToolError(`no index for ${worktree} or its main checkout ${main}: run \`skep index\` in ${main}`);
    }
    // Not cached: the index may be built while the server runs.
    throw new ToolError(`no index for ${worktree}: run \`skep init\` (or \`skep index\`) there first`);
  }

  private openBase(loc: Location): Database {
    // `skep index` moves a damaged index aside and builds a new file: follow it there. The old
    // connection and the overlay copied from it are dropped, not closed, as a call running
    // alongside may still read them; they are released once collected.
    if (this.base && indexFileReplaced(this.base)) {
      this.base = null;
      this.overlay = null;
    }
    if (this.base) return this.base;
    try {
      this.base = openReadonly(loc.dbPath);
    } catch (err) {
      if (err instanceof IndexUnavailable) throw new ToolError(err.message);
      throw err;
    }
    return this.base;
  }

  /** An error from reading the index: damage becomes a ToolError naming the file and saying to run `skep index`. */
  private readError(err: unknown, loc: Location, base: Database): unknown {
    const mapped = indexReadError(err, loc.dbPath, base);
    return mapped instanceof IndexUnavailable ? new ToolError(mapped.message) : mapped;
  }

  /** The daemon's answer, or null when no daemon serves this index or it went away (the rule in api/fallback.ts). */
  private async tryDaemon<V extends ReadVerb>(loc: Location, verb: V, params: ParamsOf<V>): Promise<ResultOf<V> | null> {
    if (this.opts.daemon === false) return null;
    this.link ??= new DaemonLink(() => clientSocketPath(daemonPaths(loc.indexRoot, dirname(loc.dbPath))));
    let client;
    try {
      client = await this.link.connect();
    } catch (err) {
      if (err instanceof UnsafePath) throw new ToolError(err.message); // a stranger's socket: an error, not a fallback
      throw err;
    }
    if (!client) return null;
    try {
      // As the CLI's reads: a daemon that does not answer within 2 s (stopped, wedged) gets no more.
      return await askRemote(client, verb, params, READ_TIMEOUT_MS);
    } catch (err) {
      if (!daemonGone(err)) throw err;
      this.link.drop();
      // A silent daemon is asked again only after a while: each call would wait 2 s otherwise.
      if (err.code === "client_timeout") this.link.backOff(10_000);
      return null; // the index file is still there: answer directly
    }
  }
}

/** The checkout an index was built from (`meta.root`), or null when it does not say. */
function readIndexRoot(dbPath: string): string | null {
  let db: Database | null = null;
  try {
    db = openReadonly(dbPath);
    return getMeta(db, "root");
  } catch {
    return null;
  } finally {
    db?.close();
  }
}


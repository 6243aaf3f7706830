// The IndexApi of a long-lived server (the MCP server) for the checkout it was started in. Each
// call goes through the index's daemon or is answered here by the one rule (fallback.ts), like
// RepoIndex's; what differs is what a server keeps between calls and one more case:
//   - the index file stays open (followed when `skep index` replaces a damaged one), and the
//     several reads of one tool call can share one freshness scan (Session);
//   - started inside a git worktree without an index of its own, the main checkout's index
//     answers, with the worktree's differing files parsed on demand over a private copy
//     (index/overlay.ts). When the worktree does not differ from the indexed commit at all, this
//     is the main index as is (and its daemon, when one runs); when it differs, only this process
//     can answer (the daemon indexes the main checkout), so there is nothing to choose.
// Every answer comes with a Stamp saying which of these produced it and how fresh it is.
import type { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { SkepError } from "../errors.ts";
import { mainCheckoutOf, gitHead } from "../git/repo.ts";
import { freshnessOf, pendingChanges, type PendingChanges } from "../index/freshness.ts";
import type { IndexProgress } from "../index/indexer.ts";
import { type OverlayView, WorktreeOverlay } from "../index/overlay.ts";
import { getMeta, indexFileReplaced, indexReadError, openReadonly } from "../index/store.ts";
import type { Freshness, IndexAnswer } from "../protocol/index-answers.ts";
import type { Stamp } from "../protocol/mcp.ts";
import type { ParamsOf, ResultOf } from "../protocol/socket.ts";
import { clientSocketPath, daemonPaths, type DaemonPaths } from "../repo/daemon-paths.ts";
import type { RepoContext } from "../repo/repo.ts";
import { answerRead, type FreshnessSource, type ReadVerb } from "./answers.ts";
import type { IndexApi } from "./api.ts";
import { DaemonLink, withFallback, type Done } from "./fallback.ts";
import { refreshLocally } from "./local-refresh.ts";
import { askRemote, refreshRemote } from "./remote.ts";

/** What the server serves: the checkout it was started in, and whose index answers for it. */
interface Location {
  worktree: string;
  /** The checkout the index describes (= worktree unless this is a worktree borrowing an index). */
  indexRoot: string;
  dbPath: string;
  overlay: boolean;
}

/** An answer, who gave it, its stamp, and the database it was read from (null: the daemon's). */
export type Served<V extends ReadVerb> = Done<ResultOf<V>> & { stamp: Stamp; db: Database | null };

/** What one tool call's several asks share (see CheckoutIndex.ask). */
export interface Session {
  view?: Promise<OverlayView>;
  pending?: PendingChanges;
  freshness?: Freshness;
}

const PENDING_LISTED = 10;

export class CheckoutIndex implements IndexApi {
  private location: Location | null = null;
  private base: Database | null = null;
  private overlay: WorktreeOverlay | null = null;
  /** The daemon of the index's checkout (made once the index is located). */
  private link: DaemonLink | null = null;

  /** `daemon: false` (`skep mcp --no-daemon`): always this process. */
  constructor(
    private readonly ctx: RepoContext,
    private readonly opts: { daemon?: boolean } = {},
  ) {}

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
  async ask<V extends ReadVerb>(verb: V, params: ParamsOf<V>, session: Session = {}): Promise<Served<V>> {
    const loc = this.locate();
    const base = this.openBase(loc);
    if (loc.overlay) {
      const overlay = (this.overlay ??= new WorktreeOverlay(base, loc.indexRoot, loc.worktree));
      let view: OverlayView;
      try {
        view = await (session.view ??= overlay.view());
      } catch (err) {
        throw this.readError(err, loc, base);
      }
      const extra = { indexRoot: loc.indexRoot, overlayFiles: view.paths.size };
      const here = () => {
        const fixed: FreshnessSource = { pending: () => ({ added: [], modified: [], deleted: [] }), freshness: () => view.freshness };
        const value = this.answer(loc, base, { db: view.db, root: loc.worktree, fresh: fixed, generation: () => view.generation }, verb, params);
        return { value, stamp: { ...view.freshness, via: "direct" as const, ...extra }, db: view.db };
      };
      // The worktree differs from the indexed commit: only the overlay here knows its files.
      if (view.db !== base) return { ...here(), via: "local" };
      // The worktree is the indexed commit: the main index (or its daemon) answers as it is.
      return this.either(loc, verb, params, (f) => ({ ...f, worktree: loc.worktree, head: view.freshness.head, via: "daemon", ...extra }), here);
    }
    // An index built for another directory (a copied checkout, or SKEP_DIR outside git) says so.
    const elsewhere = resolve(loc.indexRoot) !== resolve(loc.worktree) ? { indexRoot: loc.indexRoot } : {};
    const here = () => {
      const fresh: FreshnessSource = {
        pending: (db) => (session.pending ??= pendingChanges(db, loc.worktree).pending),
        freshness: (db, p) => (session.freshness ??= freshnessOf(db, loc.worktree, (session.pending ??= p ?? pendingChanges(db, loc.worktree).pending), gitHead(loc.worktree))),
      };
      const value = this.answer(loc, base, { db: base, root: loc.worktree, fresh }, verb, params);
      const stamp: Stamp = { ...freshnessIn(value), via: "direct", ...elsewhere };
      if (session.pending && stamp.pendingFiles > 0) {
        const s = session.pending;
        stamp.pending = [...s.modified, ...s.added, ...s.deleted].slice(0, PENDING_LISTED);
      }
      return { value, stamp, db: base };
    };
    return this.either(loc, verb, params, (f) => ({ ...f, via: "daemon", ...elsewhere }), here);
  }

  /** Bring the index this checkout reads up to date (its daemon rescans, else this process indexes). */
  async refresh(opts: { onProgress?: (p: IndexProgress) => void } = {}): Promise<Done<IndexAnswer>> {
    const loc = this.locate();
    return withFallback(await this.connect(loc), this.linkOf(loc), { daemon: refreshRemote, local: () => refreshLocally(this.paths(loc), opts.onProgress) });
  }

  async daemonServes(): Promise<boolean> {
    return (await this.connect(this.locate())) !== null;
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

  /** One read through the daemon, else here (the rule in fallback.ts); `stampOf` stamps the daemon's answer. */
  private async either<V extends ReadVerb>(
    loc: Location,
    verb: V,
    params: ParamsOf<V>,
    stampOf: (f: Freshness) => Stamp,
    here: () => { value: ResultOf<V>; stamp: Stamp; db: Database | null },
  ): Promise<Served<V>> {
    const { value, via } = await withFallback(await this.connect(loc), this.linkOf(loc), {
      daemon: async (c) => {
        const value = await askRemote(c, verb, params);
        return { value, stamp: stampOf(freshnessIn(value)), db: null };
      },
      local: here,
      read: true,
    });
    return { ...value, via };
  }

  private connect(loc: Location) {
    return this.opts.daemon === false ? Promise.resolve(null) : this.linkOf(loc).connect();
  }

  private linkOf(loc: Location): DaemonLink {
    return (this.link ??= new DaemonLink(() => clientSocketPath(this.paths(loc))));
  }

  /** The daemon's files of the index's checkout. */
  private paths(loc: Location): DaemonPaths {
    return daemonPaths(loc.indexRoot, dirname(loc.dbPath));
  }

  private answer<V extends ReadVerb>(loc: Location, base: Database, c: Parameters<typeof answerRead>[0], verb: V, params: ParamsOf<V>): ResultOf<V> {
    try {
      return answerRead(c, verb, params);
    } catch (err) {
      throw this.readError(err, loc, base); // an overlay's copy holds the main index's pages, damage and all
    }
  }

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
      if (main) throw new SkepError("unavailable", `no index for ${worktree} or its main checkout ${main}: run \`skep index\` in ${main}`);
    }
    // Not cached: the index may be built while the server runs.
    throw new SkepError("unavailable", `no index for ${worktree}: run \`skep init\` (or \`skep index\`) there first`);
  }

  private openBase(loc: Location): Database {
    // `skep index` moves a damaged index aside and builds a new file: follow it there. The old
    // connection and the overlay copied from it are dropped, not closed, as a call running
    // alongside may still read them; they are released once collected.
    if (this.base && indexFileReplaced(this.base)) {
      this.base = null;
      this.overlay = null;
    }
    return (this.base ??= openReadonly(loc.dbPath));
  }

  /** An error from reading the index: damage names the file and says to run `skep index`. */
  private readError(err: unknown, loc: Location, base: Database): unknown {
    return indexReadError(err, loc.dbPath, base);
  }
}

function freshnessIn(answer: unknown): Freshness {
  return (answer as { freshness: Freshness }).freshness;
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

// Bring the index in line with the files on disk: scan by (size, mtime), parse what changed on
// worker threads, write through one writer in batched transactions, then update edges and ranks.
//
// Two write paths. A cold build (the index holds no file) inserts into bare tables, builds the
// secondary indexes and full-text tables once at the end, and computes edges and ranks from what
// it holds in memory. Any later run patches: only changed files are re-parsed, their symbols keep
// their ids where they still exist, and only the references that can resolve differently now are
// resolved again.
import type { Database } from "bun:sqlite";
import { gitHead } from "../git/repo.ts";
import { computeEdges, updateEdges, writeEdges } from "../graph/edges.ts";
import { computeRanks, storeRanks, updateRanks } from "../graph/rank.ts";
import { RESOLVER_VERSION } from "../graph/version.ts";
import { EXTRACTOR_VERSION } from "../parser/version.ts";
import { applySteps, type Step } from "./apply.ts";
import { defaultWorkers, finishSearchInWorker } from "./pool.ts";
import { loadIndexRules, type IndexRules } from "./rules.ts";
import { scan } from "./scan.ts";
import type { ParsePlan } from "./schedule.ts";
import {
  beginBulkBuild,
  damageNoted,
  finishBulkGraph,
  finishBulkSearch,
  getMeta,
  GRAPH_MARKERS,
  IndexWriter,
  isCorruptionError,
  isPartialBuild,
  loadFileStates,
  replaceDamaged,
  resetIndex,
  setMeta,
} from "./store.ts";

export interface IndexProgress {
  done: number;
  total: number;
}

export interface IndexReport {
  files: number;
  symbols: number;
  parsed: number;
  unchanged: number;
  /** Read again because (size, mtime) moved, but the content hash matched. */
  sameContent: number;
  deleted: number;
  skipped: { path: string; reason: string }[];
  /** How the parsing was shared out among threads (schedule.ts). */
  parsePlan?: ParsePlan;
  /** Files a rule left out without reading them (rules.ts), per reason. */
  ruleSkips: Record<string, number>;
  edgeMode: "full" | "incremental" | "none";
  /** "cold": built into an empty index (bulk inserts, indexes built at the end); "patch": changed files only. */
  writeMode: "cold" | "patch";
  timings: Record<"scan" | "parse" | "edges" | "rank" | "total", number> & {
    /** Cold builds: creating the secondary indexes and full-text tables after the inserts. */
    finish?: number;
  };
}

export interface IndexOptions {
  onProgress?: (p: IndexProgress) => void;
  workers?: number;
  /**
   * Called once the changed files' symbols are committed (searchable by name and FTS), before the
   * call graph and ranks are updated. Not called when nothing changed.
   */
  onSearchable?: () => void;
  /** Cold builds: build the search indexes on a worker's connection (default: from OFFLOAD_FINISH_FROM symbols). */
  finishInWorker?: boolean;
  /**
   * The index file was found damaged (SQLite said so during the run, or a reader noted it): the
   * connection passed in is closed, the file moved aside as `aside`, and the run goes on from
   * scratch in `fresh`, which the caller owns from then on. Without this callback the run still
   * rebuilds the file, and closes `fresh` when it ends.
   */
  onRebuilt?: (fresh: Database, aside: string) => void;
  /** The rules deciding which files are indexed (default: the repo's, from `.skep/config.json`). */
  rules?: IndexRules;
  /** A marker the caller set for this very run (the daemon's index worker): not a sign of an earlier unfinished one. */
  ownMarker?: (typeof GRAPH_MARKERS)[number];
}

/** Commit after this many files so readers see progress and a crash loses little. */
const COMMIT_EVERY = 500;
/**
 * Below this many symbols a cold build finishes its indexes in-thread: building them costs about
 * 9 µs a symbol (2.3 s for the Go stdlib's 256k), starting a worker about 0.1-0.2 s.
 */
const OFFLOAD_FINISH_FROM = 20_000;
/** When more than this share of files changed, rebuilding all edges beats patching them. */
const FULL_EDGES_RATIO = 0.2;

/**
 * Index `root` into `db`. A damaged file (SQLITE_CORRUPT or SQLITE_NOTADB anywhere in the run, or
 * damage a reader noted, see noteDamaged) is moved aside and the index rebuilt from scratch, once:
 * damage in the new file as well is thrown.
 */
export async function indexRepo(db: Database, root: string, opts: IndexOptions = {}): Promise<IndexReport> {
  // A file on disk only: an in-memory database has nothing to move aside.
  const onDisk = db.filename !== "" && db.filename !== ":memory:";
  const noted = onDisk ? damageNoted(db.filename) : null;
  if (noted !== null) return rebuildAndIndex(db, noted, root, opts);
  try {
    return await indexInto(db, root, opts);
  } catch (err) {
    if (!onDisk || !isCorruptionError(err)) throw err;
    return rebuildAndIndex(db, err, root, opts);
  }
}

async function rebuildAndIndex(db: Database, reason: unknown, root: string, opts: IndexOptions): Promise<IndexReport> {
  const { db: fresh, aside } = replaceDamaged(db, reason);
  if (opts.onRebuilt) {
    opts.onRebuilt(fresh, aside);
    return indexInto(fresh, root, opts);
  }
  try {
    return await indexInto(fresh, root, opts);
  } finally {
    fresh.close();
  }
}

async function indexInto(db: Database, root: string, opts: IndexOptions): Promise<IndexReport> {
  const t0 = performance.now();
  // A cold build that died half-way left tables without indexes or triggers: start over.
  if (isPartialBuild(db)) resetIndex(db);
  // Built by another extractor (an older skep): what it said about unchanged files is stale.
  if (getMeta(db, "extractor") !== String(EXTRACTOR_VERSION)) {
    if (db.query("SELECT 1 FROM files LIMIT 1").get()) resetIndex(db);
    setMeta(db, "extractor", String(EXTRACTOR_VERSION));
  }
  const known = loadFileStates(db);
  // Other rules than the ones this index was written under (a changed index.include/exclude, or
  // an older skep): files they decide differently must come in or go out. Paths are decided by
  // discovery on every scan; content rules need the files read again (parse-job.ts).
  const rules = opts.rules ?? loadIndexRules(root);
  const recheck = known.size > 0 && getMeta(db, "index_rules") !== rules.fingerprint;
  const s = scan(root, known, { rules, recheck });
  const tScan = performance.now();

  const cold = known.size === 0 && s.changed.length + s.skipped.length > 0;
  if (cold) beginBulkBuild(db);
  // A run killed between committing files and updating the graph left edges and ranks behind the
  // symbols. The marker is set before the first write and cleared after ranks; finding it set means
  // the graph must be rebuilt in full, even when no file changed since.
  // Edges resolved by other rules (an older skep) are rebuilt in full the same way.
  const graphBehind = !cold && (GRAPH_MARKERS.some((m) => m !== opts.ownMarker && getMeta(db, m) !== null) || getMeta(db, "resolver") !== String(RESOLVER_VERSION));
  // Set on a cold build too: a kill after the bulk marker is cleared but before the ranks and
  // `indexed_at` are written must still read as incomplete (src/index/freshness.ts).
  setMeta(db, "graph_pending", String(Date.now()));
  const writer = new IndexWriter(db, { bulk: cold });
  const report: IndexReport = {
    files: 0,
    symbols: 0,
    parsed: 0,
    unchanged: s.unchanged,
    sameContent: 0,
    deleted: 0,
    skipped: [],
    ruleSkips: s.ruleSkips,
    edgeMode: "none",
    writeMode: cold ? "cold" : "patch",
    timings: { scan: tScan - t0, parse: 0, edges: 0, rank: 0, total: 0 },
  };

  try {
    const steps: Step[] = [
      ...s.deleted.map((path): Step => ({ kind: "absent", path })),
      ...s.skipped.map(({ reason, recheck: _, ...file }): Step => ({ kind: "skip", file, reason })),
      ...s.changed.map(({ recheck, ...file }): Step => ({ kind: "read", file, recheck })),
    ];
    const applied = await applySteps(db, root, steps, {
      known: (path) => known.get(path),
      writer,
      workers: opts.workers,
      commitEvery: COMMIT_EVERY,
      onProgress: opts.onProgress && ((done, total) => opts.onProgress!({ done, total })),
    });
    report.parsePlan = applied.parsePlan;
    report.parsed = applied.parsed;
    report.sameContent = applied.sameContent;
    report.deleted = applied.deleted;
    const tParse = performance.now();
    report.timings.parse = tParse - tScan;

    if (cold) {
      // The search indexes and FTS tables are built on a second connection in a worker while this
      // thread resolves the call graph and runs PageRank; then edges and ranks are written here.
      const dbPath = db.filename;
      const offload =
        dbPath !== "" && dbPath !== ":memory:" && (opts.finishInWorker ?? (writer.graph!.symbolCount >= OFFLOAD_FINISH_FROM && (opts.workers ?? defaultWorkers()) > 1));
      const searchReady = offload ? finishSearchInWorker(dbPath) : (finishBulkSearch(db), Promise.resolve());
      const graph = writer.graph!;
      const { edges } = computeEdges(graph);
      const nodes = { ...graph.symbolColumns(), ranks: new Float64Array(graph.symbolCount) };
      const ranks = computeRanks(nodes, edges.from, edges.to, edges.weight, edges.count);
      const tGraph = performance.now();
      await searchReady;
      const tFinish = performance.now();
      report.timings.finish = tFinish - tParse;
      opts.onSearchable?.();
      db.transaction(() => writeEdges(db, edges))();
      finishBulkGraph(db);
      report.edgeMode = "full";
      const tEdges = performance.now();
      report.timings.edges = tEdges - tFinish + (tGraph - tParse);
      db.transaction(() => storeRanks(db, nodes, ranks))();
      report.timings.rank = performance.now() - tEdges;
    } else {
      const changed = writer.changes.files.size + writer.changes.names.size + writer.changes.pathsAddedOrRemoved.size > 0;
      if (changed || graphBehind) {
        opts.onSearchable?.();
        const total = (db.query("SELECT count(*) AS n FROM files").get() as { n: number }).n;
        const full = graphBehind || writer.changes.files.size + s.deleted.length > total * FULL_EDGES_RATIO;
        db.transaction(() => {
          report.edgeMode = updateEdges(db, full ? "full" : writer.changes).mode;
        })();
        const tEdges = performance.now();
        report.timings.edges = tEdges - tParse;
        db.transaction(() => updateRanks(db))();
        report.timings.rank = performance.now() - tEdges;
      }
    }
    db.transaction(() => {
      setMeta(db, "indexed_at", String(Date.now()));
      setMeta(db, "head", gitHead(root));
      setMeta(db, "root", root);
      setMeta(db, "other_files", String(s.otherFiles));
      setMeta(db, "rule_skips", JSON.stringify(s.ruleSkips));
      setMeta(db, "index_rules", rules.fingerprint);
      setMeta(db, "discovery", s.source);
      for (const m of GRAPH_MARKERS) setMeta(db, m, null);
      setMeta(db, "resolver", String(RESOLVER_VERSION));
    })();
  } catch (err) {
    if (db.inTransaction) db.exec("ROLLBACK");
    throw err;
  }

  const counts = db.query("SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM symbols) AS symbols").get() as { files: number; symbols: number };
  report.files = counts.files;
  report.symbols = counts.symbols;
  report.skipped = db.query("SELECT path, skip_reason AS reason FROM files WHERE skip_reason IS NOT NULL ORDER BY path").all() as IndexReport["skipped"];
  report.timings.total = performance.now() - t0;
  return report;
}

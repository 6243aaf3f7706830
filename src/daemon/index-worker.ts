// The daemon's index writer, on its own thread so the daemon keeps answering while files are
// parsed and the call graph is rebuilt. It is the only writer of index.db while the daemon runs.
//
// A run either rescans everything (`full`: indexRepo, exactly what `skep index` does) or
// re-indexes the paths the watcher named (`paths`: src/index/targeted.ts). A paths run commits
// the files' symbols at once (they are searchable from then on) and reports `searchable`; the call
// graph and ranks follow a moment later, merged with any runs that arrive meanwhile, and `done` is
// reported for every run they cover.
import type { Database } from "bun:sqlite";
import { gitHead } from "../git/repo.ts";
import { updateEdges, type EdgeChanges } from "../graph/edges.ts";
import { updateRanks } from "../graph/rank.ts";
import { indexRepo } from "../index/indexer.ts";
import { damageNoted, getMeta, GRAPH_MARKERS, isCorruptionError, noteDamaged, openWritable, setMeta } from "../index/store.ts";
import { collectAfterActivity } from "./idle-gc.ts";
import { indexPaths } from "../index/targeted.ts";
import type { RunReport, WorkerIn, WorkerOut } from "./worker-messages.ts";

declare const self: Worker;

/** How long the call-graph update waits for more paths runs to merge with. */
const GRAPH_DELAY_MS = 25;

let db: Database | null = null;
let root = "";
let graph: { changes: EdgeChanges; runs: { id: number; report: RunReport }[] } | null = null;
let graphTimer: ReturnType<typeof setTimeout> | null = null;
let chain: Promise<void> = Promise.resolve();
/**
 * Set while a run is writing. Found set at start-up, it means the last daemon died mid-run: files
 * committed before the crash have symbols but no edges, and a rescan sees them as unchanged, so
 * the first run after such a start rebuilds the whole call graph.
 */
const RUN_MARKER: (typeof GRAPH_MARKERS)[number] = "daemon_run_open"; // one of the markers freshness reads as "the graph is behind"
let rebuildGraph = false;

const collectSoon = collectAfterActivity();

function post(m: WorkerOut): void {
  self.postMessage(m);
  if (m.type === "done" || m.type === "failed") collectSoon();
}

self.onmessage = (e: MessageEvent<WorkerIn>) => {
  const m = e.data;
  // Messages are handled strictly one after another: a run never overlaps another.
  chain = chain.then(() => handle(m)).catch((err) => post({ type: "fatal", message: String((err as Error)?.stack ?? err) }));
};

async function handle(m: WorkerIn): Promise<void> {
  if (m.type === "init") {
    root = m.root;
    db = openWritable(m.dbPath);
    rebuildGraph = getMeta(db, RUN_MARKER) !== null;
    post({ type: "ready" });
    return;
  }
  if (m.type === "close") {
    flushGraph();
    db?.close();
    db = null;
    post({ type: "closed" });
    return;
  }
  if (!db) throw new Error("index worker used before init");
  const t0 = performance.now();
  let d = db;
  try {
    const mark = () => d.transaction(() => setMeta(d, RUN_MARKER, String(m.id)))();
    // Damage a reader noted (or an earlier run met) is repaired by a full run: indexRepo moves the
    // file aside and rebuilds it before anything else, so nothing is written to it before that.
    let damaged = damageNoted(d.filename) !== null;
    if (m.mode === "paths" && !rebuildGraph && !damaged) {
      let r: Awaited<ReturnType<typeof indexPaths>> = null;
      try {
        mark();
        r = await indexPaths(d, root, m.paths);
      } catch (err) {
        if (!isCorruptionError(err)) throw err;
        noteDamaged(d.filename, err); // (its transaction was rolled back) the full run below repairs it
        damaged = true;
      }
      if (r) {
        const report: RunReport = {
          mode: "paths", files: 0, symbols: 0, skipped: [], parsed: r.parsed, deleted: r.deleted, unchanged: r.unchanged + r.sameContent, durationMs: 0, edgeMode: "none",
        };
        post({ type: "searchable", id: m.id });
        if (!graph) graph = { changes: { names: new Set(), files: new Set(), pathsAddedOrRemoved: new Set() }, runs: [] };
        for (const n of r.changes.names) graph.changes.names.add(n);
        for (const f of r.changes.files) graph.changes.files.add(f);
        for (const p of r.changes.pathsAddedOrRemoved) graph.changes.pathsAddedOrRemoved.add(p);
        graph.runs.push({ id: m.id, report: { ...report, durationMs: performance.now() - t0 } });
        if (graphTimer) clearTimeout(graphTimer);
        graphTimer = setTimeout(() => {
          chain = chain.then(() => flushGraph()).catch((err) => post({ type: "fatal", message: String((err as Error)?.stack ?? err) }));
        }, GRAPH_DELAY_MS);
        return;
      }
      // git could not classify the paths, or the file is damaged: fall through to a full run.
    }
    flushGraph();
    if (!damaged) mark(); // (a rebuild starts from an empty file; its own bulk marker covers a crash)
    let searchable = false;
    const opts = {
      ownMarker: RUN_MARKER,
      onSearchable: () => {
        searchable = true;
        post({ type: "searchable", id: m.id });
      },
      // The damaged file was moved aside: the new one is this worker's index from now on (the
      // daemon's readers follow it, see indexFileReplaced), built whole.
      onRebuilt: (fresh, aside) => {
        d = db = fresh;
        rebuildGraph = false;
        post({ type: "rebuilt", aside });
      },
    } as Parameters<typeof indexRepo>[2];
    const r = await indexRepo(d, root, opts);
    if (!searchable) post({ type: "searchable", id: m.id });
    let edgeMode = r.edgeMode;
    if (rebuildGraph) {
      d.transaction(() => {
        edgeMode = updateEdges(d, "full").mode;
      })();
      d.transaction(() => updateRanks(d))();
      rebuildGraph = false;
    }
    d.transaction(() => setMeta(d, RUN_MARKER, null))();
    post({
      type: "done",
      id: m.id,
      report: {
        mode: "full", files: r.files, symbols: r.symbols, skipped: r.skipped, parsed: r.parsed, deleted: r.deleted,
        unchanged: r.unchanged + r.sameContent, durationMs: performance.now() - t0, edgeMode,
      },
    });
  } catch (err) {
    // Whatever was committed before the failure may lack edges: rebuild the graph on the next run.
    rebuildGraph = true;
    // Damage met outside indexRepo's own recovery: noted, so the next run rebuilds the file.
    if (isCorruptionError(err) && db) noteDamaged(db.filename, err);
    post({ type: "failed", id: m.id, message: (err as Error)?.message ?? String(err) });
  }
}

/** Bring edges, ranks and meta up to date with every paths run so far, and report them done. */
function flushGraph(): void {
  if (graphTimer) {
    clearTimeout(graphTimer);
    graphTimer = null;
  }
  if (!graph || !db) return;
  const g = graph;
  graph = null;
  const d = db;
  const t0 = performance.now();
  try {
    const changed = g.changes.files.size + g.changes.names.size + g.changes.pathsAddedOrRemoved.size > 0;
    let edgeMode: RunReport["edgeMode"] = "none";
    if (changed) {
      d.transaction(() => {
        edgeMode = updateEdges(d, g.changes).mode;
      })();
      d.transaction(() => updateRanks(d))();
    }
    d.transaction(() => {
      setMeta(d, "indexed_at", String(Date.now()));
      setMeta(d, "head", gitHead(root));
      setMeta(d, RUN_MARKER, null);
    })();
    const counts = d.query("SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM symbols) AS symbols").get() as { files: number; symbols: number };
    const skipped = d.query("SELECT path, skip_reason AS reason FROM files WHERE skip_reason IS NOT NULL ORDER BY path").all() as RunReport["skipped"];
    const extra = performance.now() - t0;
    for (const run of g.runs) {
      post({ type: "done", id: run.id, report: { ...run.report, ...counts, skipped, durationMs: run.report.durationMs + extra, edgeMode } });
    }
  } catch (err) {
    if (isCorruptionError(err)) noteDamaged(d.filename, err); // the next run rebuilds the file
    for (const run of g.runs) post({ type: "failed", id: run.id, message: (err as Error)?.message ?? String(err) });
  }
}

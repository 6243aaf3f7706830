// Recompute PageRank over the whole symbol graph and store it per symbol and per file. The
// computation is cheap (tens of ms on 100k symbols); reading the graph and writing ranks back are
// not, so the graph is read as flat columns and only ranks that moved by more than a small
// relative amount are written.
import type { Database } from "bun:sqlite";
import { pagerank } from "./pagerank.ts";

const CHANGE_THRESHOLD = 0.01; // 1 %: below this a rank change cannot reorder anything users see
/** Stop a warm-started iteration when the ranks (as probabilities) move less than this in total. */
const WARM_TOLERANCE = 1e-6;

export interface RankStats {
  symbols: number;
  edges: number;
  written: number;
}

/** The symbols as parallel columns, ordered by id. */
export interface RankNodes {
  ids: Int32Array;
  fileIds: Int32Array;
  /** The ranks stored now. */
  ranks: Float64Array;
}

export function updateRanks(db: Database): RankStats {
  const rows = db.query("SELECT id, file_id, rank FROM symbols ORDER BY id").values() as [number, number, number][];
  const nodes: RankNodes = { ids: new Int32Array(rows.length), fileIds: new Int32Array(rows.length), ranks: new Float64Array(rows.length) };
  rows.forEach(([id, fileId, rank], i) => {
    nodes.ids[i] = id;
    nodes.fileIds[i] = fileId;
    nodes.ranks[i] = rank;
  });
  const edgeRows = db.query("SELECT from_symbol, to_symbol, weight FROM edges").values() as [number, number, number][];
  const from = new Int32Array(edgeRows.length);
  const to = new Int32Array(edgeRows.length);
  const weight = new Float64Array(edgeRows.length);
  for (let e = 0; e < edgeRows.length; e++) {
    const r = edgeRows[e]!;
    from[e] = r[0];
    to[e] = r[1];
    weight[e] = r[2];
  }
  // Warm start from the stored ranks: after a small change the iteration is a few steps from the
  // fixed point (measured on the Go standard library: 13 ms instead of 170, within 0.01 % of a
  // cold start's ranks, far below the 1 % write threshold).
  return storeRanks(db, nodes, computeRanks(nodes, from, to, weight, edgeRows.length, { warm: true }));
}

/**
 * PageRank over edges given by symbol id, written back to symbols (when moved by more than the
 * threshold) and to files (the sum of the stored ranks of their symbols, where it changed).
 */
export function rankAndStore(db: Database, nodes: RankNodes, fromIds: Int32Array, toIds: Int32Array, weight: Float64Array, edgeCount: number): RankStats {
  return storeRanks(db, nodes, computeRanks(nodes, fromIds, toIds, weight, edgeCount));
}

/** PageRank per node (in `nodes` order) over edges given by symbol id; edges to unknown ids are ignored. */
export function computeRanks(
  nodes: RankNodes,
  fromIds: Int32Array,
  toIds: Int32Array,
  weight: Float64Array,
  edgeCount: number,
  opts: { warm?: boolean } = {},
): { ranks: Float64Array; edges: number } {
  const n = nodes.ids.length;
  // Symbol id -> node index, through a dense table (ids are nearly contiguous).
  let maxId = 0;
  for (let i = 0; i < n; i++) if (nodes.ids[i]! > maxId) maxId = nodes.ids[i]!;
  const index = new Int32Array(maxId + 1).fill(-1);
  for (let i = 0; i < n; i++) index[nodes.ids[i]!] = i;
  const from = new Int32Array(edgeCount);
  const to = new Int32Array(edgeCount);
  const w = new Float64Array(edgeCount);
  let m = 0;
  for (let e = 0; e < edgeCount; e++) {
    const f = fromIds[e]!;
    const t = toIds[e]!;
    const fi = f <= maxId ? index[f]! : -1;
    const ti = t <= maxId ? index[t]! : -1;
    if (fi < 0 || ti < 0) continue;
    from[m] = fi;
    to[m] = ti;
    w[m] = weight[e]!;
    m++;
  }
  const g = { nodeCount: n, from: from.subarray(0, m), to: to.subarray(0, m), weight: w.subarray(0, m) };
  const ranks = opts.warm ? pagerank(g, 50, WARM_TOLERANCE, nodes.ranks) : pagerank(g);
  return { ranks, edges: m };
}

/** Write ranks that moved by more than the threshold, then the files' sums. */
export function storeRanks(db: Database, nodes: RankNodes, computed: { ranks: Float64Array; edges: number }): RankStats {
  const next = computed.ranks;
  const n = nodes.ids.length;
  const update = db.prepare("UPDATE symbols SET rank = ? WHERE id = ?");
  const stored = nodes.ranks;
  let written = 0;
  for (let i = 0; i < n; i++) {
    const r = next[i]!;
    const old = stored[i]!;
    if (Math.abs(r - old) > CHANGE_THRESHOLD * Math.max(r, old, 1e-9)) {
      update.run(r, nodes.ids[i]!);
      stored[i] = r;
      written++;
    }
  }
  storeFileRanks(db, nodes);
  return { symbols: n, edges: computed.edges, written };
}

/** files.rank = the sum of its symbols' stored ranks; written only where it changed. */
function storeFileRanks(db: Database, nodes: RankNodes): void {
  const sums = new Map<number, number>();
  for (let i = 0; i < nodes.ids.length; i++) {
    const f = nodes.fileIds[i]!;
    sums.set(f, (sums.get(f) ?? 0) + nodes.ranks[i]!);
  }
  const update = db.prepare("UPDATE files SET rank = ? WHERE id = ?");
  for (const [id, rank] of db.query("SELECT id, rank FROM files").values() as [number, number][]) {
    const sum = sums.get(id) ?? 0;
    if (sum !== rank) update.run(sum, id);
  }
}

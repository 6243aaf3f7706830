// Recompute PageRank over the whole symbol graph and store it per symbol and per file. The
// computation is cheap (tens of ms on 100k symbols); writing is not, so only ranks that moved
// by more than a small relative amount are written back.
import type { Database } from "bun:sqlite";
import { pagerank } from "./pagerank.ts";

const CHANGE_THRESHOLD = 0.01; // 1 %: below this a rank change cannot reorder anything users see

export interface RankStats {
  symbols: number;
  edges: number;
  written: number;
}

export function updateRanks(db: Database): RankStats {
  const rows = db.query("SELECT id, rank FROM symbols ORDER BY id").all() as { id: number; rank: number }[];
  const index = new Map<number, number>();
  rows.forEach((r, i) => index.set(r.id, i));
  const edgeRows = db.query("SELECT from_symbol AS f, to_symbol AS t, weight AS w FROM edges").values() as [number, number, number][];
  const from = new Int32Array(edgeRows.length);
  const to = new Int32Array(edgeRows.length);
  const weight = new Float64Array(edgeRows.length);
  let m = 0;
  for (const [f, t, w] of edgeRows) {
    const fi = index.get(f);
    const ti = index.get(t);
    if (fi === undefined || ti === undefined) continue;
    from[m] = fi;
    to[m] = ti;
    weight[m] = w;
    m++;
  }
  const ranks = pagerank({ nodeCount: rows.length, from: from.subarray(0, m), to: to.subarray(0, m), weight: weight.subarray(0, m) });
  const update = db.prepare("UPDATE symbols SET rank = ? WHERE id = ?");
  let written = 0;
  rows.forEach((r, i) => {
    const next = ranks[i]!;
    if (Math.abs(next - r.rank) > CHANGE_THRESHOLD * Math.max(next, r.rank, 1e-9)) {
      update.run(next, r.id);
      written++;
    }
  });
  db.exec("UPDATE files SET rank = COALESCE((SELECT sum(rank) FROM symbols WHERE symbols.file_id = files.id), 0)");
  return { symbols: rows.length, edges: m, written };
}

// PageRank: the pure power iteration on hand-made graphs, then the stored per-symbol and per-file
// ranks of a real indexed repo, and their use as the tie-break in search.
import type { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { pagerank, type RankInput } from "../../src/graph/pagerank.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";
import { search } from "../../src/search/search.ts";
import { initRepo, tempDir } from "../helpers/git-repo.ts";

function graph(nodeCount: number, edges: [number, number, number?][]): RankInput {
  return {
    nodeCount,
    from: Int32Array.from(edges.map((e) => e[0])),
    to: Int32Array.from(edges.map((e) => e[1])),
    weight: Float64Array.from(edges.map((e) => e[2] ?? 1)),
  };
}

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0);

describe("pagerank()", () => {
  test("a star graph ranks the hub highest; leaves tie", () => {
    const leaves = 9;
    const r = pagerank(graph(leaves + 1, Array.from({ length: leaves }, (_, i) => [i + 1, 0] as [number, number])));
    for (let i = 1; i <= leaves; i++) {
      expect(r[0]!).toBeGreaterThan(r[i]!);
      expect(r[i]!).toBeCloseTo(r[1]!, 9);
    }
    expect(r[0]! / r[1]!).toBeGreaterThan(5);
  });

  test("ranks average 1.0, with and without dangling nodes", () => {
    const cases: RankInput[] = [
      graph(10, Array.from({ length: 9 }, (_, i) => [i + 1, 0] as [number, number])), // star: the hub dangles
      graph(4, [[0, 1], [1, 2], [2, 3], [3, 0]]), // a cycle
      graph(5, [[0, 1, 3], [0, 2], [1, 2], [3, 4, 0.5]]), // weighted, several dangling
      graph(6, []), // no edges at all
    ];
    for (const g of cases) {
      const r = pagerank(g);
      expect(r.length).toBe(g.nodeCount);
      expect(sum(r) / g.nodeCount).toBeCloseTo(1, 9);
    }
    for (const x of pagerank(graph(6, []))) expect(x).toBeCloseTo(1, 9);
  });

  test("a cycle ranks every node equally", () => {
    for (const x of pagerank(graph(4, [[0, 1], [1, 2], [2, 3], [3, 0]]))) expect(x).toBeCloseTo(1, 9);
  });

  test("edge weight matters: the heavier target ranks higher", () => {
    const r = pagerank(graph(3, [[0, 1, 3], [0, 2, 1]]));
    expect(r[1]!).toBeGreaterThan(r[2]!);
  });

  test("an empty graph gives no ranks", () => {
    expect(pagerank(graph(0, [])).length).toBe(0);
  });
});

describe("stored ranks", () => {
  const tmp = tempDir("skep-rank-");
  let db: Database;
  beforeAll(async () => {
    const files: Record<string, string> = {
      "go.mod": "module example.com/m\n",
      // z/ holds the hub every caller reaches (unique name); a/ holds a same-named function nobody calls.
      "z/hub/log.go": "package hub\n\nfunc Logf() {}\n",
      "a/quiet/log.go": "package quiet\n\nfunc Logf() {}\n\nfunc Quiet() {}\n",
    };
    for (let i = 0; i < 6; i++) {
      files[`c${i}/caller.go`] = `package c${i}\n\nimport "example.com/m/z/hub"\n\nfunc Caller${i}() {\n\thub.Logf()\n}\n`;
    }
    const root = initRepo(join(tmp.dir, "repo"), files);
    db = openWritable(join(tmp.dir, "index.db"));
    await indexRepo(db, root);
  });
  afterAll(() => {
    db.close();
    tmp.cleanup();
  });

  test("the most-called symbol ranks highest and the ranks average about 1.0", () => {
    const rows = db.query("SELECT s.name, f.path, s.rank FROM symbols s JOIN files f ON f.id = s.file_id ORDER BY s.rank DESC").all() as {
      name: string;
      path: string;
      rank: number;
    }[];
    expect(rows[0]).toMatchObject({ name: "Logf", path: "z/hub/log.go" });
    expect(rows[0]!.rank).toBeGreaterThan(rows[1]!.rank * 2);
    // Ranks are written back only when they move by more than 1 %, so the stored mean is close, not exact.
    expect(sum(rows.map((r) => r.rank)) / rows.length).toBeCloseTo(1, 1);
  });

  test("a file's rank is the sum of its symbols' ranks", () => {
    const rows = db
      .query("SELECT f.path, f.rank, COALESCE((SELECT sum(s.rank) FROM symbols s WHERE s.file_id = f.id), 0) AS total FROM files f")
      .all() as { path: string; rank: number; total: number }[];
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) expect(r.rank).toBeCloseTo(r.total, 9);
    const hub = rows.find((r) => r.path === "z/hub/log.go")!;
    for (const r of rows) if (r !== hub) expect(hub.rank).toBeGreaterThan(r.rank);
  });

  test("rank breaks ties in search: the called Logf comes first although its path sorts last", () => {
    const hits = search(db, "Logf", { limit: 10 });
    expect(hits.map((h) => h.path)).toEqual(["z/hub/log.go", "a/quiet/log.go"]);
    expect(hits[0]!.match).toBe(hits[1]!.match);
    expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank);
  });
});

// The incremental path on a small git repo: only changed files are parsed, edited, deleted and
// renamed files leave no trace (symbols, references, edges, FTS rows), edges follow a renamed
// callee, symbols that survive an edit keep their ids, and after every step the index equals a
// cold build of the same tree (symbols, edges with weights, ranks).
import type { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable, setMeta } from "../../src/index/store.ts";
import { initRepo, tempDir, writeFiles } from "../helpers/git-repo.ts";

const tmp = tempDir("skep-incremental-");
afterAll(tmp.cleanup);

// Enough files that one changed file stays under the share that switches edges to a full rebuild.
const MISC = Object.fromEntries(
  Array.from({ length: 8 }, (_, i) => [`misc/m${i}.go`, `package misc\n\nfunc M${i}() string { return Format() + Extra${i}() }\n\nfunc Extra${i}() string { return "" }\n`]),
);

const FILES = {
  ...MISC,
  "go.mod": "module example.com/m\n",
  "store/store.go": [
    "package store",
    "",
    "// Open opens the store.",
    "func Open(path string) *Store { return newStore(path) }",
    "",
    "func newStore(path string) *Store { return &Store{path: path} }",
    "",
    "// Store keeps things.",
    "type Store struct{ path string }",
    "",
    "func (s *Store) Get(key string) string { return lookup(s, key) }",
    "",
  ].join("\n"),
  "store/lookup.go": "package store\n\nfunc lookup(s *Store, key string) string { return key }\n",
  "api/api.go": [
    "package api",
    "",
    'import "example.com/m/store"',
    "",
    "func Serve() string {",
    '\ts := store.Open("db")',
    '\treturn s.Get("k") + helper()',
    "}",
    "",
    "func helper() string { return Format() }",
    "",
  ].join("\n"),
  "api/format.go": "package api\n\n// Format formats.\nfunc Format() string { return \"\" }\n",
};

interface Snapshot {
  symbols: string[];
  refs: string[];
  edges: string[];
  ranks: Map<string, number>;
  fileRanks: Map<string, number>;
}

/** Everything an answer is built from, keyed by path and name (ids differ between builds). */
function snapshot(db: Database): Snapshot {
  const symbols = (
    db
      .query(
        `SELECT f.path || ':' || s.name || ' ' || s.kind || ' [' || coalesce(s.container, '') || '] ' || s.line || '-' || s.end_line || ' | ' || s.signature || ' | ' || coalesce(s.doc, '-') AS x
         FROM symbols s JOIN files f ON f.id = s.file_id ORDER BY x`,
      )
      .all() as { x: string }[]
  ).map((r) => r.x);
  const edges = (
    db
      .query(
        `SELECT fa.path || ':' || a.name || ' -> ' || fb.path || ':' || b.name || ' ' || round(e.weight, 9) || ' ' || e.kind AS x
         FROM edges e JOIN symbols a ON a.id = e.from_symbol JOIN files fa ON fa.id = a.file_id
         JOIN symbols b ON b.id = e.to_symbol JOIN files fb ON fb.id = b.file_id ORDER BY x`,
      )
      .all() as { x: string }[]
  ).map((r) => r.x);
  const refs = (
    db
      .query(
        `SELECT f.path || ':' || s.name || ' ' || r.name || ' ' || r.kind || ' x' || r.count AS x
         FROM refs_by_name r JOIN symbols s ON s.id = r.from_symbol JOIN files f ON f.id = r.file_id ORDER BY x`,
      )
      .all() as { x: string }[]
  ).map((r) => r.x);
  const ranks = new Map(
    (db.query("SELECT f.path || ':' || s.name || ':' || s.line AS k, s.rank FROM symbols s JOIN files f ON f.id = s.file_id").all() as { k: string; rank: number }[]).map(
      (r) => [r.k, r.rank],
    ),
  );
  const fileRanks = new Map((db.query("SELECT path, rank FROM files").all() as { path: string; rank: number }[]).map((r) => [r.path, r.rank]));
  return { symbols, refs, edges, ranks, fileRanks };
}

/** Nothing in any index table points at a file or symbol that is gone, and FTS matches its content table. */
function expectConsistent(db: Database): void {
  const n = (sql: string) => (db.query(sql).get() as { n: number }).n;
  expect(n("SELECT count(*) AS n FROM symbols WHERE file_id NOT IN (SELECT id FROM files)")).toBe(0);
  expect(n("SELECT count(*) AS n FROM refs WHERE file_id NOT IN (SELECT id FROM files)")).toBe(0);
  expect(n("SELECT count(*) AS n FROM refs WHERE from_symbol NOT IN (SELECT id FROM symbols)")).toBe(0);
  expect(n("SELECT count(*) AS n FROM refs r JOIN symbols s ON s.id = r.from_symbol WHERE s.file_id <> r.file_id")).toBe(0);
  expect(n("SELECT count(*) AS n FROM refs WHERE name_id NOT IN (SELECT id FROM ref_names)")).toBe(0);
  expect(n("SELECT count(*) AS n FROM ref_names WHERE id NOT IN (SELECT name_id FROM refs)")).toBe(0);
  // name_files is exactly the distinct (name, file) pairs of refs.
  expect(n("SELECT count(*) AS n FROM name_files")).toBe(n("SELECT count(*) AS n FROM (SELECT DISTINCT name_id, file_id FROM refs)"));
  expect(n("SELECT count(*) AS n FROM name_files nf WHERE NOT EXISTS (SELECT 1 FROM refs r WHERE r.file_id = nf.file_id AND r.name_id = nf.name_id)")).toBe(0);
  expect(n("SELECT count(*) AS n FROM imports WHERE file_id NOT IN (SELECT id FROM files)")).toBe(0);
  expect(n("SELECT count(*) AS n FROM edges WHERE from_symbol NOT IN (SELECT id FROM symbols) OR to_symbol NOT IN (SELECT id FROM symbols)")).toBe(0);
  // FTS5 checks its index against the content table (symbols): a row left behind fails here.
  db.exec("INSERT INTO symbols_fts(symbols_fts) VALUES ('integrity-check')");
  db.exec("INSERT INTO symbols_tri(symbols_tri) VALUES ('integrity-check')");
  expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
}

const ftsHits = (db: Database, table: "symbols_fts" | "symbols_tri", match: string) =>
  (db.query(`SELECT rowid FROM ${table} WHERE ${table} MATCH ?`).all(match) as { rowid: number }[]).length;

let builds = 0;
/** A cold build of the tree as it is now, in a fresh index, for comparison. */
async function coldSnapshot(root: string): Promise<Snapshot> {
  const db = openWritable(join(tmp.dir, `cold-${builds++}.db`));
  const r = await indexRepo(db, root);
  expect(r.writeMode).toBe("cold");
  const snap = snapshot(db);
  expectConsistent(db);
  db.close();
  return snap;
}

/** The incremental index answers exactly as a cold build would; ranks to within the write threshold. */
async function expectSameAsCold(db: Database, root: string): Promise<void> {
  const inc = snapshot(db);
  const cold = await coldSnapshot(root);
  expect(inc.symbols).toEqual(cold.symbols);
  expect(inc.refs).toEqual(cold.refs);
  expect(inc.edges).toEqual(cold.edges);
  expect([...inc.ranks.keys()].sort()).toEqual([...cold.ranks.keys()].sort());
  for (const [k, r] of cold.ranks) expect(Math.abs(inc.ranks.get(k)! - r)).toBeLessThanOrEqual(0.011 * Math.max(r, 1e-9));
  for (const [path, r] of cold.fileRanks) expect(Math.abs(inc.fileRanks.get(path)! - r)).toBeLessThanOrEqual(0.011 * Math.max(r, 1e-9) * 10);
}

const idOf = (db: Database, path: string, name: string) =>
  (db.query("SELECT s.id FROM symbols s JOIN files f ON f.id = s.file_id WHERE f.path = ? AND s.name = ?").get(path, name) as { id: number } | null)?.id ?? null;

const edgesFrom = (db: Database, path: string, name: string) =>
  snapshot(db).edges.filter((e) => e.startsWith(`${path}:${name} -> `)).map((e) => e.split(" ").slice(0, 3).join(" "));

describe("incremental indexing", () => {
  let root: string;
  let db: Database;
  beforeAll(() => {
    root = initRepo(join(tmp.dir, "repo"), FILES);
    db = openWritable(join(tmp.dir, "index.db"));
  });
  afterAll(() => db.close());

  test("the first run is a cold build, the second with nothing changed parses nothing", async () => {
    const first = await indexRepo(db, root);
    expect(first.writeMode).toBe("cold");
    expect(first.parsed).toBe(12);
    expectConsistent(db);
    expect(edgesFrom(db, "api/api.go", "Serve")).toEqual([
      "api/api.go:Serve -> api/api.go:helper",
      "api/api.go:Serve -> store/store.go:Get",
      "api/api.go:Serve -> store/store.go:Open",
    ]);
    const before = snapshot(db);
    const second = await indexRepo(db, root);
    expect(second.writeMode).toBe("patch");
    expect(second.parsed).toBe(0);
    expect(second.sameContent).toBe(0);
    expect(second.edgeMode).toBe("none");
    expect(snapshot(db)).toEqual(before);
    await expectSameAsCold(db, root);
  });

  test("an edit re-parses only that file; surviving symbols keep their ids; removed ones leave no FTS row", async () => {
    const openId = idOf(db, "store/store.go", "Open");
    const getId = idOf(db, "store/store.go", "Get");
    expect(ftsHits(db, "symbols_fts", "new*")).toBeGreaterThan(0); // newStore
    // newStore goes away (Open builds the Store itself), Close appears, Open moves down two lines.
    writeFiles(root, {
      "store/store.go": [
        "package store",
        "",
        "// Store keeps things.",
        "type Store struct{ path string }",
        "",
        "// Open opens the store at path.",
        "func Open(path string) *Store { return &Store{path: path} }",
        "",
        "func (s *Store) Get(key string) string { return lookup(s, key) }",
        "",
        "// Close closes it.",
        "func (s *Store) Close() { s.path = lookup(s, \"\") }",
        "",
      ].join("\n"),
    });
    const r = await indexRepo(db, root);
    expect(r.parsed).toBe(1);
    expect(r.edgeMode).toBe("incremental");
    expect(idOf(db, "store/store.go", "Open")).toBe(openId);
    expect(idOf(db, "store/store.go", "Get")).toBe(getId);
    expect(idOf(db, "store/store.go", "newStore")).toBeNull();
    expect(idOf(db, "store/store.go", "Close")).not.toBeNull();
    expect(ftsHits(db, "symbols_fts", "new*")).toBe(0);
    expect(ftsHits(db, "symbols_tri", '"newStore"')).toBe(0);
    expect(ftsHits(db, "symbols_tri", '"Close"')).toBe(1);
    // The changed doc is searchable, the old one is not.
    expect(ftsHits(db, "symbols_fts", "path")).toBeGreaterThan(0);
    expectConsistent(db);
    expect(edgesFrom(db, "store/store.go", "Close")).toEqual(["store/store.go:Close -> store/lookup.go:lookup", "store/store.go:Close -> store/store.go:Store"]);
    await expectSameAsCold(db, root);
    expect((await indexRepo(db, root)).parsed).toBe(0);
  });

  test("a deleted file leaves no symbols, references, edges or FTS rows; its callers lose their edges", async () => {
    const formatId = idOf(db, "api/format.go", "Format")!;
    expect(snapshot(db).edges.some((e) => e.includes("-> api/format.go:Format"))).toBe(true);
    rmSync(join(root, "api/format.go"));
    const r = await indexRepo(db, root);
    expect(r.deleted).toBe(1);
    expect(r.parsed).toBe(0);
    expect(r.edgeMode).toBe("incremental");
    const n = (sql: string, ...args: (string | number)[]) => (db.query(sql).get(...args) as { n: number }).n;
    expect(n("SELECT count(*) AS n FROM files WHERE path = 'api/format.go'")).toBe(0);
    expect(n("SELECT count(*) AS n FROM symbols WHERE id = ?", formatId)).toBe(0);
    expect(n("SELECT count(*) AS n FROM edges WHERE from_symbol = ? OR to_symbol = ?", formatId, formatId)).toBe(0);
    expect(ftsHits(db, "symbols_fts", "format*")).toBe(0);
    expect(ftsHits(db, "symbols_tri", '"Format"')).toBe(0);
    expect(edgesFrom(db, "api/api.go", "helper")).toEqual([]);
    expect(edgesFrom(db, "misc/m3.go", "M3")).toEqual(["misc/m3.go:M3 -> misc/m3.go:Extra3"]);
    expectConsistent(db);
    await expectSameAsCold(db, root);
  });

  test("a renamed file: the old path leaves no trace and the caller's edge moves to the renamed callee", async () => {
    const oldLookup = idOf(db, "store/lookup.go", "lookup")!;
    renameSync(join(root, "store/lookup.go"), join(root, "store/find.go"));
    const r = await indexRepo(db, root);
    expect(r.deleted).toBe(1);
    expect(r.parsed).toBe(1);
    expect(r.edgeMode).toBe("incremental");
    const newLookup = idOf(db, "store/find.go", "lookup")!;
    expect(newLookup).not.toBeNull();
    expect(idOf(db, "store/lookup.go", "lookup")).toBeNull();
    const n = (sql: string, ...args: (string | number)[]) => (db.query(sql).get(...args) as { n: number }).n;
    expect(n("SELECT count(*) AS n FROM files WHERE path = 'store/lookup.go'")).toBe(0);
    if (newLookup !== oldLookup) expect(n("SELECT count(*) AS n FROM edges WHERE to_symbol = ? OR from_symbol = ?", oldLookup, oldLookup)).toBe(0);
    expect(edgesFrom(db, "store/store.go", "Get")).toEqual(["store/store.go:Get -> store/find.go:lookup", "store/store.go:Get -> store/store.go:Store"]);
    expect(edgesFrom(db, "store/store.go", "Close")).toContain("store/store.go:Close -> store/find.go:lookup");
    expect(ftsHits(db, "symbols_tri", '"lookup"')).toBe(1);
    expectConsistent(db);
    await expectSameAsCold(db, root);
    expect((await indexRepo(db, root)).parsed).toBe(0);
  });

  test("a definition appearing elsewhere re-resolves the references to its name in untouched files", async () => {
    // helper() calls Format(), which is gone; a new file in the same package defines it again.
    writeFiles(root, { "api/again.go": "package api\n\nfunc Format() string { return \"again\" }\n" });
    const r = await indexRepo(db, root);
    expect(r.parsed).toBe(1);
    expect(r.edgeMode).toBe("incremental");
    expect(edgesFrom(db, "api/api.go", "helper")).toEqual(["api/api.go:helper -> api/again.go:Format"]);
    expect(edgesFrom(db, "misc/m3.go", "M3")).toEqual(["misc/m3.go:M3 -> api/again.go:Format", "misc/m3.go:M3 -> misc/m3.go:Extra3"]);
    expectConsistent(db);
    await expectSameAsCold(db, root);
  });

  test("a file that becomes unparseable (binary) loses its symbols the same way", async () => {
    writeFiles(root, { "api/again.go": new Uint8Array([0x70, 0x61, 0, 1, 2, 3]) });
    const r = await indexRepo(db, root);
    expect(r.skipped.map((s) => s.path)).toEqual(["api/again.go"]);
    expect(edgesFrom(db, "api/api.go", "helper")).toEqual([]);
    expectConsistent(db);
    await expectSameAsCold(db, root);
  });
});

describe("a cold build on worker threads", () => {
  test("parsing in workers and building the search indexes in one gives the same index as doing it all in-thread", async () => {
    // Enough files for the parse pool to use workers (they pre-pack references for the writer).
    const more = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`more/x${i}.go`, `package more\n\n// X${i} calls around.\nfunc X${i}() string { return M${i % 8}() + Format() + X${(i + 1) % 30}() }\n`]),
    );
    const root = initRepo(join(tmp.dir, "repo3"), { ...FILES, ...more });
    const inThread = openWritable(join(tmp.dir, "in-thread.db"));
    await indexRepo(inThread, root, { finishInWorker: false, workers: 1 });
    const offloaded = openWritable(join(tmp.dir, "offloaded.db"));
    let searchable = false;
    await indexRepo(offloaded, root, { finishInWorker: true, workers: 2, onSearchable: () => (searchable = true) });
    expect(searchable).toBe(true);
    expectConsistent(offloaded);
    const [a, b] = [snapshot(offloaded), snapshot(inThread)];
    expect(a.symbols).toEqual(b.symbols);
    expect(a.refs).toEqual(b.refs);
    expect(a.edges).toEqual(b.edges);
    // Symbol ids (so summation order) differ with the order workers finish in: ranks agree to rounding.
    expect([...a.ranks.keys()].sort()).toEqual([...b.ranks.keys()].sort());
    for (const [k, r] of b.ranks) expect(a.ranks.get(k)!).toBeCloseTo(r, 9);
    for (const [k, r] of b.fileRanks) expect(a.fileRanks.get(k)!).toBeCloseTo(r, 9);
    // At rest a cold-built index has exactly the schema a fresh one is created with.
    const schema = (db: Database) => db.query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").all();
    const fresh = openWritable(join(tmp.dir, "fresh.db"));
    expect(schema(offloaded)).toEqual(schema(fresh));
    expect(schema(inThread)).toEqual(schema(fresh));
    fresh.close();
    expect((await indexRepo(offloaded, root)).parsed).toBe(0);
    inThread.close();
    offloaded.close();
  });
});

describe("an interrupted cold build", () => {
  test("leaves a marker that makes the next run start over with a full, consistent index", async () => {
    const root = initRepo(join(tmp.dir, "repo2"), FILES);
    const dbPath = join(tmp.dir, "interrupted.db");
    let db = openWritable(dbPath);
    await indexRepo(db, root);
    // Simulate a crash in the middle of a cold build: the indexes and triggers are gone.
    db.exec("DROP TRIGGER symbols_ai; DROP INDEX symbols_name; DELETE FROM edges");
    setMeta(db, "bulk_build", "1");
    db.close();
    db = openWritable(dbPath);
    const r = await indexRepo(db, root);
    expect(r.writeMode).toBe("cold");
    expect(r.parsed).toBe(12);
    expect(db.query("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('symbols_ai', 'symbols_name')").get()).toEqual({ n: 2 });
    expectConsistent(db);
    expect(snapshot(db).edges).toEqual((await coldSnapshot(root)).edges);
    db.close();
  });
});

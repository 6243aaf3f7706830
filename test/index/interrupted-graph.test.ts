// A run killed after committing files but before updating edges and ranks must not leave the graph
// behind for good: the next run, even with nothing changed, rebuilds it.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable, setMeta } from "../../src/index/store.ts";

const dir = mkdtempSync(join(tmpdir(), "skep-graph-behind-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a graph left behind by a killed run is rebuilt by the next run", async () => {
  const repo = join(dir, "repo");
  mkdirSync(repo);
  writeFileSync(join(repo, "a.go"), "package a\n\nfunc A() { B() }\n\nfunc B() { C() }\n\nfunc C() {}\n");
  const db = openWritable(join(dir, "index.db"));
  await indexRepo(db, repo);
  const edges = () => (db.query("SELECT count(*) AS n FROM edges").get() as { n: number }).n;
  const before = edges();
  expect(before).toBe(2);
  // What a kill between the file commit and the graph update leaves: the marker set, edges stale.
  setMeta(db, "graph_pending", "1");
  db.exec("DELETE FROM edges");
  db.exec("UPDATE symbols SET rank = 0");
  const r = await indexRepo(db, repo);
  expect(r.parsed).toBe(0);
  expect(r.edgeMode).toBe("full");
  expect(edges()).toBe(before);
  expect((db.query("SELECT min(rank) AS m FROM symbols").get() as { m: number }).m).toBeGreaterThan(0);
  expect(db.query("SELECT value FROM meta WHERE key = 'graph_pending'").get()).toBeNull();
  // And a run with nothing changed and no marker leaves the graph alone.
  expect((await indexRepo(db, repo)).edgeMode).toBe("none");
  db.close();
});

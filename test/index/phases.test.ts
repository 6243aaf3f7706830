// Red-team attack 4: an index killed (kill -9) after its symbols were written but before its call
// graph was must not answer `callers` as fresh and empty. Answers carry stale: true with the
// reason, and the next run finishes the missing phases.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { incompleteReason } from "../../src/index/freshness.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable, setMeta } from "../../src/index/store.ts";
import { git, initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, tempDir } from "../support/temp.ts";

setDefaultTimeout(120_000);
afterAll(cleanupAll);

function env(): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_")) e[k] = v;
  return { ...e, SKEP_NO_DAEMON: "1", SKEP_WORKERS: "1" };
}

test("kill -9 between the symbols phase and the call graph: callers says stale with the reason; the next run finishes", async () => {
  const files: Record<string, string> = { "main.go": "package main\n\nfunc Target() int { return 1 }\n" };
  for (let i = 0; i < 1500; i++) files[`pkg${i % 30}/f${i}.go`] = `package pkg${i % 30}\n\nfunc Caller${i}() int { return Target() + ${i} }\n\nfunc Other${i}(x int) int {\n\tif x > 0 {\n\t\treturn Other${i}(x - 1)\n\t}\n\treturn Caller${i}()\n}\n`;
  const root = initRepo(join(tempDir("skep-phases-"), "repo"), files);
  git(root, "config", "core.excludesFile", "/dev/null");
  const dbPath = join(root, ".skep", "index.db");
  const proc = Bun.spawn([BUN, MAIN, "index"], { cwd: root, env: env(), stdout: "ignore", stderr: "ignore" });
  // Poll (read-only) until every symbol is committed while no edge is yet: then kill -9.
  let killedWith = -1;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && proc.exitCode === null) {
    if (existsSync(dbPath)) {
      try {
        const db = new Database(dbPath, { readonly: true });
        try {
          const n = (db.query("SELECT (SELECT count(*) FROM symbols) AS s, (SELECT count(*) FROM edges) AS e").get() as { s: number; e: number }) ?? { s: 0, e: 0 };
          if (n.s >= 3001 && n.e === 0) {
            proc.kill("SIGKILL");
            killedWith = n.s;
            break;
          }
        } finally {
          db.close();
        }
      } catch {
        // tables not created yet
      }
    }
    await Bun.sleep(5);
  }
  await proc.exited;
  expect(killedWith).toBeGreaterThan(0); // (the index finished before we saw its symbols: make the repo larger)

  const read = () => {
    const p = Bun.spawnSync([BUN, MAIN, "callers", "Target", "--json"], { cwd: root, env: env(), stdout: "pipe", stderr: "pipe" });
    return { code: p.exitCode, json: p.stdout.length ? JSON.parse(p.stdout.toString()) : null, stderr: p.stderr.toString() };
  };
  const after = read();
  expect(after.json.roots[0].neighbours).toEqual([]); // what the killed run left: no edges yet
  expect(after.json.freshness.stale).toBe(true);
  expect(after.json.freshness.pendingFiles).toBe(0);
  expect(after.json.freshness.staleReason).toContain("stopped before it finished");

  const fixed = Bun.spawnSync([BUN, MAIN, "index"], { cwd: root, env: env(), stdout: "pipe", stderr: "pipe" });
  expect(fixed.exitCode).toBe(0);
  const now = read();
  expect(now.json.freshness).toMatchObject({ stale: false, staleReason: null });
  expect(now.json.roots[0].neighbours.length).toBeGreaterThan(10);
});

test("every marker an unfinished run leaves reads as incomplete; a finished run clears them together with indexed_at", async () => {
  const root = initRepo(join(tempDir("skep-phases-"), "repo"), { "a.go": "package a\n\nfunc A() { B() }\n\nfunc B() {}\n" });
  const db = openWritable(join(root, ".skep-index.db"));
  try {
    await indexRepo(db, root);
    expect(incompleteReason(db)).toBeNull();
    for (const marker of ["graph_pending", "daemon_run_open"]) {
      setMeta(db, marker, "1");
      expect(incompleteReason(db)).toContain("call graph and ranks are behind");
      const r = await indexRepo(db, root);
      expect(r.edgeMode).toBe("full");
      expect(incompleteReason(db)).toBeNull();
    }
    setMeta(db, "indexed_at", null);
    expect(incompleteReason(db)).toContain("never finished");
  } finally {
    db.close();
  }
});

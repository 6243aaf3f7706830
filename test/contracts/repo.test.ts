// Routers split across files, as real apps are: a mount naming an import gives its prefix to the
// routes of the file the import resolves to (JS/TS relative imports and requires, Python modules,
// Go packages by directory), through the cache and the index's file list.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { cpSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoContracts } from "../../src/contracts/repo.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { openReadonly, openWritable } from "../../src/index/store.ts";
import { cacheKey, ContractCache } from "../../src/contracts/cache.ts";
import { emptyContracts } from "../../src/contracts/types.ts";
import { git, tempDir } from "../helpers/git-repo.ts";

// Each test indexes a small repo: well over bun's 5 s default on a busy machine.
setDefaultTimeout(120_000);

const SPLIT = join(import.meta.dir, "../fixtures/contracts/split");
let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  tmp = tempDir("skep-contracts-split-");
});
afterAll(() => tmp.cleanup());

/** A git repo holding one split fixture, indexed. */
async function indexed(fixture: string): Promise<string> {
  const root = join(tmp.dir, fixture);
  cpSync(join(SPLIT, fixture), root, { recursive: true });
  git(root, "init", "-q");
  const db = openWritable(join(root, ".skep", "index.db"));
  try {
    await indexRepo(db, root);
  } finally {
    db.close();
  }
  return root;
}

async function routes(fixture: string): Promise<string[]> {
  const root = existsSync(join(tmp.dir, fixture)) ? join(tmp.dir, fixture) : await indexed(fixture);
  const r = await repoContracts(fixture, root);
  return r.routes.map((x) => `${x.method} ${x.path} ${x.file}:${x.line}`).sort();
}

describe("mounts across files", () => {
  test("Express: require() of a module-exported router, a named import of a TS router, a file that only mounts", async () => {
    expect(await routes("express")).toEqual([
      "GET / app.js:8",
      "GET /admin/stats routes/admin.ts:4",
      "GET /api/users/{id} routes/users.js:4",
      "GET /shop/orders/{id} routes/orders.js:4",
      "POST /api/users routes/users.js:5",
    ]);
  });

  test("Hono: a default-exported sub-app mounted with app.route", async () => {
    expect(await routes("hono")).toEqual(["GET /books/{id} routes/books.ts:4"]);
  });

  test("FastAPI: include_router of `module.router` and of an aliased import, with the router's own prefix", async () => {
    expect(await routes("fastapi")).toEqual(["GET /api/items/{item_id} app/routers/items.py:6", "GET /api/users/me app/routers/users.py:6"]);
  });

  test("Flask: register_blueprint's url_prefix replaces the Blueprint's own, across files", async () => {
    expect(await routes("flask")).toEqual(["GET /shop/{order_id} blueprints/orders.py:6"]);
  });

  test("Go: gin groups handed to another package's function (twice: both prefixes), chi Mount of another package's router", async () => {
    expect(await routes("go")).toEqual([
      "GET /admin/stats internal/admin/routes.go:7",
      "GET /api/users/{id} internal/users/routes.go:6",
      "GET /api/v1/users/{id} internal/users/routes.go:6",
    ]);
  });
});

test("the cache answers an unchanged file by the index's hash, and a file changed since is read from disk", async () => {
  await routes("express"); // indexed, cache filled
  const root = join(tmp.dir, "express");
  const db = openReadonly(join(root, ".skep", "index.db"));
  const { hash } = db.query("SELECT hash FROM files WHERE path = 'app.js'").get() as { hash: string };
  db.close();
  // Planted under app.js's key: seen only if the cache is consulted without reading the file.
  const cache = ContractCache.open(join(root, ".skep"));
  cache.putAll([[cacheKey("javascript", hash), { ...emptyContracts(), routes: [{ method: "GET", path: "/planted", line: 1, framework: "express" }] }]]);
  cache.close();
  expect(await routes("express")).toContain("GET /planted app.js:1");

  writeFileSync(join(root, "routes/users.js"), 'const express = require("express");\nconst router = express.Router();\nrouter.put("/:id", h);\nmodule.exports = router;\n');
  const after = await routes("express");
  expect(after).toContain("PUT /{id} routes/users.js:3"); // app.js's mount is gone with the planted result
  expect(after).not.toContain("POST /api/users routes/users.js:5");
});

test("a cache row that does not fit the schema is a miss: the file is read and extracted again", async () => {
  await routes("hono"); // indexed, cache filled
  const root = join(tmp.dir, "hono");
  const db = openReadonly(join(root, ".skep", "index.db"));
  const { hash } = db.query("SELECT hash FROM files WHERE path = 'routes/books.ts'").get() as { hash: string };
  db.close();
  const cache = new Database(join(root, ".skep", "contracts.db"));
  cache.query("INSERT OR REPLACE INTO results (key, data) VALUES (?, ?)").run(cacheKey("typescript", hash), JSON.stringify({ routes: "GET /evil", calls: 1 }));
  cache.close();
  expect(await routes("hono")).toEqual(["GET /books/{id} routes/books.ts:4"]);
});

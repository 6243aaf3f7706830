// The index must stay readable with the stock sqlite3 shell (Debian's 3.40), FTS tables included:
// users and scripts inspect it without skep.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";

const dir = mkdtempSync(join(tmpdir(), "skep-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sqlite3 = Bun.which("sqlite3");

test.skipIf(!sqlite3)("the sqlite3 shell opens the index and queries every table", async () => {
  const repo = join(dir, "repo");
  Bun.spawnSync(["mkdir", "-p", repo]);
  writeFileSync(join(repo, "login.go"), "package login\n\n// LoginViewModel holds state.\ntype LoginViewModel struct{}\n\nfunc NewLogin() *LoginViewModel { return helper() }\n\nfunc helper() *LoginViewModel { return nil }\n");
  const dbPath = join(dir, "index.db");
  const db = openWritable(dbPath);
  await indexRepo(db, repo);
  db.close();
  const run = (sql: string) => {
    const p = Bun.spawnSync([sqlite3!, dbPath, sql]);
    expect(p.stderr.toString()).toBe("");
    expect(p.exitCode).toBe(0);
    return p.stdout.toString().trim();
  };
  expect(run("PRAGMA integrity_check")).toBe("ok");
  expect(run("PRAGMA journal_mode")).toBe("wal");
  expect(run("SELECT count(*) FROM files")).toBe("1");
  expect(run("SELECT name FROM symbols ORDER BY line")).toBe("LoginViewModel\nNewLogin\nhelper");
  expect(run("SELECT s.name FROM symbols_fts f JOIN symbols s ON s.id = f.rowid WHERE symbols_fts MATCH 'view' ")).toBe("LoginViewModel");
  expect(run("SELECT s.name FROM symbols_tri t JOIN symbols s ON s.id = t.rowid WHERE symbols_tri MATCH 'ViewMod'")).toBe("LoginViewModel");
  expect(run("SELECT a.name || '->' || b.name FROM edges e JOIN symbols a ON a.id = e.from_symbol JOIN symbols b ON b.id = e.to_symbol WHERE a.name = 'NewLogin' ORDER BY b.name")).toBe("NewLogin->LoginViewModel\nNewLogin->helper");
  expect(Number(run("SELECT value FROM meta WHERE key = 'index_schema'"))).toBeGreaterThan(0);
});

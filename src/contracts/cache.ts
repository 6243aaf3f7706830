// Extraction results by content: `.skep/contracts.db` maps (language, content hash) to what the
// extractors found. Its own file, not a table in index.db: the index worker holds long write
// transactions there, and this cache is filled by readers (`skep contracts`, the coordinator), who
// must never wait behind a re-index nor take part in the index's schema resets.
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CachedFileContracts } from "../protocol/contracts.ts";
import type { FileContracts } from "./types.ts";
import { CONTRACTS_VERSION } from "./version.ts";

export class ContractCache {
  private constructor(private readonly db: Database | null) {}

  /** Opens (or creates) the cache in `skepDir`; without one (no `.skep/`, unwritable), nothing is kept between runs. */
  static open(skepDir: string): ContractCache {
    if (!existsSync(skepDir)) return new ContractCache(null);
    try {
      const db = new Database(join(skepDir, "contracts.db"), { create: true });
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA busy_timeout = 5000");
      db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
      db.exec("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID");
      const version = (db.query("SELECT value FROM meta WHERE key = 'version'").get() as { value: string } | null)?.value;
      if (version !== String(CONTRACTS_VERSION)) {
        db.transaction(() => {
          db.exec("DELETE FROM results");
          db.query("INSERT OR REPLACE INTO meta (key, value) VALUES ('version', ?)").run(String(CONTRACTS_VERSION));
        }).immediate();
      }
      return new ContractCache(db);
    } catch {
      // A damaged or read-only cache costs time, never an answer: extract everything again.
      return new ContractCache(null);
    }
  }

  get(key: string): FileContracts | null {
    if (!this.db) return null;
    try {
      const row = this.db.query("SELECT data FROM results WHERE key = ?").get(key) as { data: string } | null;
      if (!row) return null;
      const parsed = CachedFileContracts.safeParse(JSON.parse(row.data));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  putAll(entries: [string, FileContracts][]): void {
    if (!this.db || entries.length === 0) return;
    const insert = this.db.prepare("INSERT OR REPLACE INTO results (key, data) VALUES (?, ?)");
    try {
      this.db.transaction(() => {
        for (const [key, value] of entries) insert.run(key, JSON.stringify(value));
      }).immediate();
    } catch {
      // Busy or read-only: the answer is already computed; only the next run pays again.
    }
  }

  close(): void {
    this.db?.close();
  }
}

export function cacheKey(lang: string, hash: string): string {
  return `${lang}:${hash}`;
}

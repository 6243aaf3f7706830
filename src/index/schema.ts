// The index schema. Bump INDEX_SCHEMA_VERSION on any change to these tables: an index written by
// another version is dropped and rebuilt (it is derived data), never read with the wrong shape.
export const INDEX_SCHEMA_VERSION = 2;

/** Tables owned by the index. Other subsystems (tasks) keep their own tables in the same file. */
export const INDEX_TABLES = ["files", "symbols", "refs", "imports", "edges", "symbols_fts", "symbols_tri"] as const;

export const INDEX_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,        -- repo-relative, forward slashes
  lang TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_us INTEGER NOT NULL,         -- modification time in microseconds
  hash TEXT,                        -- content hash; NULL when skipped before reading
  skip_reason TEXT,                 -- non-NULL: listed, not parsed, and why
  syntax_errors INTEGER NOT NULL DEFAULT 0,
  symbol_count INTEGER NOT NULL DEFAULT 0,
  rank REAL NOT NULL DEFAULT 0,     -- sum of its symbols' ranks
  indexed_at INTEGER NOT NULL       -- unix ms
);

CREATE TABLE symbols (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  humps TEXT NOT NULL,              -- lowercase initials of the name's words: LoginViewModel -> lvm
  words TEXT NOT NULL,              -- the name split into lowercase words, for FTS
  kind TEXT NOT NULL,
  container TEXT,
  line INTEGER NOT NULL,
  col INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  end_col INTEGER NOT NULL,
  signature TEXT NOT NULL,
  doc TEXT,
  rank REAL NOT NULL DEFAULT 0
);
CREATE INDEX symbols_file ON symbols(file_id);
CREATE INDEX symbols_name ON symbols(name COLLATE NOCASE);
CREATE INDEX symbols_humps ON symbols(humps);

-- References aggregated per (file, referring symbol, name, kind): kind 0 = call, 1 = type use;
-- count = how often. Clustered by file, so a file's references are one range to read or delete;
-- refs_name finds the referrers of a name when a definition of that name appears or goes away.
-- References outside any definition (top-level initialisers) carry no edge and are not kept.
CREATE TABLE refs (
  file_id INTEGER NOT NULL,
  from_symbol INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (file_id, from_symbol, name, kind)
) WITHOUT ROWID;
CREATE INDEX refs_name ON refs(name);

CREATE TABLE imports (file_id INTEGER NOT NULL, spec TEXT NOT NULL);
CREATE INDEX imports_file ON imports(file_id);

-- Resolved call graph: references aggregated per (caller, callee); weight sums each reference's
-- share (an ambiguous name splits 1.0 over its candidates). kind 0 = calls only, 1 = type uses only, 2 = both.
CREATE TABLE edges (
  from_symbol INTEGER NOT NULL,
  to_symbol INTEGER NOT NULL,
  weight REAL NOT NULL,
  kind INTEGER NOT NULL,
  PRIMARY KEY (from_symbol, to_symbol)
) WITHOUT ROWID;
CREATE INDEX edges_to ON edges(to_symbol);

-- columnsize=0: no per-row token counts (a sixth of the FTS bytes); they only serve bm25(), and
-- search orders by its own tiers and PageRank.
CREATE VIRTUAL TABLE symbols_fts USING fts5(
  words, container, signature, doc,
  content='symbols', content_rowid='id', columnsize=0
);
CREATE VIRTUAL TABLE symbols_tri USING fts5(
  name, content='symbols', content_rowid='id', tokenize='trigram', columnsize=0
);

CREATE TRIGGER symbols_ai AFTER INSERT ON symbols BEGIN
  INSERT INTO symbols_fts(rowid, words, container, signature, doc) VALUES (new.id, new.words, new.container, new.signature, new.doc);
  INSERT INTO symbols_tri(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER symbols_ad AFTER DELETE ON symbols BEGIN
  INSERT INTO symbols_fts(symbols_fts, rowid, words, container, signature, doc) VALUES ('delete', old.id, old.words, old.container, old.signature, old.doc);
  INSERT INTO symbols_tri(symbols_tri, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER symbols_au AFTER UPDATE OF name, words, container, signature, doc ON symbols BEGIN
  INSERT INTO symbols_fts(symbols_fts, rowid, words, container, signature, doc) VALUES ('delete', old.id, old.words, old.container, old.signature, old.doc);
  INSERT INTO symbols_tri(symbols_tri, rowid, name) VALUES ('delete', old.id, old.name);
  INSERT INTO symbols_fts(rowid, words, container, signature, doc) VALUES (new.id, new.words, new.container, new.signature, new.doc);
  INSERT INTO symbols_tri(rowid, name) VALUES (new.id, new.name);
END;
`;

/** Secondary indexes, dropped for a cold build and created once the tables are filled (cheaper than updating them row by row). */
export const DEFERRED_INDEXES: { name: string; sql: string }[] = [...INDEX_SCHEMA.matchAll(/CREATE INDEX (\w+) [^;]*;/g)].map((m) => ({
  name: m[1]!,
  sql: m[0],
}));
/** The FTS triggers, likewise dropped for a cold build; the FTS tables are then filled by 'rebuild'. */
export const FTS_TRIGGERS: string[] = [...INDEX_SCHEMA.matchAll(/CREATE TRIGGER (\w+)[\s\S]*?\nEND;/g)].map((m) => m[0]);
export const FTS_TRIGGER_NAMES: string[] = [...INDEX_SCHEMA.matchAll(/CREATE TRIGGER (\w+)/g)].map((m) => m[1]!);

// The index schema. Bump INDEX_SCHEMA_VERSION on any change to these tables: an index written by
// another version is dropped and rebuilt (it is derived data), never read with the wrong shape.
export const INDEX_SCHEMA_VERSION = 5;

/** Tables owned by the index. Other subsystems (tasks) keep their own tables in the same file. */
export const INDEX_TABLES = ["files", "symbols", "ref_names", "refs", "name_files", "imports", "supertypes", "edges", "symbols_fts", "symbols_tri"] as const;

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
  type_ref TEXT,                    -- a field's declared type, a function's return type (bare name)
  arity TEXT,                       -- a function's parameter count: '2', '1-3' (defaults), '1+' (varargs), '2:char[],int' (Java, with types); src/parser/arity.ts
  rank REAL NOT NULL DEFAULT 0
);
CREATE INDEX symbols_file ON symbols(file_id);
CREATE INDEX symbols_name ON symbols(name COLLATE NOCASE);
CREATE INDEX symbols_humps ON symbols(humps);

-- References aggregated per (file, referring symbol, name, kind): kind 0 = call, 1 = type use,
-- 2 = member call (x.f()), 3 = member call through an import's name (fmt.Println(); see
-- src/parser/ref-kinds.ts);
-- recv = what the file says about a call's receiver type (src/parser/receivers.ts), '' for nothing;
-- args = how many arguments the calls pass (-1 not known: src/parser/arity.ts), which tells
-- overloads apart; arg_types = in Java, the arguments' types as far as the call says them
-- ("int,,String"; '' for nothing), which tells same-count overloads apart; count = how often. Names are interned in ref_names (a reference's name is 7 characters on
-- average, its id 2 bytes). Clustered by file, so a file's references are one range to read or
-- delete. References outside any definition (top-level initialisers) carry no edge and are not
-- kept. The view refs_by_name shows them with their names.
CREATE TABLE ref_names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE refs (
  file_id INTEGER NOT NULL,
  from_symbol INTEGER NOT NULL,
  name_id INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  recv TEXT NOT NULL,
  args INTEGER NOT NULL,
  arg_types TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (file_id, from_symbol, name_id, kind, recv, args, arg_types)
) WITHOUT ROWID;
-- Which files reference a name: when a definition of that name appears or goes away, only those
-- files' references are resolved again. A third the size of an index on refs(name_id).
CREATE TABLE name_files (
  name_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  PRIMARY KEY (name_id, file_id)
) WITHOUT ROWID;
CREATE VIEW refs_by_name AS
  SELECT r.file_id, r.from_symbol, n.name, r.kind, r.recv, r.args, r.arg_types, r.count FROM refs r JOIN ref_names n ON n.id = r.name_id;

CREATE TABLE imports (file_id INTEGER NOT NULL, spec TEXT NOT NULL);
CREATE INDEX imports_file ON imports(file_id);

-- Supertypes a file names: type \`name\` extends, implements, conforms to, embeds or has \`impl base for\`.
-- Bare names, resolved by the call graph as it resolves types (src/graph/receiver-types.ts).
CREATE TABLE supertypes (file_id INTEGER NOT NULL, name TEXT NOT NULL, base TEXT NOT NULL);
CREATE INDEX supertypes_file ON supertypes(file_id);
CREATE INDEX supertypes_name ON supertypes(name);
CREATE INDEX supertypes_base ON supertypes(base);

-- Resolved call graph: references aggregated per (caller, callee); weight sums each reference's
-- share (an ambiguous name splits 1.0 over its candidates). kind 0 = calls only, 1 = type uses only, 2 = both.
-- via = how it was resolved, the strongest of its references: 0 by name and scope, 1 through an
-- import's name, 2 by the receiver's type (src/graph/edges.ts VIA_NAMES).
CREATE TABLE edges (
  from_symbol INTEGER NOT NULL,
  to_symbol INTEGER NOT NULL,
  weight REAL NOT NULL,
  kind INTEGER NOT NULL,
  via INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (from_symbol, to_symbol)
) WITHOUT ROWID;
CREATE INDEX edges_to ON edges(to_symbol);

-- columnsize=0: no per-row token counts (a sixth of the FTS bytes); they only serve bm25(), and
-- search orders by its own tiers and PageRank. symbols_fts also keeps no token positions
-- (detail=column, a third of its bytes): its queries are AND-ed single-token prefixes, never
-- phrases or NEAR (FTS5 refuses those on such a table). symbols_tri needs positions: a quoted
-- substring is a phrase of trigrams.
CREATE VIRTUAL TABLE symbols_fts USING fts5(
  words, container, signature, doc,
  content='symbols', content_rowid='id', columnsize=0, detail=column
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
/** The FTS triggers, likewise dropped for a cold build; the FTS tables are then filled in one INSERT … SELECT each. */
export const FTS_TRIGGERS: string[] = [...INDEX_SCHEMA.matchAll(/CREATE TRIGGER (\w+)[\s\S]*?\nEND;/g)].map((m) => m[0]);
export const FTS_TRIGGER_NAMES: string[] = [...INDEX_SCHEMA.matchAll(/CREATE TRIGGER (\w+)/g)].map((m) => m[1]!);

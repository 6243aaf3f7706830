// The index layer's lookup against the real index: symbols named exactly so (case-sensitive),
// with their file, line and container. Read-only; one prepared statement per database.
import type { Database } from "bun:sqlite";
import { prepared } from "../../search/statements.ts";
import type { IndexSymbol, SymbolLookup } from "./index-layer.ts";

export const LOOKUP_LIMIT = 5;

// `name = $name COLLATE NOCASE` lets SQLite use the NOCASE name index (symbols_name); the second,
// binary comparison keeps only the exact spelling. Best-ranked definitions first.
const SQL = `SELECT s.name, s.kind, f.path AS file, s.line, s.container
  FROM symbols s JOIN files f ON f.id = s.file_id
  WHERE s.name = $name COLLATE NOCASE AND s.name = $name
  ORDER BY s.rank DESC, f.path, s.line
  LIMIT ${LOOKUP_LIMIT}`;

export function indexLookup(db: Database): SymbolLookup {
  return (name) => prepared(db, SQL).all({ $name: name }) as IndexSymbol[];
}

// Read the call graph: find the symbols a user names, and walk callers or callees from them.
import type { Database } from "bun:sqlite";
import type { SymbolRef } from "../protocol/index-answers.ts";
import { VIA_NAMES } from "./edges.ts";
import { interfaceMethodsOf, newMemo } from "./impls.ts";

const SYMBOL_COLUMNS = `s.id, s.name, s.kind, s.container, f.path, s.line, s.end_line AS endLine, s.signature`;

/**
 * Symbols named by `spec`: `Name`, `Container.Name` (also `Container::Name`, `Container#Name`),
 * `path:line` for the definition enclosing that line, or a symbol id (all digits, as search answers
 * give it; no language names a symbol with digits only). Case-exact matches win over case-insensitive ones.
 */
export function findSymbols(db: Database, spec: string, limit = 10): SymbolRef[] {
  if (/^\d{1,15}$/.test(spec)) {
    return db.query(`SELECT ${SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.id = ?`).all(Number(spec)) as SymbolRef[];
  }
  const loc = /^(.+):(\d+)$/.exec(spec);
  if (loc) {
    return db
      .query(
        `SELECT ${SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id
         WHERE f.path = ? AND s.line <= ? AND s.end_line >= ? ORDER BY s.line DESC LIMIT 1`,
      )
      .all(loc[1]!, Number(loc[2]), Number(loc[2])) as SymbolRef[];
  }
  const m = /^(.*?)(?:\.|::|#)([^.:#]+)$/.exec(spec);
  const [container, name] = m && m[1] ? [m[1].split(/\.|::|#/).pop()!, m[2]!] : [null, spec];
  const rows = db
    .query(
      `SELECT ${SYMBOL_COLUMNS}, s.name = ?1 AS exact FROM symbols s JOIN files f ON f.id = s.file_id
       WHERE s.name = ?1 COLLATE NOCASE AND (?2 IS NULL OR s.container = ?2 COLLATE NOCASE)
       ORDER BY exact DESC, s.rank DESC, f.path LIMIT ?3`,
    )
    .all(name, container, limit) as (SymbolRef & { exact: number })[];
  const exact = rows.filter((r) => r.exact);
  return (exact.length ? exact : rows).map(({ exact: _, ...r }) => r);
}

export interface Neighbour extends SymbolRef {
  weight: number;
  depth: number;
  via: number;
  /** How the edge was resolved: by the receiver's type, through an interface the symbol implements, by an import's name, or by name and scope. */
  resolved: "type" | "interface" | "import" | "name";
  /** For "interface": the interface method the call names. */
  through?: number;
}

/**
 * Breadth-first walk of callers or callees up to `depth`, each symbol listed once at its nearest
 * depth. A method's callers include the callers of the interface methods it implements (a call
 * through the interface may reach it), marked resolved "interface".
 */
export function walkGraph(db: Database, rootId: number, direction: "callers" | "callees", depth = 1, limit = 200): Neighbour[] {
  const [near, far] = direction === "callers" ? ["to_symbol", "from_symbol"] : ["from_symbol", "to_symbol"];
  const query = db.query(
    `SELECT ${SYMBOL_COLUMNS}, e.weight, e.via AS how FROM edges e
     JOIN symbols s ON s.id = e.${far} JOIN files f ON f.id = s.file_id
     WHERE e.${near} = ? ORDER BY e.weight DESC, s.rank DESC LIMIT ?`,
  );
  type Row = SymbolRef & { weight: number; how: number; through?: number };
  const memo = newMemo(); // one walk reads each Go package's method sets once
  const step = {
    all: (id: number, max: number): Row[] => {
      const rows = (query.all(id, max) as Row[]).map((r) => ({ ...r }));
      if (direction === "callers") {
        for (const m of interfaceMethodsOf(db, id, memo)) for (const r of query.all(m.id, max) as Row[]) rows.push({ ...r, how: -1, through: m.id });
      }
      return rows;
    },
  };
  const seen = new Set<number>([rootId]);
  const out: Neighbour[] = [];
  let frontier = [rootId];
  for (let d = 1; d <= depth && frontier.length && out.length < limit; d++) {
    const next: number[] = [];
    for (const id of frontier) {
      for (const { how, through, ...row } of step.all(id, limit)) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        const resolved = how < 0 ? "interface" : (VIA_NAMES[how] ?? "name");
        out.push({ ...row, depth: d, via: id, resolved, ...(through === undefined ? {} : { through }) });
        next.push(row.id);
        if (out.length >= limit) break;
      }
    }
    frontier = next;
  }
  return out;
}

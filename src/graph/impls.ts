// Implementations and the interfaces a type implements, read from the index when asked (one symbol
// at a time, so nothing is stored for them): explicit supertypes from the `supertypes` table
// (implements, extends, protocol conformance, `impl Trait for`), and Go's implicit interfaces (a
// type whose methods, in its own package, cover every method of an interface of the repo).
import type { Database } from "bun:sqlite";
import type { SymbolRef } from "../protocol/index-answers.ts";

const COLUMNS = `s.id, s.name, s.kind, s.container, f.path, s.line, s.end_line AS endLine, s.signature`;
const TYPE_KINDS = "('class', 'struct', 'interface', 'enum', 'trait', 'type', 'object')";
const ABSTRACT_KINDS = new Set(["interface", "trait"]);
/** Go interfaces with more implementations than this (fmt.Stringer, error) are not listed whole. */
const MAX = 200;

interface Row extends SymbolRef {
  lang: string;
}

const dirOf = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");
const family = (lang: string) => (lang === "tsx" || lang === "javascript" ? "typescript" : lang === "kotlin" ? "java" : lang === "c" ? "cpp" : lang);

function symbol(db: Database, id: number): Row | null {
  return db.query(`SELECT ${COLUMNS}, f.lang FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.id = ?`).get(id) as Row | null;
}

/** Type symbols named `name` in the same language family as `near`; in Go, the same package when `sameDir`. */
function typesNamed(db: Database, name: string, near: Row, sameDir: boolean): Row[] {
  const rows = db
    .query(`SELECT ${COLUMNS}, f.lang FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.name = ?1 COLLATE NOCASE AND s.name = ?1 AND s.kind IN ${TYPE_KINDS}`)
    .all(name) as Row[];
  return rows.filter((r) => family(r.lang) === family(near.lang) && (!sameDir || dirOf(r.path) === dirOf(near.path)));
}

/**
 * A Go type's method names, in its own package: read from the package's files through the
 * file index (symbols have no index on their container, and a scan of every symbol per type made
 * one `callers` of a method take seconds on the Go stdlib). Memoised for one question.
 */
function goMethodNames(db: Database, t: Row, memo: Memo): Set<string> {
  const dir = dirOf(t.path);
  const key = `${dir}\0${t.name}`;
  let names = memo.methods.get(key);
  if (names) return names;
  if (!memo.dirs) {
    memo.dirs = new Map();
    for (const f of db.query("SELECT id, path FROM files WHERE lang = 'go'").all() as { id: number; path: string }[]) {
      const d = dirOf(f.path);
      memo.dirs.set(d, [...(memo.dirs.get(d) ?? []), f.id]);
    }
  }
  const files = memo.dirs.get(dir) ?? [];
  const rows = files.length ? (db.query(`SELECT name FROM symbols WHERE file_id IN (${files.join(",")}) AND container = ? AND kind = 'method'`).all(t.name) as { name: string }[]) : [];
  names = new Set(rows.map((r) => r.name));
  memo.methods.set(key, names);
  return names;
}

/** What one question (one symbol's implementations, or one graph walk) has read already. */
export interface Memo {
  methods: Map<string, Set<string>>;
  /** The Go files of each directory (a package), read once. */
  dirs?: Map<string, number[]>;
}
export const newMemo = (): Memo => ({ methods: new Map() });

/** `name = ?` as the name index (NOCASE) can serve it, the exact comparison kept. */
const NAME_IS = (col: string, n = 1) => `${col} = ?${n} COLLATE NOCASE AND ${col} = ?${n}`;

/** The types that implement or extend type `t` (explicitly, or in Go by their method sets). */
export function implementationsOfType(db: Database, t: Row, memo: Memo = newMemo()): Row[] {
  const out = new Map<number, Row>();
  const subs = db.query("SELECT DISTINCT s.name, f.path FROM supertypes s JOIN files f ON f.id = s.file_id WHERE s.base = ? OR s.base LIKE ?").all(t.name, `%/${t.name}`) as {
    name: string;
    path: string;
  }[];
  for (const sub of subs) for (const r of typesNamed(db, sub.name, t, false)) out.set(r.id, r);
  if (t.lang === "go" && t.kind === "interface") {
    const wanted = goMethodNames(db, t, memo);
    if (wanted.size > 0) {
      // Candidates: containers of a method named like the interface's rarest method.
      const counts = [...wanted].map((m) => ({ m, n: (db.query(`SELECT count(*) AS n FROM symbols WHERE ${NAME_IS("name")} AND kind = 'method'`).get(m) as { n: number }).n }));
      counts.sort((a, b) => a.n - b.n);
      const rarest = counts[0]!.m;
      const owners = db
        .query(`SELECT DISTINCT s.container AS name, f.path FROM symbols s JOIN files f ON f.id = s.file_id WHERE ${NAME_IS("s.name")} AND s.kind = 'method' AND f.lang = 'go' AND s.container IS NOT NULL`)
        .all(rarest) as { name: string; path: string }[];
      for (const o of owners) {
        if (out.size >= MAX) break;
        const type = (db.query(`SELECT ${COLUMNS}, f.lang FROM symbols s JOIN files f ON f.id = s.file_id WHERE ${NAME_IS("s.name")} AND f.lang = 'go' AND s.kind IN ${TYPE_KINDS}`).all(o.name) as Row[]).find(
          (r) => dirOf(r.path) === dirOf(o.path),
        );
        if (!type || type.id === t.id || type.kind === "interface") continue;
        const have = goMethodNames(db, type, memo);
        if ([...wanted].every((m) => have.has(m))) out.set(type.id, type);
      }
    }
  }
  return [...out.values()];
}

/** The types `t` implements or extends (explicitly, or in Go the repo's interfaces its methods cover). */
export function supertypesOfType(db: Database, t: Row, memo: Memo = newMemo()): Row[] {
  const out = new Map<number, Row>();
  const bases = db.query("SELECT DISTINCT base FROM supertypes s JOIN files f ON f.id = s.file_id WHERE s.name = ?").all(t.name) as { base: string }[];
  for (const { base } of bases) for (const r of typesNamed(db, base.slice(base.indexOf("/") + 1), t, false)) out.set(r.id, r);
  if (t.lang === "go" && t.kind !== "interface") {
    const have = goMethodNames(db, t, memo);
    // The interfaces declaring one of these methods: a method spec sits in its interface's file.
    const ifaces = db.query(
      `SELECT ${COLUMNS.replaceAll("s.", "i.")}, f.lang FROM symbols m
       JOIN symbols i ON i.file_id = m.file_id AND i.name = m.container AND i.kind = 'interface'
       JOIN files f ON f.id = i.file_id
       WHERE ${NAME_IS("m.name")} AND m.kind = 'method' AND f.lang = 'go'`,
    );
    for (const m of have) {
      for (const iface of ifaces.all(m) as Row[]) {
        if (out.has(iface.id)) continue;
        const wanted = goMethodNames(db, iface, memo);
        if (wanted.size > 0 && [...wanted].every((w) => have.has(w))) out.set(iface.id, iface);
      }
    }
  }
  return [...out.values()];
}

/** The method named like `m` declared by type `t` (in its file, or for Go its package). */
function methodOf(db: Database, t: Row, name: string): Row | null {
  const rows = db
    .query(`SELECT ${COLUMNS}, f.lang FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.name = ?1 COLLATE NOCASE AND s.name = ?1 AND s.container = ?2 AND s.kind = 'method'`)
    .all(name, t.name) as Row[];
  return rows.find((r) => r.path === t.path) ?? rows.find((r) => dirOf(r.path) === dirOf(t.path)) ?? (t.lang === "go" ? null : (rows[0] ?? null));
}

/** The type a method belongs to. */
function ownerType(db: Database, m: Row): Row | null {
  if (!m.container) return null;
  const types = typesNamed(db, m.container, m, m.lang === "go");
  return types.find((t) => t.path === m.path) ?? types[0] ?? null;
}

export interface Implementations {
  /** What implements this interface, trait or class (types), or this method (the implementing methods). */
  implementations: SymbolRef[];
  /** What this type implements, or the interface methods this method implements. */
  implements: SymbolRef[];
}

const ref = ({ lang: _, ...r }: Row): SymbolRef => r;

/** Implementations of a type or method, and what it implements. */
export function implementations(db: Database, id: number): Implementations {
  const s = symbol(db, id);
  if (!s) return { implementations: [], implements: [] };
  if (s.kind === "method" || s.kind === "function") {
    const owner = ownerType(db, s);
    if (!owner) return { implementations: [], implements: [] };
    const memo = newMemo();
    const down = implementationsOfType(db, owner, memo).map((t) => methodOf(db, t, s.name)).filter((m): m is Row => m !== null);
    const up = supertypesOfType(db, owner, memo).map((t) => methodOf(db, t, s.name)).filter((m): m is Row => m !== null);
    return { implementations: down.map(ref), implements: up.map(ref) };
  }
  return { implementations: implementationsOfType(db, s).map(ref), implements: supertypesOfType(db, s).map(ref) };
}

/** The interface (or abstract) methods a concrete method implements: calls through them may reach it. */
export function interfaceMethodsOf(db: Database, id: number, memo: Memo = newMemo()): SymbolRef[] {
  const s = symbol(db, id);
  if (!s || s.kind !== "method") return [];
  const owner = ownerType(db, s);
  if (!owner || ABSTRACT_KINDS.has(owner.kind)) return [];
  return supertypesOfType(db, owner, memo)
    .map((t) => methodOf(db, t, s.name))
    .filter((m): m is Row => m !== null)
    .map(ref);
}

// Turn references into call-graph edges. A reference names a symbol; which one is decided by
// scope hints, nearest first: the same file, the same directory (package), a file the referring
// file imports, and finally a name that is unique in the repo. A name that stays ambiguous spreads
// its weight evenly over its candidates, up to MAX_CANDIDATES (beyond that it carries no signal:
// think `String()` or `get`), where it is left unresolved.
import type { Database } from "bun:sqlite";
import { posix } from "node:path";
import { ImportResolver } from "./imports.ts";

export const MAX_CANDIDATES = 12;

/** Languages whose code can call each other directly; a reference never resolves outside its family. */
const FAMILY: Record<string, string> = { typescript: "js", tsx: "js", javascript: "js", c: "c", cpp: "c", java: "jvm", kotlin: "jvm" };
const familyOf = (lang: string) => FAMILY[lang] ?? lang;

const NOT_CALLABLE = new Set(["constant", "module", "namespace"]);
const TYPE_KINDS = new Set(["class", "struct", "interface", "enum", "trait", "type", "object"]);

interface Sym {
  id: number;
  fileId: number;
  kind: string;
}

interface RefRow {
  from_symbol: number;
  file_id: number;
  name: string;
  kind: number;
}

export interface EdgeChanges {
  names: Set<string>;
  files: Set<number>;
  pathsAddedOrRemoved: Set<string>;
}

export interface EdgeStats {
  mode: "full" | "incremental";
  refsResolved: number;
  edges: number;
}

export function updateEdges(db: Database, changes: EdgeChanges | "full"): EdgeStats {
  const symbols = db.query("SELECT id, name, kind, file_id AS fileId FROM symbols").all() as (Sym & { name: string })[];
  const byName = new Map<string, Sym[]>();
  for (const s of symbols) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const files = db.query("SELECT id, path, lang FROM files WHERE skip_reason IS NULL").all() as { id: number; path: string; lang: string }[];
  const pathOf = new Map(files.map((f) => [f.id, f.path]));
  const familyOfFile = new Map(files.map((f) => [f.id, familyOf(f.lang)]));
  const dirOf = new Map(files.map((f) => [f.id, posix.dirname(f.path)]));
  const importer = new ImportResolver(files);
  const importsOf = loadImports(db, importer, pathOf);

  let refs: RefRow[];
  let mode: EdgeStats["mode"];
  if (changes === "full") {
    mode = "full";
    db.exec("DELETE FROM edges");
    refs = db.query("SELECT from_symbol, file_id, name, kind FROM refs WHERE from_symbol IS NOT NULL").all() as RefRow[];
  } else {
    mode = "incremental";
    const from = affectedCallers(db, changes);
    if (from.size === 0) return { mode, refsResolved: 0, edges: 0 };
    const ids = [...from];
    const del = db.prepare("DELETE FROM edges WHERE from_symbol = ?");
    for (const id of ids) del.run(id);
    refs = [];
    const byFrom = db.prepare("SELECT from_symbol, file_id, name, kind FROM refs WHERE from_symbol = ?");
    for (const id of ids) for (const r of byFrom.all(id) as RefRow[]) refs.push(r);
  }

  // Aggregate per (from, to): weight and which reference kinds contributed.
  const weights = new Map<number, Map<number, { w: number; kinds: number }>>();
  let resolved = 0;
  for (const r of refs) {
    const targets = resolveRef(r, byName.get(r.name), dirOf, importsOf, familyOfFile);
    if (targets.length === 0) continue;
    resolved++;
    const share = 1 / targets.length;
    let row = weights.get(r.from_symbol);
    if (!row) weights.set(r.from_symbol, (row = new Map()));
    for (const t of targets) {
      if (t.id === r.from_symbol) continue; // recursion is not a signal of importance
      const cur = row.get(t.id);
      const bit = r.kind === 0 ? 1 : 2;
      if (cur) {
        cur.w += share;
        cur.kinds |= bit;
      } else row.set(t.id, { w: share, kinds: bit });
    }
  }
  const insert = db.prepare("INSERT OR REPLACE INTO edges(from_symbol, to_symbol, weight, kind) VALUES (?, ?, ?, ?)");
  let count = 0;
  for (const [from, row] of weights) {
    for (const [to, { w, kinds }] of row) {
      insert.run(from, to, w, kinds === 1 ? 0 : kinds === 2 ? 1 : 2);
      count++;
    }
  }
  return { mode, refsResolved: resolved, edges: count };
}

function resolveRef(
  r: RefRow,
  all: Sym[] | undefined,
  dirOf: Map<number, string>,
  importsOf: Map<number, Set<number>>,
  familyOfFile: Map<number, string>,
): Sym[] {
  if (!all) return [];
  const family = familyOfFile.get(r.file_id);
  const kinds = r.kind === 0 ? (s: Sym) => !NOT_CALLABLE.has(s.kind) : (s: Sym) => TYPE_KINDS.has(s.kind);
  const wanted = all.filter((s) => kinds(s) && familyOfFile.get(s.fileId) === family);
  if (wanted.length <= 1) return wanted;
  const sameFile = wanted.filter((s) => s.fileId === r.file_id);
  if (sameFile.length) return sameFile;
  const dir = dirOf.get(r.file_id);
  const sameDir = wanted.filter((s) => dirOf.get(s.fileId) === dir);
  if (sameDir.length) return sameDir;
  const imported = importsOf.get(r.file_id);
  if (imported) {
    const viaImport = wanted.filter((s) => imported.has(s.fileId));
    if (viaImport.length) return viaImport;
  }
  return wanted.length <= MAX_CANDIDATES ? wanted : [];
}

function loadImports(db: Database, importer: ImportResolver, pathOf: Map<number, string>): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (const row of db.query("SELECT file_id, spec FROM imports").all() as { file_id: number; spec: string }[]) {
    const from = pathOf.get(row.file_id);
    if (!from) continue;
    const hits = importer.resolve(from, row.spec);
    if (!hits.length) continue;
    let set = out.get(row.file_id);
    if (!set) out.set(row.file_id, (set = new Set()));
    for (const h of hits) set.add(h);
  }
  return out;
}

/** Symbols whose outgoing edges may differ after `changes`. */
function affectedCallers(db: Database, changes: EdgeChanges): Set<number> {
  const out = new Set<number>();
  const symbolsOfFile = db.prepare("SELECT id FROM symbols WHERE file_id = ?");
  const addFile = (fileId: number) => {
    for (const { id } of symbolsOfFile.all(fileId) as { id: number }[]) out.add(id);
  };
  for (const f of changes.files) addFile(f);
  const callersOfName = db.prepare("SELECT DISTINCT from_symbol FROM refs WHERE name = ? AND from_symbol IS NOT NULL");
  for (const name of changes.names) {
    for (const { from_symbol } of callersOfName.all(name) as { from_symbol: number }[]) out.add(from_symbol);
  }
  if (changes.pathsAddedOrRemoved.size) {
    // A file that appeared or vanished changes what imports resolve to; re-resolve their importers.
    // Removed files are gone from `importer`, so match specs against the changed paths directly.
    const changedStems = [...changes.pathsAddedOrRemoved].map((p) => p.replace(/\.[^./]+$/, ""));
    for (const row of db.query("SELECT DISTINCT file_id, spec FROM imports").all() as { file_id: number; spec: string }[]) {
      const words = row.spec.replace(/^[.@]+/, "").split(/::|\\|\/|\./).filter(Boolean).join("/");
      if (!words) continue;
      if (changedStems.some((stem) => stem.endsWith(words) || posix.dirname(stem).endsWith(words) || stem.includes(`${words}/`))) {
        addFile(row.file_id);
      }
    }
  }
  return out;
}

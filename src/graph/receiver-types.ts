// Calls resolved through the receiver's type. The extractor says what one file knows about a
// receiver (src/parser/receivers.ts: a type name, or "what f returns", or "field x of T"); here
// that becomes a type defined in the repo, and the call a method of that type or of its ancestors
// (extends, implements, protocol conformance, `impl Trait for`, Go embedding). A type the repo
// does not define (a library's, the language's own) means the call is not the repo's: no edge.
// A receiver nothing is known about, or one whose type has no such member where a plain call may
// still mean a function (an implicit `this`), is left to the name rules in edges.ts.
import type { GraphSymbol } from "./edges.ts";

/** Supertype relations as extracted: the file that states it, the type, the base. */
export interface GraphRelation {
  fileId: number;
  type: string;
  base: string;
}

const CALLABLE_NOT = new Set(["constant", "module", "namespace", "field", "property"]);
const FIELD_KINDS = new Set(["field", "property", "constant"]);
const TYPE_KINDS = new Set(["class", "struct", "interface", "enum", "trait", "type", "object"]);
const INTERFACE_KINDS = new Set(["interface", "trait"]);
const MAX_DEPTH = 8;
const MAX_TYPES = 5;

/** A type found for a receiver: its name and the file whose scope resolves it. */
interface TypeAt {
  name: string;
  fileId: number;
}

/** What TypedLookup needs from the edge resolver: names, scopes and the plain rules. */
export interface TypeScope {
  /** Every definition of a name (any kind, language or file). */
  candidates(name: string): GraphSymbol[] | undefined;
  /** Supertype relations naming `type` as the subtype. */
  basesOf(type: string): GraphRelation[] | undefined;
  family(fileId: number): string | undefined;
  dir(fileId: number): string | undefined;
  /** The nearest of `list` seen from fileId (same file, directory, imports, anywhere). */
  nearest(fileId: number, list: GraphSymbol[]): GraphSymbol[];
  /** The name rules: what a call `name` (REF_CALL / REF_IMPORTED through the import bound as `qualifier`) from fileId means. */
  byName(fileId: number, name: string, kind: number, qualifier?: string): GraphSymbol[];
}

/** Result of a typed lookup: the members found, or why none. */
export type Typed = { found: GraphSymbol[] } | { external: true } | { unknown: true };

export class TypedLookup {
  private readonly typeCache = new Map<string, TypeAt | null>();
  private readonly defsCache = new Map<string, GraphSymbol[]>();

  constructor(private readonly scope: TypeScope) {}

  /**
   * Methods named `name` of the type a receiver stands for, from a reference in fileId. found: the
   * type and the method are in the repo; external: the type is not the repo's; unknown: nothing is
   * known, or the type has no such member.
   */
  member(fileId: number, receiver: string, name: string, fields = false): Typed {
    const t = this.typeOf(fileId, receiver);
    if (!t) return { unknown: true };
    const defs = this.typeDefs(t.fileId, t.name);
    if (defs.length === 0) return { external: true };
    const found = this.inTypes(defs, name, fields);
    return found.length ? { found } : { unknown: true };
  }

  /** The type a receiver stands for, or null when the file's hint leads nowhere. */
  typeOf(fileId: number, receiver: string, depth = 0): TypeAt | null {
    if (!receiver || depth > 4) return null;
    const key = `${fileId}\0${receiver}`;
    if (this.typeCache.has(key)) return this.typeCache.get(key)!;
    this.typeCache.set(key, null); // a cycle of hints resolves to nothing
    const t = this.compute(fileId, receiver, depth);
    this.typeCache.set(key, t);
    return t;
  }

  private compute(fileId: number, r: string, depth: number): TypeAt | null {
    const hash = r.lastIndexOf("#");
    // `()T#x.f`: what method f of field x of T returns (the call is last); `()T.f#x`: field x of
    // what T's f returns (the field is last).
    const lastDot = r.lastIndexOf(".");
    if (hash > 0 && !(r.startsWith("()") && lastDot > hash)) {
      // Field x of T: its declared type, read where the field is declared.
      const owner = this.typeOf(fileId, r.slice(0, hash), depth + 1);
      if (!owner) return null;
      const fields = this.inTypes(this.typeDefs(owner.fileId, owner.name), r.slice(hash + 1), true);
      return this.agreedType(fields);
    }
    if (!r.startsWith("()")) return { name: r, fileId };
    const call = r.slice(2);
    const colon = call.indexOf(":");
    if (colon > 0 && !/[.#]/.test(call)) return this.agreedType(this.scope.byName(fileId, call.slice(colon + 1), 3 /* REF_IMPORTED */, call.slice(0, colon)));
    const dot = call.lastIndexOf(".");
    if (dot > 0) {
      // The owner is a type, a field path (`T#x`), or itself a call's result (`T.f`, `i:f`).
      const head = call.slice(0, dot);
      const owner = this.typeOf(fileId, /[.:]/.test(head) ? `()${head}` : head, depth + 1);
      if (!owner) return null;
      return this.agreedType(this.inTypes(this.typeDefs(owner.fileId, owner.name), call.slice(dot + 1), false));
    }
    return this.agreedType(this.scope.byName(fileId, call, 0 /* REF_CALL */));
  }

  /** The one type a set of targets gives: a class called as a constructor, or the declared type/return type they agree on. */
  private agreedType(targets: GraphSymbol[]): TypeAt | null {
    let out: TypeAt | null = null;
    for (const s of targets) {
      let name: string | null;
      if (TYPE_KINDS.has(s.kind)) name = s.name;
      else if (s.typeRef === "Self") name = s.container;
      else name = s.typeRef;
      if (!name) return null;
      if (out && out.name !== name) return null;
      out ??= { name, fileId: s.fileId };
    }
    return out;
  }

  /**
   * Types named `name` defined in the repo, nearest to fileId first, in fileId's language family.
   * `q/T` (written `q.T`, receivers.ts) is a T in a directory named q when there is one.
   */
  typeDefs(fileId: number, name: string): GraphSymbol[] {
    const family = this.scope.family(fileId);
    const key = `${fileId}\0${name}`;
    let defs = this.defsCache.get(key);
    if (!defs) {
      const slash = name.indexOf("/");
      let bare = slash < 0 ? name : name.slice(slash + 1);
      // `Map$Entry` (receivers.ts): Entry declared in Map, when the repo has such a nested type.
      const dollar = bare.lastIndexOf("$");
      let outer = "";
      if (dollar > 0 && !this.scope.candidates(bare)?.length) {
        outer = bare.slice(bare.lastIndexOf("$", dollar - 1) + 1, dollar);
        bare = bare.slice(dollar + 1);
      }
      let all = (this.scope.candidates(bare) ?? []).filter((s) => TYPE_KINDS.has(s.kind) && this.scope.family(s.fileId) === family);
      if (outer && all.some((s) => s.container === outer)) all = all.filter((s) => s.container === outer);
      if (slash > 0) {
        const q = `/${name.slice(0, slash)}`;
        const inQ = all.filter((s) => `/${this.scope.dir(s.fileId)}`.endsWith(q));
        if (inQ.length || family === "go") all = inQ;
      } else if (family === "go") {
        // An unqualified type in Go is the package's own.
        const dir = this.scope.dir(fileId);
        all = all.filter((s) => this.scope.dir(s.fileId) === dir);
      }
      defs = all.length <= 1 ? all : this.scope.nearest(fileId, all);
      if (defs.length > MAX_TYPES) defs = [];
      this.defsCache.set(key, defs);
    }
    return defs;
  }

  /** Members named `name` of these types or, failing that, of their ancestors (breadth-first). */
  inTypes(types: GraphSymbol[], name: string, fields: boolean): GraphSymbol[] {
    const seen = new Set<number>();
    let level = types;
    for (let depth = 0; depth < MAX_DEPTH && level.length; depth++) {
      const found: GraphSymbol[] = [];
      const next: GraphSymbol[] = [];
      let fromClass = 0;
      for (const t of level) {
        if (seen.has(t.id)) continue;
        seen.add(t.id);
        for (const m of this.ownMembers(t, name, fields)) {
          if (found.includes(m)) continue;
          found.push(m);
          if (!INTERFACE_KINDS.has(t.kind)) fromClass++;
        }
        if (found.length === 0) for (const b of this.bases(t)) next.push(b);
      }
      // A superclass's method and an interface's at the same depth: the class's implements the
      // interface's (`super.retainAll(c)` in a set is AbstractCollection's, not Set's).
      if (fromClass > 0 && fromClass < found.length) return found.filter((m) => !INTERFACE_KINDS.has(this.ownerKind(m, level)));
      if (found.length) return found;
      level = next;
    }
    return [];
  }

  /** The kind of the type among `level` that declares member m. */
  private ownerKind(m: GraphSymbol, level: GraphSymbol[]): string {
    return level.find((t) => t.name === m.container && (t.fileId === m.fileId || this.scope.dir(t.fileId) === this.scope.dir(m.fileId)))?.kind ?? "class";
  }

  /** The supertypes of a type that the repo defines. */
  bases(t: GraphSymbol): GraphSymbol[] {
    const rel = this.scope.basesOf(t.name);
    if (!rel) return [];
    const near = this.near(t, rel);
    const out: GraphSymbol[] = [];
    for (const r of near) for (const d of this.typeDefs(t.fileId, r.base)) if (d.id !== t.id && !out.includes(d)) out.push(d);
    return out;
  }

  /** Members of t itself: declared in its file, else its directory (Go methods, Rust impls), else anywhere in its family but Go's. */
  private ownMembers(t: GraphSymbol, name: string, fields: boolean): GraphSymbol[] {
    const family = this.scope.family(t.fileId);
    const all = (this.scope.candidates(name) ?? []).filter(
      (s) => s.container === t.name && (fields ? FIELD_KINDS.has(s.kind) : !CALLABLE_NOT.has(s.kind)) && this.scope.family(s.fileId) === family,
    );
    return this.near(t, all);
  }

  private near<T extends { fileId: number }>(t: GraphSymbol, list: T[]): T[] {
    if (list.length === 0) return list;
    const sameFile = list.filter((s) => s.fileId === t.fileId);
    if (sameFile.length) return sameFile;
    const dir = this.scope.dir(t.fileId);
    const sameDir = list.filter((s) => this.scope.dir(s.fileId) === dir);
    if (sameDir.length || this.scope.family(t.fileId) === "go") return sameDir;
    return list.length <= MAX_TYPES ? list : [];
  }
}

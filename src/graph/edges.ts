// Turn references into call-graph edges. A reference names a symbol; which one is decided by
// scope hints, nearest first: the same file, the same directory (package), a file the referring
// file imports, and finally a name that is unique in the repo. A name that stays ambiguous at the
// nearest scope that has candidates spreads its weight evenly over them, up to MAX_CANDIDATES;
// beyond that it carries no signal (think `String()` in a package with twenty String methods, or
// `get` across a repo) and is left unresolved.
//
// Member calls, whose receiver's type the index does not know, are held to less: `x.f()` stops
// before the repo-wide hint (`items.push(v)` is far more often the language's own push than the
// one `push` method the repo happens to define); `fmt.Println()`, through an import's name, looks
// in the imported files only; and one named like a method of the language's own types (`m.get(k)`,
// core-methods.ts) reaches another file's method only when the calling file names that method's type.
//
// A receiver's type, when the extractor could tell it (receiver-types.ts), comes before all of
// that: `s.Get()` with `s *Server` goes to Server's Get (or an ancestor's), and nowhere else.
//
// Three ways in: computeEdges() works on data already in memory (a cold build has every symbol and
// reference at hand and never reads them back), updateEdges(db, "full") reads the whole index, and
// updateEdges(db, changes) re-resolves only the referrers whose edges can have moved.
import type { Database } from "bun:sqlite";
import { posix } from "node:path";
import { isCoreMethod } from "./core-methods.ts";
import { ImportResolver } from "./imports.ts";
import { type GraphRelation, TypedLookup } from "./receiver-types.ts";
import { admits, byArgTypes } from "../parser/arity.ts";
import { importBinding, importPath } from "../parser/extract.ts";
import { REF_CALL, REF_IMPORTED, REF_MEMBER, REF_TYPE, refCountOf, refKindOf } from "../parser/ref-kinds.ts";

/**
 * An ambiguous name with more candidates than this, at the nearest scope that has any, gets no
 * edge at all. It was 12, and applied only to repo-wide candidates (a package with 60 String
 * methods gave each call 60 edges of weight 1/60); with 5 at every scope the Go standard library
 * has ~630k edges instead of ~1.16M, and the dropped ones each weighed 1/6 or less.
 */
export const MAX_CANDIDATES = 5;

/** Languages whose code can call each other directly; a reference never resolves outside its family. */
const FAMILY: Record<string, string> = { typescript: "js", tsx: "js", javascript: "js", c: "c", cpp: "c", java: "jvm", kotlin: "jvm" };
const familyOf = (lang: string) => FAMILY[lang] ?? lang;

/**
 * Families where a method is only ever called on a receiver (`s.Get()`, `this.save()`,
 * `self.save()`): a plain call `resolve(x)` is a function (or a parameter, or an import from a
 * library), never a method. Not Java, Kotlin, C#, C++, Swift or Ruby (implicit `this`/`self`),
 * nor Rust and PHP, whose `Type::new()` and `Cls::make()` are plain calls of methods.
 */
const NO_IMPLICIT_RECEIVER = new Set(["go", "js", "python"]);

const NOT_CALLABLE = new Set(["constant", "module", "namespace", "field", "property"]);

/** How an edge was resolved (edges.via), weakest first: by name and scope, through an import's name, by the receiver's type. */
export const VIA_NAME = 0;
export const VIA_IMPORT = 1;
export const VIA_TYPE = 2;
export const VIA_NAMES = ["name", "import", "type"] as const;
const TYPE_KINDS = new Set(["class", "struct", "interface", "enum", "trait", "type", "object"]);

export interface GraphSymbol {
  id: number;
  fileId: number;
  name: string;
  kind: string;
  /** The class, struct, receiver type or module it is defined in, or null at top level. */
  container: string | null;
  /** A field's declared type, a function's return type (bare names), or null. */
  typeRef: string | null;
  /** A function's parameter count ("2", "1-3", "1+": src/parser/arity.ts), or null. */
  arity?: string | null;
}

export interface GraphFile {
  id: number;
  path: string;
  lang: string;
}

/** References of one symbol to one name and kind (REF_CALL, REF_TYPE, REF_MEMBER, REF_IMPORTED), `count` times. */
export interface GraphRef {
  from: number;
  fileId: number;
  name: string;
  kind: number;
  count: number;
  /** What the file says about the receiver's type (src/parser/receivers.ts), "" for nothing. */
  recv: string;
  /** How many arguments the calls pass, -1 when not known. */
  args?: number;
  /** Java: the arguments' types as far as written ("int,,String"), "" or absent when none. */
  argTypes?: string;
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

/** Edges sorted by (from, to); kind 0 = calls only, 1 = type uses only, 2 = both. */
export interface EdgeList {
  count: number;
  from: Int32Array;
  to: Int32Array;
  weight: Float64Array;
  kind: Uint8Array;
  /** VIA_NAME, VIA_IMPORT or VIA_TYPE: the strongest way any of the edge's references was resolved. */
  via: Uint8Array;
}

/** Targets of a reference and how they were found. */
export interface Resolution {
  targets: GraphSymbol[];
  via: number;
}

const NONE: Resolution = { targets: [], via: VIA_NAME };

/**
 * Resolves (referring file, name, kind) to target symbols. Answers are cached per triple: every
 * reference to `Errorf` from one file resolves the same way.
 */
export class EdgeResolver {
  private readonly dirOf = new Map<number, string>();
  private readonly familyOfFile = new Map<number, string>();
  private readonly pathOf = new Map<number, string>();
  private importer: ImportResolver | null = null;
  private readonly importsOf = new Map<number, Set<number>>();
  private readonly importNamed = new Map<string, Set<number>>();
  private readonly wantedCache = new Map<string, GraphSymbol[]>();
  private readonly cache = new Map<string, Resolution>();
  private readonly typed: TypedLookup | null;

  constructor(
    private readonly files: GraphFile[],
    /** Every definition of a name (any kind, any language); undefined when there is none. */
    private readonly candidates: (name: string) => GraphSymbol[] | undefined,
    /** The import specs of a file. */
    private readonly importSpecs: (fileId: number) => string[],
    /** Whether any code in a file references a name (calls it or uses it as a type). */
    private readonly fileRefers: (fileId: number, name: string) => boolean,
    /** Supertype relations naming a type; absent: receivers' types are not used (the rules before them). */
    basesOf?: (type: string) => GraphRelation[] | undefined,
  ) {
    for (const f of files) {
      this.dirOf.set(f.id, posix.dirname(f.path));
      this.familyOfFile.set(f.id, familyOf(f.lang));
      this.pathOf.set(f.id, f.path);
    }
    this.typed = basesOf
      ? new TypedLookup({
          candidates,
          basesOf,
          family: (id) => this.familyOfFile.get(id),
          dir: (id) => this.dirOf.get(id),
          nearest: (id, list) => this.nearest(id, list, true, false),
          byName: (id, name, kind, qualifier) => this.resolve(id, name, kind, kind === REF_IMPORTED ? (qualifier ?? "") : "").targets,
        })
      : null;
  }

  /** The typed lookup (receivers' types and supertypes), or null for the name rules alone. */
  get types(): TypedLookup | null {
    return this.typed;
  }

  resolve(fileId: number, name: string, kind: number, recv = "", args = -1, argTypes = ""): Resolution {
    // Argument counts tell overloads apart only with the typed rules (the name rules stay as they were).
    if (!this.typed || kind === REF_TYPE) args = -1;
    if (args < 0) argTypes = "";
    const key = `${fileId}\0${kind}\0${name}\0${recv}\0${args}\0${argTypes}`;
    let hit = this.cache.get(key);
    if (!hit) {
      const outer = this.args;
      const outerTypes = this.argTypes;
      this.args = args;
      this.argTypes = argTypes;
      try {
        hit = this.typedLookup(fileId, name, kind, recv) ?? this.byName(fileId, name, kind, kind === REF_IMPORTED ? recv : "");
        if (this.typed && kind === REF_CALL) hit = this.constructorsOf(hit);
        // `ecre.sub()`, `self._lines.append()` in Go, JavaScript or Python: a value's member is a
        // method, never a module's function of that name (re.sub, a module-level append).
        if (this.typed && kind === REF_MEMBER && recv && NO_IMPLICIT_RECEIVER.has(this.familyOfFile.get(fileId) ?? "") && hit.targets.some((t) => t.container === null)) {
          hit = { targets: hit.targets.filter((t) => t.container !== null), via: hit.via };
        }
      } finally {
        this.args = outer;
        this.argTypes = outerTypes;
      }
      this.cache.set(key, hit);
    }
    return hit;
  }

  /**
   * `new Set(s)` resolved to class Set (a nested class found as a member of the enclosing one, say)
   * calls Set's constructors, where the language names them after the class (Java, C#, C++):
   * those of its file, with the argument count's say.
   */
  private constructorsOf(hit: Resolution): Resolution {
    if (!hit.targets.some((t) => TYPE_KINDS.has(t.kind))) return hit;
    const targets: GraphSymbol[] = [];
    for (const t of hit.targets) {
      const ctors = TYPE_KINDS.has(t.kind) ? (this.candidates(t.name) ?? []).filter((c) => c.kind === "method" && c.container === t.name && c.fileId === t.fileId) : [];
      if (ctors.length) targets.push(...this.capped(ctors));
      else targets.push(t);
    }
    return { targets, via: hit.via };
  }

  /** The argument count of the call being resolved (-1: not known), for capped(). */
  private args = -1;
  /** The arguments' types of the call being resolved ("" when none). */
  private argTypes = "";

  /**
   * More candidates than MAX_CANDIDATES, at whatever scope they were found, is no signal: no edge.
   * Before counting, overloads that cannot take the call's arguments go (`new ArrayList(n)` is not
   * `ArrayList(Collection)` plus `ArrayList()`), unless none can: then the counts were misread
   * (a Python decorator, a call through `Class.method(obj, …)`) and every candidate stays.
   */
  private capped(list: GraphSymbol[]): GraphSymbol[] {
    if (this.args >= 0 && list.length > 1) {
      const args = this.args;
      const fit = list.filter((s) => admits(s.arity ?? null, args));
      if (fit.length) list = byArgTypes(fit, this.argTypes);
    }
    return capped(list);
  }

  /** Through the receiver's type; null when that says nothing and the name rules decide. */
  private typedLookup(fileId: number, name: string, kind: number, recv: string): Resolution | null {
    if (!recv || !this.typed || (kind !== REF_MEMBER && kind !== REF_CALL)) return null;
    const t = this.typed.member(fileId, recv, name);
    if ("found" in t) return { targets: this.capped(t.found), via: VIA_TYPE };
    // A member call on a type the repo does not define is a call into a library.
    if ("external" in t && kind === REF_MEMBER) return NONE;
    return null;
  }

  /** `qualifier`: for a call through an import's name, that name (`strings` in `strings.Cut()`). */
  private byName(fileId: number, name: string, kind: number, qualifier: string): Resolution {
    const targets = this.lookup(fileId, name, kind, qualifier);
    return targets.length ? { targets, via: kind === REF_IMPORTED ? VIA_IMPORT : VIA_NAME } : NONE;
  }

  private lookup(fileId: number, name: string, kind: number, qualifier: string): GraphSymbol[] {
    const family = this.familyOfFile.get(fileId);
    if (family === undefined) return [];
    if (family === "go") return this.goLookup(fileId, name, kind, qualifier);
    // Python has module globals, Java no free functions: a plain call is the file's or an import's.
    if (kind === REF_CALL && (family === "python" || this.pathOf.get(fileId)?.endsWith(".java"))) return this.fileOrImportCall(fileId, name, family);
    return this.lookupIn(fileId, name, kind, family, qualifier);
  }

  /**
   * A plain call in Python names a module global or a builtin: a function of this file, or one
   * the file imports (`from .parser import parse`). Another module's function of the same name is
   * never meant (`str(x)` is not locale.py's `str`, however unique that is in the repo). In Java a
   * plain call is a method of the class, an enclosing or nested class (this file), a supertype's
   * (found by the receiver's type first) or a static import; never an unrelated class's
   * (`getClass()` is not Pattern's private `getClass(int)`), but a constructor call names any
   * class of the package.
   */
  private fileOrImportCall(fileId: number, name: string, family: string): GraphSymbol[] {
    const wanted = this.wanted(name, family === "python" ? REF_CALL : REF_MEMBER, family);
    const sameFile = wanted.filter((s) => s.fileId === fileId);
    if (sameFile.length) return this.capped(sameFile);
    if (family !== "python") {
      // `new Cache()`: a class of the same package needs no import (its constructors are named like it).
      const dir = this.dirOf.get(fileId);
      const types = wanted.filter((s) => (TYPE_KINDS.has(s.kind) || s.name === s.container) && this.dirOf.get(s.fileId) === dir);
      if (types.length) return this.capped(types);
    }
    const imported = this.capped(this.viaImports(fileId, wanted));
    return imported.length || family !== "python" ? imported : this.renamedImport(fileId, name);
  }

  /** Python's `from quopri import encodestring as _encodestring`: `_encodestring()` is quopri's encodestring. */
  private renamedImport(fileId: number, name: string): GraphSymbol[] {
    const from = this.pathOf.get(fileId);
    if (from === undefined) return [];
    for (const spec of this.importSpecs(fileId)) {
      if (!spec.endsWith(` as ${name}`) || importBinding(spec) !== name) continue;
      const path = importPath(spec);
      const dot = path.lastIndexOf(".");
      if (dot < 0) continue;
      const module = /^\.+$/.test(path.slice(0, dot + 1)) ? path.slice(0, dot + 1) : path.slice(0, dot);
      this.importer ??= new ImportResolver(this.files);
      const files = new Set(this.importer.resolve(from, module));
      return this.capped(this.wanted(path.slice(dot + 1), REF_CALL, "python").filter((s) => files.has(s.fileId)));
    }
    return [];
  }

  /**
   * Go's own rules on top: `len(x)` and the other predeclared functions are the language's (the
   * repo's builtin/builtin.go only documents them); `pkg.F()` names a function, never a method;
   * code outside a `_test.go` file never calls into one.
   */
  private goLookup(fileId: number, name: string, kind: number, qualifier: string): GraphSymbol[] {
    if (kind === REF_CALL && GO_BUILTINS.has(name)) return [];
    const fromTest = this.pathOf.get(fileId)?.endsWith("_test.go") ?? false;
    const list = this.lookupIn(fileId, name, kind, "go", qualifier);
    return list.filter((s) => (fromTest || !this.pathOf.get(s.fileId)!.endsWith("_test.go")) && (kind !== REF_IMPORTED || s.kind !== "method"));
  }

  private lookupIn(fileId: number, name: string, kind: number, family: string, qualifier = ""): GraphSymbol[] {
    // Member and import-qualified calls may mean any callable; a plain call, a method only where
    // code calls its own class's methods without naming the receiver.
    const want = kind === REF_TYPE ? REF_TYPE : kind === REF_CALL && NO_IMPLICIT_RECEIVER.has(family) ? REF_CALL : REF_MEMBER;
    const wanted = this.wanted(name, want, family);
    // A member call's receiver could be anything, the language's own types included: `items.push(v)`
    // is not a call of the repo's one `push` method unless that method is in sight.
    if (kind === REF_MEMBER) {
      const near = this.nearest(fileId, wanted, false, isCoreMethod(family, name));
      // With receivers' types in use, a member call whose receiver stayed unknown is kept only when
      // one method is in sight: several same-named methods near it are mostly other types' (measured
      // by bench:callgraph; the name rules alone spread it over them).
      // (Overloads of one method count as one: the call's argument count may single one out.)
      if (!this.typed) return this.capped(near);
      // Python: named like a method of the language's own types (`parts.pop(0)`, `d.items()`), on
      // a receiver nothing is known of, it is the language's, even with a namesake in the same
      // file (measured by bench:callgraph; in TypeScript and JavaScript that lost more than it won).
      if (family === "python" && isCoreMethod(family, name)) return [];
      const fit = near.length > 1 ? this.capped(near) : near;
      return fit.length === 1 ? fit : [];
    }
    // `fmt.Println()`: the qualifier is an import's name, so that import decides, nothing nearer
    // (not `bytes.Println` because the file imports bytes too); an import the repo does not hold
    // (a library) gives no edge. Without the qualifier (an index from before it was kept): any import.
    if (kind === REF_IMPORTED) return this.capped(qualifier ? this.viaImport(fileId, qualifier, wanted) : this.viaImports(fileId, wanted));
    if (wanted.length <= 1) return wanted;
    return this.capped(this.nearest(fileId, wanted, true, false));
  }

  /**
   * The candidates at the nearest scope that has any: file, directory, imported files, and
   * (`anywhere`) the whole repo. With `typeNamed` (a member call named like a method of the
   * language's own types: `m.get(k)`, see core-methods.ts), a method in another file counts only
   * when the calling file names its class or type (`c: Column`, `new Column()`).
   */
  private nearest(fileId: number, wanted: GraphSymbol[], anywhere: boolean, typeNamed: boolean): GraphSymbol[] {
    if (wanted.length === 0) return wanted;
    const sameFile = wanted.filter((s) => s.fileId === fileId);
    if (sameFile.length) return sameFile;
    const seen = typeNamed ? wanted.filter((s) => s.container !== null && this.fileRefers(fileId, s.container)) : wanted;
    const dir = this.dirOf.get(fileId);
    const sameDir = seen.filter((s) => this.dirOf.get(s.fileId) === dir);
    if (sameDir.length) return sameDir;
    const viaImport = this.viaImports(fileId, seen);
    if (viaImport.length) return viaImport;
    return anywhere ? seen : [];
  }

  /** The candidates in the files of the file's import bound as `binding`. */
  private viaImport(fileId: number, binding: string, wanted: GraphSymbol[]): GraphSymbol[] {
    if (wanted.length === 0) return wanted;
    const key = `${fileId}\0${binding}`;
    let set = this.importNamed.get(key);
    if (!set) {
      set = new Set();
      const from = this.pathOf.get(fileId);
      if (from !== undefined) {
        this.importer ??= new ImportResolver(this.files);
        // (`urllib.parse.quote()` in Python names the import `urllib.parse` in full.)
        const dot = binding.indexOf(".");
        for (const spec of this.importSpecs(fileId)) {
          if (importBinding(spec) === binding || spec === binding) {
            let files = this.importer.resolve(from, spec);
            // Python's `from .config import settings`: not a submodule, so a name of .config.
            const path = importPath(spec);
            if (files.length === 0 && from.endsWith(".py") && /[^.]\.[^.]+$/.test(path)) files = this.importer.resolve(from, path.slice(0, path.lastIndexOf(".")));
            for (const h of files) set.add(h);
          }
          // `urllib.parse.quote()` after `import urllib`: the submodule urllib.parse.
          else if (dot > 0 && importBinding(spec) === binding.slice(0, dot)) for (const h of this.importer.resolve(from, importPath(spec) + binding.slice(dot))) set.add(h);
        }
      }
      this.importNamed.set(key, set);
    }
    const files = set;
    return wanted.filter((s) => files.has(s.fileId));
  }

  private viaImports(fileId: number, wanted: GraphSymbol[]): GraphSymbol[] {
    if (wanted.length === 0) return wanted;
    const imported = this.imports(fileId);
    return imported.size ? wanted.filter((s) => imported.has(s.fileId)) : [];
  }

  /**
   * The definitions of `name` a reference from this language family can mean: types for REF_TYPE,
   * callables but methods for REF_CALL, any callable for REF_MEMBER.
   */
  private wanted(name: string, want: number, family: string): GraphSymbol[] {
    const key = `${want}\0${family}\0${name}`;
    let list = this.wantedCache.get(key);
    if (!list) {
      const all = this.candidates(name) ?? [];
      const fits =
        want === REF_TYPE
          ? (s: GraphSymbol) => TYPE_KINDS.has(s.kind)
          : want === REF_CALL
            ? (s: GraphSymbol) => !NOT_CALLABLE.has(s.kind) && s.kind !== "method"
            : (s: GraphSymbol) => !NOT_CALLABLE.has(s.kind);
      list = all.filter((s) => fits(s) && this.familyOfFile.get(s.fileId) === family);
      this.wantedCache.set(key, list);
    }
    return list;
  }

  private imports(fileId: number): Set<number> {
    let set = this.importsOf.get(fileId);
    if (!set) {
      set = new Set();
      const from = this.pathOf.get(fileId);
      const specs = from === undefined ? [] : this.importSpecs(fileId);
      if (specs.length) {
        this.importer ??= new ImportResolver(this.files);
        for (const spec of specs) for (const h of this.importer.resolve(from!, spec)) set.add(h);
      }
      this.importsOf.set(fileId, set);
    }
    return set;
  }
}

const GO_BUILTINS = new Set([
  "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min", "new", "panic", "print",
  "println", "real", "recover",
]);

/** More candidates than MAX_CANDIDATES, at whatever scope they were found, is no signal: no edge. */
const capped = (list: GraphSymbol[]) => (list.length <= MAX_CANDIDATES ? list : []);

/** Resolve references and aggregate them per (from, to), sorted. */
export function resolveEdges(refs: Iterable<GraphRef>, resolver: EdgeResolver): { edges: EdgeList; resolved: number } {
  const weights = new Map<number, Map<number, { w: number; kinds: number; via: number }>>();
  let resolved = 0;
  for (const r of refs) {
    const { targets, via } = resolver.resolve(r.fileId, r.name, r.kind, r.recv, r.args ?? -1, r.argTypes ?? "");
    if (targets.length === 0) continue;
    resolved += r.count;
    const share = r.count / targets.length;
    const bit = r.kind === REF_TYPE ? 2 : 1;
    let row = weights.get(r.from);
    for (const t of targets) {
      if (t.id === r.from) continue; // recursion is not a signal of importance
      if (!row) weights.set(r.from, (row = new Map()));
      const cur = row.get(t.id);
      if (cur) {
        cur.w += share;
        cur.kinds |= bit;
        if (via > cur.via) cur.via = via;
      } else row.set(t.id, { w: share, kinds: bit, via });
    }
  }
  let count = 0;
  for (const row of weights.values()) count += row.size;
  const edges: EdgeList = {
    count,
    from: new Int32Array(count),
    to: new Int32Array(count),
    weight: new Float64Array(count),
    kind: new Uint8Array(count),
    via: new Uint8Array(count),
  };
  let i = 0;
  for (const from of [...weights.keys()].sort((a, b) => a - b)) {
    const row = weights.get(from)!;
    for (const to of [...row.keys()].sort((a, b) => a - b)) {
      const { w, kinds, via } = row.get(to)!;
      edges.via[i] = via;
      edges.from[i] = from;
      edges.to[i] = to;
      edges.weight[i] = w;
      edges.kind[i] = kinds === 1 ? 0 : kinds === 2 ? 1 : 2;
      i++;
    }
  }
  return { edges, resolved };
}

/** Everything the graph needs about a repo, as objects (read back from the index). */
export interface GraphInput {
  files: GraphFile[];
  symbols: GraphSymbol[];
  refs: GraphRef[];
  imports: Map<number, string[]>;
  relations: GraphRelation[];
}

/** Supertype relations by subtype name. */
export function relationIndex(relations: Iterable<GraphRelation>): Map<string, GraphRelation[]> {
  const out = new Map<string, GraphRelation[]>();
  for (const r of relations) {
    const list = out.get(r.type);
    if (list) list.push(r);
    else out.set(r.type, [r]);
  }
  return out;
}

/** opts.legacy: the name rules alone, as before receivers' types were used (bench:callgraph's "before"). */
export function computeEdges(input: GraphInput | PackedGraph, opts: { legacy?: boolean } = {}): { edges: EdgeList; resolved: number } {
  if (input instanceof PackedGraph) return input.computeEdges(opts);
  const byName = new Map<string, GraphSymbol[]>();
  for (const s of input.symbols) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const namesOfFile = new Map<number, Set<string>>();
  for (const r of input.refs) {
    const set = namesOfFile.get(r.fileId);
    if (set) set.add(r.name);
    else namesOfFile.set(r.fileId, new Set([r.name]));
  }
  const bases = relationIndex(input.relations);
  const resolver = new EdgeResolver(
    input.files,
    (name) => byName.get(name),
    (fileId) => input.imports.get(fileId) ?? [],
    (fileId, name) => namesOfFile.get(fileId)?.has(name) ?? false,
    opts.legacy ? undefined : (type) => bases.get(type),
  );
  return resolveEdges(input.refs, resolver);
}

/** A growable typed column. */
class Column<T extends Int32Array | Uint8Array> {
  length = 0;
  constructor(public data: T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  get(i: number): number {
    return this.data[i]!;
  }
}

const KIND_CODES = new Map<string, number>();
const KIND_NAMES: string[] = [];
const kindCode = (kind: string): number => {
  let c = KIND_CODES.get(kind);
  if (c === undefined) {
    c = KIND_NAMES.length;
    KIND_NAMES.push(kind);
    KIND_CODES.set(kind, c);
  }
  return c;
};

/**
 * What a cold build keeps in memory for the call graph, as typed columns and interned names: a
 * quarter of a million symbols and half a million references as objects would keep the garbage
 * collector busy on the writing thread for the whole build.
 */
export class PackedGraph {
  readonly files: GraphFile[] = [];
  readonly imports = new Map<number, string[]>();
  readonly relations: GraphRelation[] = [];
  /** Name id -> name; ids start at 1. */
  private readonly names: string[] = [""];
  private readonly ids = new Map<string, number>();
  private readonly symId = new Column(new Int32Array(1024));
  private readonly symFile = new Column(new Int32Array(1024));
  private readonly symName = new Column(new Int32Array(1024));
  private readonly symKind = new Column(new Uint8Array(1024));
  /** Name id of the container, 0 for none. */
  private readonly symContainer = new Column(new Int32Array(1024));
  /** Name id of the declared or return type, 0 for none. */
  private readonly symType = new Column(new Int32Array(1024));
  /** Name id of the arity, 0 for none. */
  private readonly symArity = new Column(new Int32Array(1024));
  private readonly refFrom = new Column(new Int32Array(1024));
  private readonly refFile = new Column(new Int32Array(1024));
  private readonly refName = new Column(new Int32Array(1024));
  private readonly refKindCount = new Column(new Int32Array(1024));
  /** Name id of the receiver hint, 0 for none. */
  private readonly refRecv = new Column(new Int32Array(1024));
  private readonly refArgs = new Column(new Int32Array(1024));
  /** Name id of the arguments' types, 0 for none. */
  private readonly refArgTypes = new Column(new Int32Array(1024));

  nameId(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  addSymbol(id: number, fileId: number, name: string, kind: string, container: string | null, typeRef: string | null, arity: string | null = null): void {
    this.symType.push(typeRef === null ? 0 : this.nameId(typeRef));
    this.symArity.push(arity === null ? 0 : this.nameId(arity));
    this.symId.push(id);
    this.symFile.push(fileId);
    this.symName.push(this.nameId(name));
    this.symKind.push(kindCode(kind));
    this.symContainer.push(container === null ? 0 : this.nameId(container));
  }

  /** kindCount: count << REF_KIND_BITS | kind. */
  addRef(from: number, fileId: number, nameId: number, kindCount: number, recvId: number, args = -1, argTypesId = 0): void {
    this.refRecv.push(recvId);
    this.refArgs.push(args);
    this.refArgTypes.push(argTypesId);
    this.refFrom.push(from);
    this.refFile.push(fileId);
    this.refName.push(nameId);
    this.refKindCount.push(kindCount);
  }

  get symbolCount(): number {
    return this.symId.length;
  }

  /** Symbol ids and their file ids, in insertion order. */
  symbolColumns(): { ids: Int32Array; fileIds: Int32Array } {
    return { ids: this.symId.data.slice(0, this.symId.length), fileIds: this.symFile.data.slice(0, this.symFile.length) };
  }

  computeEdges(opts: { legacy?: boolean } = {}): { edges: EdgeList; resolved: number } {
    // (file, referenced name) pairs, one number each; built at the first core-named member call
    // that reaches beyond its own file (a Go tree never has one).
    const stride = this.names.length;
    let fileNames: Set<number> | null = null;
    const pairs = (): Set<number> => {
      if (fileNames) return fileNames;
      fileNames = new Set<number>();
      for (let i = 0; i < this.refFrom.length; i++) fileNames.add(this.refFile.get(i) * stride + this.refName.get(i));
      return fileNames;
    };
    const byName: (GraphSymbol[] | undefined)[] = new Array(this.names.length);
    const bases = relationIndex(this.relations);
    for (let i = 0; i < this.symId.length; i++) {
      const n = this.symName.get(i);
      const c = this.symContainer.get(i);
      const ty = this.symType.get(i);
      const ar = this.symArity.get(i);
      const s: GraphSymbol = {
        typeRef: ty === 0 ? null : this.names[ty]!,
        arity: ar === 0 ? null : this.names[ar]!,
        id: this.symId.get(i),
        fileId: this.symFile.get(i),
        name: this.names[n]!,
        kind: KIND_NAMES[this.symKind.get(i)]!,
        container: c === 0 ? null : this.names[c]!,
      };
      const list = byName[n];
      if (list) list.push(s);
      else byName[n] = [s];
    }
    const resolver = new EdgeResolver(
      this.files,
      (name) => {
        const id = this.ids.get(name);
        return id === undefined ? undefined : byName[id];
      },
      (fileId) => this.imports.get(fileId) ?? [],
      (fileId, name) => {
        const id = this.ids.get(name);
        return id !== undefined && pairs().has(fileId * stride + id);
      },
      opts.legacy ? undefined : (type) => bases.get(type),
    );
    const self = this;
    function* refs(): Generator<GraphRef> {
      const r: GraphRef = { from: 0, fileId: 0, name: "", kind: 0, count: 0, recv: "", args: -1, argTypes: "" };
      for (let i = 0; i < self.refFrom.length; i++) {
        const kc = self.refKindCount.get(i);
        r.from = self.refFrom.get(i);
        r.fileId = self.refFile.get(i);
        r.name = self.names[self.refName.get(i)]!;
        r.kind = refKindOf(kc);
        r.count = refCountOf(kc);
        const recv = self.refRecv.get(i);
        r.recv = recv === 0 ? "" : self.names[recv]!;
        r.args = self.refArgs.get(i);
        const types = self.refArgTypes.get(i);
        r.argTypes = types === 0 ? "" : self.names[types]!;
        yield r;
      }
    }
    return resolveEdges(refs(), resolver);
  }
}

/** Insert edges (sorted by primary key, so the B-tree only appends when the table was empty). */
export function writeEdges(db: Database, edges: EdgeList): void {
  const insert = db.prepare("INSERT INTO edges(from_symbol, to_symbol, weight, kind, via) VALUES (?, ?, ?, ?, ?)");
  for (let i = 0; i < edges.count; i++) insert.run(edges.from[i]!, edges.to[i]!, edges.weight[i]!, edges.kind[i]!, edges.via[i]!);
}

const REF_COLUMNS = `r.from_symbol AS "from", r.file_id AS fileId, n.name, r.kind, r.count, r.recv, r.args, r.arg_types AS argTypes`;
const REF_JOINS = "JOIN ref_names n ON n.id = r.name_id";

function loadFiles(db: Database): GraphFile[] {
  return db.query("SELECT id, path, lang FROM files WHERE skip_reason IS NULL").all() as GraphFile[];
}

export function updateEdges(db: Database, changes: EdgeChanges | "full"): EdgeStats {
  if (changes === "full") {
    const files = loadFiles(db);
    const symbols = db.query("SELECT id, file_id AS fileId, name, kind, container, type_ref AS typeRef, arity FROM symbols").all() as GraphSymbol[];
    const refs = db.query(`SELECT ${REF_COLUMNS} FROM refs r ${REF_JOINS}`).all() as GraphRef[];
    const relations = db.query("SELECT file_id AS fileId, name AS type, base FROM supertypes").all() as GraphRelation[];
    const imports = new Map<number, string[]>();
    for (const { file_id, spec } of db.query("SELECT file_id, spec FROM imports").all() as { file_id: number; spec: string }[]) {
      const list = imports.get(file_id);
      if (list) list.push(spec);
      else imports.set(file_id, [spec]);
    }
    const { edges, resolved } = computeEdges({ files, symbols, refs, imports, relations });
    db.exec("DELETE FROM edges");
    writeEdges(db, edges);
    return { mode: "full", refsResolved: resolved, edges: edges.count };
  }

  const from = affectedCallers(db, changes);
  if (from.size === 0) return { mode: "incremental", refsResolved: 0, edges: 0 };
  const del = db.prepare("DELETE FROM edges WHERE from_symbol = ?");
  const refsOf = db.prepare(`SELECT ${REF_COLUMNS} FROM refs r ${REF_JOINS} WHERE r.file_id = ? AND r.from_symbol = ?`);
  const refs: GraphRef[] = [];
  for (const [id, fileId] of [...from].sort((a, b) => a[0] - b[0])) {
    del.run(id);
    for (const r of refsOf.all(fileId, id) as GraphRef[]) refs.push(r);
  }
  // Only the names these references use are looked up (through the name index), not every symbol.
  const byName = db.prepare(
    "SELECT id, file_id AS fileId, name, kind, container, type_ref AS typeRef, arity FROM symbols WHERE name = ?1 COLLATE NOCASE AND name = ?1",
  );
  const basesOf = db.prepare("SELECT file_id AS fileId, name AS type, base FROM supertypes WHERE name = ?");
  const specsOf = db.prepare("SELECT spec FROM imports WHERE file_id = ?");
  const refersTo = db.prepare("SELECT 1 FROM ref_names n JOIN name_files nf ON nf.name_id = n.id WHERE n.name = ? AND nf.file_id = ?");
  const resolver = new EdgeResolver(
    loadFiles(db),
    (name) => byName.all(name) as GraphSymbol[],
    (fileId) => (specsOf.all(fileId) as { spec: string }[]).map((r) => r.spec),
    (fileId, name) => refersTo.get(name, fileId) !== null,
    (type) => basesOf.all(type) as GraphRelation[],
  );
  const { edges, resolved } = resolveEdges(refs, resolver);
  writeEdges(db, edges);
  return { mode: "incremental", refsResolved: resolved, edges: edges.count };
}

/** Symbols whose outgoing edges may differ after `changes`: symbol id -> its file id. */
function affectedCallers(db: Database, changes: EdgeChanges): Map<number, number> {
  const out = new Map<number, number>();
  const symbolsOfFile = db.prepare("SELECT id FROM symbols WHERE file_id = ?");
  const addFile = (fileId: number) => {
    for (const { id } of symbolsOfFile.all(fileId) as { id: number }[]) out.set(id, fileId);
  };
  for (const f of changes.files) addFile(f);
  const callersOfName = db.prepare(
    `SELECT DISTINCT r.from_symbol, r.file_id FROM ref_names n JOIN name_files nf ON nf.name_id = n.id
     JOIN refs r ON r.file_id = nf.file_id AND r.name_id = n.id WHERE n.name = ?`,
  );
  for (const name of changes.names) {
    for (const r of callersOfName.all(name) as { from_symbol: number; file_id: number }[]) out.set(r.from_symbol, r.file_id);
  }
  if (changes.pathsAddedOrRemoved.size) {
    // A file that appeared or vanished changes what imports resolve to; re-resolve their importers.
    // Removed files are gone from the index, so match specs against the changed paths directly.
    const changedStems = [...changes.pathsAddedOrRemoved].map((p) => p.replace(/\.[^./]+$/, ""));
    for (const row of db.query("SELECT DISTINCT file_id, spec FROM imports").all() as { file_id: number; spec: string }[]) {
      const words = importPath(row.spec).replace(/^[.@]+/, "").split(/::|\\|\/|\./).filter(Boolean).join("/");
      if (!words) continue;
      const hit = (stem: string) => {
        const dir = posix.dirname(stem);
        if (stem.endsWith(words) || dir.endsWith(words) || stem.includes(`${words}/`)) return true;
        // A Go import by module path ("example.com/m/z/hub") ends with the package's directory.
        return dir !== "." && (words === dir || words.endsWith(`/${dir}`));
      };
      if (changedStems.some(hit)) {
        addFile(row.file_id);
      }
    }
  }
  return out;
}

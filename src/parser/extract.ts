// Turns a tags-query run over one syntax tree into symbols, references and imports.
//
// Capture conventions (grammars/README.md documents them for query authors):
//   @definition.<kind> + @name      a definition; optional @container names its owner explicitly
//   @scope + @scope.name            a node that owns definitions without being one (a Rust impl block)
//   @reference.call|type + @name    a reference to a name (a call whose name follows `.` or `->`
//                                   is a member call, through an import when the identifier before
//                                   the `.` is an import's name: see RefKind)
//   @import                         an import spec (string quotes are stripped)
//   @type (inside a definition)     a field's declared type or a function's return type
//   @relation.type + @relation.base a type naming a supertype (extends, implements, embedding, impl for)
//   @binding.name + @binding.type|@binding.value
//                                   a parameter or variable with a declared type or an initialiser,
//                                   which tells a member call's receiver type (receivers.ts)
import type { Node, Parser, Query, Tree } from "web-tree-sitter";
import { docFor } from "./docs.ts";
import { withoutFTL } from "./jit.ts";
import { outerNode } from "./nodes.ts";
import type { LanguageSpec } from "./languages.ts";
import { C_COL, C_INDEX, C_ROW, C_START, CAPTURE_INTS, nodeAt, nodeEnd, passesPredicates, rawMatches } from "./raw-query.ts";
import type { LoadedLanguage } from "./runtime.ts";
import { REF_CALL, REF_IMPORTED, REF_KINDS, REF_MEMBER, REF_TYPE } from "./ref-kinds.ts";
import { COUNTS_ARGS, argumentCount, arityOf, javaArgTypes, javaType, scanArgumentCount } from "./arity.ts";
import { IMPLICIT_THIS, SELF_WORDS, bareTypeName, receiverOfValue } from "./receivers.ts";
import { signatureFor } from "./signature.ts";
import {
  CONTAINER_KINDS,
  SYMBOL_KINDS,
  type ExtractedRef,
  type ExtractedRelation,
  type ExtractedSymbol,
  type Extraction,
  type SymbolKind,
} from "./types.ts";

const KIND_SET: ReadonlySet<string> = new Set(SYMBOL_KINDS);

/** Parsing a single file may not take longer than this; pathological inputs are skipped. */
export const PARSE_BUDGET_MS = 5000;

export class ParseTimeout extends Error {}

interface Owner {
  start: number;
  end: number;
  name: string;
  kind: string;
  /** Index into symbols, or -1 for a scope that is not itself a symbol. */
  symbol: number;
  /** The innermost owner around this one (set by buildSymbols). */
  parent?: Owner | null;
}

interface PendingDef {
  node: Node;
  nameStart: number;
  nameEnd: number;
  kind: SymbolKind;
  /** Offset of the @container capture in the match buffer, or -1. */
  container: number;
  /** Offset of the @type capture (declared or return type), or -1. */
  type: number;
}

/** A parameter or variable: its name, where it is declared, and its receiver (receivers.ts). */
interface Binding {
  name: string;
  at: number;
  receiver: string;
}

/** What extract() does with each capture of a query, by capture index. */
const ROLE_OTHER = 0;
const ROLE_NAME = 1;
const ROLE_CONTAINER = 2;
const ROLE_SCOPE = 3;
const ROLE_SCOPE_NAME = 4;
const ROLE_IMPORT = 5;
const ROLE_DEFINITION = 6;
const ROLE_CALL = 7;
const ROLE_TYPE = 8;
const ROLE_TYPE_OF = 9;
const ROLE_REL_TYPE = 10;
const ROLE_REL_BASE = 11;
const ROLE_BIND_NAME = 12;
const ROLE_BIND_TYPE = 13;
const ROLE_BIND_VALUE = 14;
const ROLE_IMPORT_FROM = 15;
const ROLE_IMPORT_MEMBER = 16;

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
// Letters, digits, `_` and `$` (JavaScript, PHP); anything past ASCII counts as a letter.
const isIdentChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;

/**
 * Where the member access before the name at `at` starts: the `.` of `x.f`, `x?.f`, `x!!.f` or
 * the `-` of `x->f` (spaces and line breaks allowed around it); -1 when the name is not reached
 * through a value. `::` paths name a module or type, not a value: not member accesses.
 */
function memberAccessAt(source: string, at: number): number {
  let i = at - 1;
  while (i >= 0 && isSpace(source.charCodeAt(i))) i--;
  const c = source.charCodeAt(i);
  if (c === 46 /* . */) return i;
  return c === 62 /* > */ && source.charCodeAt(i - 1) === 45 /* - */ ? i - 1 : -1;
}

/**
 * The plain identifier before a member access (`fmt` in `fmt.Println`), or "" for `a.b.c`, `f().c`,
 * `x[0].c`; with `paths`, also a path of up to four names (`this.store` in `this.store.get()`,
 * `s.conn.mu` in `s.conn.mu.Lock()`).
 */
function qualifierBefore(source: string, op: number, paths = 0): string {
  let end = op;
  while (end > 0 && isSpace(source.charCodeAt(end - 1))) end--;
  let start = end;
  while (start > 0 && isIdentChar(source.charCodeAt(start - 1))) start--;
  if (start === end) return "";
  let before = start - 1;
  while (before >= 0 && isSpace(source.charCodeAt(before))) before--;
  const b = source.charCodeAt(before);
  const b2 = source.charCodeAt(before - 1);
  // Part of a longer path: `a.b.c`, `a->b.c`, `a::b.c`.
  const dot = b === 46 /* . */ ? before : b === 62 /* > */ && b2 === 45 /* -> */ ? before - 1 : -1;
  if (dot >= 0 && paths > 0 && source.charCodeAt(dot - 1) !== 63 /* ?. */) {
    const first = qualifierBefore(source, dot, paths - 1);
    return first ? `${first}.${source.slice(start, end)}` : "";
  }
  if (dot >= 0 || (b === 58 /* : */ && b2 === 58) /* :: */) return "";
  return source.slice(start, end);
}

/**
 * The call whose result a member call is made on, as `f()`, `x.f()` or `a.b.f()` (arguments
 * dropped): `r.Context()` in `r.Context().Done()`, `Header(h)` in `Header(h).Clone()`; "" when the
 * receiver is not a call's result. The receiver is then what that call returns.
 */
function callBefore(source: string, op: number): string {
  let end = op;
  while (end > 0 && isSpace(source.charCodeAt(end - 1))) end--;
  if (source.charCodeAt(end - 1) !== 41 /* ) */) return "";
  let depth = 0;
  let i = end - 1;
  const stop = Math.max(0, end - 400);
  for (; i >= stop; i--) {
    const c = source.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40 /* ( */ && --depth === 0) break;
  }
  if (i < stop || depth !== 0) return "";
  const callee = qualifierBefore(source, i, 2);
  return callee ? `${callee}()` : "";
}

/** `Type` in a path call `Type::new()` (`Type::<T>::new()`), "" when the name is not reached through a `::` path. */
function pathBefore(source: string, at: number): string {
  let i = at - 1;
  while (i >= 0 && isSpace(source.charCodeAt(i))) i--;
  if (source.charCodeAt(i) !== 58 || source.charCodeAt(i - 1) !== 58) return "";
  let end = i - 1;
  if (source.charCodeAt(end - 1) === 62 /* > */) {
    const open = source.lastIndexOf("<", end);
    if (open < 0 || end - open > 80) return "";
    end = open;
    if (source.charCodeAt(end - 1) === 58 && source.charCodeAt(end - 2) === 58) end -= 2;
  }
  let start = end;
  while (start > 0 && isIdentChar(source.charCodeAt(start - 1))) start--;
  return source.slice(start, end);
}

/**
 * The name an import is used by when it is not renamed: `net/http` → http, `gopkg.in/yaml.v3` →
 * yaml, `example.com/m/v2` → m, `java.util.List` → List, `./util.js` → util, `node:path` → path,
 * `./api/index.ts` → api.
 */
export function importBinding(spec: string): string {
  const alias = ALIAS.exec(spec);
  if (alias) return alias[2]!;
  const parts = spec.split(/[/\\:]+/).filter((p) => p && p !== "." && p !== "..");
  let last = parts.pop() ?? "";
  if (/^v\d+$/.test(last) && parts.length) last = parts.pop()!;
  last = last.replace(/\.(v\d+|[cm]?[jt]sx?|py|rb|php|h|hpp)$/, "");
  // A directory's entry file is named after the directory: `./api/index.ts` → api.
  if ((last === "index" || last === "__init__") && parts.length) last = parts.pop()!;
  const dot = last.lastIndexOf(".");
  return dot >= 0 ? last.slice(dot + 1) : last;
}

const rolesByQuery = new WeakMap<Query, { roles: Uint8Array; kinds: string[] }>();

function rolesOf(query: Query): { roles: Uint8Array; kinds: string[] } {
  let r = rolesByQuery.get(query);
  if (r) return r;
  const names = query.captureNames;
  const roles = new Uint8Array(names.length);
  const kinds: string[] = new Array(names.length).fill("");
  names.forEach((n, i) => {
    if (n === "name") roles[i] = ROLE_NAME;
    else if (n === "container") roles[i] = ROLE_CONTAINER;
    else if (n === "scope") roles[i] = ROLE_SCOPE;
    else if (n === "scope.name") roles[i] = ROLE_SCOPE_NAME;
    else if (n === "import") roles[i] = ROLE_IMPORT;
    else if (n.startsWith("definition.")) {
      roles[i] = ROLE_DEFINITION;
      kinds[i] = n.slice("definition.".length);
    } else if (n === "reference.call") roles[i] = ROLE_CALL;
    else if (n === "reference.type") roles[i] = ROLE_TYPE;
    else if (n === "type") roles[i] = ROLE_TYPE_OF;
    else if (n === "relation.type") roles[i] = ROLE_REL_TYPE;
    else if (n === "relation.base") roles[i] = ROLE_REL_BASE;
    else if (n === "binding.name") roles[i] = ROLE_BIND_NAME;
    else if (n === "binding.type") roles[i] = ROLE_BIND_TYPE;
    else if (n === "binding.value") roles[i] = ROLE_BIND_VALUE;
    else if (n === "import.from") roles[i] = ROLE_IMPORT_FROM;
    else if (n === "import.member") roles[i] = ROLE_IMPORT_MEMBER;
  });
  r = { roles, kinds };
  rolesByQuery.set(query, r);
  return r;
}

export function parseSource(parser: Parser, lang: LoadedLanguage, source: string, budgetMs = PARSE_BUDGET_MS): Tree {
  parser.setLanguage(lang.language);
  const deadline = performance.now() + budgetMs;
  const tree = parser.parse(source, null, { progressCallback: () => performance.now() > deadline });
  if (!tree) {
    // A cancelled parse leaves the parser poised to resume it: the next parse() would continue the
    // old parse over the new text. setLanguage above resets it too, but that is a side effect.
    parser.reset();
    throw new ParseTimeout(`parsing took longer than ${budgetMs} ms`);
  }
  return tree;
}

export function extract(spec: LanguageSpec, lang: LoadedLanguage, tree: Tree, source: string): Extraction {
  // Three functions rather than one: JSC's top tier compiles each on its own, and one large
  // function took it ~200 ms per worker to compile.
  const c = collect(spec, lang.query, tree, source);
  const { symbols, symbolOwners } = buildSymbols(spec, c, tree, source);
  const refs = attributeRefs(spec, c, symbols, symbolOwners, source);
  return { symbols, refs, imports: [...new Set(c.imports)].filter(Boolean), relations: c.relations, syntaxErrors: countErrors(tree.rootNode) };
}

interface Collected {
  buf: Int32Array;
  defs: PendingDef[];
  scopes: Owner[];
  // References as parallel arrays: name range, position, kind (REF_KINDS' index).
  refStart: number[];
  refEnd: number[];
  refRow: number[];
  refCol: number[];
  refKind: number[];
  /** Per reference (Java): its arguments' types as far as written (arity.ts javaArgTypes). */
  refArgTypes: string[];
  /** Java constructors (symbol indexes) that call super() without saying so. */
  implicitSuper: Set<number>;
  /** Per reference: the arguments a call passes, -1 when not known (arity.ts). */
  refArgs: number[];
  /** Per reference: the plain qualifier of a member call (`fmt` in `fmt.Println()`, `this.store` in `this.store.get()`), else "". */
  refQualifier: string[];
  imports: string[];
  /** The names the file's imports bind (languages with importNames). */
  importBindings?: Set<string>;
  /** Renamed imports: the name they are bound as -> the name the package has. */
  aliases?: Map<string, string>;
  relations: ExtractedRelation[];
  /** Bindings in document order: name, where, what is known of the type (raw: a type name, or a value's text). */
  bindName: string[];
  bindAt: number[];
  bindType: string[];
  bindValue: string[];
}

/** The query's matches sorted into definitions, scopes, references and imports. */
function collect(spec: LanguageSpec, query: Query, tree: Tree, source: string): Collected {
  const { roles, kinds } = rolesOf(query);
  const buf = rawMatches(query, tree);
  const hasPredicates = (query as unknown as { textPredicates: unknown[][] }).textPredicates.some((p) => p.length > 0);
  const c: Collected = {
    buf, defs: [], scopes: [], refStart: [], refEnd: [], refRow: [], refCol: [], refKind: [], refArgs: [], refArgTypes: [], implicitSuper: new Set(), refQualifier: [], imports: [], relations: [],
    bindName: [], bindAt: [], bindType: [], bindValue: [],
  };
  const { defs, scopes, refStart, refEnd, refRow, refCol, refKind, refArgs, refQualifier, imports } = c;
  const countsArgs = COUNTS_ARGS.has(spec.id);
  const seenDefs = new Set<string>();
  // Once, not per match: a closure made in the loop was an allocation per match (~11k on gin).
  const text = (off: number) => source.slice(buf[off + C_START]!, nodeEnd(buf, off, tree));
  for (let at = 0; at < buf.length; ) {
    const count = buf[at + 1]!;
    const first = at + 2;
    const next = first + count * CAPTURE_INTS;
    if (hasPredicates && !passesPredicates(query, buf, at, tree)) {
      at = next;
      continue;
    }
    at = next;
    let def = -1;
    let defKind = "";
    let name = -1;
    let container = -1;
    let scope = -1;
    let scopeName = -1;
    let ref = -1;
    let refNode = -1;
    let typeOf = -1;
    let relType = -1;
    let relBase = -1;
    let bindName = -1;
    let bindType = -1;
    let bindValue = -1;
    let importFrom = -1;
    let importMember = -1;
    for (let off = first; off < next; off += CAPTURE_INTS) {
      const index = buf[off + C_INDEX]!;
      switch (roles[index]) {
        case ROLE_NAME:
          name = off;
          break;
        case ROLE_CONTAINER:
          container = off;
          break;
        case ROLE_SCOPE:
          scope = off;
          break;
        case ROLE_SCOPE_NAME:
          scopeName = off;
          break;
        case ROLE_IMPORT:
          imports.push(importSpec(source.slice(buf[off + C_START]!, nodeEnd(buf, off, tree))));
          break;
        case ROLE_DEFINITION:
          def = off;
          defKind = kinds[index]!;
          break;
        case ROLE_CALL:
          ref = REF_CALL;
          refNode = off;
          break;
        case ROLE_TYPE:
          ref = REF_TYPE;
          break;
        case ROLE_TYPE_OF:
          typeOf = off;
          break;
        case ROLE_REL_TYPE:
          relType = off;
          break;
        case ROLE_REL_BASE:
          relBase = off;
          break;
        case ROLE_BIND_NAME:
          bindName = off;
          break;
        case ROLE_BIND_TYPE:
          bindType = off;
          break;
        case ROLE_BIND_VALUE:
          bindValue = off;
          break;
        case ROLE_IMPORT_FROM:
          importFrom = off;
          break;
        case ROLE_IMPORT_MEMBER:
          importMember = off;
          break;
      }
    }
    if (importFrom >= 0 && importMember >= 0) {
      const from = text(importFrom).trim();
      const member = text(importMember).replace(/\s+/g, " ").trim();
      if (/^[a-z_]/.test(member)) imports.push(/^\.+$/.test(from) ? `${from}${member}` : `${from}.${member}`);
      continue;
    }
    if (relType >= 0 && relBase >= 0) {
      const type = bareTypeName(text(relType));
      const base = bareTypeName(text(relBase));
      if (type && base && type !== base) c.relations.push({ type, base });
      continue;
    }
    if (bindName >= 0 && (bindType >= 0 || bindValue >= 0)) {
      c.bindName.push(text(bindName).replace(/^\$/, ""));
      c.bindAt.push(buf[bindName + C_START]!);
      c.bindType.push(bindType >= 0 ? text(bindType) : "");
      c.bindValue.push(bindValue >= 0 ? source.slice(buf[bindValue + C_START]!, Math.min(buf[bindValue + C_START]! + 200, nodeEnd(buf, bindValue, tree))) : "");
      continue;
    }
    if (def >= 0 && defKind && name >= 0) {
      if (!KIND_SET.has(defKind)) throw new Error(`${spec.name} query uses unknown kind @definition.${defKind}`);
      // A name captured as a symbol literal (Ruby's `attr_reader :name`) is named without its colon.
      const nameStart = buf[name + C_START]! + (source.charCodeAt(buf[name + C_START]!) === 58 /* : */ ? 1 : 0);
      const key = `${buf[def + C_START]}:${nodeEnd(buf, def, tree)}:${nameStart}`;
      if (seenDefs.has(key)) continue;
      seenDefs.add(key);
      defs.push({ node: nodeAt(buf, def, tree), nameStart, nameEnd: nodeEnd(buf, name, tree), kind: defKind as SymbolKind, container, type: typeOf });
    } else if (scope >= 0 && scopeName >= 0) {
      const nameText = source.slice(buf[scopeName + C_START]!, nodeEnd(buf, scopeName, tree));
      scopes.push({ start: buf[scope + C_START]!, end: nodeEnd(buf, scope, tree), name: nameText, kind: "impl", symbol: -1 });
    } else if (ref >= 0 && name >= 0) {
      const nameStart = buf[name + C_START]!;
      refStart.push(nameStart);
      refEnd.push(nodeEnd(buf, name, tree));
      refRow.push(buf[name + C_ROW]!);
      refCol.push(buf[name + C_COL]!);
      const op = ref === REF_CALL ? memberAccessAt(source, nameStart) : -1;
      refKind.push(op >= 0 ? REF_MEMBER : ref);
      // The text first; the syntax tree (a node per call) where the text is not plain enough.
      const java = spec.id === "java";
      const scanned = countsArgs && refNode >= 0 && !java ? scanArgumentCount(source, refEnd[refEnd.length - 1]!, spec.id) : null;
      const call = countsArgs && refNode >= 0 && scanned === null ? nodeAt(buf, refNode, tree) : null;
      refArgs.push(scanned ?? (call ? argumentCount(call, spec.id, source) : -1));
      c.refArgTypes.push(call && java ? javaArgTypes(call) : "");
      refQualifier.push(op >= 0 ? qualifierBefore(source, op, 3) || callBefore(source, op) : ref === REF_CALL ? pathBefore(source, nameStart) : "");
    }
  }
  if (spec.importNames) markImportedCalls(c, spec.id === "python");
  return c;
}

/**
 * A member call whose qualifier is the name of one of the file's imports (`fmt.Println()`,
 * `json.dumps()`, `List.of()` after `import java.util.List`) names something in that import:
 * the call graph looks for it there, and only there.
 */
function markImportedCalls(c: Collected, dotted: boolean): void {
  if (c.imports.length === 0) return;
  const bindings = new Set(c.imports.map(importBinding).filter(Boolean));
  for (const spec of c.imports) {
    const path = importPath(spec);
    // Python's `import urllib.parse` is called through in full: `urllib.parse.quote()`.
    if (path === spec && spec.includes(".")) bindings.add(spec);
    // A type written through a renamed import (`*urlpkg.URL`) is the package's (`url/URL`).
    else if (path !== spec) (c.aliases ??= new Map()).set(importBinding(spec), importBinding(path));
  }
  for (let i = 0; i < c.refKind.length; i++) {
    if (c.refKind[i] !== REF_MEMBER) continue;
    const q = c.refQualifier[i]!;
    // `urllib.parse.quote()` after `import urllib`: a submodule of the import.
    if (bindings.has(q) || (dotted && q.includes(".") && bindings.has(q.slice(0, q.indexOf("."))))) c.refKind[i] = REF_IMPORTED;
  }
  c.importBindings = bindings;
}

/** Symbols from the definitions, each with its container: an explicit @container, else the innermost enclosing owner. */
function buildSymbols(spec: LanguageSpec, c: Collected, tree: Tree, source: string): { symbols: ExtractedSymbol[]; symbolOwners: Owner[] } {
  // (Each owner's parent is recorded: a reference's `this` is found by walking out from its symbol.)
  const { buf, defs, scopes } = c;
  // Owners (definitions and scopes) in document order, outermost first on ties; one stack pass
  // gives each its parent in O(n), without a quadratic containment search.
  const owners: Owner[] = [
    ...scopes,
    ...defs.map((d, i) => ({ start: d.node.startIndex, end: d.node.endIndex, name: source.slice(d.nameStart, d.nameEnd), kind: d.kind as string, symbol: i })),
  ].sort((a, b) => a.start - b.start || b.end - a.end);
  const symbols: ExtractedSymbol[] = new Array(defs.length);
  const stack: Owner[] = [];
  for (const o of owners) {
    while (stack.length && !contains(stack[stack.length - 1]!, o)) stack.pop();
    const parent = stack[stack.length - 1] ?? null;
    o.parent = parent;
    stack.push(o);
    if (o.symbol < 0) continue;
    const d = defs[o.symbol]!;
    const explicit = d.container >= 0 ? typeName(source.slice(buf[d.container + C_START]!, nodeEnd(buf, d.container, tree))) : null;
    let kind = d.kind;
    if (kind === "function" && (explicit || (parent && CONTAINER_KINDS.has(parent.kind)))) kind = "method";
    o.kind = kind;
    const start = d.node.startPosition;
    const end = lastLineEnd(d.node, o.end, source);
    const top = outerNode(d.node, spec);
    const nameRange = { startIndex: d.nameStart, endIndex: d.nameEnd };
    symbols[o.symbol] = {
      name: o.name,
      kind,
      container: explicit ?? parent?.name ?? null,
      line: start.row + 1,
      col: start.column,
      endLine: end.row + 1,
      endCol: end.column,
      signature: signatureFor(d.node, nameRange, source, spec, top),
      doc: docFor(d.node, spec, source, top),
      typeRef: d.type >= 0 ? unalias(c, bareTypeName(source.slice(buf[d.type + C_START]!, nodeEnd(buf, d.type, tree)))) : null,
      arity: kind === "function" || kind === "method" ? arityOf(d.node, spec.id, kind === "method" && spec.id === "python" && !isStatic(d.node)) : null,
    };
  }
  if (spec.id === "javascript") jsDocParams(c, symbols);
  if (spec.id === "java") {
    for (let i = 0; i < defs.length; i++) {
      const node = defs[i]!.node;
      if (node.type !== "constructor_declaration") continue;
      const first = node.childForFieldName("body")?.namedChildren.find((n) => n && !n.type.endsWith("comment"));
      if (first?.type !== "explicit_constructor_invocation") c.implicitSuper.add(i);
    }
  }
  return { symbols, symbolOwners: owners.filter((o) => o.symbol >= 0) };
}

/** Each reference with the innermost definition around it, and what the file says about its receiver. */
function attributeRefs(spec: LanguageSpec, c: Collected, symbols: ExtractedSymbol[], symbolOwners: Owner[], source: string): ExtractedRef[] {
  const { defs, refStart, refEnd, refRow, refCol, refKind, refArgs, refQualifier } = c;
  const refs: ExtractedRef[] = [];
  // A definition's own name node is not a use of it (type_identifier names in Go, for example).
  const defNames = new Set(defs.map((d) => d.nameStart));
  const order = refStart.map((_, i) => i).sort((a, b) => refStart[a]! - refStart[b]! || a - b);
  const owners = innermostOwners(order.map((i) => refStart[i]!), symbolOwners);
  const rx = new ReceiverScope(spec, c, symbols, symbolOwners);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const at = refStart[i]!;
    if (defNames.has(at)) continue;
    const owner = owners[k]!;
    const kind = refKind[i]!;
    let name = source.slice(at, refEnd[i]!);
    // `stopTimer, ok := setRequestCancel(…); stopTimer()`: a call of a local variable or parameter
    // is no call of a function of that name.
    if (kind === REF_CALL && owner && !refQualifier[i] && rx.isLocal(owner, name, at)) continue;
    let ctorType = "";
    if (kind === REF_CALL && spec.id === "java" && (name === "this" || name === "super")) {
      // Java's `this(…)`/`super(…)` call a constructor of the class or its superclass: named as the class.
      ctorType = owner ? rx.typeOfName(owner, name, at) : "";
      if (!ctorType) continue;
      name = ctorType.slice(Math.max(ctorType.lastIndexOf("/"), ctorType.lastIndexOf("$")) + 1);
    }
    refs.push({
      name,
      kind: REF_KINDS[kind]!,
      line: refRow[i]! + 1,
      col: refCol[i]!,
      enclosing: owner ? owner.symbol : null,
      // A call through an import keeps the import's name (`strings` in `strings.Cut()`): the call
      // graph then looks in that import only.
      receiver: ctorType || (kind === REF_IMPORTED ? refQualifier[i]! : owner && (kind === REF_MEMBER || kind === REF_CALL) ? rx.receiver(owner, kind, refQualifier[i]!, at) : ""),
      args: refArgs[i]!,
      argTypes: c.refArgTypes[i] && owner ? c.refArgTypes[i]!.replace(/=([\w$]+)/g, (_, n: string) => javaType(rx.declaredType(owner, n, at))) : "",
    });
  }
  // A Java constructor that calls neither this(…) nor super(…) first calls its superclass's
  // no-argument constructor.
  for (const o of symbolOwners) {
    if (spec.id !== "java" || !c.implicitSuper.has(o.symbol)) continue;
    const base = rx.typeOfName(o, "super", o.start);
    if (!base) continue;
    const s = symbols[o.symbol]!;
    refs.push({ name: base.slice(Math.max(base.lastIndexOf("/"), base.lastIndexOf("$")) + 1), kind: "call", line: s.line, col: s.col, enclosing: o.symbol, receiver: base, args: 0, argTypes: "" });
  }
  return refs;
}

/**
 * JavaScript says its parameters' types in JSDoc (`@param {Resolver} resolver`): bindings of the
 * function's parameters, as TypeScript's checker reads them in a .js file. `import("./Resolver")`
 * names the module's export, taken to be named after the file; `import("./x").Y` names Y.
 */
function jsDocParams(c: Collected, symbols: ExtractedSymbol[]): void {
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    if (!s.doc || (s.kind !== "function" && s.kind !== "method") || !s.doc.includes("@param")) continue;
    for (const m of s.doc.matchAll(/@param\s+\{([^}\n]+)\}\s+\[?([A-Za-z_$][\w$]*)/g)) {
      const type = m[1]!
        .trim()
        .replace(/^[?!]|=$/g, "")
        .replace(/^import\(\s*["'][^"']*?([A-Za-z_$][\w$]*)(?:\.[cm]?js)?["']\s*\)(?!\.)/, "$1")
        .replace(/^import\(\s*["'][^"']*["']\s*\)\./, "");
      c.bindName.push(m[2]!);
      c.bindAt.push(c.defs[i]!.nameEnd);
      c.bindType.push(type);
      c.bindValue.push("");
    }
  }
}

/** A Python `@staticmethod`, whose first parameter is an argument like any other. */
function isStatic(def: Node): boolean {
  const parent = def.parent;
  return parent?.type === "decorated_definition" && /@staticmethod\b/.test(parent.text.slice(0, def.startIndex - parent.startIndex));
}

/** For offsets in ascending order, the innermost symbol owner around each (or null). */
function innermostOwners(offsets: number[], symbolOwners: Owner[]): (Owner | null)[] {
  const out: (Owner | null)[] = new Array(offsets.length);
  const stack: Owner[] = [];
  let next = 0;
  for (let k = 0; k < offsets.length; k++) {
    const at = offsets[k]!;
    while (next < symbolOwners.length && symbolOwners[next]!.start <= at) {
      const o = symbolOwners[next++]!;
      while (stack.length && !contains(stack[stack.length - 1]!, o)) stack.pop();
      stack.push(o);
    }
    while (stack.length && stack[stack.length - 1]!.end < at) stack.pop();
    out[k] = stack[stack.length - 1] ?? null;
  }
  return out;
}

const CLASS_KINDS: ReadonlySet<string> = new Set(["class", "struct", "interface", "enum", "trait", "object", "impl"]);

/**
 * Answers "what type is this call's receiver" from the file alone: `this`/`self`, bindings
 * (parameters and variables) of the enclosing symbols, declared before the call, and fields.
 */
class ReceiverScope {
  private readonly byOwner = new Map<Owner, number[]>();
  /** Where each binding was written (before `self.x` ones were lifted to their class). */
  private readonly writtenIn = new Map<number, Owner>();
  private readonly implicitThis: boolean;

  constructor(
    private readonly spec: LanguageSpec,
    private readonly c: Collected,
    private readonly symbols: ExtractedSymbol[],
    symbolOwners: Owner[],
  ) {
    this.implicitThis = IMPLICIT_THIS.has(spec.id);
    this.byOwner.set(FILE_SCOPE, []);
    const n = c.bindName.length;
    if (n === 0) return;
    const order = c.bindAt.map((_, i) => i).sort((a, b) => c.bindAt[a]! - c.bindAt[b]!);
    const owners = innermostOwners(order.map((i) => c.bindAt[i]!), symbolOwners);
    for (let k = 0; k < order.length; k++) {
      // Outside every symbol: a file-level variable (`var pool sync.Pool`), seen from the whole file.
      let owner = owners[k] ?? FILE_SCOPE;
      const i = order[k]!;
      this.writtenIn.set(i, owner);
      // `self.store = Store()` in a method describes the class's field, seen from every method.
      if (/^(?:this|self)\./.test(c.bindName[i]!)) owner = this.classOwner(owner) ?? owner;
      const list = this.byOwner.get(owner);
      if (list) list.push(i);
      else this.byOwner.set(owner, [i]);
    }
  }

  /** The class (or impl) whose members the code at `owner` runs in. */
  private classOwner(owner: Owner): Owner | null {
    for (let o: Owner | null | undefined = owner; o; o = o.parent) {
      if (CLASS_KINDS.has(o.kind)) return o;
      if (o.symbol >= 0 && o.kind === "method" && this.symbols[o.symbol]!.container) {
        // A method's explicit container (a Go receiver, a C++ out-of-line definition) is its class.
        const parent = o.parent;
        if (!parent || !CLASS_KINDS.has(parent.kind)) return { start: o.start, end: o.end, name: this.symbols[o.symbol]!.container!, kind: "class", symbol: -1 };
      }
    }
    return null;
  }

  receiver(owner: Owner, kind: number, qualifier: string, at: number): string {
    if (kind === REF_CALL) {
      // `Type::new()`: a function of Type; `Self::f()` one of the impl's type.
      if (qualifier) return qualifier === "Self" ? (this.classOwner(owner)?.name ?? "") : /^[A-Z]/.test(qualifier) ? qualifier : "";
      // A plain call in a method of a language with an implicit `this` is first a call of its own class.
      return this.implicitThis ? (this.classOwner(owner)?.name ?? "") : "";
    }
    if (!qualifier) return "";
    // `r.Context().Done()`: what the call returns; Python's `super().f()` is `super.f()`.
    if (qualifier === "super()") return this.typeOfName(owner, "super", at);
    if (qualifier.endsWith("()")) return this.valueReceiver(owner, qualifier, at, 0);
    const parts = qualifier.split(".");
    if (parts.length === 1) return this.typeOfName(owner, qualifier, at);
    // `self.store.get()`: a binding of `self.store` first; else the head's type, then field by field.
    const pair = this.binding(owner, `${parts[0]}.${parts[1]}`, at);
    const base = pair || this.typeOfName(owner, parts[0]!, at);
    const fields = parts.slice(pair ? 2 : 1);
    return base ? base + fields.map((f) => `#${f}`).join("") : "";
  }

  /** The receiver a plain name stands for: `this`/`self`, a binding, or (implicit `this`) a field. */
  typeOfName(owner: Owner, name: string, at: number): string {
    if (SELF_WORDS.has(name)) return this.classOwner(owner)?.name ?? "";
    // `super.render()`: the class's first supertype as this file states it (extends before implements).
    if (name === "super") {
      const cls = this.classOwner(owner);
      return (cls && this.c.relations.find((r) => r.type === cls.name)?.base) ?? "";
    }
    const bound = this.binding(owner, name, at);
    if (bound !== null) return bound;
    // `Client.create()`: a capitalised name nothing binds is a type (in Go it may be a package variable).
    if (this.spec.id !== "go" && /^[A-Z][a-z]/.test(name)) return name;
    if (this.implicitThis) {
      const cls = this.classOwner(owner);
      if (cls) return `${cls.name}#${name}`;
    }
    return "";
  }

  /** Whether `name` at `at` is a parameter or variable of the code around it (not a file-level one). */
  isLocal(owner: Owner, name: string, at: number): boolean {
    const i = this.nearestBinding(owner, name, at);
    return i >= 0 && this.writtenIn.get(i) !== FILE_SCOPE;
  }

  /** The type a binding of `name` is declared with, as written ("" when none). */
  declaredType(owner: Owner, name: string, at: number): string {
    const i = this.nearestBinding(owner, name, at);
    return i < 0 ? "" : this.c.bindType[i]!;
  }

  /** The nearest binding of `name` declared before `at`, in the enclosing symbols from the inside out; -1 when none. */
  private nearestBinding(owner: Owner, name: string, at: number): number {
    const c = this.c;
    for (let o: Owner | null | undefined = owner; o; o = o === FILE_SCOPE ? null : (o.parent ?? FILE_SCOPE)) {
      const list = this.byOwner.get(o);
      if (!list) continue;
      for (let k = list.length - 1; k >= 0; k--) {
        const i = list[k]!;
        // A file-level variable is in scope everywhere in the file, before its declaration too.
        if (c.bindName[i] === name && (c.bindAt[i]! <= at || o === FILE_SCOPE || /^(?:this|self)\./.test(name))) return i;
      }
    }
    return -1;
  }

  /** What the nearest binding of `name` declared before `at` says of its type; null when there is none. */
  private binding(owner: Owner, name: string, at: number, depth = 0): string | null {
    const c = this.c;
    const i = this.nearestBinding(owner, name, at);
    if (i < 0) return null;
    const declared = c.bindType[i] ? unalias(c, bareTypeName(c.bindType[i]!)) : null;
    // A written type decides, even one that says nothing (`xs: any = []`).
    if (c.bindType[i] || !c.bindValue[i]) return declared ?? "";
    // `self.store = store`: what the parameter it copies is.
    if (depth < 3 && /^[A-Za-z_$][\w$]*$/.test(c.bindValue[i]!) && c.bindValue[i] !== name) {
      return this.binding(this.writtenIn.get(i) ?? owner, c.bindValue[i]!, c.bindAt[i]!, depth + 1) ?? "";
    }
    // `w := ecr.resp`: field resp of what ecr is.
    const path = /^([A-Za-z_$][\w$]*)((?:\s*\.\s*[A-Za-z_$][\w$]*)+)\s*$/.exec(c.bindValue[i]!);
    if (path) {
      if (depth >= 3) return "";
      const head = SELF_WORDS.has(path[1]!) ? (this.classOwner(owner)?.name ?? "") : (this.binding(owner, path[1]!, c.bindAt[i]! - 1, depth + 1) ?? "");
      return head ? head + path[2]!.split(".").slice(1).map((f) => `#${f.trim()}`).join("") : "";
    }
    return this.valueReceiver(owner, c.bindValue[i]!, c.bindAt[i]! - 1, depth);
  }

  /** What a value gives (receiverOfValue), a method's receiver resolved through this scope's bindings. */
  private valueReceiver(owner: Owner, value: string, at: number, depth: number): string {
    const r = receiverOfValue(value, (q) => this.c.importBindings?.has(q) ?? false);
    // `x := s.Open()` with s bound to a Server: what Server's Open returns.
    const m = /^\(\)([A-Za-z_$][\w$]*)\.(.+)$/.exec(r);
    if (m && depth < 3 && !/^[A-Z]/.test(m[1]!)) {
      const t = SELF_WORDS.has(m[1]!) ? (this.classOwner(owner)?.name ?? "") : (this.binding(owner, m[1]!, at, depth + 1) ?? "");
      return t && isTypeName(t) ? `()${t}.${m[2]}` : "";
    }
    return r;
  }
}

/** The owner of bindings outside every symbol (file-level variables). */
const FILE_SCOPE: Owner = { start: -1, end: -1, name: "", kind: "file", symbol: -1 };

/** A receiver that is a bare type name or a field path from one (`T#x`), not a deferred call. */
const isTypeName = (r: string) => /^(?:[A-Za-z_$][\w$]*\/)?[A-Za-z_$][\w$]*(?:#[A-Za-z_$][\w$]*)*$/.test(r);

// Two definitions on one node (`static final int A = 1, B = 2;`) are siblings, not nested.
function contains(outer: Owner, inner: Owner): boolean {
  if (outer.start === inner.start && outer.end === inner.end) return false;
  return outer.start <= inner.start && inner.end <= outer.end;
}

/** A node that takes its line break with it (a C `#define`) ends on that line, not at column 0 of the next. */
function lastLineEnd(node: Node, endIndex: number, source: string): { row: number; column: number } {
  const end = node.endPosition;
  if (end.column !== 0 || end.row === node.startPosition.row || endIndex === 0) return end;
  const lineStart = source.lastIndexOf("\n", endIndex - 2) + 1;
  const lineEnd = source[endIndex - 2] === "\r" ? endIndex - 2 : endIndex - 1; // CRLF
  return { row: end.row - 1, column: Math.max(0, lineEnd - lineStart) };
}

/** A receiver or owner type written as `*Server`, `Server[T]` or `pkg.Server` names `Server`. */
function typeName(written: string): string {
  const text = written.replace(/\s+/g, "");
  const m = /([A-Za-z_$][\w$]*)(?:\[[^\]]*\]|<[^>]*>)?$/.exec(text.replace(/^[*&]+/, ""));
  return m?.[1] ?? text;
}

/** `urlpkg/URL` → `url/URL` when the file imports net/url as urlpkg. */
function unalias<T extends string | null>(c: Collected, type: T): T {
  if (!type || !c.aliases) return type;
  const slash = type.indexOf("/");
  const real = slash > 0 ? c.aliases.get(type.slice(0, slash)) : undefined;
  return (real ? `${real}${type.slice(slash)}` : type) as T;
}

/** An import renamed where it is imported: `spec as alias` (Python's own syntax; Go's `alias "path"` is written so too). */
const ALIAS = /^(.*?) as ([A-Za-z_$][\w$]*)$/;

/** The spec of an aliased import without its alias: what names the imported files. */
export function importPath(spec: string): string {
  return ALIAS.exec(spec)?.[1] ?? spec;
}

/** An import as captured: quotes stripped; Go's `urlpkg "net/url"` → `net/url as urlpkg`. */
function importSpec(text: string): string {
  const go = /^([A-Za-z_]\w*)\s+"([^"]*)"$/.exec(text.trim());
  if (go) return `${go[2]} as ${go[1]}`;
  return stripQuotes(text.replace(/\s+/g, " "));
}

function stripQuotes(text: string): string {
  return text.trim().replace(/^[`'"<]+|[`'">;]+$/g, "");
}

function countErrors(root: Node): number {
  if (!root.hasError) return 0;
  let count = 0;
  const cursor = root.walk();
  let descend = true;
  // Iterative walk: only into subtrees that contain an error, so clean files cost nothing here.
  for (;;) {
    const node = cursor.currentNode;
    if (descend && (node.isError || node.isMissing)) count++;
    if (descend && node.hasError && cursor.gotoFirstChild()) continue;
    if (cursor.gotoNextSibling()) {
      descend = true;
      continue;
    }
    if (!cursor.gotoParent()) break;
    descend = false;
  }
  cursor.delete();
  return count;
}

withoutFTL(lastLineEnd, buildSymbols);

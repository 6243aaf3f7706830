// Shapes produced by parsing one file. They cross the worker boundary by structured clone,
// so they stay plain data (no classes, no tree-sitter nodes).

export const SYMBOL_KINDS = [
  "function",
  "method",
  "class",
  "struct",
  "interface",
  "enum",
  "trait",
  "object",
  "type",
  "constant",
  "field",
  "property",
  "module",
  "namespace",
] as const;
export type SymbolKind = (typeof SYMBOL_KINDS)[number];

/**
 * Kinds whose functions are methods. Modules and namespaces hold definitions too (they are still
 * the container) but a function in a C++ namespace or a Rust `mod` is a function, not a method.
 */
export const CONTAINER_KINDS: ReadonlySet<string> = new Set(["class", "struct", "interface", "enum", "trait", "object", "impl"]);

/**
 * "call": a name called as it stands (`f()`, `ns::f()`, `new T()`); "member": called through a
 * value (`x.f()`, `x?.f()`, `x->f()`), whose type the index does not know, so `items.push(v)` may
 * be the language's own Array.push; "imported": a member call whose qualifier is the name of one
 * of the file's imports (`fmt.Println()`, `json.dumps()`), so it names something in an import;
 * "type": a use of a type name.
 */
export type RefKind = "call" | "member" | "imported" | "type";

export interface ExtractedSymbol {
  name: string;
  kind: SymbolKind;
  /** Enclosing class/struct/receiver/module name, or null at top level. */
  container: string | null;
  /** 1-based lines, 0-based columns; end is inclusive of the last line. */
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** One line, whitespace collapsed, at most SIGNATURE_MAX chars. */
  signature: string;
  /** Cleaned doc comment or docstring, or null. */
  doc: string | null;
  /**
   * The type this symbol gives, as a bare name (`*store.Store` → Store, `List<Item>` → List): a
   * field's or constant's declared type, a function's declared return type; null when not written.
   */
  typeRef: string | null;
  /** A function's or method's parameter count, "2", "1-3" or "1+" (src/parser/arity.ts); null when not known. */
  arity: string | null;
}

export interface ExtractedRef {
  name: string;
  kind: RefKind;
  line: number;
  col: number;
  /** Index into Extraction.symbols of the innermost definition enclosing the reference. */
  enclosing: number | null;
  /**
   * What the file says about the receiver's type (a member call, or a plain call inside a class in
   * a language with an implicit `this`), "" when nothing: see Receiver in src/parser/receivers.ts.
   */
  receiver: string;
  /** The number of arguments a call passes, -1 when not known (src/parser/arity.ts). */
  args: number;
  /** Java: the arguments' types as far as the call says ("int,,String"), "" when nothing is known. */
  argTypes: string;
}

/** `class A extends B`, `impl Tr for A`, a Go struct embedding B: the type A names B as a supertype. */
export interface ExtractedRelation {
  type: string;
  base: string;
}

export interface Extraction {
  symbols: ExtractedSymbol[];
  refs: ExtractedRef[];
  /** Import specs as written (quotes stripped): "net/http", "./util", "java.util.List". */
  imports: string[];
  /** Supertypes named in the file (extends, implements, conformances, trait impls, embedding). */
  relations: ExtractedRelation[];
  /** Count of ERROR/MISSING nodes: the file was indexed, but partly. */
  syntaxErrors: number;
}

export const SIGNATURE_MAX = 200;
export const DOC_MAX = 2000;

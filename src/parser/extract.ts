// Turns a tags-query run over one syntax tree into symbols, references and imports.
//
// Capture conventions (grammars/README.md documents them for query authors):
//   @definition.<kind> + @name      a definition; optional @container names its owner explicitly
//   @scope + @scope.name            a node that owns definitions without being one (a Rust impl block)
//   @reference.call|type + @name    a reference to a name
//   @import                         an import spec (string quotes are stripped)
import type { Node, Parser, Tree } from "web-tree-sitter";
import { docFor } from "./docs.ts";
import { outerNode } from "./nodes.ts";
import type { LanguageSpec } from "./languages.ts";
import type { LoadedLanguage } from "./runtime.ts";
import { signatureFor } from "./signature.ts";
import {
  CONTAINER_KINDS,
  SYMBOL_KINDS,
  type ExtractedRef,
  type ExtractedSymbol,
  type Extraction,
  type RefKind,
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
}

interface PendingDef {
  node: Node;
  nameNode: Node;
  kind: SymbolKind;
  containerNode: Node | null;
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
  const root = tree.rootNode;
  const defs: PendingDef[] = [];
  const scopes: Owner[] = [];
  const refNodes: { nameNode: Node; kind: RefKind }[] = [];
  const imports: string[] = [];
  const seenDefs = new Set<string>();

  for (const match of lang.query.matches(root)) {
    let defNode: Node | null = null;
    let defKind: string | null = null;
    let nameNode: Node | null = null;
    let containerNode: Node | null = null;
    let scopeNode: Node | null = null;
    let scopeName: Node | null = null;
    let refKind: RefKind | null = null;
    for (const cap of match.captures) {
      const n = cap.name;
      if (n === "name") nameNode = cap.node;
      else if (n === "container") containerNode = cap.node;
      else if (n === "scope") scopeNode = cap.node;
      else if (n === "scope.name") scopeName = cap.node;
      else if (n === "import") imports.push(stripQuotes(cap.node.text));
      else if (n.startsWith("definition.")) {
        defNode = cap.node;
        defKind = n.slice("definition.".length);
      } else if (n === "reference.call") refKind = "call";
      else if (n === "reference.type") refKind = "type";
    }
    if (defNode && defKind && nameNode) {
      if (!KIND_SET.has(defKind)) throw new Error(`${spec.name} query uses unknown kind @definition.${defKind}`);
      const key = `${defNode.startIndex}:${defNode.endIndex}:${nameNode.startIndex}`;
      if (seenDefs.has(key)) continue;
      seenDefs.add(key);
      defs.push({ node: defNode, nameNode, kind: defKind as SymbolKind, containerNode });
    } else if (scopeNode && scopeName) {
      scopes.push({ start: scopeNode.startIndex, end: scopeNode.endIndex, name: scopeName.text, kind: "impl", symbol: -1 });
    } else if (refKind && nameNode) {
      refNodes.push({ nameNode, kind: refKind });
    }
  }

  // Owners (definitions and scopes) in document order, outermost first on ties; one stack pass
  // gives each its parent in O(n), without a quadratic containment search.
  const owners: Owner[] = [
    ...scopes,
    ...defs.map((d, i) => ({ start: d.node.startIndex, end: d.node.endIndex, name: d.nameNode.text, kind: d.kind as string, symbol: i })),
  ].sort((a, b) => a.start - b.start || b.end - a.end);
  const symbols: ExtractedSymbol[] = new Array(defs.length);
  const stack: Owner[] = [];
  for (const o of owners) {
    while (stack.length && !contains(stack[stack.length - 1]!, o)) stack.pop();
    const parent = stack[stack.length - 1] ?? null;
    stack.push(o);
    if (o.symbol < 0) continue;
    const d = defs[o.symbol]!;
    const explicit = d.containerNode ? typeName(d.containerNode) : null;
    let kind = d.kind;
    if (kind === "function" && (explicit || (parent && CONTAINER_KINDS.has(parent.kind)))) kind = "method";
    o.kind = kind;
    const start = d.node.startPosition;
    const end = lastLineEnd(d.node, source);
    const top = outerNode(d.node, spec);
    symbols[o.symbol] = {
      name: d.nameNode.text,
      kind,
      container: explicit ?? parent?.name ?? null,
      line: start.row + 1,
      col: start.column,
      endLine: end.row + 1,
      endCol: end.column,
      signature: signatureFor(d.node, d.nameNode, source, spec, top),
      doc: docFor(d.node, spec, source, top),
    };
  }

  const refs: ExtractedRef[] = [];
  // A definition's own name node is not a use of it (type_identifier names in Go, for example).
  const defNames = new Set(defs.map((d) => d.nameNode.startIndex));
  const symbolOwners = owners.filter((o) => o.symbol >= 0);
  refNodes.sort((a, b) => a.nameNode.startIndex - b.nameNode.startIndex);
  stack.length = 0;
  let next = 0;
  for (const r of refNodes) {
    const at = r.nameNode.startIndex;
    if (defNames.has(at)) continue;
    while (next < symbolOwners.length && symbolOwners[next]!.start <= at) {
      const o = symbolOwners[next++]!;
      while (stack.length && !contains(stack[stack.length - 1]!, o)) stack.pop();
      stack.push(o);
    }
    while (stack.length && stack[stack.length - 1]!.end < at) stack.pop();
    const owner = stack[stack.length - 1] ?? null;
    refs.push({
      name: r.nameNode.text,
      kind: r.kind,
      line: r.nameNode.startPosition.row + 1,
      col: r.nameNode.startPosition.column,
      enclosing: owner ? owner.symbol : null,
    });
  }

  return { symbols, refs, imports: [...new Set(imports)].filter(Boolean), syntaxErrors: countErrors(root) };
}

// Two definitions on one node (`static final int A = 1, B = 2;`) are siblings, not nested.
function contains(outer: Owner, inner: Owner): boolean {
  if (outer.start === inner.start && outer.end === inner.end) return false;
  return outer.start <= inner.start && inner.end <= outer.end;
}

/** A node that takes its line break with it (a C `#define`) ends on that line, not at column 0 of the next. */
function lastLineEnd(node: Node, source: string): { row: number; column: number } {
  const end = node.endPosition;
  if (end.column !== 0 || end.row === node.startPosition.row || node.endIndex === 0) return end;
  const lineStart = source.lastIndexOf("\n", node.endIndex - 2) + 1;
  const lineEnd = source[node.endIndex - 2] === "\r" ? node.endIndex - 2 : node.endIndex - 1; // CRLF
  return { row: end.row - 1, column: Math.max(0, lineEnd - lineStart) };
}

/** A receiver or owner type written as `*Server`, `Server[T]` or `pkg.Server` names `Server`. */
function typeName(node: Node): string {
  const text = node.text.replace(/\s+/g, "");
  const m = /([A-Za-z_$][\w$]*)(?:\[[^\]]*\]|<[^>]*>)?$/.exec(text.replace(/^[*&]+/, ""));
  return m?.[1] ?? text;
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

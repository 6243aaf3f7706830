// Doc comments: the comment block directly above a definition (no blank line between), or a
// Python docstring. Comment markers are stripped so the text reads the same in every language.
import type { Node } from "web-tree-sitter";
import type { LanguageSpec } from "./languages.ts";
import { outerNode } from "./nodes.ts";
import { DOC_MAX } from "./types.ts";

export function docFor(def: Node, spec: LanguageSpec, source: string): string | null {
  if (spec.docstring) {
    const ds = docstringOf(def);
    if (ds) return cap(ds);
  }
  const top = outerNode(def, spec);
  const skip = spec.docSkipTypes ?? [];
  const lines: string[][] = [];
  let expectRow = top.startPosition.row; // the next comment must end on the row above this
  let sib = top.previousNamedSibling;
  while (sib) {
    if (skip.includes(sib.type)) {
      expectRow = sib.startPosition.row;
      sib = sib.previousNamedSibling;
      continue;
    }
    if (!isComment(sib)) break;
    if (sib.endPosition.row < expectRow - 1) break; // a blank line separates it
    if (!startsLine(sib, source)) break; // a trailing comment belongs to the code before it
    lines.unshift(cleanComment(sib.text));
    expectRow = sib.startPosition.row;
    sib = sib.previousNamedSibling;
  }
  if (lines.length === 0) return null;
  const text = lines.flat().join("\n").trim();
  return text ? cap(text) : null;
}

function isComment(node: Node): boolean {
  return node.type.includes("comment");
}

function startsLine(node: Node, source: string): boolean {
  const lineStart = source.lastIndexOf("\n", node.startIndex - 1) + 1;
  return source.slice(lineStart, node.startIndex).trim() === "";
}

/** Strip //, ///, //!, #, /** … *\/ and leading * from each line of a comment. */
export function cleanComment(text: string): string[] {
  let t = text.trim();
  if (t.startsWith("/*")) {
    t = t.replace(/^\/\*+!?/, "").replace(/\*+\/$/, "");
    return trimBlank(t.split("\n").map((l) => l.replace(/^\s*\*(?!\/) ?/, "").trimEnd()));
  }
  return trimBlank(
    t.split("\n").map((l) =>
      l
        .trim()
        .replace(/^(\/\/[/!]?|#+|--) ?/, "")
        .trimEnd(),
    ),
  );
}

function trimBlank(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && !lines[a]!.trim()) a++;
  while (b > a && !lines[b - 1]!.trim()) b--;
  return lines.slice(a, b);
}

function docstringOf(def: Node): string | null {
  const body = def.childForFieldName("body");
  const first = body?.firstNamedChild;
  if (!first || first.type !== "expression_statement") return null;
  const str = first.firstNamedChild;
  if (!str || str.type !== "string") return null;
  const raw = str.text.replace(/^[rRbBuUfF]*("""|'''|"|')/, "").replace(/("""|'''|"|')$/, "");
  const lines = raw.split("\n");
  // Dedent continuation lines by their common indentation (PEP 257).
  const indents = lines.slice(1).filter((l) => l.trim()).map((l) => l.length - l.trimStart().length);
  const cut = indents.length ? Math.min(...indents) : 0;
  const text = [lines[0]!.trim(), ...lines.slice(1).map((l) => l.slice(cut).trimEnd())].join("\n").trim();
  return text || null;
}

function cap(text: string): string {
  return text.length > DOC_MAX ? `${text.slice(0, DOC_MAX - 1)}…` : text;
}

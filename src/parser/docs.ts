// Doc comments: the comment block directly above a definition (no blank line between), or a
// Python docstring. Comment markers are stripped so the text reads the same in every language.
import type { Node } from "web-tree-sitter";
import type { LanguageSpec } from "./languages.ts";
import { withoutFTL } from "./jit.ts";
import { outerNode } from "./nodes.ts";
import { DOC_MAX } from "./types.ts";

/** `top` is outerNode(def, spec), when the caller has it already (finding a node's parent is not cheap). */
export function docFor(def: Node, spec: LanguageSpec, source: string, top: Node = outerNode(def, spec)): string | null {
  if (spec.docstring) {
    const ds = docstringOf(def);
    if (ds) return cap(ds);
  }
  const skip = spec.docSkipTypes ?? [];
  // Most definitions have code, not a comment, right above them: a look at the text spares asking
  // the tree for siblings (which tree-sitter finds by walking down from the root: in a block of
  // 3000 constants that is quadratic). With skip types (attributes) the comment can sit higher up.
  if (skip.length === 0 && !commentMayEndAbove(top, source)) return null;
  const lines: string[][] = [];
  let expectRow = top.startPosition.row; // the next comment must end on the row above this
  let sib = top.previousNamedSibling ?? commentBeforeBlock(top);
  while (sib) {
    if (skip.includes(sib.type)) {
      expectRow = sib.startPosition.row;
      sib = sib.previousNamedSibling;
      continue;
    }
    if (!isComment(sib)) {
      // Some grammars fold a trailing comment into the node before it (Kotlin's import list).
      const tail = trailingComment(sib);
      if (!tail) break;
      sib = tail;
    }
    if (sib.endPosition.row < expectRow - 1) break; // a blank line separates it
    if (!startsLine(sib, source)) break; // a trailing comment belongs to the code before it
    lines.unshift(cleanComment(source.slice(sib.startIndex, sib.endIndex))); // the user's text, not the parser's (see LanguageSpec.parserText)
    expectRow = sib.startPosition.row;
    sib = sib.previousNamedSibling;
  }
  if (lines.length === 0) return null;
  const text = lines.flat().join("\n").trim();
  return text ? cap(text) : null;
}

/**
 * Whether a comment can end where docFor looks for one: on the line above `node` (or at column 0
 * of that line, for grammars whose line comments take their newline with them: hence two lines
 * up), or before `node` on its own line. Every comment in the supported languages shows one of
 * these marks on its last line (//, /* … *\/, #, Ruby's =end).
 */
function commentMayEndAbove(node: Node, source: string): boolean {
  let from = source.lastIndexOf("\n", node.startIndex - 1) + 1;
  for (let up = 0; up < 2 && from > 0; up++) from = source.lastIndexOf("\n", from - 2) + 1;
  return COMMENT_MARKS.test(source.slice(from, node.startIndex));
}

const COMMENT_MARKS = /\/\/|\/\*|\*\/|#|=end/;

/** Python's grammar puts a comment above a block's first statement before the block, not in it. */
function commentBeforeBlock(first: Node): Node | null {
  const prev = first.parent?.previousNamedSibling;
  return prev && isComment(prev) ? prev : null;
}

/** A comment that is the very last descendant of node, if any. */
function trailingComment(node: Node): Node | null {
  for (let last = node.lastNamedChild; last; last = last.lastNamedChild) {
    if (last.endIndex !== node.endIndex) return null;
    if (isComment(last)) return last;
  }
  return null;
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
    t.split("\n").map((l) => {
      const line = l.trim();
      const text = line.replace(/^(\/\/[/!]?|#+|--) ?/, "").trimEnd();
      // C#'s `/// <summary>…</summary>` wraps the text in tags that only add noise here.
      return line.startsWith("///") ? text.replace(/^<summary>\s*|\s*<\/summary>$/g, "") : text;
    }),
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

withoutFTL(docFor, trailingComment, startsLine);

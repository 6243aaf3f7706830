// A definition's one-line signature: from the start of the line that names it (so decorators and
// annotations above are left out) to where its body begins, whitespace collapsed.
import type { Node } from "web-tree-sitter";
import type { LanguageSpec } from "./languages.ts";
import { withoutFTL } from "./jit.ts";
import { BODY_TYPES, outerNode } from "./nodes.ts";
import { SIGNATURE_MAX } from "./types.ts";

/** `top` is outerNode(def, spec), when the caller has it already (finding a node's parent is not cheap). */
export function signatureFor(def: Node, name: { startIndex: number; endIndex: number }, source: string, spec: LanguageSpec, top: Node = outerNode(def, spec)): string {
  const nameLineStart = source.lastIndexOf("\n", name.startIndex - 1) + 1;
  const start = Math.max(top.startIndex, nameLineStart);
  const body = bodyOf(def);
  let end = body && body.startIndex > name.endIndex ? body.startIndex : def.endIndex;
  if (!body || body.startIndex <= name.endIndex) {
    // No body (a type alias, a constant, a prototype): the first line carries the signature.
    const nl = source.indexOf("\n", name.endIndex);
    if (nl !== -1 && nl < end) end = nl;
  }
  // A comment between the head and the body (Python puts `# …` above the first statement there).
  // Asking the tree for the children is not cheap: only when the text shows a comment mark.
  if (COMMENT_START.test(source.slice(name.endIndex, end))) {
    for (const child of def.children) {
      if (child && child.type.includes("comment") && child.startIndex > name.endIndex && child.startIndex < end) {
        end = child.startIndex;
        break;
      }
    }
  }
  let text = source.slice(start, end);
  // C's `typedef struct {…} name;` names the definition after its body: keep the head, elide the body.
  const lead = source.slice(nameLineStart, name.startIndex);
  if (top.startIndex < nameLineStart && /^\s*\}/.test(lead)) {
    const open = source.indexOf("{", top.startIndex);
    if (open !== -1 && open < nameLineStart) {
      text = `${source.slice(top.startIndex, open)}{ … ${source.slice(nameLineStart + lead.indexOf("}"), name.endIndex)}`;
    }
  }
  if (text.includes("\n")) {
    // A parameter list broken over lines reads as one: `f(\n  a,\n  b,\n)` is `f(a, b)`.
    text = text.replace(/([([])[ \t]*\r?\n\s*/g, "$1").replace(/,?[ \t]*\r?\n\s*([)\]])/g, "$1");
  }
  let sig = text.replace(/\s+/g, " ").trim();
  for (let prev = ""; prev !== sig; ) {
    prev = sig;
    sig = sig.replace(/\s*(\{|:|;|=>|=|\bwhere\b|\bdo\b)$/, "").trim();
  }
  return sig.length > SIGNATURE_MAX ? `${sig.slice(0, SIGNATURE_MAX - 1)}…` : sig;
}

/** How every comment in the supported languages begins. */
const COMMENT_START = /\/\/|\/\*|#|=begin/;

function bodyOf(def: Node): Node | null {
  const field = def.childForFieldName("body");
  if (field) return field;
  // A declarator holding a function or lambda (`const f = (a) => a + 1`) ends where its body does.
  const valueBody = def.childForFieldName("value")?.childForFieldName("body");
  if (valueBody) return valueBody;
  for (let i = def.namedChildCount - 1; i >= 0; i--) {
    const child = def.namedChild(i);
    if (child && BODY_TYPES.test(child.type)) return child;
  }
  return null;
}

withoutFTL(signatureFor, bodyOf);

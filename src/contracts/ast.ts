// Tree helpers the HTTP extractors share: literal strings and the pieces a URL is built from, in
// each grammar's spelling.
import type { Node } from "web-tree-sitter";
import { paramName, type Piece } from "./path.ts";

export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

const QUOTED = new Set(["string", "interpreted_string_literal", "raw_string_literal", "string_literal", "character_literal"]);

/** The value of a string literal without interpolation, else null. */
export function literalString(node: Node | null | undefined): string | null {
  if (!node) return null;
  const pieces = stringPieces(node);
  if (!pieces || pieces.some((p) => "param" in p)) return null;
  return pieces.map((p) => ("lit" in p ? p.lit : "")).join("");
}

/** A string literal's pieces (template and f-string substitutions become parameters), or null for a non-string. */
export function stringPieces(node: Node): Piece[] | null {
  switch (node.type) {
    case "template_string": // JS/TS
    case "string_literal": // Kotlin, Java
    case "string": {
      // JS/TS string, Python string (f-strings hold `interpolation` children)
      const out: Piece[] = [];
      const kids = node.namedChildren.filter((c): c is Node => c !== null);
      const contentTypes = /^(string_fragment|string_content|escape_sequence|multiline_string_fragment)$/;
      if (!kids.some((c) => !contentTypes.test(c.type) && c.type !== "string_start" && c.type !== "string_end")) {
        // Plain literal: the text between the quotes (Java's string_literal has no content child).
        if (node.type === "string_literal" && kids.length === 0) return [{ lit: unquote(node.text) }];
      }
      for (const c of kids) {
        if (contentTypes.test(c.type)) out.push({ lit: c.type === "escape_sequence" ? unescape(c.text) : c.text });
        else if (c.type === "template_substitution" || c.type === "interpolation" || c.type === "interpolated_expression" || c.type === "interpolated_identifier")
          out.push({ param: paramName(c.text.replace(/^\$\{?|\}$/g, "")) });
      }
      if (node.type === "string" && kids.length === 0) return [{ lit: unquote(node.text) }];
      return out;
    }
    case "interpreted_string_literal": // Go
    case "raw_string_literal":
      return [{ lit: unquote(node.text) }];
    default:
      return null;
  }
}

function unquote(text: string): string {
  const m = /^[A-Za-z]*("""|'''|["'`])([\s\S]*)\1$/.exec(text);
  return m ? m[2]! : text;
}

function unescape(text: string): string {
  return text.length === 2 ? text[1]! : text;
}

/**
 * The pieces of a URL expression: string literals, templates, `+` concatenations and Go's
 * `fmt.Sprintf`; any other expression is one parameter named after it.
 */
export function urlPieces(node: Node): Piece[] {
  const direct = stringPieces(node);
  if (direct) return direct;
  if (node.type === "parenthesized_expression" && node.namedChildren[0]) return urlPieces(node.namedChildren[0]);
  if (/^(binary_expression|binary_operator|additive_expression)$/.test(node.type)) {
    const left = node.childForFieldName("left") ?? node.namedChildren[0];
    const right = node.childForFieldName("right") ?? node.namedChildren.at(-1);
    const op = node.children.find((c) => c && !c.isNamed)?.text;
    if (left && right && op === "+") return [...urlPieces(left), ...urlPieces(right)];
  }
  if (node.type === "call_expression") {
    const fn = node.childForFieldName("function");
    const args = node.childForFieldName("arguments")?.namedChildren.filter((c): c is Node => c !== null) ?? [];
    if (fn?.text === "fmt.Sprintf" && args[0]) {
      const format = literalString(args[0]);
      if (format !== null) {
        const out: Piece[] = [];
        let argIndex = 1;
        for (const part of format.split(/(%[-+# 0-9.]*[a-zA-Z])/)) {
          if (/^%[-+# 0-9.]*[a-zA-Z]$/.test(part)) out.push({ param: paramName(args[argIndex++]?.text ?? "param") });
          else if (part) out.push({ lit: part.replaceAll("%%", "%") });
        }
        return out;
      }
    }
  }
  return [{ param: paramName(node.text) }];
}

/** Named children without nulls. */
export function kids(node: Node | null | undefined): Node[] {
  return node ? node.namedChildren.filter((c): c is Node => c !== null) : [];
}

/**
 * The nodes of type `type` that enclose a match of `pattern` in the source (its first group, or
 * the whole match), in document order. The text finds the few places an extractor cares about and
 * the tree is entered there: walking every call node from JavaScript (each node handed across from
 * WASM is an object; a Go file has thousands) cost twice the parse on the Go standard library,
 * and a query's text predicates are evaluated in JavaScript too, after every capture is built.
 * web-tree-sitter's indices are the JS string's (UTF-16) indices.
 */
export function nodesAt(root: Node, text: string, pattern: RegExp, type: string | RegExp, maxUp = 4): Node[] {
  const out: Node[] = [];
  const seen = new Set<number>();
  const re = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
  for (const m of text.matchAll(re)) {
    const at = m.index + (m[1] !== undefined ? m[0].indexOf(m[1]) : 0);
    let n: Node | null = root.descendantForIndex(at);
    for (let i = 0; n && i <= maxUp; i++, n = n.parent) {
      if (typeof type === "string" ? n.type === type : type.test(n.type)) {
        if (!seen.has(n.id)) {
          seen.add(n.id);
          out.push(n);
        }
        break;
      }
    }
  }
  return out;
}

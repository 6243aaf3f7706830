// How many arguments a function takes and a call passes, where the syntax tree says so. The call
// graph uses them to tell overloads apart: `new ArrayList(n)` is not `ArrayList(Collection c, int
// extra)`, `makeReadable(a, b)` not its one-parameter namesake (src/graph/edges.ts).
//
// A function's arity is written as a short string: "2" (exactly two), "1-3" (defaults make the
// last two optional), "1+" (varargs after one). null: not known (a language left out, a parameter
// list this file cannot read). A call's argument count is -1 when it cannot be told: a spread
// (`f(...xs)`, `f(*args)`, `f(xs...)`), a Go call passing another call's results (`f(g())`), a
// tagged template.
//
// Counted only where a wrong count is impossible or rare: Java, C#, C, C++, TypeScript, Go and
// Python. Not JavaScript (any function takes any number of arguments), nor Rust (`T::m(x, a)` passes
// the receiver as an argument), nor Kotlin, Swift, Ruby and PHP (not read yet).
import type { Node } from "web-tree-sitter";

/** Languages whose definitions get an arity and whose calls an argument count. */
export const COUNTS_ARGS: ReadonlySet<string> = new Set(["java", "csharp", "c", "cpp", "typescript", "tsx", "go", "python"]);

const SKIPPED = new Set(["comment", "line_comment", "block_comment", "receiver_parameter", "keyword_separator", "positional_separator"]);
const VARIADIC = new Set(["spread_parameter", "list_splat_pattern", "dictionary_splat_pattern", "variadic_parameter_declaration", "variadic_parameter", "rest_pattern"]);
const OPTIONAL = new Set(["default_parameter", "typed_default_parameter", "optional_parameter", "optional_parameter_declaration", "assignment_pattern"]);
const SPREAD_ARGS = new Set(["list_splat", "dictionary_splat", "spread_element", "variadic_argument", "parameter_pack_expansion"]);

/** The parameter list of a definition node, if it has one in sight. */
function parameterList(def: Node): Node | null {
  let n: Node | null = def;
  for (let depth = 0; n && depth < 4; depth++) {
    const params = n.childForFieldName("parameters");
    if (params) return params;
    // C/C++: the declarator chain (`*f(int a)`); TS/JS: `const f = (a) => …`.
    n = n.childForFieldName("declarator") ?? n.childForFieldName("value") ?? (n.type === "lexical_declaration" ? n.firstNamedChild : null);
  }
  return null;
}

/**
 * The arity of a function or method definition (see above). `dropFirst`: a Python method's
 * `self`/`cls`, which a call through the object does not pass.
 */
export function arityOf(def: Node, lang: string, dropFirst: boolean): string | null {
  if (!COUNTS_ARGS.has(lang)) return null;
  const list = parameterList(def);
  if (!list) return null;
  let min = 0;
  let max = 0;
  let variadic = false;
  let first = true;
  for (const p of list.namedChildren) {
    if (!p || SKIPPED.has(p.type)) continue;
    if (first && dropFirst) {
      first = false;
      continue;
    }
    first = false;
    const text = p.text;
    if (VARIADIC.has(p.type) || (p.type === "typed_parameter" && text.startsWith("*")) || (p.type === "required_parameter" && text.startsWith("..."))) {
      variadic = true;
      continue;
    }
    // C#'s `params int[] r` is an anonymous keyword, then the array type and the name as siblings.
    if (lang === "csharp" && p.type !== "parameter") {
      variadic = true;
      continue;
    }
    // TS `this: Foo` and a C# extension method's `this T x` are the receiver, not an argument.
    if (/^this\b/.test(text) && (lang === "csharp" || lang === "typescript" || lang === "tsx")) continue;
    // C's `f(void)` takes nothing.
    if ((lang === "c" || lang === "cpp") && text === "void") continue;
    const names = p.type === "parameter_declaration" && lang === "go" ? Math.max(1, p.childrenForFieldName("name").length) : 1;
    const optional = OPTIONAL.has(p.type) || (p.type === "required_parameter" && p.childForFieldName("value") !== null) || (lang === "csharp" && /=/.test(text));
    max += names;
    if (!optional) min += names;
  }
  // C's `f(int n, ...)`: the ellipsis is no named node.
  if ((lang === "c" || lang === "cpp") && list.text.includes("...")) variadic = true;
  if (variadic) return `${min}+`;
  return min === max ? String(min) : `${min}-${max}`;
}

/** The number of arguments a call node passes, or -1 when it cannot be told. */
export function argumentCount(call: Node, lang: string): number {
  const args = call.childForFieldName("arguments");
  if (!args) return call.type === "new_expression" ? 0 : -1;
  if (args.type === "generator_expression") return 1;
  if (args.type !== "argument_list" && args.type !== "arguments") return -1;
  let n = 0;
  let last: Node | null = null;
  for (const a of args.namedChildren) {
    if (!a || SKIPPED.has(a.type)) continue;
    if (SPREAD_ARGS.has(a.type)) return -1;
    n++;
    last = a;
  }
  // `f(g())` in Go passes all of g's results.
  if (lang === "go" && n === 1 && last?.type === "call_expression") return -1;
  return n;
}

/** Whether an arity (arityOf's string) admits a call with `args` arguments; an unknown either way admits. */
export function admits(arity: string | null, args: number): boolean {
  if (arity === null || args < 0) return true;
  const last = arity.charCodeAt(arity.length - 1);
  if (last === 43 /* + */) return args >= Number(arity.slice(0, -1));
  const dash = arity.indexOf("-");
  if (dash < 0) return args === Number(arity);
  return args >= Number(arity.slice(0, dash)) && args <= Number(arity.slice(dash + 1));
}

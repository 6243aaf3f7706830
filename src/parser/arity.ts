// How many arguments a function takes and a call passes, where the syntax tree says so. The call
// graph uses them to tell overloads apart: `new ArrayList(n)` is not `ArrayList(Collection c, int
// extra)`, `makeReadable(a, b)` not its one-parameter namesake (src/graph/edges.ts).
//
// A function's arity is written as a short string: "2" (exactly two), "1-3" (defaults make the
// last two optional), "1+" (varargs after one); in Java with the parameters' types, "2:char[],int". null: not known (a language left out, a parameter
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
  const types: string[] = [];
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
    if (lang === "java") types.push(javaType(p.childForFieldName("type")?.text ?? ""));
  }
  // C's `f(int n, ...)`: the ellipsis is no named node.
  if ((lang === "c" || lang === "cpp") && list.text.includes("...")) variadic = true;
  if (variadic) return `${min}+`;
  // Java: the parameters' types too ("2:char[],int"), which tell same-count overloads apart.
  if (lang === "java" && types.length && types.every(Boolean)) return `${min}:${types.join(",")}`;
  return min === max ? String(min) : `${min}-${max}`;
}

/** A Java type as overloads are told apart here: no generics, no qualifier (`Map.Entry<K,V>` → Entry); a type variable (`T`, `E`) is "?". */
export function javaType(written: string): string {
  const t = written.replace(/<[^<>]*(?:<[^<>]*>[^<>]*)*>/g, "").replace(/\s+/g, "").replace(/^final/, "");
  const dims = /(\[\])*$/.exec(t)![0];
  const base = t.slice(0, t.length - dims.length).split(".").pop() ?? "";
  if (!/^[A-Za-z_$][\w$]*$/.test(base)) return "";
  return (/^[A-Z][A-Z0-9]?$/.test(base) ? "?" : base) + dims;
}

const LITERAL_TYPES: Record<string, string> = {
  decimal_integer_literal: "int", hex_integer_literal: "int", octal_integer_literal: "int", binary_integer_literal: "int",
  decimal_floating_point_literal: "double", hex_floating_point_literal: "double", string_literal: "String",
  text_block: "String", character_literal: "char", true: "boolean", false: "boolean", null_literal: "null",
};

/**
 * Java: what each argument of a call is, where the call says it plainly: a literal's type, `new
 * T(…)`'s T, or "=x" for a name whose declared type the caller looks up (attributeRefs); "" for
 * anything else. Joined with ",", or "" when nothing is known.
 */
export function javaArgTypes(call: Node): string {
  const args = call.childForFieldName("arguments");
  if (!args) return "";
  const out: string[] = [];
  let known = false;
  for (const a of args.namedChildren) {
    if (!a || SKIPPED.has(a.type)) continue;
    let t = LITERAL_TYPES[a.type] ?? "";
    if (t === "int" && /[lL]$/.test(a.text)) t = "long";
    else if (t === "double" && /[fF]$/.test(a.text)) t = "float";
    else if (a.type === "object_creation_expression") t = javaType(a.childForFieldName("type")?.text ?? "");
    else if (a.type === "identifier") t = `=${a.text}`;
    if (t) known = true;
    out.push(t);
  }
  return known ? out.join(",") : "";
}

const PRIMITIVES = ["byte", "short", "char", "int", "long", "float", "double"];
const BOXES: Record<string, string> = { byte: "Byte", short: "Short", char: "Character", int: "Integer", long: "Long", float: "Float", double: "Double", boolean: "Boolean" };
const isPrimitive = (t: string) => t === "boolean" || PRIMITIVES.includes(t);

/** Whether an argument of type `arg` can be passed for a parameter of type `param` (javaType forms); `boxing`: javac's second phase. */
function passes(arg: string, param: string, boxing: boolean): boolean {
  if (!arg || !param || param === "?" || arg === param) return true;
  if (arg === "null") return !isPrimitive(param);
  const argArray = arg.endsWith("[]");
  const paramArray = param.endsWith("[]");
  if (param === "Object") return boxing || !isPrimitive(arg);
  if (argArray || paramArray) {
    if (argArray !== paramArray) return false;
    const a = arg.slice(0, -2);
    const p = param.slice(0, -2);
    return isPrimitive(a) || isPrimitive(p) ? a === p : true;
  }
  if (isPrimitive(arg) && isPrimitive(param)) {
    // Widening: byte < short < int < long < float < double, char < int.
    if (arg === "boolean" || param === "boolean") return false;
    const order = (t: string) => (t === "char" ? 1.5 : PRIMITIVES.indexOf(t));
    return arg === "char" ? order(param) >= 3 : param !== "char" && order(arg) <= order(param);
  }
  if (isPrimitive(arg)) return boxing && (param === BOXES[arg] || param === "Number" || param === "Comparable" || param === "Serializable");
  if (isPrimitive(param)) return boxing && BOXES[param] === arg;
  return true;
}

/**
 * Of overloads that all admit a call's argument count, those whose parameter types the arguments
 * can be passed to (Java, arity strings "n:types"): first without boxing, as javac tries first,
 * then with; every candidate when none fits (a type misread).
 */
export function byArgTypes<T extends { arity?: string | null }>(list: T[], argTypes: string): T[] {
  if (!argTypes || list.length < 2) return list;
  const args = argTypes.split(",");
  const paramsOf = (s: T) => {
    const a = s.arity ?? "";
    const colon = a.indexOf(":");
    return colon < 0 ? null : a.slice(colon + 1).split(",");
  };
  for (const boxing of [false, true]) {
    const fit = list.filter((s) => {
      const params = paramsOf(s);
      return !params || (params.length === args.length && params.every((p, i) => passes(args[i]!, p, boxing)));
    });
    if (fit.length === 0) continue;
    // The most specific: one whose types are the arguments' own, where they are known.
    const exact = fit.filter((s) => paramsOf(s)?.every((p, i) => !args[i] || p === args[i]));
    if (exact.length && exact.length < fit.length) return exact;
    return fit;
  }
  return list;
}

const GENERIC_LT = new Set(["typescript", "tsx", "csharp", "cpp", "c"]);

/**
 * The arguments of the call whose name ends at `at`, read off the text: the top-level commas of
 * the parenthesised list after the name. null when the text is not plain enough to be sure (a
 * generic `<…>` in a language that has them, a spread or splat, a comment, a Python lambda, a
 * regex literal's `/`): the syntax tree decides then (argumentCount). This runs for every call of
 * a large tree, where asking the tree costs a node per call.
 */
export function scanArgumentCount(source: string, at: number, lang: string): number | null {
  let i = at;
  const n = source.length;
  while (i < n && (source.charCodeAt(i) === 32 || source.charCodeAt(i) === 9)) i++;
  if (source.charCodeAt(i) !== 40 /* ( */) return null;
  const generics = GENERIC_LT.has(lang);
  let depth = 0;
  let commas = 0;
  let token = false; // something since the last top-level comma
  let lastArgStart = i + 1;
  for (i++; i < n; i++) {
    const c = source.charCodeAt(i);
    if (c === 34 || c === 39 || c === 96) {
      // A string: to its closing quote (Python's triple quotes: the same, three times).
      if (lang === "python" && source.startsWith(String.fromCharCode(c).repeat(3), i)) {
        const end = source.indexOf(String.fromCharCode(c).repeat(3), i + 3);
        if (end < 0) return null;
        i = end + 2;
      } else {
        let j = i + 1;
        for (; j < n; j++) {
          const d = source.charCodeAt(j);
          if (d === 92 /* \ */ && c !== 96) j++;
          else if (d === c) break;
          else if (d === 10 && c !== 96) return null;
        }
        if (j >= n) return null;
        i = j;
      }
      token = true;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (depth === 0) {
        if (c !== 41) return null;
        const count = token ? commas + 1 : commas;
        // `f(g())` in Go passes all of g's results (and a conversion `f(T(x))` looks the same).
        if (lang === "go" && count === 1 && /\)\s*$/.test(source.slice(lastArgStart, i))) return -1;
        return count;
      }
      depth--;
    } else if (c === 44 && depth === 0) {
      if (!token) return null;
      commas++;
      token = false;
      lastArgStart = i + 1;
      continue;
    } else if (c === 47 /* / */ || c === 35 /* # */ || c === 42 /* * */ || (c === 60 /* < */ && generics)) return null;
    else if (c === 46 && source.charCodeAt(i + 1) === 46) return null; // `...`
    else if (c === 108 && lang === "python" && source.startsWith("lambda", i)) return null;
    if (c > 32) token = true;
  }
  return null;
}

/** The number of arguments a call node passes, or -1 when it cannot be told. */
export function argumentCount(call: Node, lang: string, source: string): number {
  const args = call.childForFieldName("arguments");
  if (!args) return call.type === "new_expression" ? 0 : -1;
  if (args.type === "generator_expression") return 1;
  if (args.type !== "argument_list" && args.type !== "arguments") return -1;
  // Most argument lists hold no spread and no comment: their named children are the arguments,
  // counted without a Node object per argument (this runs for every call of a large tree).
  const text = source.slice(args.startIndex, args.endIndex);
  if (!/\.\.\.|\*|\/\/|#/.test(text)) {
    const n = args.namedChildCount;
    // `f(g())` in Go passes all of g's results (and a conversion `f(T(x))` looks the same).
    return lang === "go" && n === 1 && /\)\s*\)$/.test(text) ? -1 : n;
  }
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
  const colon = arity.indexOf(":");
  if (colon >= 0) return args === Number(arity.slice(0, colon));
  const last = arity.charCodeAt(arity.length - 1);
  if (last === 43 /* + */) return args >= Number(arity.slice(0, -1));
  const dash = arity.indexOf("-");
  if (dash < 0) return args === Number(arity);
  return args >= Number(arity.slice(0, dash)) && args <= Number(arity.slice(dash + 1));
}

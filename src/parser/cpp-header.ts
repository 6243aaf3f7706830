// Whether a header's text is C++ rather than C. Both languages use `.h`, and the C grammar turns a
// C++ header's classes, namespaces and templates into error nodes and stray "functions".
// languages.ts asks this for every `.h` it is given text for.
//
// Evidence is looked for in code every compiler reads. Comments, string and character literals,
// `#error` / `#warning` text and `#if 0` blocks are blanked, so "class" in a comment or a message
// counts for nothing. Code only one kind of compiler reads is dropped too: under
// `#ifdef __cplusplus` a C header keeps what it offers C++ callers (`extern "C" {`, and sometimes
// more: glibc's pthread.h declares a class there, gmp.h templates), under `#ifndef __cplusplus`
// what C alone needs (`#define nullptr ...`). A header that is C once those parts are left out is
// a C header, and the C grammar reads its C API better than the C++ grammar does (on pthread.h
// the C++ grammar loses pthread_join and a dozen other macro-laden prototypes).

/**
 * Only the head of the text is sniffed. A C++ header shows itself near the top (its includes, the
 * namespace it opens, its first class), and the sniff then costs the same on a 2 MB generated C
 * header as on a small one: every `.h` pays it before parsing, on the indexer's workers and on the
 * daemon's thread alike. The cut is by characters, so the answer depends on the content alone.
 */
export const SNIFF_CHARS = 64 * 1024;

/** C++ in code: any one of these makes a header C++. */
const MARKERS = new RegExp(
  [
    // `class Foo {`, `class API Foo : Base`, `class Foo;`, `class Foo<int>`; not ObjC's `@class Foo;`.
    String.raw`(?<![@\w])class[ \t]+(?:[A-Za-z_]\w*(?:\([^)\n]*\))?[ \t]+)?[A-Za-z_]\w*(?:[ \t]+final)?\s*[:{;<]`,
    // A struct with a base list.
    String.raw`\bstruct[ \t]+[A-Za-z_]\w*(?:[ \t]+final)?\s*:(?!:)[\w:<>,\s]*\{`,
    String.raw`\bnamespace(?:[ \t]+[A-Za-z_][\w:]*)?\s*\{`,
    String.raw`\bnamespace[ \t]+[A-Za-z_]\w*\s*=`,
    String.raw`\btemplate\s*<`,
    // Access specifiers open a line; a C bit-field `unsigned private : 1` does not.
    String.raw`^[ \t]*(?:public|protected|private)(?:[ \t]+(?:slots|Q_SLOTS))?[ \t]*:(?!:)`,
    String.raw`\bvirtual[ \t]+[~A-Za-z_]`,
    String.raw`\busing[ \t]+(?:namespace[ \t]+\w|[A-Za-z_]\w*\s*=|(?:typename[ \t]+)?[\w:]*::)`,
    // Qualified names: `std::string`, `Foo::bar`. C23 attributes `[[gnu::x]]` are blanked before.
    String.raw`\b[A-Za-z_]\w*::~?[A-Za-z_]`,
    // Extensionless includes are C++'s (`<vector>`, `<QString>`); every C header ends in `.h`.
    String.raw`^[ \t]*#[ \t]*include[ \t]*<[\w/+-]+>`,
    String.raw`\b(?:static|reinterpret|const|dynamic)_cast[ \t]*<`,
  ].join("|"),
  "m",
);

/** What the scanner must see: comments, literals, attributes and preprocessor directives. */
const SPECIAL = /\/\/|\/\*|"|'|\[\[|^[ \t]*#[ \t]*(include|error|warning|if|ifdef|ifndef|elif|else|endif)\b/gm;
const INCLUDE_TARGET = /[ \t]*(?:<([^>\n]*)>|"([^"\n]*)")/y;
const REST_OF_LINE = /(?:[^\n\\]|\\[^])*/y;
const RAW_STRING_OPEN = /"([^()\\\s]{0,16})\(/y;

/** Who reads a stretch of a header: every compiler, only C++ ones, only C ones, or none (`#if 0`). */
type Region = "shared" | "cpp" | "c" | "dead";

interface Branch {
  now: Region;
  /** The region of the `#else` branch. */
  otherwise: Region;
}

/**
 * True when code every compiler reads, in the header's first SNIFF_CHARS characters, is C++.
 * `isCppPath` says whether an included file's name is a C++ source (languages.ts answers from its
 * own extension table: `#include "widget.hpp"` is C++).
 */
export function looksLikeCpp(text: string, isCppPath: (path: string) => boolean): boolean {
  const { code, includes } = sharedCode(text.length > SNIFF_CHARS ? text.slice(0, SNIFF_CHARS) : text);
  return includes.some(isCppPath) || MARKERS.test(code);
}

/**
 * The code of `src` that every compiler reads, with comments and literals blanked (newlines kept,
 * so `^` still finds line starts), and the files it includes.
 */
function sharedCode(src: string): { code: string; includes: string[] } {
  const code: string[] = [];
  const includes: string[] = [];
  const stack: Branch[] = [];
  let shared = true;
  const emit = (s: string) => {
    if (shared) code.push(s);
  };
  let pos = 0;
  SPECIAL.lastIndex = 0;
  for (let m = SPECIAL.exec(src); m; m = SPECIAL.exec(src)) {
    const at = m.index;
    emit(src.slice(pos, at));
    const token = m[0];
    let end: number;
    if (token === "//") {
      end = lineEnd(src, at);
      emit(" ");
    } else if (token === "/*") {
      const close = src.indexOf("*/", at + 2);
      end = close < 0 ? src.length : close + 2;
      emit(` ${"\n".repeat(countNewlines(src, at, end))}`);
    } else if (token === '"') {
      end = /^(?:u8|u|U|L)?R$/.test(wordBefore(src, at)) ? rawStringEnd(src, at) : literalEnd(src, at, '"');
      emit('""');
    } else if (token === "'") {
      // `1'000'000` is a C++14 digit separator, not a character literal.
      end = inNumber(src, at) ? at + 1 : literalEnd(src, at, "'");
      emit(" ");
    } else if (token === "[[") {
      // C23 and C++11 attributes, `[[gnu::unused]]`: their `::` is no evidence.
      const close = src.indexOf("]]", at + 2);
      const oneLine = close >= 0 && src.lastIndexOf("\n", close) < at;
      end = oneLine ? close + 2 : at + 2;
      emit(oneLine ? " " : token);
    } else {
      const directive = m[1]!;
      end = at + token.length;
      if (directive === "error" || directive === "warning") {
        end = lineEnd(src, at); // free text: "this class is not thread-safe" is not code
        emit(" ");
      } else if (directive === "include") {
        INCLUDE_TARGET.lastIndex = end;
        const target = INCLUDE_TARGET.exec(src);
        if (target) {
          if (shared) includes.push(target[1] ?? target[2]!);
          // Quoted names are blanked like any string; `<...>` stays for MARKERS to read.
          emit(target[1] !== undefined ? token + target[0] : token);
          end = INCLUDE_TARGET.lastIndex;
        } else emit(token);
      } else {
        REST_OF_LINE.lastIndex = end;
        const condition = withoutComments(REST_OF_LINE.exec(src)![0]);
        emit(token); // the condition is scanned as code next; it holds no evidence
        shared = enterDirective(stack, directive, condition) === "shared";
      }
    }
    pos = end;
    SPECIAL.lastIndex = end;
  }
  emit(src.slice(pos));
  return { code: code.join(""), includes };
}

/** Track `#if` nesting; returns the region the following lines are in. */
function enterDirective(stack: Branch[], directive: string, condition: string): Region {
  if (directive === "endif") {
    stack.pop();
  } else if (directive === "else") {
    const top = stack.at(-1);
    if (top) top.now = top.otherwise;
  } else {
    const test = directive === "ifdef" ? `defined(${condition})` : directive === "ifndef" ? `!defined(${condition})` : condition;
    const branch = branchesOf(test.replace(/\s+/g, ""));
    const top = stack.at(-1);
    if (directive !== "elif") stack.push(branch);
    else if (top) Object.assign(top, branch);
  }
  let out: Region = "shared";
  for (const b of stack) {
    if (b.now === "dead" || (b.now === "cpp" && out === "c") || (b.now === "c" && out === "cpp")) return "dead";
    if (b.now !== "shared") out = b.now;
  }
  return out;
}

const IS_CPP = /^\(?(?:defined\(?__cplusplus\)?|__cplusplus)\)?$/;
const IS_NOT_CPP = /^!\(?(?:defined\(?__cplusplus\)?|__cplusplus)\)?$/;

/**
 * Which compilers read the two branches of `#if test` (whitespace removed). Only tests that name
 * __cplusplus split them: `A && __cplusplus` is read by C++ alone, the `#else` of
 * `!defined __cplusplus || B` too; the `#else` of `__cplusplus >= 201103L` also by older C++ and C.
 */
function branchesOf(test: string): Branch {
  if (test === "0") return { now: "dead", otherwise: "shared" };
  const anyOf = topLevel(test, "||");
  if (anyOf.length > 1) {
    if (anyOf.some((t) => IS_NOT_CPP.test(t))) return { now: "shared", otherwise: "cpp" };
    if (anyOf.some((t) => IS_CPP.test(t))) return { now: "shared", otherwise: "c" };
    return { now: "shared", otherwise: "shared" };
  }
  const allOf = topLevel(test, "&&");
  const alone = allOf.length === 1;
  if (allOf.some((t) => IS_NOT_CPP.test(t))) return { now: "c", otherwise: alone ? "cpp" : "shared" };
  if (allOf.some((t) => IS_CPP.test(t))) return { now: "cpp", otherwise: alone ? "c" : "shared" };
  if (allOf.some((t) => /^\(?__cplusplus\W/.test(t))) return { now: "cpp", otherwise: "shared" };
  return { now: "shared", otherwise: "shared" };
}

/** `test` split on `op` outside parentheses. */
function topLevel(test: string, op: "||" | "&&"): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < test.length; i++) {
    const ch = test[i];
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (depth === 0 && test.startsWith(op, i)) {
      parts.push(test.slice(from, i));
      from = i + 2;
      i++;
    }
  }
  parts.push(test.slice(from));
  return parts;
}

function lineEnd(src: string, from: number): number {
  REST_OF_LINE.lastIndex = from;
  REST_OF_LINE.exec(src);
  return REST_OF_LINE.lastIndex; // a `\` before the newline continues the line, as in the preprocessor
}

/** The end of a quoted literal opened at `at`; an unterminated one ends with its line. */
function literalEnd(src: string, at: number, quote: string): number {
  for (let i = at + 1; i < src.length; i++) {
    const ch = src[i];
    if (ch === "\\") i++;
    else if (ch === quote) return i + 1;
    else if (ch === "\n") return i;
  }
  return src.length;
}

/** `R"tag(...)tag"`: C++ raw strings hold quotes and newlines freely. */
function rawStringEnd(src: string, at: number): number {
  RAW_STRING_OPEN.lastIndex = at;
  const open = RAW_STRING_OPEN.exec(src);
  if (!open) return literalEnd(src, at, '"');
  const close = src.indexOf(`)${open[1]}"`, RAW_STRING_OPEN.lastIndex);
  return close < 0 ? src.length : close + open[1]!.length + 2;
}

/** Whether the `'` at `at` sits inside a number (the word before it starts with a digit). */
function inNumber(src: string, at: number): boolean {
  return /^\d/.test(wordBefore(src, at));
}

/** The identifier or number characters right before `at`. */
function wordBefore(src: string, at: number): string {
  let i = at;
  while (i > 0 && /\w/.test(src[i - 1]!)) i--;
  return src.slice(i, at);
}

function countNewlines(src: string, from: number, to: number): number {
  let n = 0;
  for (let i = src.indexOf("\n", from); i >= 0 && i < to; i = src.indexOf("\n", i + 1)) n++;
  return n;
}

function withoutComments(line: string): string {
  return line.replace(/\/\*[^]*?(?:\*\/|$)|\/\/.*$/g, " ");
}

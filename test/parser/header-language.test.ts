// `.h` files are C or C++ by their own text (src/parser/cpp-header.ts, asked by languageForFile):
// C++ must be seen in code every compiler reads, never in comments, literals, `#error` text,
// `#if 0` blocks or the parts a C header keeps for C++ under `#ifdef __cplusplus`.
import { describe, expect, test } from "bun:test";
import { SNIFF_CHARS } from "../../src/parser/cpp-header.ts";
import { languageForFile, languageForPath } from "../../src/parser/languages.ts";
import { parseText } from "../../src/parser/parse-file.ts";

const lines = (...l: string[]) => `${l.join("\n")}\n`;
const langOf = (text: string) => languageForFile("include/x.h", text);

/** A C header as C projects write them: include guard, `extern "C"` for C++ callers, "class" in prose. */
const C_HEADER = lines(
  "/* queue.h - a FIFO of jobs. Not a class: plain C that C++ can include. */",
  "#ifndef QUEUE_H",
  "#define QUEUE_H",
  "#include <stddef.h>",
  "#ifdef __cplusplus",
  'extern "C" {',
  "#endif",
  "",
  "// class Queue { public: void push(); };  -- what a C++ wrapper would look like",
  "/** A class of job, by priority. */",
  "typedef enum { JOB_LOW, JOB_HIGH } job_class;",
  "typedef struct queue queue_t;",
  'static const char *const QUEUE_DOC = "class Queue : public Base { private: };";',
  "queue_t *queue_new(size_t cap);",
  "void queue_free(queue_t *q);",
  "",
  "#ifdef __cplusplus",
  "}",
  "#endif",
  "#endif /* QUEUE_H */",
);

const CPP_HEADER = lines(
  "#pragma once",
  "#include <cstddef>",
  "",
  "namespace jobs {",
  "",
  "/// A FIFO of jobs.",
  "class Queue {",
  "public:",
  "    explicit Queue(std::size_t cap);",
  "    ~Queue();",
  "    bool push(int id);",
  "",
  "private:",
  "    std::size_t cap_;",
  "};",
  "",
  "template <typename T>",
  "T *make(std::size_t cap) { return new T(cap); }",
  "",
  "} // namespace jobs",
);

describe("a .h file's language", () => {
  test('a C header with extern "C" guards and "class" in comments and strings stays C', async () => {
    expect(languageForPath("include/x.h")).toBe("c");
    expect(langOf(C_HEADER)).toBe("c");
    const { symbols } = await parseText("c", C_HEADER);
    expect(symbols.map((s) => `${s.kind} ${s.name}`)).toEqual(["enum job_class", "type queue_t", "function queue_new", "function queue_free"]);
  });

  test("a C++ header with a namespace, a class with methods and a template is C++, with its symbols", async () => {
    expect(langOf(CPP_HEADER)).toBe("cpp");
    const { symbols } = await parseText("cpp", CPP_HEADER);
    expect(symbols.map((s) => `${s.kind} ${s.name} [${s.container ?? ""}]`)).toEqual([
      "namespace jobs []",
      "class Queue [jobs]",
      "method Queue [Queue]",
      "method ~Queue [Queue]",
      "method push [Queue]",
      "field cap_ [Queue]",
      "function make [jobs]",
    ]);
  });

  test.each([
    ["a namespace", "namespace io {\nint read(int fd);\n}"],
    ["an anonymous namespace", "namespace {\nint n;\n}"],
    ["a class on a line of its own (Allman braces, export macro)", "class IO_API Reader\n{\n  int fd;\n};"],
    ["a forward-declared class", "class Reader;\nint open(Reader *r);"],
    ["a struct with a base", "struct File : Handle {\n  int fd;\n};"],
    ["a template", "template <typename T>\nT max_of(T a, T b);"],
    ["an access specifier", "struct S {\nprivate:\n  int x;\n};"],
    ["a virtual member", "struct S {\n  virtual void f();\n};"],
    ["a using declaration", "using Bytes = unsigned char *;"],
    ["a qualified name", "void log(std::string msg);"],
    ["an extensionless standard header", "#include <vector>\nint f(void);"],
    ["a C++ header by extension, quoted", '#include "reader.hpp"\nint f(void);'],
    ["a C++ cast in a macro", "#define AS_INT(x) static_cast<int>(x)"],
    ["C++ in the #else of a C-only branch", "#ifndef __cplusplus\ntypedef int b;\n#else\n#endif\nclass B {};"],
    ["C++ under a test that C compilers also pass", "#if defined(__cplusplus) || defined(FORCE)\nnamespace n {}\n#endif"],
  ])("C++ from %s", (_, text) => {
    expect(langOf(`${text}\n`)).toBe("cpp");
  });

  test.each([
    ["C++ only under #ifdef __cplusplus (wrappers a C header offers C++ callers)", "#ifdef __cplusplus\n#include <cstdint>\nnamespace q { class Queue { public: Queue(); }; }\n#endif\nint f(void);"],
    ["C++ only under #if defined __cplusplus && ...", "#if defined __cplusplus && __cplusplus >= 201103L\ntemplate <class T> struct S;\n#endif"],
    ["C++ only in the #else of !defined(__cplusplus) || ...", "#if !defined __cplusplus || (__cplusplus < 201103L)\nint x;\n#else\ntemplate<typename> struct T;\n#endif"],
    ["C++ keywords defined away for C", "#ifndef __cplusplus\n#define nullptr ((void *)0)\n#define class klass\n#endif"],
    ["#if 0 blocks", "#if 0\nclass Old { public: };\n#endif\nint f(void);"],
    ["#error text", "#ifndef HAVE_IO\n#error this class of platform needs std::io\n#endif"],
    ["block comments", "/*\n * class Foo {\n * public:\n */\nint f(void);"],
    ["a line comment continued by a backslash", "// see below \\\nclass Foo {\nint f(void);"],
    ["character literals", "static const char open = '{', colon = ':';"],
    ["Objective-C's @class and @private", "#import <Foundation/Foundation.h>\n@class Foo;\n@interface Bar : NSObject {\n@private\n  int x;\n}\n@end"],
    ["bit-fields named like access specifiers", "struct flags {\n  unsigned private : 1;\n  unsigned public : 1;\n};"],
    ["C23 attributes", "[[gnu::always_inline]] static inline int f(void) { return 0; }"],
    ["identifiers containing keywords", "int subclass, namespace_id, template_len;\nstruct class_info { int virtual_size; };"],
  ])("C despite %s", (_, text) => {
    expect(langOf(`${text}\n`)).toBe("c");
  });

  test("only the head is read: C++ past the first SNIFF_CHARS characters is not seen", () => {
    const filler = "int filler;\n".repeat(Math.ceil(SNIFF_CHARS / 12));
    expect(langOf(`${filler}namespace late {}\n`)).toBe("c");
    expect(langOf(`namespace early {}\n${filler}`)).toBe("cpp");
  });

  test("content decides for .h only: other extensions keep their language", () => {
    expect(languageForFile("src/x.c", CPP_HEADER)).toBe("c");
    expect(languageForFile("src/x.hpp", C_HEADER)).toBe("cpp");
    expect(languageForFile("include/X.H", CPP_HEADER)).toBe("cpp");
    expect(languageForFile("Makefile", CPP_HEADER)).toBeNull();
  });
});

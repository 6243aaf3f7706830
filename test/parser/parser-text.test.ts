// LanguageSpec.parserText: what tree-sitter reads may differ from the file only where the grammar
// misreads valid code, and never moves an offset or a line (extraction slices the original text).
import { describe, expect, test } from "bun:test";
import { kotlinParserText, LANGUAGES } from "../../src/parser/languages.ts";
import { parseText } from "../../src/parser/parse-file.ts";

describe("Kotlin fun interface", () => {
  test("is read as an interface of the same length, lines in place", () => {
    const src = "fun interface A {\n  fun a()\n}\nfun\tinterface B { fun b() }\n";
    const out = kotlinParserText(src);
    expect(out).toBe("interface     A {\n  fun a()\n}\ninterface     B { fun b() }\n");
    expect(out.length).toBe(src.length);
  });

  test("leaves everything else alone", () => {
    for (const src of ["fun interfaces() = 1\n", "funinterface\n", "fun\ninterface X\n", "fun main() { val interface_ = 1 }\n", "class Fun : Interface\n"]) {
      expect(kotlinParserText(src)).toBe(src);
    }
  });

  test("indexes the interface, its method as a member, and the user's text in signature and doc", async () => {
    const x = await parseText("kotlin", "/** Hears `fun interface` events. */\nfun interface Listener {\n    fun onEvent(x: Int)\n}\n");
    expect(x.symbols.map((s) => [s.kind, s.name, s.container, s.signature, s.doc])).toEqual([
      ["interface", "Listener", null, "fun interface Listener", "Hears `fun interface` events."],
      ["method", "onEvent", "Listener", "fun onEvent(x: Int)", null],
    ]);
    expect(x.syntaxErrors).toBe(0);
  });

  test("only Kotlin rewrites", () => {
    expect(Object.values(LANGUAGES).filter((s) => s.parserText).map((s) => s.id)).toEqual(["kotlin"]);
  });
});

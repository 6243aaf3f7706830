// Golden tests: each language's fixture must yield exactly the symbols, docs and call edges
// recorded in its expected.txt. UPDATE_GOLDEN=1 rewrites them (review the diff by hand).
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { LANGUAGE_IDS, languageForFile } from "../../src/parser/languages.ts";
import { parseText } from "../../src/parser/parse-file.ts";
import type { Extraction } from "../../src/parser/types.ts";

const ROOT = join(import.meta.dir, "../fixtures/languages");

const MARK: Record<string, string> = { call: "", member: ".", imported: "import." };

export function renderExtraction(x: Extraction): string {
  const out: string[] = ["# symbols: kind name [container] lines | signature | doc (| type: declared or return type) (| arity: parameter count)"];
  for (const s of x.symbols) {
    const doc = s.doc ? s.doc.replace(/\n/g, "⏎") : "-";
    out.push(`${s.kind} ${s.name} [${s.container ?? ""}] ${s.line}-${s.endLine} | ${s.signature} | ${doc}${s.typeRef ? ` | type: ${s.typeRef}` : ""}${s.arity !== null ? ` | arity: ${s.arity}` : ""}`);
  }
  out.push("# calls: caller -> callee (line); .callee: a member call (x.callee()); import.callee: through an import's name; @R: the receiver hint; /N: N arguments");
  for (const r of x.refs) {
    if (r.kind === "type") continue;
    const from = r.enclosing === null ? "<top>" : x.symbols[r.enclosing]!.name;
    out.push(`${from} -> ${MARK[r.kind]}${r.name} (${r.line})${r.receiver ? ` @${r.receiver}` : ""}${r.args >= 0 ? ` /${r.args}` : ""}`);
  }
  out.push("# supertypes: type < base");
  for (const r of x.relations) out.push(`${r.type} < ${r.base}`);
  out.push("# type refs: user -> type");
  const typeRefs = new Set<string>();
  for (const r of x.refs) {
    if (r.kind !== "type") continue;
    typeRefs.add(`${r.enclosing === null ? "<top>" : x.symbols[r.enclosing]!.name} -> ${r.name}`);
  }
  out.push(...typeRefs);
  out.push("# imports", ...x.imports);
  out.push(`# syntax errors: ${x.syntaxErrors}`);
  return `${out.join("\n")}\n`;
}

describe("golden extraction per language", () => {
  for (const lang of LANGUAGE_IDS) {
    test(lang, async () => {
      const dir = join(ROOT, lang);
      const sources = readdirSync(dir).filter((f) => f !== "expected.txt").sort();
      expect(sources.length).toBeGreaterThan(0);
      let rendered = "";
      for (const file of sources) {
        // Chosen as the indexer chooses: cpp/inventory.h is C++ by its content, c/queue.h C.
        const text = await Bun.file(join(dir, file)).text();
        expect(languageForFile(file, text)).toBe(lang);
        const x = await parseText(lang, text);
        rendered += `## ${file}\n${renderExtraction(x)}`;
      }
      const expectedPath = join(dir, "expected.txt");
      if (process.env.UPDATE_GOLDEN) await Bun.write(expectedPath, rendered);
      expect(rendered).toBe(await Bun.file(expectedPath).text());
    });
  }
});

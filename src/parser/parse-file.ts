// Parse one file's text into an Extraction. Used by the worker pool and directly by tests.
import type { Parser } from "web-tree-sitter";
import { extract, PARSE_BUDGET_MS, parseSource } from "./extract.ts";
import { LANGUAGES, type LanguageId } from "./languages.ts";
import { loadLanguage, newParser } from "./runtime.ts";
import type { Extraction } from "./types.ts";

let parser: Parser | null = null;

/** Throws ParseTimeout when parsing takes longer than budgetMs (the parser stays usable). */
export async function parseText(lang: LanguageId, source: string, budgetMs = PARSE_BUDGET_MS): Promise<Extraction> {
  const loaded = await loadLanguage(lang);
  parser ??= await newParser();
  const spec = LANGUAGES[lang];
  const tree = parseSource(parser, loaded, spec.parserText?.(source) ?? source, budgetMs);
  try {
    return extract(spec, loaded, tree, source);
  } finally {
    tree.delete();
  }
}

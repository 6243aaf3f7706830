// One file's text → its HTTP routes and client calls. A cheap text test first: most files of a
// tree mention no route or HTTP client, and those are never parsed (see docs/architecture.md,
// "HTTP contracts", for the cost).
import type { Node } from "web-tree-sitter";
import type { Parser } from "web-tree-sitter";
import { parseSource } from "../parser/extract.ts";
import { LANGUAGES, type LanguageId } from "../parser/languages.ts";
import { loadLanguage, newParser } from "../parser/runtime.ts";
import { extractGo } from "./extract-go.ts";
import { extractJava } from "./extract-java.ts";
import { extractJs } from "./extract-js.ts";
import { extractKotlin } from "./extract-kotlin.ts";
import { extractPython } from "./extract-python.ts";
import { emptyContracts, type FileContracts } from "./types.ts";

interface Extractor {
  /** A file that does not match cannot hold a route or call this extractor knows. */
  mayHold: RegExp;
  extract(root: Node, text: string): FileContracts;
}

const JS: Extractor = {
  mayHold: /\bfetch\(|axios|\bhttp\w*\.(get|post|put|patch|delete|request)\b|localVarPath|\.request\(|\.(get|post|put|patch|delete|all|route|use)\(\s*["'`]|\.register\(/,
  extract: extractJs,
};

const EXTRACTORS: Partial<Record<LanguageId, Extractor>> = {
  go: {
    mayHold: /\.(HandleFunc|Handle|GET|POST|PUT|PATCH|DELETE|Any|Get|Post|Put|Patch|Delete|Route|Group|Mount|NewRequest|NewRequestWithContext)\(/,
    extract: extractGo,
  },
  javascript: JS,
  typescript: JS,
  tsx: JS,
  python: {
    mayHold: /@\w+\.(get|post|put|patch|delete|head|options|route|api_route)\(|APIRouter|Blueprint|include_router|register_blueprint|\b(requests|httpx|session|client|http)\.(get|post|put|patch|delete|head)\(/,
    extract: extractPython,
  },
  java: { mayHold: /@(Get|Post|Put|Patch|Delete|Request)Mapping|@(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|HTTP)\(|Request\.Builder|baseUrl\(/, extract: extractJava },
  kotlin: {
    mayHold:
      /@(Get|Post|Put|Patch|Delete|Request)Mapping|@(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|HTTP)\(|Request\.Builder|baseUrl\(|\brouting\b|\bRout(e|ing)\.|\broute\s*\(|HttpClient|[cC]lient\.(get|post|put|patch|delete|head|options)\s*\(/,
    extract: extractKotlin,
  },
};

/** Languages with an HTTP extractor. */
export const CONTRACT_LANGUAGES = new Set(Object.keys(EXTRACTORS) as LanguageId[]);

/** Whether the cheap text test lets a file through to the parser. */
export function mayHoldContracts(lang: LanguageId, text: string): boolean {
  return EXTRACTORS[lang]?.mayHold.test(text) ?? false;
}

let parser: Parser | null = null;

export async function extractContracts(lang: LanguageId, text: string): Promise<FileContracts> {
  const ex = EXTRACTORS[lang];
  if (!ex || !ex.mayHold.test(text)) return emptyContracts();
  const loaded = await loadLanguage(lang);
  parser ??= await newParser();
  const tree = parseSource(parser, loaded, LANGUAGES[lang].parserText?.(text) ?? text);
  try {
    const found = ex.extract(tree.rootNode, text);
    // Source order (the tree walks find a chain's outer call first; a stable sort keeps that within a line).
    found.routes.sort((a, b) => a.line - b.line);
    found.calls.sort((a, b) => a.line - b.line);
    return found;
  } finally {
    tree.delete();
  }
}

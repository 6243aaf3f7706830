// The language registry: which files each grammar parses and how its tags query reads.
// Grammars and queries are imported as embedded assets so `bun build --compile` carries them.
import goWasm from "tree-sitter-wasms/out/tree-sitter-go.wasm" with { type: "file" };
import kotlinWasm from "tree-sitter-wasms/out/tree-sitter-kotlin.wasm" with { type: "file" };
import javaWasm from "tree-sitter-wasms/out/tree-sitter-java.wasm" with { type: "file" };
import typescriptWasm from "tree-sitter-wasms/out/tree-sitter-typescript.wasm" with { type: "file" };
import tsxWasm from "tree-sitter-wasms/out/tree-sitter-tsx.wasm" with { type: "file" };
import javascriptWasm from "tree-sitter-wasms/out/tree-sitter-javascript.wasm" with { type: "file" };
import pythonWasm from "tree-sitter-wasms/out/tree-sitter-python.wasm" with { type: "file" };
import rustWasm from "tree-sitter-wasms/out/tree-sitter-rust.wasm" with { type: "file" };
import swiftWasm from "tree-sitter-wasms/out/tree-sitter-swift.wasm" with { type: "file" };
import cWasm from "tree-sitter-wasms/out/tree-sitter-c.wasm" with { type: "file" };
import cppWasm from "tree-sitter-wasms/out/tree-sitter-cpp.wasm" with { type: "file" };
import csharpWasm from "tree-sitter-wasms/out/tree-sitter-c_sharp.wasm" with { type: "file" };
import rubyWasm from "tree-sitter-wasms/out/tree-sitter-ruby.wasm" with { type: "file" };
import phpWasm from "tree-sitter-wasms/out/tree-sitter-php.wasm" with { type: "file" };

import goQuery from "../../grammars/go.scm" with { type: "text" };
import kotlinQuery from "../../grammars/kotlin.scm" with { type: "text" };
import javaQuery from "../../grammars/java.scm" with { type: "text" };
import typescriptQuery from "../../grammars/typescript.scm" with { type: "text" };
import tsxQuery from "../../grammars/tsx.scm" with { type: "text" };
import javascriptQuery from "../../grammars/javascript.scm" with { type: "text" };
import pythonQuery from "../../grammars/python.scm" with { type: "text" };
import rustQuery from "../../grammars/rust.scm" with { type: "text" };
import swiftQuery from "../../grammars/swift.scm" with { type: "text" };
import cQuery from "../../grammars/c.scm" with { type: "text" };
import cppQuery from "../../grammars/cpp.scm" with { type: "text" };
import csharpQuery from "../../grammars/csharp.scm" with { type: "text" };
import rubyQuery from "../../grammars/ruby.scm" with { type: "text" };
import phpQuery from "../../grammars/php.scm" with { type: "text" };
import { looksLikeCpp } from "./cpp-header.ts";

export const LANGUAGE_IDS = [
  "go",
  "kotlin",
  "java",
  "typescript",
  "tsx",
  "javascript",
  "python",
  "rust",
  "swift",
  "c",
  "cpp",
  "csharp",
  "ruby",
  "php",
] as const;
export type LanguageId = (typeof LANGUAGE_IDS)[number];

export interface LanguageSpec {
  id: LanguageId;
  name: string;
  extensions: string[];
  wasm: string;
  query: string;
  /** Node types that wrap a definition (export, decorators, templates): docs sit above the wrapper. */
  wrapperTypes?: string[];
  /** Sibling node types allowed between a doc comment and its definition (attributes). */
  docSkipTypes?: string[];
  /** Python-style docstring: first string statement of the body. */
  docstring?: boolean;
  /**
   * The text handed to tree-sitter when the grammar misreads valid code. It must keep every byte
   * offset and line where they are (same length, newlines untouched): extraction slices the
   * original text with the tree's offsets, so names, signatures and docs read the user's code.
   */
  parserText?: (source: string) => string;
  /**
   * An import binds the last part of its path as a name the code calls through (`fmt.Println` after
   * importing "fmt", `json.dumps`, `List.of`): such a member call is looked up in the imports only.
   * Not C/C++ or Ruby (an include or require binds no name), nor where modules are reached with
   * `::` or never named (Rust, PHP, C#, Swift).
   */
  importNames?: boolean;
}

/**
 * tree-sitter-kotlin 0.3.1 (the grammar in tree-sitter-wasms) predates Kotlin 1.4's functional
 * interfaces: `fun interface Listener { … }` parses as an error and a lambda, losing the interface
 * and giving its methods no container. Read as `interface` followed by spaces it parses as the
 * interface it is. Spaces and tabs only between the two words, so no line moves.
 */
export function kotlinParserText(source: string): string {
  if (!source.includes("interface")) return source;
  return source.replace(/\bfun([ \t]+)interface\b/g, (all) => "interface".padEnd(all.length, " "));
}

export const LANGUAGES: Record<LanguageId, LanguageSpec> = {
  go: { id: "go", name: "Go", extensions: [".go"], wasm: goWasm, query: goQuery, importNames: true },
  kotlin: { id: "kotlin", name: "Kotlin", extensions: [".kt", ".kts"], wasm: kotlinWasm, query: kotlinQuery, parserText: kotlinParserText, importNames: true },
  java: { id: "java", name: "Java", extensions: [".java"], wasm: javaWasm, query: javaQuery, importNames: true },
  typescript: {
    id: "typescript",
    name: "TypeScript",
    extensions: [".ts", ".mts", ".cts"],
    wasm: typescriptWasm,
    query: typescriptQuery,
    wrapperTypes: ["export_statement", "ambient_declaration"],
    importNames: true,
  },
  tsx: {
    id: "tsx",
    name: "TSX",
    extensions: [".tsx"],
    wasm: tsxWasm,
    // One query for both dialects: tsx.scm adds only the JSX patterns.
    query: `${typescriptQuery}\n${tsxQuery}`,
    wrapperTypes: ["export_statement", "ambient_declaration"],
    importNames: true,
  },
  javascript: {
    id: "javascript",
    name: "JavaScript",
    extensions: [".js", ".mjs", ".cjs", ".jsx"],
    wasm: javascriptWasm,
    query: javascriptQuery,
    wrapperTypes: ["export_statement"],
    importNames: true,
  },
  python: {
    id: "python",
    name: "Python",
    extensions: [".py", ".pyi"],
    wasm: pythonWasm,
    query: pythonQuery,
    wrapperTypes: ["decorated_definition"],
    docstring: true,
    importNames: true,
  },
  rust: {
    id: "rust",
    name: "Rust",
    extensions: [".rs"],
    wasm: rustWasm,
    query: rustQuery,
    docSkipTypes: ["attribute_item"],
  },
  swift: { id: "swift", name: "Swift", extensions: [".swift"], wasm: swiftWasm, query: swiftQuery },
  c: { id: "c", name: "C", extensions: [".c", ".h"], wasm: cWasm, query: cQuery },
  cpp: {
    id: "cpp",
    name: "C++",
    extensions: [".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++"],
    wasm: cppWasm,
    query: cppQuery,
    wrapperTypes: ["template_declaration"],
  },
  csharp: { id: "csharp", name: "C#", extensions: [".cs"], wasm: csharpWasm, query: csharpQuery },
  ruby: {
    id: "ruby",
    name: "Ruby",
    extensions: [".rb", ".rake", ".gemspec"],
    wasm: rubyWasm,
    query: rubyQuery,
    // `private def x` passes the method to a call: docs sit above the call, the signature keeps `private`.
    wrapperTypes: ["argument_list", "call"],
  },
  php: { id: "php", name: "PHP", extensions: [".php"], wasm: phpWasm, query: phpQuery },
};

const BY_EXTENSION = new Map<string, LanguageId>();
for (const spec of Object.values(LANGUAGES)) for (const ext of spec.extensions) BY_EXTENSION.set(ext, spec.id);

/**
 * Extensions two languages share, settled by the file's own text. C and C++ both use `.h`: it is
 * C++ when its code shows C++ (src/parser/cpp-header.ts), else C, the extension table's answer.
 */
const BY_CONTENT = new Map<string, (text: string) => LanguageId>([
  [".h", (text) => (looksLikeCpp(text, (included) => languageForPath(included) === "cpp") ? "cpp" : "c")],
]);

/**
 * The language of a path by its extension, or null when skep has no grammar for it. Whether skep
 * indexes a file at all is decided here; for a `.h` this is only the language it has while its text
 * is unread (a file skipped as a symlink or too large): parsing asks languageForFile.
 */
export function languageForPath(path: string): LanguageId | null {
  const ext = extensionOf(path);
  return ext === null ? null : (BY_EXTENSION.get(ext) ?? null);
}

/**
 * The language to parse a file in, from its path and its text: the one place a file's language is
 * chosen. Deterministic per content, so a stored language is right for as long as the stored hash
 * is, and follows the text when it changes. null when skep has no grammar for the path.
 */
export function languageForFile(path: string, text: string): LanguageId | null {
  const ext = extensionOf(path);
  if (ext === null) return null;
  return BY_CONTENT.get(ext)?.(text) ?? BY_EXTENSION.get(ext) ?? null;
}

function extensionOf(path: string): string | null {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  if (dot <= slash + 1) return null; // no extension, or a dotfile like ".bashrc"
  return path.slice(dot).toLowerCase();
}

export function isLanguageId(value: string): value is LanguageId {
  return (LANGUAGE_IDS as readonly string[]).includes(value);
}

// Loads the tree-sitter runtime once per thread and each grammar on first use.
import { Language, Parser, Query } from "web-tree-sitter";
import runtimeWasm from "web-tree-sitter/tree-sitter.wasm" with { type: "file" };
import { LANGUAGES, type LanguageId } from "./languages.ts";
import { bindModule } from "./raw-query.ts";

export interface LoadedLanguage {
  language: Language;
  query: Query;
}

let initialised: Promise<void> | null = null;
const loaded = new Map<LanguageId, Promise<LoadedLanguage>>();

function init(): Promise<void> {
  // Emscripten makes the options object the module itself: raw-query.ts reads matches through it.
  if (!initialised) {
    const module = { locateFile: () => runtimeWasm };
    initialised = Parser.init(module).then(() => bindModule(module));
  }
  return initialised;
}

/** zstd's frame magic, 28 B5 2F FD; a plain grammar starts with wasm's "\0asm". */
function isZstd(b: Uint8Array): boolean {
  return b.length > 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd;
}

/** Compiled binaries carry grammars zstd-compressed (scripts/compile.ts); from source they are plain wasm. */
function inflate(bytes: Uint8Array): Uint8Array {
  return isZstd(bytes) ? Bun.zstdDecompressSync(bytes) : bytes;
}

async function load(id: LanguageId): Promise<LoadedLanguage> {
  await init();
  const spec = LANGUAGES[id];
  const language = await Language.load(inflate(await Bun.file(spec.wasm).bytes()));
  let query: Query;
  try {
    query = new Query(language, spec.query);
  } catch (err) {
    throw new Error(`tags query for ${spec.name} does not compile: ${(err as Error).message}`);
  }
  return { language, query };
}

export function loadLanguage(id: LanguageId): Promise<LoadedLanguage> {
  let p = loaded.get(id);
  if (!p) {
    p = load(id);
    loaded.set(id, p);
  }
  return p;
}

export async function newParser(): Promise<Parser> {
  await init();
  return new Parser();
}

// The index layer: "add the HealthController class" when the index already has a class
// HealthController is work that is done. Fires only for descriptions that ask to create something
// and name it like code (`parseConfig`, HealthController, parse_config), and only when every named
// thing exists with that exact name (and kind, and container, when the description gives them).
// Anything that changes existing code (fix, refactor, remove, ...) is left to the other layers.
// The lookup is injected, so this stays a pure function; index-lookup.ts reads the real index.
import type { DedupResult } from "../../protocol/tasks.ts";
import { BRANDS } from "./vocab.ts";

export interface IndexSymbol {
  name: string;
  kind: string;
  /** Repo-relative path. */
  file: string;
  line: number;
  /** Enclosing class/struct, null at top level; undefined when the lookup does not say. */
  container?: string | null;
}

/** Exact-name lookup: symbols named exactly `name` (case-sensitive). */
export type SymbolLookup = (name: string) => IndexSymbol[];

/** Verbs asking for something that does not exist yet. */
const CREATE_VERBS = new Set(["add", "create", "implement", "introduce", "write", "define", "declare", "build"]);
/** Words that may come before the verb ("please add", "we should add", "TODO: add"). */
const LEAD_IN = new Set(["please", "we", "should", "need", "needs", "to", "let's", "lets", "i", "want", "must", "can", "you", "todo", "task"]);
const DETERMINERS = new Set(["a", "an", "the", "new", "some", "one", "our", "missing"]);
/** Kind words -> the index kinds (src/parser/types.ts SYMBOL_KINDS) they name. */
const KINDS: Record<string, string[]> = {
  function: ["function"],
  func: ["function"],
  fn: ["function"],
  method: ["method"],
  class: ["class"],
  struct: ["struct"],
  interface: ["interface", "trait"],
  protocol: ["interface", "trait"],
  trait: ["trait", "interface"],
  enum: ["enum"],
  type: ["type", "interface", "struct", "class", "enum"],
  constant: ["constant"],
  const: ["constant"],
  module: ["module", "namespace"],
};
/** Kinds one implements rather than defines: "implement the Cache interface" means a new class. */
const IMPLEMENTED_KINDS = new Set(["interface", "protocol", "trait"]);
/** Words that end the named object: what follows says where or why, not what. */
const BOUNDARY = new Set(["to", "in", "on", "for", "that", "which", "with", "so", "into", "inside", "within", "under", "at", "as", "from", "using", "returning", "taking", "of"]);
const CONTAINER_PREPOSITIONS = new Set(["to", "in", "on", "inside", "into", "of"]);

interface Tok {
  text: string;
  /** Written in backticks. */
  code: boolean;
  punct: boolean;
}

const TOKEN = /`([^`]+)`|([\p{L}_$][\p{L}\p{N}_$']*(?:(?:\.|::)[\p{L}_$][\p{L}\p{N}_$]*)*)|([^\s\p{L}\p{N}_$`])/gu;

function tokenize(text: string): Tok[] {
  return [...text.matchAll(TOKEN)].map((m) =>
    m[1] !== undefined ? { text: m[1].trim(), code: true, punct: false } : m[2] !== undefined ? { text: m[2], code: false, punct: false } : { text: m[3]!, code: false, punct: true },
  );
}

/** Looks like a code name: backticked, camelCase/PascalCase with two humps, or snake_case. Not a product name (GitHub, iOS). */
function codeName(t: Tok): string | null {
  if (t.punct) return null;
  // `parseConfig()` and `parseConfig(text)` name parseConfig.
  const name = t.code ? t.text.replace(/\(.*\)$/, "") : t.text;
  // A file name (auth.ts, config.json) is not a symbol.
  if (/\.[a-z]{1,4}$/.test(name)) return null;
  if (!/^[\p{L}_$][\p{L}\p{N}_$]*(?:(?:\.|::)[\p{L}_$][\p{L}\p{N}_$]*)*$/u.test(name)) return null;
  if (t.code) return name;
  if (BRANDS.has(name.toLowerCase())) return null;
  if (/\p{Ll}\p{Lu}|\p{Lu}{2,}\p{Ll}/u.test(name) || /\p{L}_\p{L}/u.test(name) || /\.|::/.test(name)) return name;
  return null;
}

/** A capitalised plain word (Cache, Server): a code name only next to a kind word ("the Cache class"). */
const capitalised = (t: Tok) => !t.punct && !t.code && /^\p{Lu}[\p{L}\p{N}_]*$/u.test(t.text) && !BRANDS.has(t.text.toLowerCase());

interface Ask {
  names: string[];
  kind: string | null;
  container: string | null;
}

/** What the description asks to create, or null when it is not that kind of description. */
export function parseCreateAsk(description: string): Ask | null {
  const toks = tokenize(description);
  let i = 0;
  const word = (k: number) => (toks[k] && !toks[k]!.punct && !toks[k]!.code ? toks[k]!.text.toLowerCase() : null);
  while (i < toks.length && (LEAD_IN.has(word(i) ?? "") || toks[i]!.punct)) i++;
  const verb = word(i);
  if (!verb || !CREATE_VERBS.has(verb)) return null;
  i++;
  while (DETERMINERS.has(word(i) ?? "")) i++;

  let kind: string | null = null;
  if (word(i) && KINDS[word(i)!]) kind = word(i++)!;
  const names: string[] = [];
  for (;;) {
    const t = toks[i];
    if (!t) break;
    const name = codeName(t) ?? (capitalised(t) && (kind !== null || KINDS[word(i + 1) ?? ""]) ? t.text : null);
    if (!name) break;
    names.push(name);
    i++;
    // A list: "`parseConfig` and `writeConfig`", "A, B and C".
    if (toks[i]?.text === "," || word(i) === "and") {
      const next = toks[i + 1];
      if (next && (codeName(next) || capitalised(next))) {
        i++;
        continue;
      }
    }
    break;
  }
  if (!names.length) return null;
  if (!kind) {
    const w = word(i) ?? "";
    // A kind word after the names; plural ones ("functions", "classes") name the same kinds.
    const singular = KINDS[w] ? w : KINDS[w.replace(/e?s$/, "")] ? w.replace(/e?s$/, "") : KINDS[w.slice(0, -1)] ? w.slice(0, -1) : null;
    if (singular) [kind, i] = [singular, i + 1];
  }

  // What follows must end the object: the end, punctuation, or a boundary word. Another plain word
  // means the name was a modifier ("add GitHub login", "add parseConfig tests").
  const after = toks[i];
  if (after && !after.punct && !BOUNDARY.has(word(i) ?? "") && word(i) !== "and") return null;
  if (verb === "implement" && kind && IMPLEMENTED_KINDS.has(kind)) return null;

  let container: string | null = null;
  if (after && CONTAINER_PREPOSITIONS.has(word(i) ?? "")) {
    let k = i + 1;
    while (DETERMINERS.has(word(k) ?? "")) k++;
    const t = toks[k];
    if (t && (codeName(t) || capitalised(t))) container = t.text;
  }
  // Server.close and Server::close: the method close in Server.
  const plain = names.map((n) => {
    const parts = n.split(/\.|::/);
    if (parts.length > 1) container ??= parts.at(-2)!;
    return parts.at(-1)!;
  });
  return { names: plain, kind, container };
}

/**
 * A duplicate result when the index already has everything the description asks to create, else
 * null (also when the description does not ask to create a named thing).
 */
export function checkIndex(description: string, lookup: SymbolLookup): DedupResult | null {
  const ask = parseCreateAsk(description);
  if (!ask) return null;
  const found: IndexSymbol[] = [];
  for (const name of ask.names) {
    const hit = lookup(name).find((s) => s.name === name && kindMatches(ask.kind, s.kind) && containerMatches(ask.container, s.container));
    if (!hit) return null;
    found.push(hit);
  }
  const where = found.map((s) => `${s.name} (${s.kind}) at ${s.file}:${s.line}`).join(", ");
  return { duplicate: true, layer: "index", taskId: null, score: 1, reason: `the index already has ${where}` };
}

function kindMatches(kindWord: string | null, kind: string): boolean {
  return kindWord === null || (KINDS[kindWord] ?? []).includes(kind);
}

/** When the description names a container ("to Server"), the symbol must be in it; a lookup that does not report containers cannot tell, and passes. */
function containerMatches(container: string | null, symbolContainer: string | null | undefined): boolean {
  if (container === null || symbolContainer === undefined) return true;
  return symbolContainer === container;
}

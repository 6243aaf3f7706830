// A task description as the dedup layers see it: a token stream with punctuation breaks (the
// guards read phrases), the content terms in order (stemmed, synonyms folded, function words
// dropped), and the identifiers and numbers it names. Code words are split the way the index
// splits symbol names (names.ts), so "`legacyAuth` middleware" and "legacy auth middleware" agree.
import { splitWords } from "../../index/names.ts";
import { stem } from "./stem.ts";
import { BRANDS, PHRASES, STOP_WORDS, SYNONYMS } from "./vocab.ts";

export interface Token {
  /** The lowercase word as written. */
  surface: string;
  /** Stemmed and synonym-folded: what the layers compare. Numbers are kept as written. */
  term: string;
  /** Came from code (backticks, camelCase, snake_case, a path or a flag): never read as a verb. */
  ident: boolean;
  stop: boolean;
}

export interface Normalized {
  source: string;
  /** Tokens in order; null marks punctuation that ends a phrase. */
  stream: (Token | null)[];
  /** Content terms in order (no stop words). */
  terms: string[];
  /** Identifiers as written, lowercased: `fetchUser`, orders.created_at, --verbose, docs/api.md. */
  idents: Set<string>;
  /** Numbers and versions: 20, 0.74, 4.1. */
  numbers: Set<string>;
  /** terms joined by single spaces: the text the exact and trigram layers compare. */
  text: string;
}

const SYNONYM_TERMS = new Map(Object.entries(SYNONYMS).map(([from, to]) => [stem(from), stem(to)]));

/** The comparable form of one plain word: stemmed, then folded onto its synonym group. */
export function termOf(word: string): string {
  const s = stem(word);
  return SYNONYM_TERMS.get(s) ?? SYNONYM_TERMS.get(word) ?? s;
}

// One unit per match: a backticked span, a flag, a word/path/dotted name/number, or punctuation
// that ends a phrase (a period only when followed by a space or the end, not inside auth.ts).
const UNIT = /`([^`]*)`|(?<![\p{L}\p{N}_])(--?[A-Za-z][\w-]*)|(\/?[\p{L}\p{N}_]+(?:[./-][\p{L}\p{N}_]+)*)|([,;:!?()[\]"]|\.(?=\s|$))/gu;
const NUMBER = /^v?(\d+(?:\.\d+)*)$/i;
const CAMEL = /\p{Ll}\p{Lu}|\p{Lu}{2,}\p{Ll}/u;

export function normalize(description: string): Normalized {
  let text = description;
  for (const [re, to] of PHRASES) text = text.replace(re, to);
  const out: Normalized = { source: description, stream: [], terms: [], idents: new Set(), numbers: new Set(), text: "" };
  readUnits(text, out, false);
  out.terms = out.stream.filter((t): t is Token => t !== null && !t.stop).map((t) => t.term);
  out.text = out.terms.join(" ");
  return out;
}

function readUnits(text: string, out: Normalized, inCode: boolean): void {
  for (const m of text.matchAll(UNIT)) {
    const [, code, flag, unit, punct] = m;
    if (code !== undefined) {
      const inner = code.trim();
      if (/[\p{L}\p{N}]/u.test(inner)) out.idents.add(inner.toLowerCase());
      readUnits(inner, out, true);
    } else if (flag !== undefined) {
      out.idents.add(flag.toLowerCase());
      pushWords(out, splitWords(flag), true);
    } else if (unit !== undefined) {
      readUnit(unit, out, inCode);
    } else if (punct !== undefined && !inCode) {
      out.stream.push(null);
    }
  }
}

function readUnit(unit: string, out: Normalized, inCode: boolean): void {
  const num = NUMBER.exec(unit);
  if (num) {
    out.numbers.add(num[1]!);
    out.stream.push({ surface: unit.toLowerCase(), term: num[1]!, ident: inCode, stop: false });
    return;
  }
  const lower = unit.toLowerCase();
  if (/[./]/.test(unit) || unit.includes("_")) {
    // A path, a dotted name (orders.created_at) or snake_case: code, compared by its words.
    out.idents.add(lower);
    pushWords(out, splitWords(unit), true);
  } else if (unit.includes("-")) {
    // health-check, off-by-one, tree-sitter: ordinary words joined by hyphens.
    pushWords(out, unit.split("-").filter(Boolean).map((w) => w.toLowerCase()), inCode);
  } else if (CAMEL.test(unit) && !BRANDS.has(lower)) {
    out.idents.add(lower);
    pushWords(out, splitWords(unit), true);
  } else {
    pushWords(out, [lower], inCode);
  }
}

function pushWords(out: Normalized, words: string[], ident: boolean): void {
  for (const w of words) {
    if (!w) continue;
    const stop = !ident && STOP_WORDS.has(w);
    // Code words are stemmed but not folded onto synonyms: createUser and addUser are different functions.
    out.stream.push({ surface: w, term: stop ? w : ident ? stem(w) : termOf(w), ident, stop });
  }
}

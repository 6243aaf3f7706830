// Turning raw user text into the pieces each tier needs. Every piece that reaches SQL is bound as
// a parameter, and everything that reaches FTS5 goes through ftsString: user text is never read as
// FTS syntax (AND, NOT, NEAR, ", *, ^, column filters) or as LIKE/GLOB wildcards.
import { splitWords } from "../index/names.ts";

/** Longer input is cut: no symbol name is this long, and it bounds the work a query can cause. */
export const MAX_QUERY_CHARS = 200;
/** Words beyond these add nothing a reader could want and only make the FTS query slower. */
const MAX_WORDS = 8;
const MAX_SEGMENTS = 12;

export interface ParsedQuery {
  /** Trimmed, control characters replaced, runs of whitespace collapsed, cut to MAX_QUERY_CHARS. */
  text: string;
  /** splitWords(text), deduplicated: the words tier matches each as a prefix of an indexed word. */
  words: string[];
  /** Lowercase camel-hump segments, each to match the start of a name word, in order; [] when none. */
  segments: string[];
}

/** null when nothing searchable is left (empty or whitespace-only input). */
export function parseQuery(raw: unknown): ParsedQuery | null {
  if (typeof raw !== "string") return null;
  let text = raw.replace(/[\u0000-\u001f\u007f\s]+/gu, " ").trim();
  if (!text) return null;
  if (text.length > MAX_QUERY_CHARS) {
    text = text.slice(0, MAX_QUERY_CHARS);
    if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1); // don't split a surrogate pair
    text = text.trim();
  }
  const words = [...new Set(splitWords(text))].slice(0, MAX_WORDS);
  return { text, words, segments: camelSegments(text) };
}

/**
 * "LogVM" -> [log, v, m], "logViewMod" -> [log, view, mod], "view model" -> [view, model].
 * Every capital starts a segment (so an acronym is a run of initials) and separators end one.
 * A query that is a single segment is read as initials: "lvm" -> [l, v, m]. One letter is no
 * camel query at all (the prefix tier has it covered).
 */
export function camelSegments(text: string): string[] {
  const segs: string[] = [];
  for (const part of text.split(/[^\p{L}\p{N}]+/u)) {
    if (!part) continue;
    for (const seg of part.match(/\p{Lu}[^\p{Lu}]*|[^\p{Lu}]+/gu) ?? []) segs.push(seg.toLowerCase());
  }
  if (segs.length === 1) {
    const chars = Array.from(segs[0]!);
    return chars.length >= 2 ? chars.slice(0, MAX_SEGMENTS) : [];
  }
  return segs.slice(0, MAX_SEGMENTS);
}

/** A token as an FTS5 string literal: double quotes doubled, so it can never act as syntax. */
export function ftsString(token: string): string {
  return `"${token.replaceAll('"', '""')}"`;
}

/**
 * Every word must match the start of some indexed token: `"parse"* AND "json"*`. Words shorter than
 * MIN_PREFIX_WORD must match a whole token instead: as a prefix, "co" merges the posting lists of
 * every token starting with it (signatures and docs hold whole camelCase names as tokens), which
 * costs more than all other tiers together.
 */
export function ftsAllPrefixes(words: readonly string[]): string {
  return words.map((w) => (isPrefixWord(w) ? `${ftsString(w)}*` : ftsString(w))).join(" AND ");
}

export const MIN_PREFIX_WORD = 3;

export function isPrefixWord(word: string): boolean {
  return charCount(word) >= MIN_PREFIX_WORD;
}

/** Escape LIKE wildcards for use with ESCAPE '\'. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/**
 * An exclusive upper bound for "starts with `prefix`" as a range scan: U+10FFFF is the largest
 * code point, so in UTF-8 byte order (which SQLite's BINARY and NOCASE collations follow) every
 * string starting with the prefix sorts below prefix + U+10FFFF.
 */
export function prefixUpperBound(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

/** Number of code points: what the trigram tokenizer counts. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

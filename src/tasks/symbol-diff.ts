// What a task's branch changed, in symbols rather than lines: definitions added, removed, or whose
// signature changed. Both versions of every changed file are read from git (never the working
// tree) and parsed with the index's own parser, so the answer is the same wherever it runs.
import { changedFiles, type ChangeStatus, filesAt, mergeBase } from "../git/history.ts";
import { decodeText, looksBinary, MAX_FILE_BYTES, minifiedReason } from "../index/inspect.ts";
import { languageForFile, languageForPath, type LanguageId } from "../parser/languages.ts";
import { TextParser } from "../index/pool.ts";
import type { ExtractedSymbol } from "../parser/types.ts";

export interface Sym {
  name: string;
  kind: string;
  container: string | null;
  file: string;
  line: number;
  signature: string;
}

export interface SymbolDiff {
  added: Sym[];
  removed: Sym[];
  changed: { before: Sym; after: Sym }[];
  files: { status: ChangeStatus; path: string; oldPath?: string }[];
  /** Changed files in a parsed language whose symbols could not be compared, and why. */
  skipped: { path: string; reason: string }[];
  /** Changed files in a parsed language beyond MAX_COMPARED_FILES, not compared at all. */
  notCompared?: number;
}

/**
 * Files compared at most: parsing runs on the daemon's thread (in slices, so it keeps answering),
 * and a branch changing tens of thousands of files has no symbol diff a person would read.
 */
export const MAX_COMPARED_FILES = 1000;
/** Files read from git per `cat-file --batch` and parsed per worker message (their bytes are held until parsed). */
const BATCH = 100;

/**
 * The symbol-level diff of `branch` against where it left `base` (their merge base, as
 * `git diff base...branch`): base's own later commits are not the branch's changes.
 */
export async function symbolDiff(root: string, base: string, branch: string): Promise<SymbolDiff> {
  const files = await changedFiles(root, base, branch);
  const from = await mergeBase(root, base, branch);
  const diff: SymbolDiff = { added: [], removed: [], changed: [], files, skipped: [] };
  const parsed = files.filter((f) => languageForPath(f.oldPath ?? f.path) !== null || languageForPath(f.path) !== null);
  if (parsed.length > MAX_COMPARED_FILES) diff.notCompared = parsed.length - MAX_COMPARED_FILES;
  const compared = parsed.slice(0, MAX_COMPARED_FILES);
  // Parsed on a worker thread: grammar loads and parses must not hold the daemon's socket.
  const parser = new TextParser();
  try {
    for (let i = 0; i < compared.length; i += BATCH) {
      const batch = compared.slice(i, i + BATCH);
      const olds = await filesAt(root, from, batch.filter((f) => f.status !== "A").map((f) => f.oldPath ?? f.path));
      const news = await filesAt(root, branch, batch.filter((f) => f.status !== "D").map((f) => f.path));
      const sides = batch.map((f) => {
        const oldPath = f.oldPath ?? f.path;
        const before = f.status === "A" || languageForPath(oldPath) === null ? [] : readable(oldPath, olds.get(oldPath) ?? null);
        const after = f.status === "D" || languageForPath(f.path) === null ? [] : readable(f.path, news.get(f.path) ?? null);
        return { f, before, after };
      });
      const jobs = sides.flatMap((s) => [s.before, s.after]).filter((x): x is Readable => "text" in x);
      const parsed = await parser.parse(jobs.map(({ lang, text }) => ({ lang, text })));
      const symbolsOf = new Map(jobs.map((j, k) => [j, parsed[k]!]));
      const resolve = (x: Sym[] | { reason: string } | Readable): Sym[] | { reason: string } => {
        if (!("text" in x)) return x;
        const r = symbolsOf.get(x)!;
        return r.ok ? r.symbols.map((s) => toSym(s, x.path)) : { reason: r.reason };
      };
      for (const { f, before, after } of sides) {
        const b = resolve(before);
        const a = resolve(after);
        const failed = [b, a].find((s): s is { reason: string } => !Array.isArray(s));
        if (failed) diff.skipped.push({ path: f.path, reason: failed.reason });
        else compare(diff, b as Sym[], a as Sym[]);
      }
    }
  } finally {
    parser.close();
  }
  const order = (a: Sym, b: Sym) => a.file.localeCompare(b.file) || a.line - b.line;
  diff.added.sort(order);
  diff.removed.sort(order);
  diff.changed.sort((a, b) => order(a.after, b.after));
  return diff;
}

/** A file version to parse (its text and language), or what it has without parsing. */
interface Readable {
  path: string;
  lang: LanguageId;
  text: string;
}

/** `path`'s bytes as text to parse; none if the file is absent, or why it cannot be compared. */
function readable(path: string, bytes: Uint8Array | null): Sym[] | { reason: string } | Readable {
  if (!bytes) return [];
  // The same gates as indexing: such files have no meaningful symbols and parse slowly.
  if (bytes.length > MAX_FILE_BYTES) return { reason: "too large" };
  if (looksBinary(bytes)) return { reason: "binary" };
  const text = decodeText(bytes);
  const minified = minifiedReason(text);
  if (minified) return { reason: minified };
  // Each version in the language its own text calls for, as the index does: a `.h` can go from C to C++.
  return { path, lang: languageForFile(path, text)!, text };
}

function toSym(s: ExtractedSymbol, file: string): Sym {
  return { name: s.name, kind: s.kind, container: s.container, file, line: s.line, signature: s.signature };
}

/**
 * Match one file's symbols by (container, name, kind); the file is the same on both sides (a
 * renamed file's old symbols compare against its new path). Overloads share a key: equal
 * signatures pair first, the rest pair in source order as changes, any surplus is added/removed.
 */
function compare(diff: SymbolDiff, before: Sym[], after: Sym[]): void {
  const key = (s: Sym) => `${s.container ?? ""}\0${s.name}\0${s.kind}`;
  const olds = new Map<string, Sym[]>();
  for (const s of before) {
    const list = olds.get(key(s));
    if (list) list.push(s);
    else olds.set(key(s), [s]);
  }
  const news = new Map<string, Sym[]>();
  for (const s of after) {
    const list = news.get(key(s));
    if (list) list.push(s);
    else news.set(key(s), [s]);
  }
  for (const [k, afterList] of news) {
    const beforeList = olds.get(k) ?? [];
    olds.delete(k);
    const unmatchedAfter = afterList.filter((a) => {
      const i = beforeList.findIndex((b) => b.signature === a.signature);
      if (i === -1) return true;
      beforeList.splice(i, 1);
      return false;
    });
    const pairs = Math.min(unmatchedAfter.length, beforeList.length);
    for (let i = 0; i < pairs; i++) diff.changed.push({ before: beforeList[i]!, after: unmatchedAfter[i]! });
    diff.added.push(...unmatchedAfter.slice(pairs));
    diff.removed.push(...beforeList.slice(pairs));
  }
  for (const rest of olds.values()) diff.removed.push(...rest);
}

/** The diff as markdown for a task's result; "No symbol-level changes." when there are none. */
export function formatSymbolDiff(d: SymbolDiff): string {
  const where = (s: Sym) => `(${s.kind}) in ${s.file}:${s.line}`;
  const sections: string[] = [];
  if (d.added.length) sections.push(["### Added symbols", ...d.added.map((s) => `- ${code(sig(s))} ${where(s)}`)].join("\n"));
  if (d.removed.length) sections.push(["### Removed symbols", ...d.removed.map((s) => `- ${code(sig(s))} ${where(s)}`)].join("\n"));
  if (d.changed.length) {
    sections.push(["### Changed signatures", ...d.changed.map((c) => `- ${code(sig(c.before))} → ${code(sig(c.after))} ${where(c.after)}`)].join("\n"));
  }
  const more = d.notCompared ? [`- ${d.notCompared} more changed files: only the first ${MAX_COMPARED_FILES} are compared`] : [];
  if (d.skipped.length || more.length) sections.push(["### Not compared", ...d.skipped.map((s) => `- ${s.path}: ${s.reason}`), ...more].join("\n"));
  if (!d.added.length && !d.removed.length && !d.changed.length) sections.unshift("No symbol-level changes.");
  return sections.join("\n\n");
}

function sig(s: Sym): string {
  return s.signature || (s.container ? `${s.container}.${s.name}` : s.name);
}

/** An inline code span that survives backticks in the text (TypeScript template literal types). */
function code(text: string): string {
  let fence = "`";
  while (text.includes(fence)) fence += "`";
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

// Who parses what: the calling thread alone, or with worker threads, and which files each takes.
//
// Starting a worker is not free (a thread, the runtime, a JIT warming up from nothing), and
// neither is a grammar: each thread that parses a language loads its WebAssembly module and
// compiles its tags query, and tree-sitter's query compilation analyses the patterns against the
// grammar's whole parse table (Swift ≈ 0.45 s, C++ ≈ 0.3 s, C# ≈ 0.25 s; Go, Python, Java tens of
// ms). The compiled query lives in one thread's WebAssembly memory and cannot be shared, so the
// cheapest plan is the one that sets up each grammar in as few threads as possible:
//   - small work (most repos people open) stays on the calling thread: no worker at all;
//   - medium work: the calling thread parses too, beside workers, so one thread fewer starts;
//   - large work: workers parse, the calling thread only writes.
// Files are queued per language, and a thread keeps to the languages it has set up; it takes up
// a new one only when none of its own is left, the least set-up one first, and takes up a
// language another thread already has only when enough of it is left to repay the setup.
import type { LanguageId } from "../parser/languages.ts";

/**
 * Milliseconds one thread spends making a grammar ready (module load + tags query compiled),
 * measured on the development machine (2-core EPYC, bun 1.4.5, `bun scripts/bench/grammar-setup.ts`).
 * Relative sizes are what matter: they steer which thread takes which language.
 */
export const GRAMMAR_SETUP_MS: Record<LanguageId, number> = {
  go: 60,
  kotlin: 110,
  java: 20,
  typescript: 75,
  tsx: 70,
  javascript: 20,
  python: 15,
  rust: 25,
  // 700 until its query's two costliest patterns were rewritten (2026-12-05, load ≈ 6: 550 ms
  // measured against C++'s 450; the other figures are from load ≈ 1); 450 until its function
  // pattern lost the `name:` field (15:50: 391 ms measured, the same as C++ in the same run).
  swift: 320,
  c: 35,
  cpp: 320,
  csharp: 250,
  ruby: 90,
  php: 25,
};

/** Parse and extract, one thread, source bytes per ms (warm ≈ 4 MB/s on the stdlib; a cold thread is slower). */
const BYTES_PER_MS = 2500;
/** A file whose size is unknown counts as this many bytes. */
const DEFAULT_FILE_BYTES = 8 * 1024;
/** Below this much estimated work (ms, one thread) no worker starts: one would cost about as much as it saves. */
export const PARALLEL_FROM_MS = 1000;
/** Below this much, the calling thread parses beside the workers; above, it only writes (and keeps up with them). */
export const CALLER_PARSES_BELOW_MS = 8000;

export interface WorkItem {
  lang: LanguageId;
  /** Bytes, when known (from the scan). */
  size?: number;
}

export interface ParsePlan {
  /** Estimated single-thread cost, ms. */
  estimateMs: number;
  /** Worker threads to start. */
  workers: number;
  /** The calling thread parses too. */
  callerParses: boolean;
}

export function estimateMs(items: WorkItem[]): number {
  const tally = new WorkTally();
  for (const it of items) tally.add(it);
  return tally.ms;
}

/** estimateMs, one file at a time (for a caller that stops once the estimate passes a limit). */
export class WorkTally {
  private readonly langs = new Set<LanguageId>();
  private setup = 0;
  private bytes = 0;

  add(it: WorkItem): void {
    if (!this.langs.has(it.lang)) {
      this.langs.add(it.lang);
      this.setup += GRAMMAR_SETUP_MS[it.lang];
    }
    this.bytes += it.size ?? DEFAULT_FILE_BYTES;
  }

  get ms(): number {
    return this.setup + this.bytes / BYTES_PER_MS;
  }
}

/** How many threads to parse `items` with, given at most `threads` parsing threads in all. */
export function planParse(items: WorkItem[], threads: number): ParsePlan {
  const est = estimateMs(items);
  if (threads <= 1 || est < PARALLEL_FROM_MS) return { estimateMs: est, workers: 0, callerParses: true };
  // Never more threads than languages-worth of setup can keep busy: a language's files can be
  // split, but a handful of small files cannot.
  const units = Math.max(1, Math.floor(est / (PARALLEL_FROM_MS / 2)));
  const n = Math.min(threads, units);
  if (n <= 1) return { estimateMs: est, workers: 0, callerParses: true };
  if (est < CALLER_PARSES_BELOW_MS) return { estimateMs: est, workers: n - 1, callerParses: true };
  return { estimateMs: est, workers: n, callerParses: false };
}

/** Files queued per language; each thread (a consumer id) draws batches from it. */
export class ParseQueue<T extends WorkItem> {
  private readonly byLang = new Map<LanguageId, T[]>();
  /** Bytes left per language. */
  private readonly left = new Map<LanguageId, number>();
  /** The languages each consumer has set up (took files of). */
  private readonly loaded = new Map<number, Set<LanguageId>>();
  /** How many consumers have set up each language. */
  private readonly holders = new Map<LanguageId, number>();

  constructor(items: T[]) {
    for (const it of items) {
      let q = this.byLang.get(it.lang);
      if (!q) this.byLang.set(it.lang, (q = []));
      q.push(it);
      this.left.set(it.lang, (this.left.get(it.lang) ?? 0) + (it.size ?? DEFAULT_FILE_BYTES));
    }
  }

  get remaining(): number {
    let n = 0;
    for (const q of this.byLang.values()) n += q.length;
    return n;
  }

  /**
   * The next batch for `consumer` (at most `max` files, all of one language), or [] when nothing
   * is left that this consumer should take: what remains is cheaper for the threads that already
   * hold its grammar.
   */
  next(consumer: number, max: number): T[] {
    const mine = this.loaded.get(consumer) ?? new Set<LanguageId>();
    this.loaded.set(consumer, mine);
    let pick: LanguageId | null = null;
    // 1. A language this thread has set up: the one with the most left.
    for (const l of mine) if (this.has(l) && (pick === null || this.left.get(l)! > this.left.get(pick)!)) pick = l;
    // 2. A language nobody has set up: the costliest first (its setup then overlaps the others' work).
    if (pick === null) {
      let best = -1;
      for (const l of this.byLang.keys()) {
        if (!this.has(l) || (this.holders.get(l) ?? 0) > 0) continue;
        const cost = GRAMMAR_SETUP_MS[l] + this.left.get(l)! / BYTES_PER_MS;
        if (cost > best) (best = cost), (pick = l);
      }
    }
    // 3. Help with a language another thread has: only when the half this thread would take
    // outweighs setting the grammar up again here.
    if (pick === null) {
      let best = -1;
      for (const l of this.byLang.keys()) {
        if (!this.has(l)) continue;
        const gain = this.left.get(l)! / BYTES_PER_MS / ((this.holders.get(l) ?? 0) + 1) - GRAMMAR_SETUP_MS[l];
        if (gain > 0 && gain > best) (best = gain), (pick = l);
      }
    }
    if (pick === null) return [];
    if (!mine.has(pick)) {
      mine.add(pick);
      this.holders.set(pick, (this.holders.get(pick) ?? 0) + 1);
    }
    const q = this.byLang.get(pick)!;
    const batch = q.splice(0, max);
    let bytes = 0;
    for (const it of batch) bytes += it.size ?? DEFAULT_FILE_BYTES;
    this.left.set(pick, this.left.get(pick)! - bytes);
    return batch;
  }

  private has(l: LanguageId): boolean {
    return (this.byLang.get(l)?.length ?? 0) > 0;
  }
}

// The cheap dedup path: no I/O, no LLM. The new description is compared with each candidate task
// by the layers in order (exact, keyword, trigram, tfidf, minhash); the first layer where some
// candidate reaches the threshold answers. A candidate a guard rules out (opposite action,
// different target, ...) is skipped by every layer.
import { ACTIVE_STATUSES, type DedupResult, type TaskStatus } from "../../protocol/tasks.ts";
import { guardPair, type GuardHit, type GuardName } from "./guards.ts";
import { asCorpus, idfFor, prepare, scoreLayer, type Corpus, type Prepared } from "./layers.ts";
import { duplicateReason } from "./reason.ts";
import { CHEAP_LAYERS, thresholdsFromEnv, type CheapLayer, type Thresholds } from "./thresholds.ts";

export interface DedupCandidate {
  id: number;
  description: string;
  status: TaskStatus;
}

/** Tasks a new one is compared with: everything in flight, and what is done (asking again for finished work is a duplicate too). */
export const DEDUP_STATUSES: readonly TaskStatus[] = [...ACTIVE_STATUSES, "done"];

export interface LayerTrace {
  layer: CheapLayer;
  threshold: number;
  /** The best candidate no guard ruled out (null: no candidate). Guards are only checked for candidates reaching the threshold. */
  best: { taskId: number; score: number } | null;
  /** The best candidate that reached the threshold but a guard ruled out. */
  blocked: { taskId: number; score: number; guard: GuardName; detail: string } | null;
  hit: boolean;
}

export type CheapResult = DedupResult & { layers: LayerTrace[] };

export interface CheapOptions {
  /** Override thresholds (on top of the environment's). */
  thresholds?: Partial<Thresholds>;
  /** Where SKEP_DEDUP_*_THRESHOLD are read; default process.env. */
  env?: Record<string, string | undefined>;
  /** Run only these layers (still in chain order). Default: all. */
  layers?: readonly CheapLayer[];
  /** Candidates in other states are ignored. Default DEDUP_STATUSES. */
  statuses?: readonly TaskStatus[];
  /** false: no guards (the benchmark measures what they are worth). */
  guards?: boolean;
  /**
   * More task descriptions for tfidf's IDF (e.g. recent tasks of any state), as texts or as a
   * corpus built once with backgroundCorpus(); never reported as duplicates.
   */
  background?: readonly string[] | Corpus;
}

export function checkCheap(description: string, candidates: readonly DedupCandidate[], opts: CheapOptions = {}): CheapResult {
  const thresholds = { ...thresholdsFromEnv(opts.env), ...opts.thresholds };
  const statuses = new Set(opts.statuses ?? DEDUP_STATUSES);
  const pool = candidates.filter((c) => statuses.has(c.status));
  const incoming = prepare(description);
  const prepared = pool.map((c) => prepare(c.description));
  const idf = idfFor(incoming, prepared, asCorpus(opts.background));
  // Guards are checked only for candidates that reach some layer's threshold, once each.
  const guardMemo = new Map<number, GuardHit | null>();
  const guardOf = (i: number): GuardHit | null => {
    if (opts.guards === false) return null;
    if (!guardMemo.has(i)) guardMemo.set(i, guardPair(incoming.n, prepared[i]!.n));
    return guardMemo.get(i)!;
  };

  const layers: LayerTrace[] = [];
  for (const layer of CHEAP_LAYERS) {
    if (opts.layers && !opts.layers.includes(layer)) continue;
    const trace = runLayer(layer, thresholds[layer], incoming, pool, prepared, guardOf, idf);
    layers.push(trace);
    if (trace.hit && trace.best) {
      const task = pool.find((c) => c.id === trace.best!.taskId)!;
      return { duplicate: true, layer, taskId: task.id, score: trace.best.score, reason: duplicateReason(task), layers };
    }
  }
  return { duplicate: false, layer: null, taskId: null, score: null, reason: notDuplicateReason(pool.length, layers), layers };
}

function runLayer(
  layer: CheapLayer,
  threshold: number,
  incoming: Prepared,
  pool: readonly DedupCandidate[],
  prepared: readonly Prepared[],
  guardOf: (i: number) => GuardHit | null,
  idf: (term: string) => number,
): LayerTrace {
  const trace: LayerTrace = { layer, threshold, best: null, blocked: null, hit: false };
  pool.forEach((c, i) => {
    const score = round(scoreLayer(layer, incoming, prepared[i]!, idf));
    const guard = score >= threshold ? guardOf(i) : null;
    if (guard) {
      if (score >= threshold && (!trace.blocked || score > trace.blocked.score)) trace.blocked = { taskId: c.id, score, ...guard };
    } else if (!trace.best || score > trace.best.score) {
      trace.best = { taskId: c.id, score };
    }
  });
  trace.hit = trace.best !== null && trace.best.score >= threshold;
  return trace;
}

function notDuplicateReason(count: number, layers: readonly LayerTrace[]): string {
  const base = `no duplicate among ${count} open or done task${count === 1 ? "" : "s"}`;
  const blocked = layers.find((l) => l.blocked)?.blocked;
  return blocked ? `${base} (task #${blocked.taskId} reads alike but differs: ${blocked.guard}, ${blocked.detail})` : base;
}

/** Scores are reported to 3 places; thresholds compare against the same rounded value. */
const round = (x: number) => Math.round(x * 1000) / 1000;

// The read verbs, computed from an open index. The daemon calls these for socket and HTTP requests,
// and the CLI calls the very same functions when no daemon runs, so both give identical answers;
// only where freshness comes from differs (the daemon's watcher, or a rescan of the disk).
// READ_HANDLERS is the one table from read verb to answer; the daemon's verb table and the
// in-process answerRead both look verbs up in it.
import type { Database } from "bun:sqlite";
import type { z } from "zod";
import { implementations } from "../graph/impls.ts";
import { findSymbols, walkGraph } from "../graph/queries.ts";
import { repoMap } from "../graph/repomap.ts";
import { freshness as scanFreshness, pendingChanges, type PendingChanges } from "../index/freshness.ts";
import { fileContext, symbolSource } from "../index/read.ts";
import { indexStatus } from "../index/status.ts";
import type { CallGraphAnswer, Freshness, RepoMapAnswer, SearchAnswer, StatusAnswer } from "../protocol/index-answers.ts";
import { VERBS, type FileContextAnswer, type FileContextParams, type GraphParams, type MapParams, type ParamsOf, type ResultOf, type SearchParams, type SymbolSourceAnswer, type SymbolSourceParams, type Verb } from "../protocol/socket.ts";
import { search } from "../search/search.ts";
import { SkepError } from "../errors.ts";

/** Where an answer learns what changed on disk since the index was built. */
export interface FreshnessSource {
  pending(db: Database): PendingChanges;
  freshness(db: Database, pending?: PendingChanges): Freshness;
}

/** Without a daemon: rescan the disk by (size, mtime) for every answer. */
export function rescanFreshness(root: string): FreshnessSource {
  return {
    pending: (db) => pendingChanges(db, root).pending,
    freshness: (db, pending) => scanFreshness(db, root, pending),
  };
}

export interface AnswerContext {
  db: Database;
  root: string;
  fresh: FreshnessSource;
  /**
   * Identifies the index's contents while they do not change (the daemon: its count of finished
   * runs while the indexer is idle), or undefined when they may be changing. Answers that cost a
   * scan of whole tables (status counts, the repo map) are cached per generation.
   */
  generation?: () => number | undefined;
}

interface Cache {
  gen: number;
  status: StatusAnswer | null;
  maps: Map<number, ReturnType<typeof repoMap>>;
}
const caches = new WeakMap<Database, Cache>();

function cacheFor(c: AnswerContext): Cache | null {
  const gen = c.generation?.();
  if (gen === undefined) return null;
  let cache = caches.get(c.db);
  if (!cache || cache.gen !== gen) {
    cache = { gen, status: null, maps: new Map() };
    caches.set(c.db, cache);
  }
  return cache;
}

const names = (v: string | string[] | undefined) =>
  v === undefined ? undefined : (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean);

export function answerSearch(c: AnswerContext, p: z.output<typeof SearchParams>): SearchAnswer {
  const hits = search(c.db, p.query, { kind: names(p.kind), lang: names(p.lang), path: p.path, limit: p.limit });
  return { query: p.query, hits, freshness: c.fresh.freshness(c.db) };
}

export function answerGraph(c: AnswerContext, direction: "callers" | "callees", p: z.output<typeof GraphParams>): CallGraphAnswer {
  const roots = findSymbols(c.db, p.symbol);
  return {
    direction,
    roots: roots.map((symbol) => ({
      symbol,
      neighbours: walkGraph(c.db, symbol.id, direction, p.depth, p.limit),
      ...(p.impls ? implementations(c.db, symbol.id) : {}),
    })),
    freshness: c.fresh.freshness(c.db),
  };
}

export function answerMap(c: AnswerContext, p: z.output<typeof MapParams>): RepoMapAnswer {
  const cache = cacheFor(c);
  let map = cache?.maps.get(p.tokens);
  if (!map) {
    map = repoMap(c.db, p.tokens);
    if (cache && cache.maps.size < 32) cache.maps.set(p.tokens, map);
  }
  return { ...map, budget: p.tokens, freshness: c.fresh.freshness(c.db) };
}

export function answerStatus(c: AnswerContext): StatusAnswer {
  const pending = c.fresh.pending(c.db);
  const freshness = c.fresh.freshness(c.db, pending);
  const cache = cacheFor(c);
  if (cache?.status) return { ...cache.status, changed: pending, freshness };
  const status = indexStatus(c.db, c.root, { pending, freshness });
  if (cache) cache.status = status;
  return status;
}

export function answerFileContext(c: AnswerContext, p: z.output<typeof FileContextParams>): FileContextAnswer {
  const file = fileContext(c.db, p.path, { docs: p.docs });
  if (!file) throw new SkepError("not_found", `the index has no file '${p.path}' (paths are relative to ${c.root})`);
  return { ...file, freshness: c.fresh.freshness(c.db) };
}

export function answerSymbolSource(c: AnswerContext, p: z.output<typeof SymbolSourceParams>): SymbolSourceAnswer {
  const symbols = symbolSource(c.db, c.root, p.symbol, { maxLines: p.maxLines, limit: p.limit });
  return { symbols, freshness: c.fresh.freshness(c.db) };
}

/** The verbs answered from the index alone (read-only, no daemon state). */
export const READ_VERBS = ["status", "search", "callers", "callees", "map", "file.context", "symbol.source"] as const;
export type ReadVerb = (typeof READ_VERBS)[number];

/** A verb's params after its schema has filled the defaults in. */
export type CheckedParams<V extends Verb> = z.output<(typeof VERBS)[V]["params"]>;

type ReadHandler<V extends ReadVerb> = (c: AnswerContext, p: CheckedParams<V>) => ResultOf<V>;

export const READ_HANDLERS: { [V in ReadVerb]: ReadHandler<V> } = {
  status: (c) => answerStatus(c),
  search: answerSearch,
  callers: (c, p) => answerGraph(c, "callers", p),
  callees: (c, p) => answerGraph(c, "callees", p),
  map: answerMap,
  "file.context": answerFileContext,
  "symbol.source": answerSymbolSource,
};

export function isReadVerb(verb: string): verb is ReadVerb {
  return (READ_VERBS as readonly string[]).includes(verb);
}

/** Answer a read verb whose params are already checked (the daemon's requests). */
export function answerChecked<V extends ReadVerb>(c: AnswerContext, verb: V, params: CheckedParams<V>): ResultOf<V> {
  const handler: ReadHandler<V> = READ_HANDLERS[verb];
  return handler(c, params);
}

/** Answer a read verb from an open database, exactly as the daemon would (params checked here). */
export function answerRead<V extends ReadVerb>(c: AnswerContext, verb: V, params: ParamsOf<V>): ResultOf<V> {
  const parsed = VERBS[verb].params.safeParse(params);
  if (!parsed.success) throw new SkepError("bad_params", parsed.error.message);
  return answerChecked(c, verb, parsed.data as CheckedParams<V>);
}

// The dedup gate before any task is stored: the cheap layers against tasks in flight, the index
// layer (does the code already have what the description names?), then, when configured, one LLM
// call for near misses. Every LLM call is recorded in the ledger; the caller attaches those rows
// to the task if one is created.
import { indexReadError, isCorruptionError, openReadonly } from "../../index/store.ts";
import type { DedupResult } from "../../protocol/tasks.ts";
import { checkCheap, DEDUP_STATUSES } from "./cheap.ts";
import { checkIndex } from "./index-layer.ts";
import { indexLookup } from "./index-lookup.ts";
import { checkLlm } from "./llm-layer.ts";
import { DedupLog } from "./log.ts";
import type { TaskDeps } from "../pipeline.ts";

/** The dedup gate; every layer it consults leaves a line in `.skep/logs/dedup.log` (log.ts). */
export async function runDedup(deps: TaskDeps, description: string, opts: { signal?: AbortSignal }): Promise<{ result: DedupResult; callIds: number[] }> {
  const log = new DedupLog(description);
  try {
    return await checkLayers(deps, description, opts, log);
  } finally {
    log.write(deps.skepDir);
  }
}

async function checkLayers(deps: TaskDeps, description: string, opts: { signal?: AbortSignal }, log: DedupLog): Promise<{ result: DedupResult; callIds: number[] }> {
  const candidates = deps.store.list({ statuses: DEDUP_STATUSES }).map((t) => ({
    id: t.id,
    description: t.description,
    status: t.status,
  }));
  const cheap = checkCheap(description, candidates);
  log.cheap(cheap.layers);
  if (cheap.duplicate) return { result: strip(cheap), callIds: [] };

  let db;
  try {
    db = openReadonly(deps.dbPath);
  } catch (err) {
    db = null; // no index yet: the index layer has nothing to say
    log.index({ skipped: (err as Error).message });
  }
  if (db) {
    try {
      const hit = checkIndex(description, indexLookup(db));
      log.index(hit);
      if (hit?.duplicate) return { result: hit, callIds: [] };
    } catch (err) {
      // A damaged index must not stop a task from being created: the layer says nothing, the log
      // says why, and indexReadError leaves the note that has the next index run rebuild it.
      if (!isCorruptionError(err)) throw err;
      log.index({ skipped: (indexReadError(err, deps.dbPath) as Error).message });
    } finally {
      db.close();
    }
  }

  if (!deps.config.dedup_llm || candidates.length === 0) return { result: strip(cheap), callIds: [] };
  let chosen;
  try {
    chosen = deps.backends("dedup");
  } catch (err) {
    log.llm({ skipped: (err as Error).message });
    return { result: { ...strip(cheap), reason: `LLM dedup skipped: ${(err as Error).message}` }, callIds: [] };
  }
  const { result, call } = await checkLlm(description, candidates, chosen.backend, {
    model: chosen.model,
    cwd: deps.root,
    timeoutMs: Math.min(60_000, deps.config.classify_timeout_sec * 1000),
    signal: opts.signal,
  });
  const id = deps.store.recordCall({ taskId: null, purpose: "dedup", result: call });
  log.llm(result);
  return { result, callIds: [id] };
}

function strip(r: DedupResult & { layers?: unknown }): DedupResult {
  return { duplicate: r.duplicate, layer: r.layer, taskId: r.taskId, score: r.score, reason: r.reason };
}

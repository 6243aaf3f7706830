// Parses files on worker threads. Small batches run in-process: starting a worker and loading
// grammars costs more than parsing a handful of files.
import { availableParallelism } from "node:os";
import { runParseJob, type ParseJob, type ParseResult } from "./parse-job.ts";
import type { LanguageId } from "../parser/languages.ts";
import type { PackedExtraction } from "./packed.ts";

const IN_PROCESS_BELOW = 24;
const BATCH = 16;

/**
 * Bundled into the compiled binary, this module's URL is the binary's own (`/$bunfs/root/skep`) and
 * the worker entry sits at `index/parse-worker` beside it (entries keep their paths relative to
 * src/, see scripts/build.ts); from source it is this file's sibling.
 */
const COMPILED = /\/\$bunfs\/|~BUN/.test(import.meta.url);
const WORKER_URL = new URL(COMPILED ? "./index/parse-worker.ts" : "./parse-worker.ts", import.meta.url).href;

export type OnResult = (job: ParseJob, result: ParseResult) => void;

/** A result for IndexWriter.writeParsed: from a worker, its extraction comes packed. */
export type WritableResult = ParseResult | { kind: "parsed"; lang: LanguageId; hash: string; size: number; extraction: PackedExtraction };

export function parseAll(jobs: ParseJob[], onResult: OnResult, workers = defaultWorkers()): Promise<void> {
  return run(jobs, onResult as (job: ParseJob, result: WritableResult) => void, workers, false);
}

/** parseAll for the index writer: results cross from the workers packed (see PackedExtraction). */
export function parseAllForWriting(jobs: ParseJob[], onResult: (job: ParseJob, result: WritableResult) => void, workers = defaultWorkers()): Promise<void> {
  return run(jobs, onResult, workers, true);
}

async function run(jobs: ParseJob[], onResult: (job: ParseJob, result: WritableResult) => void, workers: number, pack: boolean): Promise<void> {
  if (jobs.length < IN_PROCESS_BELOW || workers <= 1) {
    for (const job of jobs) onResult(job, await runParseJob(job));
    return;
  }
  const batches: ParseJob[][] = [];
  for (let i = 0; i < jobs.length; i += BATCH) batches.push(jobs.slice(i, i + BATCH));
  let next = 0;
  const pool = Array.from({ length: Math.min(workers, batches.length) }, () => new Worker(WORKER_URL));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= batches.length) return resolve();
              const batch = next++;
              worker.postMessage({ batch, jobs: batches[batch], pack });
            };
            worker.onmessage = (event: MessageEvent<{ batch: number; results: WritableResult[] }>) => {
              try {
                const sent = batches[event.data.batch]!;
                event.data.results.forEach((r, i) => onResult(sent[i]!, r));
                send();
              } catch (err) {
                reject(err);
              }
            };
            worker.onerror = (event) => reject(new Error(`parse worker failed: ${event.message}`));
            send();
          }),
      ),
    );
  } finally {
    for (const w of pool) w.terminate();
  }
}

export function defaultWorkers(): number {
  const env = Number(process.env.SKEP_WORKERS);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * finishBulkSearch() on a connection of its own, in a worker: the main thread computes the call
 * graph meanwhile (the parse workers are done, so a core is free).
 */
export async function finishSearchInWorker(dbPath: string): Promise<void> {
  const worker = new Worker(WORKER_URL);
  try {
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<{ ok: boolean; message?: string; code?: unknown }>) =>
        event.data.ok ? resolve() : reject(Object.assign(new Error(`building the search indexes failed: ${event.data.message}`), { code: event.data.code }));
      worker.onerror = (event) => reject(new Error(`index worker failed: ${event.message}`));
      worker.postMessage({ kind: "finish-search", dbPath });
    });
  } finally {
    worker.terminate();
  }
}

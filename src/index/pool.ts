// Parses files on worker threads, or on the calling thread when the work is too small to repay
// starting one (schedule.ts decides, from the files' sizes and the grammars they need).
import { availableParallelism } from "node:os";
import { runParseJob, type ParseJob, type ParseResult } from "./parse-job.ts";
import { languageForPath, type LanguageId } from "../parser/languages.ts";
import type { PackedExtraction } from "./packed.ts";
import type { ExtractedSymbol } from "../parser/types.ts";
import { ParseQueue, planParse, type ParsePlan } from "./schedule.ts";

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

/** A job with what the scheduler needs: its language by extension and its size, when known. */
export type SizedJob = ParseJob & { lang?: LanguageId | null; size?: number };

export function parseAll(jobs: SizedJob[], onResult: OnResult, workers = defaultWorkers()): Promise<ParsePlan> {
  return run(jobs, onResult as (job: ParseJob, result: WritableResult) => void, workers, false);
}

/** parseAll for the index writer: results cross from the workers packed (see PackedExtraction). */
export function parseAllForWriting(jobs: SizedJob[], onResult: (job: ParseJob, result: WritableResult) => void, workers = defaultWorkers()): Promise<ParsePlan> {
  return run(jobs, onResult, workers, true);
}

interface Item {
  job: SizedJob;
  lang: LanguageId;
  size?: number;
}

async function run(jobs: SizedJob[], onResult: (job: ParseJob, result: WritableResult) => void, threads: number, pack: boolean): Promise<ParsePlan> {
  // A job without a language by its name still gets parsed (the job decides by content, and
  // says why not): queue it with a cheap grammar's cost.
  const items: Item[] = jobs.map((job) => ({ job, lang: job.lang ?? languageForPath(job.path) ?? "c", size: job.size }));
  const plan = planParse(items, threads);
  const queue = new ParseQueue(items);
  const threadsDone: Promise<void>[] = [];
  const pool: Worker[] = [];
  try {
    for (let w = 0; w < plan.workers; w++) {
      const worker = new Worker(WORKER_URL);
      pool.push(worker);
      threadsDone.push(drainInWorker(worker, w + 1, queue, onResult, pack));
    }
    if (plan.callerParses) threadsDone.push(drainHere(queue, onResult, plan.workers > 0));
    await Promise.all(threadsDone);
  } finally {
    for (const w of pool) w.terminate();
  }
  return plan;
}

/** The calling thread's share: one file at a time, letting worker results in between. */
async function drainHere(queue: ParseQueue<Item>, onResult: (job: ParseJob, result: WritableResult) => void, beside: boolean): Promise<void> {
  for (;;) {
    const [item] = queue.next(0, 1);
    if (!item) return;
    onResult(item.job, await runParseJob(item.job));
    // Workers' answers are tasks of the event loop: without a turn of it, they would wait (and
    // the workers with them) until this thread ran out of files.
    if (beside) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function drainInWorker(worker: Worker, id: number, queue: ParseQueue<Item>, onResult: (job: ParseJob, result: WritableResult) => void, pack: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let sent: Item[] = [];
    const send = () => {
      sent = queue.next(id, BATCH);
      if (sent.length === 0) return resolve();
      worker.postMessage({ batch: id, jobs: sent.map((i) => stripHints(i.job)), pack });
    };
    worker.onmessage = (event: MessageEvent<{ batch: number; results: WritableResult[] }>) => {
      try {
        event.data.results.forEach((r, i) => onResult(sent[i]!.job, r));
        send();
      } catch (err) {
        reject(err);
      }
    };
    worker.onerror = (event) => reject(new Error(`parse worker failed: ${event.message}`));
    send();
  });
}

/** What a worker needs of a job (the scheduler's hints stay here). */
function stripHints(job: SizedJob): ParseJob {
  const { lang: _lang, size: _size, ...rest } = job;
  return rest;
}

/** A text to parse off the calling thread, in the language it is in. */
export interface TextJob {
  lang: LanguageId;
  text: string;
}
export type TextResult = { ok: true; symbols: ExtractedSymbol[] } | { ok: false; reason: string };

/**
 * Parses texts (not files) on one worker thread, a batch at a time: for the daemon's symbol diff,
 * whose grammar loads and parses would otherwise hold the thread that answers the socket.
 */
export class TextParser {
  private worker: Worker | null = null;

  parse(texts: TextJob[]): Promise<TextResult[]> {
    if (!texts.length) return Promise.resolve([]);
    const worker = (this.worker ??= new Worker(WORKER_URL));
    return new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<{ results: TextResult[] }>) => resolve(event.data.results);
      worker.onerror = (event) => reject(new Error(`parse worker failed: ${event.message}`));
      worker.postMessage({ kind: "texts", texts });
    });
  }

  close(): void {
    this.worker?.terminate();
    this.worker = null;
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

// Worker thread entry: parses the jobs it is sent, one batch per message. It also runs the one
// database job a cold build hands off (building the search indexes on its own connection while the
// main thread computes the call graph). The database code is loaded for that job only: a parse
// worker's start-up is on the critical path of every parallel build.
import { runParseJob, type ParseJob } from "./parse-job.ts";
import { packExtraction } from "./packed.ts";
import { parseText } from "../parser/parse-file.ts";
import type { TextJob, TextResult } from "./pool.ts";

declare const self: Worker;

type Message = { kind?: "parse"; batch: number; jobs: ParseJob[]; pack?: boolean } | { kind: "finish-search"; dbPath: string } | { kind: "texts"; texts: TextJob[] };

self.onmessage = async (event: MessageEvent<Message>) => {
  const msg = event.data;
  if (msg.kind === "finish-search") {
    try {
      const [{ Database }, { finishBulkSearch }] = await Promise.all([import("bun:sqlite"), import("./store.ts")]);
      const db = new Database(msg.dbPath);
      try {
        db.exec("PRAGMA busy_timeout = 5000");
        db.exec("PRAGMA cache_size = -65536");
        db.exec("PRAGMA threads = 2");
        finishBulkSearch(db);
      } finally {
        // Released before the answer: the indexer may move a damaged file aside next, and a
        // connection left to close later would then delete the new file's WAL by name.
        db.close(true);
      }
      self.postMessage({ ok: true });
    } catch (err) {
      // The SQLite code travels too: damage met here is the indexer's to recover from (indexRepo).
      self.postMessage({ ok: false, message: (err as Error)?.message ?? String(err), code: (err as { code?: unknown })?.code });
    }
    return;
  }
  if (msg.kind === "texts") {
    const results: TextResult[] = [];
    for (const t of msg.texts) {
      try {
        results.push({ ok: true, symbols: (await parseText(t.lang, t.text)).symbols });
      } catch (err) {
        results.push({ ok: false, reason: `parse failed: ${(err as Error).message}` });
      }
    }
    self.postMessage({ results });
    return;
  }
  const { batch, jobs, pack } = msg;
  const results = [];
  for (const job of jobs) {
    try {
      const r = await runParseJob(job);
      // The writer's per-file preparation, done here: the writing thread is the one that cannot be
      // parallel. Packed, the result also crosses to that thread far more cheaply.
      results.push(pack && r.kind === "parsed" ? { ...r, extraction: packExtraction(r.extraction) } : r);
    } catch (err) {
      // runParseJob reports expected failures itself; anything else must not kill the worker.
      results.push({ kind: "skipped", hash: null, reason: `internal error: ${(err as Error).message}` });
    }
  }
  self.postMessage({ batch, results });
};

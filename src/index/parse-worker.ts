// Worker thread entry: parses the jobs it is sent, one batch per message.
import { runParseJob, type ParseJob } from "./parse-job.ts";

declare const self: Worker;

self.onmessage = async (event: MessageEvent<{ batch: number; jobs: ParseJob[] }>) => {
  const { batch, jobs } = event.data;
  const results = [];
  for (const job of jobs) {
    try {
      results.push(await runParseJob(job));
    } catch (err) {
      // runParseJob reports expected failures itself; anything else must not kill the worker.
      results.push({ kind: "skipped", hash: null, reason: `internal error: ${(err as Error).message}` });
    }
  }
  self.postMessage({ batch, results });
};

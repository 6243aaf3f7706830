// One table from verb to handler, shared by the socket and the HTTP sidecar: params are checked
// against the verb's schema, the handler runs, and any failure becomes a VerbError with a code.
// `subscribe` is the transports' own business (it changes what the connection is).
import { SQLiteError } from "bun:sqlite";
import type { z } from "zod";
import { IndexUnavailable } from "../index/store.ts";
import { isVerb, VERBS, type DaemonInfo, type RefreshAnswer, type Verb } from "../protocol/socket.ts";
import { answerFileContext, answerGraph, answerMap, answerSearch, answerStatus, answerSymbolSource, type AnswerContext } from "./answers.ts";
import { VerbError } from "./errors.ts";
import type { RunReport } from "./worker-messages.ts";

export interface VerbHost {
  answers(): AnswerContext;
  info(): DaemonInfo;
  refresh(wait: boolean, timeoutMs: number): Promise<RunReport | null>;
  stop(reason: string): void;
  stopping: boolean;
  /** Called for every request (the daemon schedules a garbage collection after bursts). */
  activity?(): void;
}

/** Check a verb name and its params; returns the parsed params. */
export function checkRequest(verb: string, params: unknown): { verb: Verb; params: unknown } {
  if (!isVerb(verb)) throw new VerbError("unknown_verb", `unknown verb '${verb}' (known: ${Object.keys(VERBS).join(", ")})`);
  const parsed = VERBS[verb].params.safeParse(params ?? {});
  if (!parsed.success) throw new VerbError("bad_params", `bad params for '${verb}': ${describeIssues(parsed.error)}`);
  return { verb, params: parsed.data };
}

export function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`)
    .join("; ");
}

/** Run a checked request (anything but subscribe). */
export async function runVerb(host: VerbHost, verb: Verb, params: unknown): Promise<unknown> {
  host.activity?.();
  if (host.stopping && verb !== "ping") throw new VerbError("unavailable", "the daemon is shutting down");
  try {
    switch (verb) {
      case "ping":
        return host.info();
      case "status":
        return answerStatus(host.answers());
      case "search":
        return answerSearch(host.answers(), params as never);
      case "callers":
      case "callees":
        return answerGraph(host.answers(), verb, params as never);
      case "map":
        return answerMap(host.answers(), params as never);
      case "file.context":
        return answerFileContext(host.answers(), params as never);
      case "symbol.source":
        return answerSymbolSource(host.answers(), params as never);
      case "refresh": {
        const p = params as { wait: boolean; timeoutMs: number };
        const report = await host.refresh(p.wait, p.timeoutMs);
        const c = host.answers();
        const answer: RefreshAnswer = {
          finished: report !== null,
          index: report && {
            root: c.root,
            files: report.files - report.skipped.length,
            symbols: report.symbols,
            parsed: report.parsed,
            unchanged: report.unchanged,
            deleted: report.deleted,
            skipped: report.skipped,
            durationMs: Math.round(report.durationMs),
          },
          freshness: c.fresh.freshness(c.db),
        };
        return answer;
      }
      case "stop":
        // Reply first; the drain starts on the next turn of the event loop.
        setTimeout(() => host.stop("stop requested"), 0);
        return { stopping: true };
      default:
        throw new VerbError("unknown_verb", `verb '${verb}' is not available on this transport`);
    }
  } catch (err) {
    if (err instanceof VerbError) throw err;
    if (err instanceof IndexUnavailable) throw new VerbError("unavailable", err.message);
    if (err instanceof SQLiteError) throw new VerbError("unavailable", `the index could not be read: ${err.message}`);
    throw new VerbError("internal", (err as Error)?.message ?? String(err));
  }
}

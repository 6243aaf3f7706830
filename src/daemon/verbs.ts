// One table from verb to handler, shared by the socket and the HTTP sidecar: params are checked
// against the verb's schema, the handler runs, and any failure becomes a VerbError with a code.
// `subscribe` is the transports' own business (it changes what the connection is).
import { SQLiteError } from "bun:sqlite";
import type { z } from "zod";
import { IndexUnavailable, indexReadError, isCorruptionError } from "../index/store.ts";
import { isVerb, VERBS, type DaemonInfo, type RefreshAnswer, type Verb } from "../protocol/socket.ts";
import { IllegalTransition } from "../tasks/states.ts";
import { TaskNotFound } from "../tasks/store.ts";
import { TaskError } from "../tasks/service.ts";
import type { TaskHost } from "./task-host.ts";
import { answerFileContext, answerGraph, answerMap, answerSearch, answerStatus, answerSymbolSource, type AnswerContext } from "../api/answers.ts";
import { VerbError } from "../api/errors.ts";
import type { RunReport } from "./worker-messages.ts";

export interface VerbHost {
  answers(): AnswerContext;
  info(): DaemonInfo;
  refresh(wait: boolean, timeoutMs: number): Promise<RunReport | null>;
  stop(reason: string): void;
  stopping: boolean;
  tasks: TaskHost;
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
  // What this request reads, to name the file when SQLite finds it damaged.
  let read: AnswerContext | undefined;
  const answers = () => (read = host.answers());
  try {
    switch (verb) {
      case "ping":
        return host.info();
      case "status":
        return answerStatus(answers());
      case "search":
        return answerSearch(answers(), params as never);
      case "callers":
      case "callees":
        return answerGraph(answers(), verb, params as never);
      case "map":
        return answerMap(answers(), params as never);
      case "file.context":
        return answerFileContext(answers(), params as never);
      case "symbol.source":
        return answerSymbolSource(answers(), params as never);
      case "refresh": {
        const p = params as { wait: boolean; timeoutMs: number };
        const report = await host.refresh(p.wait, p.timeoutMs);
        const c = answers();
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
      case "task.create":
        return await host.tasks.create(params as never);
      case "task.list":
        return { tasks: host.tasks.service.list(params as never) };
      case "task.show":
        return { task: host.tasks.service.get(id(params)) };
      case "task.approve":
        return { task: host.tasks.approve(id(params)) };
      case "task.reject":
        return { task: host.tasks.service.reject(id(params), (params as { reason?: string }).reason) };
      case "task.clarify":
        return { task: await host.tasks.clarify(id(params), (params as { answers?: { question: string; answer: string }[] }).answers) };
      case "task.run":
        return { task: host.tasks.run(id(params)) };
      case "task.interrupt":
        return { task: await host.tasks.interrupt(id(params)) };
      case "task.done":
        return { task: host.tasks.service.done(id(params)) };
      case "task.delete":
        return host.tasks.delete(id(params), (params as { deleteBranch: boolean }).deleteBranch);
      case "task.wait": {
        const p = params as { id: number; until: "classified" | "terminal"; timeoutMs: number };
        return await host.tasks.wait(p.id, p.until, p.timeoutMs);
      }
      case "cost":
        return host.tasks.cost();
      case "stop":
        // Reply first; the drain starts on the next turn of the event loop.
        setTimeout(() => host.stop("stop requested"), 0);
        return { stopping: true };
      default:
        throw new VerbError("unknown_verb", `verb '${verb}' is not available on this transport`);
    }
  } catch (err) {
    if (err instanceof VerbError) throw err;
    if (err instanceof TaskNotFound) throw new VerbError("not_found", err.message);
    if (err instanceof IllegalTransition) throw new VerbError("conflict", err.message);
    if (err instanceof TaskError) throw new VerbError(err.code === "bad_params" ? "bad_params" : err.code === "not_found" ? "not_found" : "conflict", err.message);
    if (err instanceof IndexUnavailable) throw new VerbError("unavailable", err.message);
    if (read && isCorruptionError(err)) throw new VerbError("unavailable", (indexReadError(err, read.db.filename, read.db) as Error).message);
    if (err instanceof SQLiteError) throw new VerbError("unavailable", `the index could not be read: ${err.message}`);
    throw new VerbError("internal", (err as Error)?.message ?? String(err));
  }
}

function id(params: unknown): number {
  return (params as { id: number }).id;
}

// One table from verb to handler (HANDLERS), shared by the socket and the HTTP sidecar: params are checked
// against the verb's schema, the handler runs, and any failure is a SkepError with a code (the domain throws them; foreign errors are mapped here).
// `subscribe` is the transports' own business (it changes what the connection is).
import { SQLiteError } from "bun:sqlite";
import type { z } from "zod";
import { indexReadError, isCorruptionError } from "../index/store.ts";
import { isVerb, VERBS, type DaemonInfo, type ResultOf, type Verb } from "../protocol/socket.ts";
import type { TaskHost } from "./task-host.ts";
import { READ_HANDLERS, type AnswerContext, type CheckedParams } from "../api/answers.ts";
import type { RunReport } from "./worker-messages.ts";
import { SkepError } from "../errors.ts";
import { taskStoreError } from "../tasks/store.ts";

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

/** A request whose params passed its verb's schema: the verb and its params, correlated. */
export type CheckedRequest<V extends Verb = Verb> = { [K in V]: { verb: K; params: ParamsMap[K] } }[V];
type ParamsMap = { [V in Verb]: CheckedParams<V> };

/** Check a verb name and its params; returns the parsed params. */
export function checkRequest(verb: string, params: unknown): CheckedRequest {
  if (!isVerb(verb)) throw new SkepError("unknown_verb", `unknown verb '${verb}' (known: ${Object.keys(VERBS).join(", ")})`);
  const parsed = VERBS[verb].params.safeParse(params ?? {});
  if (!parsed.success) throw new SkepError("bad_params", `bad params for '${verb}': ${describeIssues(parsed.error)}`);
  return { verb, params: parsed.data } as CheckedRequest;
}

export function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`)
    .join("; ");
}

type ResultMap = { [V in Verb]: ResultOf<V> };
/** `answers()` opens the request's read context (and remembers it, to name a damaged file). */
type Handler<V extends Verb> = (host: VerbHost, p: ParamsMap[V], answers: () => AnswerContext) => ResultMap[V] | Promise<ResultMap[V]>;

/** The one table from verb to what answers it (read verbs: api/answers.ts's READ_HANDLERS). */
const HANDLERS: { [V in Verb]: Handler<V> } = {
  ping: (host) => host.info(),
  status: (_, p, answers) => READ_HANDLERS.status(answers(), p),
  search: (_, p, answers) => READ_HANDLERS.search(answers(), p),
  callers: (_, p, answers) => READ_HANDLERS.callers(answers(), p),
  callees: (_, p, answers) => READ_HANDLERS.callees(answers(), p),
  map: (_, p, answers) => READ_HANDLERS.map(answers(), p),
  "file.context": (_, p, answers) => READ_HANDLERS["file.context"](answers(), p),
  "symbol.source": (_, p, answers) => READ_HANDLERS["symbol.source"](answers(), p),
  refresh: async (host, p, answers) => {
    const report = await host.refresh(p.wait, p.timeoutMs);
    const c = answers();
    return {
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
  },
  subscribe: () => {
    throw new SkepError("unknown_verb", "verb 'subscribe' is not available on this transport");
  },
  "task.create": (host, p) => host.tasks.create(p),
  "task.list": (host, p) => ({ tasks: host.tasks.service.list(p) }),
  "task.show": (host, p) => ({ task: host.tasks.service.get(p.id) }),
  "task.approve": (host, p) => ({ task: host.tasks.approve(p.id, p.from) }),
  "task.reject": (host, p) => ({ task: host.tasks.service.reject(p.id, p.reason) }),
  "task.clarify": async (host, p) => ({ task: await host.tasks.clarify(p.id, p.answers) }),
  "task.run": (host, p) => ({ task: host.tasks.run(p.id) }),
  "task.interrupt": async (host, p) => ({ task: await host.tasks.interrupt(p.id) }),
  "task.done": (host, p) => ({ task: host.tasks.service.done(p.id) }),
  "task.delete": (host, p) => host.tasks.delete(p.id, p.deleteBranch),
  "task.wait": (host, p) => host.tasks.wait(p.id, p.until, p.timeoutMs),
  cost: (host) => host.tasks.cost(),
  stop: (host) => {
    // Reply first; the drain starts on the next turn of the event loop.
    setTimeout(() => host.stop("stop requested"), 0);
    return { stopping: true };
  },
};

function isTaskVerb(verb: string): boolean {
  return verb.startsWith("task") || verb === "cost";
}

function taskStoreMessage(err: Error, host: VerbHost): SkepError {
  let path = ".skep/tasks.db";
  try {
    path = host.tasks.service.store.path;
  } catch {
    // tasks unavailable: keep the usual name
  }
  return taskStoreError(err, path, "restart the daemon");
}

/** Run a checked request (anything but subscribe). */
export async function runVerb<V extends Verb>(host: VerbHost, req: CheckedRequest<V>): Promise<ResultOf<V>> {
  host.activity?.();
  if (host.stopping && req.verb !== "ping") throw new SkepError("stopping", "the daemon is shutting down");
  // What this request reads, to name the file when SQLite finds it damaged.
  let read: AnswerContext | undefined;
  const answers = () => (read = host.answers());
  try {
    const handler: Handler<V> = HANDLERS[req.verb];
    return await handler(host, req.params, answers);
  } catch (err) {
    // The domain's own errors (a task not found, an illegal move, an unreadable index) are
    // SkepErrors already: they go on the wire with their code as thrown.
    if (err instanceof SkepError) throw err;
    // A task verb's SQLite error is the task store's, not the index's: name that file.
    if (err instanceof SQLiteError && !read && isTaskVerb(req.verb)) throw taskStoreMessage(err, host);
    if (read && isCorruptionError(err)) throw new SkepError("unavailable", (indexReadError(err, read.db.filename, read.db) as Error).message);
    if (err instanceof SQLiteError) throw new SkepError("unavailable", `the index could not be read: ${err.message}`);
    throw new SkepError("internal", (err as Error)?.message ?? String(err));
  }
}

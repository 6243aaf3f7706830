// The `script` backend: replays answers from a JSON file instead of asking a model, for the demo
// and for fast tests of everything around the LLM (queue, ledger, worktrees). It behaves like a
// backend that answers: usage, cost, failures, delays and (for steps) file edits all come from the
// script, and it never makes up an answer when the script has none left.
//
// Script file (`llm_script` in .skep/config.json, relative to the repo root):
//
//   {"answers": [
//     {"purpose": "classify" | "plan" | "step" | "dedup",
//      "match": "<regex, tested against the prompt>",          optional: only prompts it matches
//      "text": "<the answer text>",
//      "usage": {"input", "output", "cacheCreation", "cacheRead"},   optional, each defaults to 0
//      "costUsd": 0.01,                                         optional, default 0
//      "ok": false, "error": "<why>",                           optional: a failed call (default ok)
//      "exitCode": 1,                                           optional, default 0 (1 when ok is false)
//      "model": "<model id>",                                   optional, default the requested model
//      "delayMs": 500,                                          optional: answer after this long (abortable)
//      "writes":  [{"path": "<relative to cwd>", "content": "..."}],   optional, steps: create/replace files
//      "appends": [{"path": "...", "content": "..."}],          optional: append (creating the file)
//      "deletes": ["<path>"]}                                   optional: remove files or directories
//   ]}
//
// A call takes the first unused answer with the call's purpose whose `match` (if any) matches the
// prompt. Which answers are used is kept in `<script>.state.json` beside the script, so separate
// processes (the CLI, the daemon) continue one replay; editing the script starts the replay over.
// File edits happen inside the call's cwd (paths escaping it, through `..` or symlinks, refuse the
// whole answer), and only when the call allows edits. They are applied even for an ok=false
// answer, as a real step can fail half way.
import { appendFileSync, closeSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { LlmPurpose } from "../protocol/tasks.ts";
import { writeFileAtomic } from "../util/fs.ts";
import type { LlmBackend, LlmRequest, LlmResult } from "./backend.ts";
import { ZERO_USAGE } from "./backend.ts";
import { formatSeconds } from "../util/process.ts";

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

const FileText = z.strictObject({ path: z.string().min(1), content: z.string() });

export const ScriptAnswer = z.strictObject({
  purpose: LlmPurpose,
  match: z.string().refine(isRegex, "not a valid regular expression").optional(),
  text: z.string(),
  usage: z
    .strictObject({
      input: z.number().int().min(0).default(0),
      output: z.number().int().min(0).default(0),
      cacheCreation: z.number().int().min(0).default(0),
      cacheRead: z.number().int().min(0).default(0),
    })
    .optional(),
  costUsd: z.number().min(0).optional(),
  ok: z.boolean().optional(),
  error: z.string().optional(),
  exitCode: z.number().int().optional(),
  model: z.string().optional(),
  delayMs: z.number().int().min(0).optional(),
  writes: z.array(FileText).optional(),
  appends: z.array(FileText).optional(),
  deletes: z.array(z.string().min(1)).optional(),
});
export type ScriptAnswer = z.infer<typeof ScriptAnswer>;

export const ScriptFile = z.strictObject({ answers: z.array(ScriptAnswer) });
export type ScriptFile = z.infer<typeof ScriptFile>;
/** What a script looks like before defaults are filled in (for inline scripts in tests). */
export type ScriptFileInput = z.input<typeof ScriptFile>;

/** The sidecar: which answers (indexes) are used, for which version of the script. */
const ScriptState = z.object({ scriptHash: z.string(), used: z.array(z.number().int()) });
type ScriptState = z.infer<typeof ScriptState>;

export function statePathFor(scriptPath: string): string {
  return `${scriptPath}.state.json`;
}

const LOCK_STALE_MS = 10_000;

/** Hold `<state>.lock` (O_EXCL) while reading and updating the state, so two processes never take the same answer. */
async function withLock<T>(lockPath: string, f: () => T): Promise<T> {
  for (;;) {
    try {
      closeSync(openSync(lockPath, "wx"));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      try {
        // A holder that died mid-update leaves its lock: a claim takes microseconds, so an old lock is dead.
        if (Date.now() - statSync(lockPath).mtimeMs > LOCK_STALE_MS) rmSync(lockPath, { force: true });
      } catch {
        // gone meanwhile
      }
      await Bun.sleep(5);
    }
  }
  try {
    return f();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

/** `rel` resolved inside `cwd`, or null when it would land outside (`..`, absolute, symlinks). */
function insideCwd(cwd: string, rel: string): string | null {
  if (isAbsolute(rel) || rel.includes("\0")) return null;
  const abs = resolve(cwd, rel);
  const lexical = relative(cwd, abs);
  if (lexical === "" || lexical.startsWith(`..${sep}`) || lexical === ".." || isAbsolute(lexical)) return null;
  // Follow symlinks on the part of the path that exists: a link must not lead out either.
  const realCwd = realpathSync(cwd);
  let existing = abs;
  while (!existsOrLink(existing)) existing = dirname(existing);
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    return null; // a dangling symlink: refuse rather than guess where it points
  }
  const fromCwd = relative(realCwd, real);
  if (fromCwd.startsWith(`..${sep}`) || fromCwd === ".." || isAbsolute(fromCwd)) return null;
  return abs;
}

function existsOrLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Wait `ms`, unless the signal aborts first. */
function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<"slept" | "aborted"> {
  if (signal?.aborted) return Promise.resolve("aborted");
  return new Promise((done) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      done("slept");
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      done("aborted");
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface ScriptBackendOptions {
  /** Where an inline script keeps its state (default: in memory, per instance). */
  statePath?: string;
}

export class ScriptBackend implements LlmBackend {
  readonly name = "script";
  /** The script file (absolute), or null for an inline script. */
  readonly path: string | null;
  private readonly inline: ScriptFile | null;
  private readonly statePath: string | null;
  private memoryState: ScriptState = { scriptHash: "inline", used: [] };

  constructor(script: string | ScriptFileInput, opts: ScriptBackendOptions = {}) {
    if (typeof script === "string") {
      this.path = resolve(script);
      this.inline = null;
      this.statePath = opts.statePath ?? statePathFor(this.path);
    } else {
      this.path = null;
      this.inline = ScriptFile.parse(script);
      this.statePath = opts.statePath ?? null;
    }
  }

  private get label(): string {
    return this.path ?? "<inline>";
  }

  /** The script and a hash that changes when it is edited. */
  private load(): { script: ScriptFile; hash: string } {
    if (this.inline) return { script: this.inline, hash: "inline" };
    let text: string;
    try {
      text = readFileSync(this.path!, "utf8");
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
      throw new Error(missing ? `script ${this.label} not found (llm_script in .skep/config.json)` : `script ${this.label} cannot be read: ${(e as Error).message}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(`script ${this.label} is not valid JSON: ${(e as Error).message}`);
    }
    const parsed = ScriptFile.safeParse(raw);
    if (!parsed.success) {
      throw new Error(`script ${this.label} is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    return { script: parsed.data, hash: Bun.hash(text).toString(16) };
  }

  private readState(hash: string): ScriptState {
    if (!this.statePath) return this.memoryState;
    try {
      const state = ScriptState.parse(JSON.parse(readFileSync(this.statePath, "utf8")));
      if (state.scriptHash === hash) return state;
    } catch {
      // no state yet (or unreadable): start the replay
    }
    return { scriptHash: hash, used: [] };
  }

  private writeState(state: ScriptState): void {
    if (!this.statePath) {
      this.memoryState = state;
      return;
    }
    writeFileAtomic(this.statePath, `${JSON.stringify(state)}\n`);
  }

  /** Take the next answer for this request, marking it used. */
  private async claim(req: LlmRequest): Promise<{ index: number; answer: ScriptAnswer } | { error: string }> {
    const take = (): { index: number; answer: ScriptAnswer } | { error: string } => {
      const { script, hash } = this.load();
      const state = this.readState(hash);
      const used = new Set(state.used);
      const index = script.answers.findIndex((a, i) => !used.has(i) && a.purpose === req.purpose && (a.match === undefined || new RegExp(a.match).test(req.prompt)));
      if (index < 0) {
        const unmatched = script.answers.filter((a, i) => !used.has(i) && a.purpose === req.purpose).length;
        const hint = unmatched > 0 ? ` (${unmatched} unused answer(s) for ${req.purpose} do not match the prompt)` : "";
        return { error: `script ${this.label} has no answer left for purpose ${req.purpose}${hint}` };
      }
      this.writeState({ scriptHash: hash, used: [...state.used, index] });
      return { index, answer: script.answers[index]! };
    };
    try {
      return this.statePath ? await withLock(`${this.statePath}.lock`, take) : take();
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  async run(req: LlmRequest): Promise<LlmResult> {
    const started = performance.now();
    const result = (fields: Partial<LlmResult>): LlmResult => ({
      ok: false,
      text: "",
      error: null,
      usage: { ...ZERO_USAGE },
      costUsd: 0,
      exitCode: null,
      model: req.model ?? null,
      sessionId: null,
      backend: this.name,
      aborted: false,
      ...fields,
      durationMs: Math.round(performance.now() - started),
    });
    if (req.signal?.aborted) return result({ aborted: true, error: "aborted" });

    const claimed = await this.claim(req);
    if ("error" in claimed) return result({ error: claimed.error });
    const { answer } = claimed;

    const spent = {
      usage: { ...ZERO_USAGE, ...answer.usage },
      costUsd: answer.costUsd ?? 0,
      model: answer.model ?? req.model ?? null,
    };
    const delay = answer.delayMs ?? 0;
    if (delay > 0) {
      const waited = await sleepUnlessAborted(Math.min(delay, req.timeoutMs), req.signal);
      if (waited === "aborted") return result({ ...spent, aborted: true, error: "aborted" });
      if (delay > req.timeoutMs) return result({ ...spent, error: `timed out after ${formatSeconds(req.timeoutMs)} s` });
    }

    const edited = this.applyEdits(answer, req);
    if (edited) return result({ ...spent, error: edited });

    for (const line of answer.text.split("\n")) req.onLine?.(line);
    const ok = answer.ok ?? true;
    return result({
      ...spent,
      ok,
      text: answer.text,
      error: ok ? null : (answer.error ?? `scripted failure (script ${this.label})`),
      exitCode: answer.exitCode ?? (ok ? 0 : 1),
    });
  }

  /** Apply the answer's writes, appends and deletes inside req.cwd; the reason it refused, or null. */
  private applyEdits(answer: ScriptAnswer, req: LlmRequest): string | null {
    const writes = answer.writes ?? [];
    const appends = answer.appends ?? [];
    const deletes = answer.deletes ?? [];
    if (writes.length + appends.length + deletes.length === 0) return null;
    if (!req.allowEdits) return `script ${this.label}: the answer edits files but this ${req.purpose} call may not (allowEdits is off)`;
    // Check every path before touching any file: a refused answer changes nothing.
    const resolved = new Map<string, string>();
    for (const path of [...writes.map((w) => w.path), ...appends.map((a) => a.path), ...deletes]) {
      const abs = insideCwd(req.cwd, path);
      if (!abs) return `script ${this.label}: refusing to edit ${path}: outside ${req.cwd}`;
      resolved.set(path, abs);
    }
    try {
      for (const w of writes) {
        const abs = resolved.get(w.path)!;
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, w.content);
      }
      for (const a of appends) {
        const abs = resolved.get(a.path)!;
        mkdirSync(dirname(abs), { recursive: true });
        appendFileSync(abs, a.content);
      }
      for (const d of deletes) rmSync(resolved.get(d)!, { recursive: true, force: true });
    } catch (e) {
      return `script ${this.label}: editing files failed: ${(e as Error).message}`;
    }
    return null;
  }
}

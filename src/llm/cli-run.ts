// What the Codex and Gemini backends share: one CLI run in its own process group (timeout and
// abort kill the whole group, nothing outlives the call), each stdout line to the stream parser
// and the live log, and the failures that are not the CLI's to judge (not found, could not start,
// aborted, timed out) turned into results. The backend judges the rest from what its parser saw.
import { existsSync } from "node:fs";
import type { LlmRequest, LlmResult, LlmUsage } from "./backend.ts";
import { ZERO_USAGE } from "./backend.ts";
import { formatSeconds, runInProcessGroup, type GroupRunResult } from "../util/process.ts";

export interface CliCall {
  backend: string;
  bin: string;
  args: string[];
  env: Record<string, string | undefined>;
  /** What to tell a person when `bin` is not there. */
  installHint: string;
  killGraceMs?: number;
  /** Every stdout line, before it goes to the live log. */
  feed(line: string): void;
  /** Every stderr line (codex reports a tool it refused only there). */
  feedStderr?(line: string): void;
  /** After a run that ended on its own: ok, the answer, or the failure in the CLI's words. */
  judge(run: GroupRunResult): { ok: boolean; error: string | null; text: string };
  usage(): LlmUsage;
  model(): string | null;
  sessionId(): string | null;
}

/** The end of stderr, for messages. */
export function stderrBrief(tail: string): string {
  const text = tail.trim();
  return text.length > 600 ? `…${text.slice(-600)}` : text;
}

/** "exited with code 3" / "was killed by SIGKILL". */
export function howItEnded(run: GroupRunResult): string {
  return run.exitCode === null ? `was killed by ${run.signal ?? "a signal"}` : `exited with code ${run.exitCode}`;
}

export function failedBeforeStart(backend: string, req: LlmRequest, started: number, error: string): LlmResult {
  return {
    ok: false,
    text: "",
    error,
    usage: { ...ZERO_USAGE },
    costUsd: 0,
    durationMs: Math.round(performance.now() - started),
    exitCode: null,
    model: req.model ?? null,
    sessionId: null,
    backend,
    aborted: false,
  };
}

export async function runCliCall(call: CliCall, req: LlmRequest, started: number): Promise<LlmResult> {
  // Spawning in a missing cwd fails with ENOENT too, which would read as "CLI not found".
  if (!existsSync(req.cwd)) return failedBeforeStart(call.backend, req, started, `working directory does not exist: ${req.cwd}`);
  const run = await runInProcessGroup({
    cmd: [call.bin, ...call.args],
    cwd: req.cwd,
    env: call.env,
    timeoutMs: req.timeoutMs,
    signal: req.signal,
    killGraceMs: call.killGraceMs,
    onLine: (line) => {
      call.feed(line);
      req.onLine?.(line);
    },
    onStderrLine: call.feedStderr ? (line) => call.feedStderr!(line) : undefined,
  });
  const base: LlmResult = {
    ok: false,
    text: "",
    error: null,
    usage: call.usage(),
    costUsd: 0, // neither CLI reports a cost
    durationMs: Math.round(performance.now() - started),
    exitCode: run.exitCode,
    model: call.model(),
    sessionId: call.sessionId(),
    backend: call.backend,
    aborted: false,
  };
  if (run.spawnError) {
    const error =
      run.spawnError.code === "ENOENT" ? `${call.backend} CLI not found: ${call.bin} (${call.installHint})` : `could not start ${call.backend} (${call.bin}): ${run.spawnError.message}`;
    return { ...base, error };
  }
  if (run.aborted) return { ...base, aborted: true, error: "aborted" };
  if (run.timedOut) return { ...base, error: `timed out after ${formatSeconds(req.timeoutMs)} s` };
  return { ...base, ...call.judge(run) };
}

export const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** A JSON object line, or null (blank lines, warnings a CLI prints on stdout). */
export function jsonLine(line: string): Record<string, unknown> | null {
  const t = line.trim();
  if (!t.startsWith("{")) return null;
  try {
    const o = JSON.parse(t) as unknown;
    return o && typeof o === "object" && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

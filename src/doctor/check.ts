// Building blocks of `skep doctor`: a check result, and asking a program for its version without
// letting a hung or broken program hang the doctor (each runs in its own process group, killed
// whole when it overstays).
import type { CheckLevel, DoctorCheck } from "../protocol/doctor.ts";
import { formatSeconds, runInProcessGroup } from "../util/process.ts";

export function ok(name: string, level: CheckLevel, detail: string): DoctorCheck {
  return { name, level, status: "ok", detail, fix: null };
}

export function fail(name: string, level: CheckLevel, detail: string, fix: string | null = null): DoctorCheck {
  return { name, level, status: "fail", detail, fix };
}

/** How long a `--version` may take. Real CLIs answer in well under a second; 5 s allows a cold, busy machine. */
export const VERSION_TIMEOUT_MS = 5_000;

/** The first line of what a program printed, or why it could not tell us anything. */
export type VersionRun = { ok: true; output: string } | { ok: false; reason: string; notFound: boolean };

export async function runVersion(cmd: string[], cwd: string, timeoutMs = VERSION_TIMEOUT_MS, env?: Record<string, string | undefined>): Promise<VersionRun> {
  const r = await runInProcessGroup({ cmd, cwd, env, timeoutMs, killGraceMs: 500, stdoutHeadChars: 400, stderrTailChars: 400 });
  const shown = cmd.map((a) => (a.includes("/") ? a.slice(a.lastIndexOf("/") + 1) : a)).join(" ");
  if (r.spawnError) {
    const notFound = r.spawnError.code === "ENOENT";
    return { ok: false, notFound, reason: notFound ? `${cmd[0]} not found` : `${cmd[0]} could not be started (${r.spawnError.message})` };
  }
  if (r.timedOut) return { ok: false, notFound: false, reason: `\`${shown}\` did not answer within ${formatSeconds(timeoutMs)} s (killed)` };
  const stdout = r.stdoutHead.trim();
  if (r.exitCode !== 0) {
    const how = r.exitCode === null ? `was killed by ${r.signal ?? "a signal"}` : `exited with code ${r.exitCode}`;
    const said = oneLine(r.stderrTail.trim() || stdout);
    return { ok: false, notFound: false, reason: `\`${shown}\` ${how}${said ? `: ${said}` : ""}` };
  }
  return { ok: true, output: stdout };
}

/** Text squeezed onto one short line, for a check's detail. */
export function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

// What the two daemon benchmarks (daemon.ts, daemon-responsive.ts) share: the environment their
// skep processes get (the caller's, without its SKEP_ settings, never tmux) and a command run
// that throws with its stderr, and the percentile both report.

export function env(extra: Record<string, string> = {}): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_")) e[k] = v;
  return { ...e, SKEP_NO_TMUX: "1", ...extra };
}

export function sh(cmd: string[], cwd: string, extra: Record<string, string> = {}): string {
  const p = Bun.spawnSync(cmd, { cwd, env: env(extra), stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${p.stderr.toString()}`);
  return p.stdout.toString();
}

/** The p-th percentile (nearest rank) of xs; NaN when there are none. */
export const pct = (xs: number[], p: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

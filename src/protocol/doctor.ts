// `skep doctor --json`: one answer holding every check, in a fixed order. Documented in docs/cli.md.
import { z } from "zod";

/**
 * How much a failure matters. critical: skep cannot do its main work until it is fixed (exit 1);
 * warning: a feature is degraded; info: worth knowing, nothing is broken.
 */
export const CheckLevel = z.enum(["critical", "warning", "info"]);
export type CheckLevel = z.infer<typeof CheckLevel>;

export const DoctorCheck = z.object({
  /** Stable id: llm.<backend>, git, tmux, ctags, os, skep, install, completions, repo, config, test_cmd, index, daemon, workspace, tasks. */
  name: z.string(),
  level: CheckLevel,
  status: z.enum(["ok", "fail"]),
  /** One line: what was found, or why it failed. */
  detail: z.string(),
  /** What to do about a failure (null when there is nothing to do). */
  fix: z.string().nullable(),
});
export type DoctorCheck = z.infer<typeof DoctorCheck>;

export const DoctorAnswer = z.object({
  /** No critical check failed; the exit code is 0 exactly when this is true. */
  healthy: z.boolean(),
  version: z.string(),
  /** The skep repo checked (the directory holding `.skep/`'s repo), null outside one. */
  root: z.string().nullable(),
  checks: z.array(DoctorCheck),
});
export type DoctorAnswer = z.infer<typeof DoctorAnswer>;

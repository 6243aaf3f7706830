// The `--json` answers of commands that have no daemon verb of their own (the verbs' answers are in
// socket.ts, index-answers.ts and tasks.ts). docs/cli.md documents each shape.
import { z } from "zod";
import { DaemonInfo } from "./socket.ts";
import { Task, TokenTotals } from "./tasks.ts";

/** `skep daemon status --json`. */
export const DaemonStatusAnswer = z.object({
  running: z.boolean(),
  unresponsive: z.boolean(),
  pid: z.number().int().nullable(),
  info: DaemonInfo.nullable(),
  stale: z.array(z.string()),
});

/** `skep cockpit status --json`, and `setup` / `reset`. */
export const CockpitStatusAnswer = z.object({
  conf_path: z.string(),
  installed: z.boolean(),
  size: z.number().int(),
  user_tmux_conf: z.string(),
  sourced: z.boolean(),
  user_tmux_exists: z.boolean(),
});

export const CockpitSetupAnswer = CockpitStatusAnswer.extend({
  /** Where the snippet that was there before went; null when there was none. */
  backup: z.string().nullable(),
  /** How the snippet runs skep: an absolute path (the compiled binary) or `skep` from PATH. */
  command: z.string(),
  command_source: z.enum(["binary", "path"]),
  source_line: z.string(),
});

export const CockpitResetAnswer = z.object({ conf_path: z.string(), removed: z.boolean(), backups: z.array(z.string()), sourced: z.boolean() });

/** `skep mcp install --json`. */
export const InstallAnswer = z.object({
  file: z.string(),
  name: z.string(),
  status: z.enum(["added", "updated", "unchanged"]),
  entry: z.object({ type: z.literal("stdio"), command: z.string(), args: z.array(z.string()), env: z.record(z.string(), z.string()) }),
  previous: z.unknown().optional(),
  cursor: z.string(),
  codex: z.string(),
});

/** `skep cost --all --json`: each workspace repo's totals. */
export const WorkspaceCost = z.object({
  workspace: z.string(),
  repos: z.array(z.object({ name: z.string(), path: z.string(), tasks: z.number().int(), total: TokenTotals })),
  /** Every repo's ledger added up. */
  total: TokenTotals,
});

/** `skep task list --json` (with `--all`, each task names its repo). */
export const TaskList = z.array(Task.extend({ repo: z.string().optional() }));
export type TaskList = z.infer<typeof TaskList>;

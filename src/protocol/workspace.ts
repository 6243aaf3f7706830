// The workspace views as `--json` prints them: `skep workspace watch --once --json`,
// `skep workspace list --json` and `skep status --oneline --json`. Read from each repo's task
// store, never from a daemon. Shapes documented in docs/cli.md.
import { z } from "zod";
import { Classification, TaskStatus } from "./tasks.ts";

/** Whether a repo's tasks could be read, and why not. */
export const RepoState = z.enum(["ok", "missing", "no_store", "unreadable"]);
export type RepoState = z.infer<typeof RepoState>;

/** The ledger sums a dashboard shows: effectiveInput = input + cacheRead / 10, as `skep cost` counts. */
export const TokenSum = z.object({
  calls: z.number().int(),
  input: z.number().int(),
  cacheRead: z.number().int(),
  effectiveInput: z.number(),
});
export type TokenSum = z.infer<typeof TokenSum>;

export const RepoSnapshot = z.object({
  name: z.string(),
  path: z.string(),
  state: RepoState,
  /** Why the tasks could not be read; null when state is "ok". */
  problem: z.string().nullable(),
  /** Tasks per status (statuses with none left out). */
  counts: z.record(z.string(), z.number().int()),
  /** Every LLM call of the repo, dry runs, dedup checks and deleted tasks included. */
  tokens: TokenSum,
});
export type RepoSnapshot = z.infer<typeof RepoSnapshot>;

export const WatchTask = z.object({
  repo: z.string(),
  id: z.number().int(),
  name: z.string(),
  status: TaskStatus,
  classification: Classification.nullable(),
  branch: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  tokens: TokenSum,
  /** An executing task parked while its delegate step waits on this peer task (tasks/queue.ts). */
  waitingOn: z.object({ repo: z.string(), taskId: z.number().int() }).nullable(),
});
export type WatchTask = z.infer<typeof WatchTask>;

export const WatchCounts = z.object({
  repos: z.number().int(),
  inFlight: z.number().int(),
  executing: z.number().int(),
  waitingApproval: z.number().int(),
  needsClarification: z.number().int(),
});

export const WatchFrame = z.object({
  /** "workspace": the registry's repos; "repo": outside any workspace, the current repo alone. */
  scope: z.enum(["workspace", "repo"]),
  workspace: z.string().nullable(),
  /** The registry could not be read (no repo is shown then). */
  problem: z.string().nullable(),
  at: z.string(),
  counts: WatchCounts,
  repos: z.array(RepoSnapshot),
  /** In the dashboard's order: by status (executing first), newest first within a status. */
  tasks: z.array(WatchTask),
  total: TokenSum,
  /** Coordinator runs not yet final (src/coordinator/), newest first; absent outside a workspace. */
  runs: z.array(z.object({ id: z.number().int(), status: z.string(), spec: z.string(), workers: z.array(z.string()) })).optional(),
});
export type WatchFrame = z.infer<typeof WatchFrame>;

export const WorkspaceListAnswer = z.object({
  scope: z.enum(["workspace", "repo"]),
  workspace: z.string().nullable(),
  problem: z.string().nullable(),
  repos: z.array(
    RepoSnapshot.extend({
      exists: z.boolean(),
      /** A daemon holds the repo's lock (`.skep/daemon.lock`). */
      daemonRunning: z.boolean(),
      tasks: z.number().int(),
      inFlight: z.number().int(),
    }),
  ),
});
export type WorkspaceListAnswer = z.infer<typeof WorkspaceListAnswer>;

export const OnelineAnswer = z.object({
  text: z.string(),
  scope: z.enum(["workspace", "repo", "none"]),
  executing: z.number().int(),
  queued: z.number().int(),
  pending: z.number().int(),
  needsClarification: z.number().int(),
  planning: z.number().int(),
  /** The oldest task waiting for a person (approval or answers), or null. */
  waiting: z.object({ repo: z.string(), id: z.number().int(), status: TaskStatus }).nullable(),
  /** Repos whose tasks could not be read (a missing path, an unreadable store). */
  unreadable: z.number().int(),
  /** Coordinator runs in flight (drafting, pending, running, reviewing); absent outside a workspace. */
  runs: z.array(z.object({ id: z.number().int(), status: z.string() })).optional(),
});
export type OnelineAnswer = z.infer<typeof OnelineAnswer>;

// Which status may follow which. TaskStore.transition() is the only code that changes a status,
// and it asks this table first.
import type { TaskStatus } from "../protocol/tasks.ts";
import { SkepError } from "../errors.ts";

const NEXT: Record<TaskStatus, readonly TaskStatus[]> = {
  // The pipeline's outcomes; `task done` may close anything that is not running.
  created: ["classified", "pending", "pending_clarification", "approved", "rejected", "done"],
  classified: ["pending", "pending_clarification", "approved", "rejected", "done"],
  pending: ["approved", "rejected", "done"],
  // Answered questions send the task through the pipeline again.
  pending_clarification: ["created", "rejected", "done"],
  approved: ["queued", "rejected", "done"],
  // `task interrupt` on a queued task takes it out of the line (a daemon's queue survives restarts).
  queued: ["executing", "interrupted", "rejected", "done"],
  executing: ["done", "failed", "interrupted"],
  // run/resume queue a failed or interrupted task again; it continues from its first unfinished step.
  failed: ["queued", "done", "rejected"],
  interrupted: ["queued", "done", "rejected"],
  done: [],
  rejected: [],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return NEXT[from].includes(to);
}

export function nextStatuses(from: TaskStatus): readonly TaskStatus[] {
  return NEXT[from];
}

export class IllegalTransition extends SkepError {
  constructor(
    readonly taskId: number,
    readonly from: TaskStatus,
    readonly to: TaskStatus,
  ) {
    const allowed = NEXT[from];
    super("conflict", `task #${taskId} is ${from}; it cannot become ${to}${allowed.length ? ` (from ${from}: ${allowed.join(", ")})` : ` (${from} is final)`}`);
  }
}

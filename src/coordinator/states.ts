// Which run status may follow which. RunStore.transition() is the only code that changes a run's
// status, and it asks this table first (the same pattern as tasks: src/tasks/states.ts).
import type { RunStatus } from "../protocol/runs.ts";

const NEXT: Record<RunStatus, readonly RunStatus[]> = {
  // The coordinator stage ends with specs for a person to approve, or with the reason it could not write them.
  // ... or with questions only a person can answer (`run clarify` drafts again with the answers).
  drafting: ["pending", "pending_clarification", "failed", "interrupted", "rejected"],
  pending_clarification: ["drafting", "rejected"],
  // approve → running; a run without valid specs is drafted again by `run resume`.
  pending: ["running", "drafting", "rejected"],
  running: ["reviewing", "failed", "interrupted"],
  reviewing: ["done", "failed", "interrupted"],
  // resume continues where the run stopped: drafting, the workers, or the review.
  failed: ["drafting", "running", "reviewing", "rejected"],
  interrupted: ["drafting", "running", "reviewing", "rejected"],
  done: [],
  rejected: [],
};

export function canRunTransition(from: RunStatus, to: RunStatus): boolean {
  return NEXT[from].includes(to);
}

export class IllegalRunTransition extends Error {
  constructor(
    readonly runId: number,
    readonly from: RunStatus,
    readonly to: RunStatus,
  ) {
    const allowed = NEXT[from];
    super(`run ${runId} is ${from}; it cannot become ${to}${allowed.length ? ` (from ${from}: ${allowed.join(", ")})` : ` (${from} is final)`}`);
  }
}

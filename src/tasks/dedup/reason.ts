// The sentences dedup answers with. People read them in the CLI and agents in MCP replies, so
// they say which task and what state it is in, not which layer matched (that is in `layer`).
import type { TaskStatus } from "../../protocol/tasks.ts";

/** "in progress as task #3", "already done as task #3", "already queued as task #3 (status: pending)". */
export function duplicateReason(task: { id: number; status: TaskStatus }): string {
  if (task.status === "executing") return `in progress as task #${task.id}`;
  if (task.status === "done") return `already done as task #${task.id}`;
  return `already queued as task #${task.id} (status: ${task.status})`;
}

// Text for people: a plan as numbered steps, a task's token line. Shared by plan.md, result.md,
// `task show` and the CLI's lists.
import { TERMINAL_STATUSES, type Plan, type PlanStep, type TaskStep, type TokenTotals } from "../protocol/tasks.ts";

export function formatPlan(plan: Plan): string {
  const lines = plan.plan.map((s, i) => {
    const after = s.depends_on.length ? ` (after ${s.depends_on.map((d) => d + 1).join(", ")})` : "";
    const target = s.target_file ? ` ${s.target_file}` : "";
    const symbols = s.symbols.length ? `\n   symbols: ${s.symbols.join(", ")}` : "";
    return `${i + 1}. [${s.verb}]${target}${after}: ${s.description}${symbols}\n   done when: ${s.acceptance}${peerApproval(s)}`;
  });
  const files = plan.files_affected.length ? `\n\nFiles: ${plan.files_affected.join(", ")}` : "";
  return `${lines.join("\n")}${files}`;
}

/** Who approves a delegate step's peer task: the person approving this plan, or a person on the peer. */
function peerApproval(s: PlanStep): string {
  if (s.verb !== "delegate") return "";
  return s.approve_peer
    ? "\n   peer approval: on your behalf (approving this plan approves the peer's task once it is planned, unless the peer's accept_remote_approval is false)"
    : "\n   peer approval: by a person on the peer";
}

const GLYPH: Record<TaskStep["status"], string> = { done: "✓", failed: "✗", running: "→", waiting: "…", pending: "·", skipped: "-" };

/** Steps as they ran; with the plan, a delegate step also says who approves its peer task. */
export function formatSteps(steps: TaskStep[], plan?: Plan | null): string {
  return steps
    .map((s) => {
      const planned = plan?.plan[s.seq - 1];
      const approval = s.verb === "delegate" && planned?.verb === "delegate" ? peerApproval(planned).replace(/\n {3}/, "\n     ") : "";
      const facts = [s.commit ? s.commit.slice(0, 10) : null, s.durationMs !== null ? `${(s.durationMs / 1000).toFixed(1)}s` : null, s.retries ? `${s.retries} retry` : null]
        .filter(Boolean)
        .join(", ");
      const err = s.error ? `\n     error: ${s.error.split("\n")[0]}` : "";
      return `  ${GLYPH[s.status]} ${s.seq}. [${s.verb}]${s.targetFile ? ` ${s.targetFile}` : ""}: ${s.description}${facts ? `  (${facts})` : ""}${peerLine(s)}${approval}${err}`;
    })
    .join("\n");
}

/**
 * "delegated to mobile task #3 (done), branch skep/task-3-...": the peer's status as this repo last
 * saw it, said so when the step no longer follows it and it had not finished then.
 */
function peerLine(s: TaskStep): string {
  if (!s.peer) return "";
  const p = s.peer;
  const open = p.status !== null && !TERMINAL_STATUSES.includes(p.status);
  const status = p.status === null ? "status unknown" : open && s.status !== "running" && s.status !== "waiting" ? `${p.status} when last seen` : p.status;
  return `\n     delegated to ${p.repo} task #${p.taskId} (${status})${p.branch ? `, branch ${p.branch}` : ""}`;
}

export function formatTokens(t: TokenTotals): string {
  if (t.calls === 0) return "no LLM calls";
  const n = (x: number) => x.toLocaleString("en-US");
  const via = t.backends.length ? ` via ${t.backends.map((b) => (b === "script" ? "script (replayed answers, not a model)" : b)).join(", ")}` : "";
  return `${n(t.effectiveInput)} effective input (input ${n(t.input)}, output ${n(t.output)}, cache write ${n(t.cacheCreation)}, cache read ${n(t.cacheRead)}${t.reasoning ? `, of the output reasoning ${n(t.reasoning)}` : ""}; ${t.calls} call${t.calls === 1 ? "" : "s"}${via}, $${t.costUsd.toFixed(4)})`;
}

/** A task name from its description: the first few words, as a slug-friendly phrase. */
export function taskName(description: string): string {
  const words = description
    .toLowerCase()
    .replace(/[^a-z0-9\s-]+/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 6);
  return (words.join("-").slice(0, 48).replace(/-+$/, "") || "task");
}

/**
 * A step's commit subject: "skep(task 4) step 1: add api/versiondetails.go handler". The planner's
 * description often starts with the verb already ("Add api/…"): it is said once.
 */
export function commitSubject(taskId: number, step: { seq: number; verb: string; description: string }): string {
  const text = step.description.replace(/\s+/g, " ").trim();
  const summary = text.length > 60 ? `${text.slice(0, 59)}…` : text;
  const first = /^[A-Za-z]+/.exec(summary)?.[0] ?? "";
  const saysVerb = first.toLowerCase() === step.verb.toLowerCase();
  return `skep(task ${taskId}) step ${step.seq}: ${saysVerb ? summary : `${step.verb} ${summary}`}`;
}

// How tasks look on a terminal: `task show`, list rows, the create summary, the cost table.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { CostAnswer, Task, TokenTotals } from "../protocol/tasks.ts";
import { formatPlan, formatSteps, formatTokens } from "../tasks/format.ts";
import { taskFiles } from "../tasks/paths.ts";
import { withTaskStore } from "../tasks/store.ts";
import { loadConfig } from "../config/config.ts";
import { resolvePeer } from "../workspace/registry.ts";

const n = (x: number) => x.toLocaleString("en-US");

export function statusLine(t: Task): string {
  return `${t.status}${t.reason ? ` (${t.reason.split("\n")[0]})` : ""}`;
}

/**
 * One task as a list row. With a width (a terminal, or a popup), the row is fitted to it by
 * shortening the branch, then the name: the token count at its end is never cut or wrapped.
 */
export function listRow(t: Task, repo?: string, width: number | null = null, merged = false): string {
  const cls = t.classification ? ` [${t.classification}]` : "";
  let branch = t.branch ? ` → ${t.branch}` : "";
  const tokens = t.tokens.calls ? `  ${n(t.tokens.effectiveInput)} tok` : "";
  let name = t.name;
  const waiting = t.status === "executing" ? t.steps.find((s) => s.status === "waiting" && s.peer) : undefined;
  // A parked task: still executing, its delegate step waiting on the peer's task.
  const status = merged ? `${t.status} (merged)` : waiting ? `executing, waiting on ${waiting.peer!.repo} #${waiting.peer!.taskId}` : t.status;
  const row = () => `${repo ? `${repo} ` : ""}#${t.id} ${name}  ${status}${cls}${branch}${tokens}`;
  if (width !== null) {
    const over = () => row().length - width;
    if (over() > 0 && branch) branch = branch.length - over() >= 6 ? `${branch.slice(0, branch.length - over() - 1)}…` : "";
    if (over() > 0) name = name.length - over() >= 4 ? `${name.slice(0, name.length - over() - 1)}…` : `${name.slice(0, 3)}…`;
  }
  const terminal = ["done", "failed", "interrupted", "rejected"].includes(t.status);
  let tail = terminal && (t.result ?? t.reason) ? `    └ ${(t.result ?? t.reason ?? "").split("\n")[0]}` : "";
  if (width !== null && tail.length > width) tail = `${tail.slice(0, width - 1)}…`;
  return row() + (tail ? `\n${tail}` : "");
}

/** How wide list rows may be: the terminal's columns, else COLUMNS when set (a script reads rows whole otherwise). */
export function listWidth(): number | null {
  if (process.stdout.isTTY && process.stdout.columns) return process.stdout.columns;
  const c = Number(process.env.COLUMNS);
  return Number.isInteger(c) && c > 0 ? c : null;
}

export function showTask(t: Task, skepDir: string, root: string): string {
  const files = taskFiles(skepDir, t.id);
  // Short when the file is below the current directory, else absolute (never ../../tmp/...).
  const rel = (p: string) => {
    const r = relative(process.cwd(), p);
    return r && !r.startsWith("..") ? r : p;
  };
  const lines = [
    `#${t.id} ${t.name}`,
    `Status:      ${statusLine(t)}`,
    `Class:       ${t.classification ? `${t.classification}${t.confidence !== null ? ` (confidence ${t.confidence.toFixed(2)})` : ""}` : "not classified yet"}`,
  ];
  const waiting = waitingOnPeer(t, root);
  if (waiting) lines.push(`Waiting:     ${waiting}`);
  if (t.sourceRepo) lines.push(`Source:      ${t.sourceRepo}${t.sourceTaskId ? ` (task #${t.sourceTaskId})` : ""}`);
  if (t.branch) lines.push(`Branch:      ${t.branch} (from ${t.baseBranch ?? "detached HEAD"} at ${t.baseCommit?.slice(0, 10) ?? "?"})`);
  if (t.worktree) lines.push(`Worktree:    ${rel(t.worktree)}`);
  lines.push(`Tokens:      ${formatTokens(t.tokens)}`);
  lines.push(`Created:     ${t.createdAt}   Updated: ${t.updatedAt}`);
  lines.push("", "Description:", indent(t.description));
  if (t.questions.length) {
    lines.push("", `Questions (answer in ${rel(files.clarify)}, then \`skep task clarify ${t.id}\`):`);
    t.questions.forEach((q, i) => lines.push(`  Q${i + 1}: ${q}`));
  }
  if (t.plan) {
    const started = t.steps.some((s) => s.status !== "pending");
    lines.push("", started ? "Steps:" : "Plan:", started ? formatSteps(t.steps, t.plan) : indent(formatPlan(t.plan)));
  }
  if (t.result) lines.push("", "Result:", indent(t.result));
  if (existsSync(files.result)) lines.push("", `--- result file (${rel(files.result)}) ---`, readFileSync(files.result, "utf8").trimEnd());
  return lines.join("\n");
}

/**
 * "step 3/8 on backend task #2 (pending: approve it there)": the delegate step a task is waiting
 * on, with the peer task's status read now from the peer's own store (the step's copy is only
 * what this repo last saw).
 */
export function waitingOnPeer(t: Task, root: string): string | null {
  if (t.status !== "executing") return null;
  const step = t.steps.find((s) => (s.status === "waiting" || s.status === "running") && s.verb === "delegate");
  if (!step) return null;
  const where = `step ${step.seq}/${t.steps.length}`;
  if (!step.peer) return `${where}: delegating (the peer task is being created)`;
  const p = step.peer;
  let status = p.status ? `${p.status} when last seen` : "status unknown";
  const found = resolvePeer(root, p.repo);
  if (found.ok) {
    try {
      const live = withTaskStore(join(found.peer.path, ".skep"), (store) => store.status(p.taskId), { readOnly: true });
      if (live) status = live === "pending" || live === "classified" ? `${live}: ${approvalThere(t, step.seq, found.peer.path)}` : live === "pending_clarification" ? "needs answers there" : live;
    } catch {
      // unreadable or gone there: keep what this repo last saw
    }
  }
  return `${where} waits on ${p.repo} task #${p.taskId} (${status})`;
}

/** Who a waiting peer task waits for: a person there, or (the plan says so) this task's executor approving it on the person's behalf. */
function approvalThere(t: Task, seq: number, peerRoot: string): string {
  if (t.plan?.plan[seq - 1]?.approve_peer !== true) return "waiting for approval there";
  let accepts = true;
  try {
    accepts = loadConfig(join(peerRoot, ".skep")).accept_remote_approval;
  } catch {
    // an unreadable config there: its daemon says why when asked
  }
  return accepts
    ? "to be approved on your behalf once planned, as the plan says"
    : "waiting for a person there: its config says accept_remote_approval: false, so it is not approved on your behalf";
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l ? `  ${l}` : l))
    .join("\n");
}

/** What `task create` prints once the pipeline is done. */
export function createSummary(t: Task, via: "daemon" | "local", dryRun = false): string {
  if (dryRun) {
    // The scratch task's id means nothing: name no id and suggest nothing to do with it.
    const lines = [`${t.name} [${t.classification ?? "unclassified"}] would be ${statusLine(t)}`];
    if (t.plan) lines.push(indent(formatPlan(t.plan)));
    t.questions.forEach((q, i) => lines.push(`  Q${i + 1}: ${q}`));
    return lines.join("\n");
  }
  const lines = [`#${t.id} ${t.name} [${t.classification ?? "unclassified"}] ${statusLine(t)}`];
  if (t.plan) lines.push(indent(formatPlan(t.plan)));
  switch (t.status) {
    case "pending":
      if (t.plan) lines.push(`approve with: skep task approve ${t.id}   (or reject: skep task reject ${t.id})`);
      break;
    case "pending_clarification":
      lines.push(`Task #${t.id} needs clarification:`);
      t.questions.forEach((q, i) => lines.push(`  Q${i + 1}: ${q}`));
      lines.push(`Answer in .skep/tasks/${t.id}/clarify.md, then: skep task clarify ${t.id}`);
      break;
    case "approved":
      lines.push(via === "daemon" ? "the daemon will execute it" : `no daemon runs: start one (skep daemon start) or run it here: skep task run ${t.id}`);
      break;
  }
  return lines.join("\n");
}

export function costTable(c: CostAnswer): string {
  const header = ["task", "status", "calls", "input", "output", "cache w", "cache r", "effective", "cost $"];
  const row = (label: string, status: string, t: TokenTotals) => [label, status, n(t.calls), n(t.input), n(t.output), n(t.cacheCreation), n(t.cacheRead), n(t.effectiveInput), t.costUsd.toFixed(4)];
  const rows = c.tasks.map((t) => row(`#${t.id} ${t.name}`.slice(0, 40), t.status, t.tokens));
  if (c.unattributed.calls) rows.push(row("(no task: dry runs, dedup, deleted)", "", c.unattributed));
  rows.push(row("total", "", c.total));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  const lines = [fmt(header), ...rows.slice(0, -1).map(fmt), widths.map((w) => "-".repeat(w)).join("  "), fmt(rows[rows.length - 1]!)];
  if (c.byPurpose.length) {
    lines.push("", "by purpose:");
    for (const p of c.byPurpose) lines.push(`  ${p.purpose.padEnd(9)} ${formatTokens(p.tokens)}`);
  }
  lines.push("", "effective = input + cache reads / 10 (cache reads bill at a tenth of fresh input); cost as the LLM CLI reported it");
  return lines.join("\n");
}

/** "3 total · 1 pending · 1 executing" for `skep status`, or null when the repo has no task store. */
export function taskCounts(skepDir: string): string | null {
  return withTaskStore(skepDir, (store) => {
    const tasks = store.list();
    const count = (...statuses: string[]) => tasks.filter((t) => statuses.includes(t.status)).length;
    const parts = [`${tasks.length} total`];
    for (const [label, statuses] of [
      ["pending", ["pending", "classified"]],
      ["needs clarification", ["pending_clarification"]],
      ["queued", ["approved", "queued"]],
      ["executing", ["executing"]],
      ["failed or interrupted", ["failed", "interrupted"]],
    ] as const) {
      const k = count(...statuses);
      if (k) parts.push(`${k} ${label}`);
    }
    return parts.join(" · ");
  });
}

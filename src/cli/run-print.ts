// Runs for people: one line per run (`skep runs`), and the whole run (`skep run show`): contract,
// per-repo specs and ordering, workers, verdicts, tokens, and what can happen next.
import type { Run, RunShowAnswer } from "../protocol/runs.ts";
import { formatTokens } from "../tasks/format.ts";

function firstLine(s: string, max = 70): string {
  const t = s.split("\n")[0]!.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function runRow(r: Run): string {
  const workers = r.workers.map((w) => `${w.repo}${w.taskId !== null ? ` #${w.taskId}` : ""}${w.status ? ` ${w.status}` : ""}`).join(", ");
  return `run ${r.id}  ${r.status.padEnd(21)} ${firstLine(r.spec)}  [${workers}]`;
}

/** What a person can do with a run in this status. */
export function nextSteps(r: Run, hasSpecs: boolean): string | null {
  switch (r.status) {
    case "pending_clarification":
      return `answer the questions in .skep-workspace/runs/${r.id}/clarify.md, then: skep run clarify ${r.id} (or reject: skep run reject ${r.id})`;
    case "pending":
      return hasSpecs ? `approve it once for every repo: skep run approve ${r.id} (or reject: skep run reject ${r.id})` : `draft again: skep run resume ${r.id} (or reject: skep run reject ${r.id})`;
    case "drafting":
    case "running":
    case "reviewing":
      return `follow it: skep run logs -f ${r.id}; stop it: skep run interrupt ${r.id}`;
    case "failed":
    case "interrupted":
      return `continue where it stopped: skep run resume ${r.id}`;
    default:
      return null;
  }
}

export function showRun(s: RunShowAnswer, o: { brief: boolean }): string {
  const r = s.run;
  const lines = [`Run ${r.id}: ${r.status}${r.reason ? ` (${r.reason})` : ""}`, `Change:  ${firstLine(r.spec, 200)}`, `Repos:   ${r.repos.map((x) => x.name).join(", ")} (coordinator config from ${r.configRepo})`];
  if (r.questions.length) lines.push("", "Questions from the coordinator:", ...r.questions.map((q, i) => `  ${i + 1}. ${q}`));
  if (r.clarifications.length && !o.brief) lines.push("", "Answered:", ...r.clarifications.map((c) => `  - ${firstLine(c.question, 120)}: ${firstLine(c.answer, 200)}`));
  if (s.contract && !o.brief) {
    lines.push("", `Contract: ${s.contract.summary}`);
    for (const c of s.contract.items) lines.push(`  ${c.id} ${c.kind} \`${c.name}\`: ${c.producer} → ${c.consumers.join(", ")}`);
    if (s.contract.risks.length) lines.push("Risks:", ...s.contract.risks.map((x) => `  - ${x}`));
  }
  if (s.specs.length && !o.brief) {
    lines.push("", "Specs:");
    for (const sp of s.specs) {
      lines.push(`  ${sp.repo} (${sp.size})${sp.after.length ? `, after ${sp.after.join(", ")}` : ""}: ${firstLine(sp.summary, 160)}`);
      lines.push(`    owns ${[...sp.owns.paths, ...sp.owns.symbols].join(", ") || "-"}; implements ${sp.implements.join(", ") || "-"}; consumes ${sp.consumes.join(", ") || "-"}`);
    }
  }
  if (r.workers.some((w) => w.taskId !== null)) {
    lines.push("", "Workers:");
    for (const w of r.workers) lines.push(`  ${w.repo}: ${w.taskId !== null ? `task #${w.taskId} ${w.status ?? "?"}${w.branch ? `, branch ${w.branch}` : ""}` : "not started"}${w.reason && w.status !== "done" ? ` (${firstLine(w.reason, 160)})` : ""}`);
  }
  if (s.review) {
    lines.push("", `Review: ${s.review.summary}`);
    for (const i of s.review.items) lines.push(`  ${i.id}: ${i.verdict}${i.sides.length ? ` (${i.sides.map((x) => `${x.repo} ${x.file}:${x.line}`).join("; ")})` : ""}`);
  }
  lines.push("", `Tokens:  ${formatTokens(s.tokens.total)}`);
  const files = [s.files.contract && `contract ${s.files.contract}`, s.files.report && `report ${s.files.report}`].filter(Boolean);
  if (files.length) lines.push(`Files:   ${files.join(", ")}`);
  const next = nextSteps(r, s.specs.length > 0);
  if (next) lines.push(`Next:    ${next}`);
  return lines.join("\n");
}

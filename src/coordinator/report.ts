// What a run cost and what it produced, for people: the token totals (the run's own stages from
// its ledger, each worker's from its repo's task ledger) and report.md.
import { join } from "node:path";
import type { CoordinatorAnswer, ReviewAnswer, Run, RunTokens, SideRef } from "../protocol/runs.ts";
import type { TokenTotals } from "../protocol/tasks.ts";
import { withTaskStore } from "../tasks/store.ts";
import { formatTokens } from "../tasks/format.ts";
import { oneLine } from "./draft.ts";
import type { BranchDiff } from "./review.ts";
import { addTotals, type RunStore, totalsOf } from "./store.ts";

const NO_TOKENS: TokenTotals = totalsOf([]);

/** Per stage (coordinate, review), per repo (its worker task), and the total. */
export function runTokens(store: RunStore, run: Run): RunTokens {
  const rows = store.ledger(run.id);
  const byStage = (["coordinate", "review"] as const).map((stage) => ({ stage, tokens: totalsOf(rows.filter((r) => r.stage === stage)) }));
  const byRepo = run.workers.map((w) => {
    const repo = run.repos.find((r) => r.name === w.repo)!;
    let tokens = NO_TOKENS;
    if (w.taskId !== null) {
      try {
        tokens = withTaskStore(join(repo.path, ".skep"), (s) => s.get(w.taskId!).tokens, { readOnly: true }) ?? NO_TOKENS;
      } catch {
        tokens = NO_TOKENS; // the task was deleted there; its calls are still in that repo's ledger (`skep cost`)
      }
    }
    return { repo: w.repo, taskId: w.taskId, tokens };
  });
  return { byStage, byRepo, total: addTotals([...byStage.map((s) => s.tokens), ...byRepo.map((r) => r.tokens)]) };
}

function side(s: SideRef): string {
  return `${s.repo} \`${s.file}:${s.line}\``;
}

export function reportMarkdown(run: Run, answer: CoordinatorAnswer, review: ReviewAnswer, diffs: readonly BranchDiff[], tokens: RunTokens, table: string | null): string {
  const byId = new Map(review.items.map((i) => [i.id, i]));
  const count = (v: string) => review.items.filter((i) => i.verdict === v).length;
  const verdictRows = answer.contract.items.map((c) => {
    const v = byId.get(c.id)!;
    const producer = v.sides.filter((s) => s.repo === c.producer).map(side).join("<br>") || "-";
    const consumers = v.sides.filter((s) => s.repo !== c.producer).map(side).join("<br>") || "-";
    return `| ${c.id} | ${c.kind} | \`${c.name.replace(/\|/g, "\\|")}\` | **${v.verdict}** | ${producer} | ${consumers} | ${oneLine(v.note, 400).replace(/\|/g, "\\|")} |`;
  });
  const broken = review.items.filter((i) => i.verdict === "broken");
  const tokenRow = (label: string, t: TokenTotals) => `| ${label} | ${t.calls} | ${t.input} | ${t.output} | ${t.cacheCreation} | ${t.cacheRead} | ${t.effectiveInput} | $${t.costUsd.toFixed(4)} |`;
  return [
    `# Run ${run.id}: report`,
    "",
    `Change: ${run.spec}`,
    "",
    `Repos: ${run.repos.map((r) => `${r.name} (${r.path})`).join(", ")}`,
    "",
    `Verdicts: ${count("holds")} holds, ${count("broken")} broken, ${count("untested")} untested.`,
    "",
    review.summary,
    "",
    "## HTTP routes and calls found without an LLM (on the branches)",
    "",
    table ?? "No table was built for this run: the review rests on the diffs and the index.",
    "",
    "## Contract items",
    "",
    "| item | kind | name | verdict | producer side | consumer side | note |",
    "|---|---|---|---|---|---|---|",
    ...verdictRows,
    "",
    ...(broken.length
      ? [`A broken item can become a follow-up task in the repo that must change: \`skep run follow-up ${run.id} <item> --in <repo>\`.`, ""]
      : []),
    "## What to look at",
    "",
    ...(review.look_at.length ? review.look_at.map((l) => `- ${l}`) : ["- nothing beyond the verdicts above"]),
    "",
    "## Branches",
    "",
    ...diffs.flatMap((d) => [
      `### ${d.repo}: task #${d.taskId ?? "?"}, branch \`${d.branch ?? "none"}\``,
      "",
      `Base ${d.base ?? "?"}; merge it in ${d.repo} like any task branch.`,
      "",
      "```",
      d.stat || "(no changes)",
      "```",
      "",
    ]),
    "## Tokens",
    "",
    "| stage or repo | calls | input | output | cache write | cache read | effective input | cost |",
    "|---|---|---|---|---|---|---|---|",
    ...tokens.byStage.map((s) => tokenRow(`${s.stage} (this run)`, s.tokens)),
    ...tokens.byRepo.map((r) => tokenRow(`${r.repo} task #${r.taskId ?? "?"}`, r.tokens)),
    tokenRow("**total**", tokens.total),
    "",
    `Total: ${formatTokens(tokens.total)}`,
    "",
  ].join("\n");
}

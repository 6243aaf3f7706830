// The final review: every worker is done; one LLM call (the planner backend, read-only, the
// workspace MCP server) reads the contract, the specs and each branch's diff against its base, and
// gives a verdict per contract item with file:line on each side. The run's report.md is written
// from that answer, the branches and the ledgers (report.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gitRaw } from "../git/exec.ts";
import { render } from "../llm/prompts.ts";
import { type CoordinatorAnswer, type ReviewAnswer, reviewAnswer, type Run, type RunWorker } from "../protocol/runs.ts";
import { writeFileAtomic } from "../util/fs.ts";
import { contractMarkdown } from "./draft.ts";
import { callStage, type StageDeps } from "./llm-call.ts";

/** Per repo, the diff text given to the reviewer at most (the report keeps the full diffstat). */
const DIFF_CHARS = 24_000;

export interface BranchDiff {
  repo: string;
  taskId: number | null;
  branch: string | null;
  base: string | null;
  stat: string;
  diff: string;
  /** The diff was longer than DIFF_CHARS and was cut for the prompt. */
  cut: boolean;
}

/** A worker's branch against the commit it started from. */
export function branchDiff(repoPath: string, w: RunWorker): BranchDiff {
  const out = { repo: w.repo, taskId: w.taskId, branch: w.branch, base: w.baseCommit, stat: "", diff: "", cut: false };
  if (!w.branch || !w.baseCommit) return { ...out, stat: "(no branch recorded)" };
  const text = (args: string[]) => {
    const r = gitRaw(repoPath, args);
    return r.exitCode === 0 ? new TextDecoder().decode(r.stdout) : `(git ${args.join(" ")} failed: ${r.stderr.trim()})`;
  };
  const range = `${w.baseCommit}...${w.branch}`;
  const diff = text(["diff", "--no-ext-diff", "--no-color", range, "--"]);
  return { ...out, stat: text(["diff", "--stat", "--no-color", range, "--"]).trimEnd(), diff: diff.slice(0, DIFF_CHARS), cut: diff.length > DIFF_CHARS };
}

/**
 * The cross-repo HTTP table found without an LLM (`skep contracts`), as text for the reviewer and
 * the report, or null where this build has none to offer. The review starts from it when present.
 */
export type ContractTable = (run: Run) => Promise<string | null>;

export async function reviewRun(
  deps: StageDeps & { contractTable?: ContractTable },
  run: Run,
  answer: CoordinatorAnswer,
  signal?: AbortSignal,
): Promise<{ ok: true; review: ReviewAnswer; diffs: BranchDiff[]; table: string | null } | { ok: false; error: string; aborted: boolean }> {
  const files = deps.store.files(run.id);
  const diffs = run.workers.map((w) => branchDiff(run.repos.find((r) => r.name === w.repo)!.path, w));
  const table = (await deps.contractTable?.(run)) ?? null;
  const prompt = render("review", {
    contract: contractMarkdown(run, answer),
    specs: answer.specs.map((s) => `${s.repo}: implements ${s.implements.join(", ") || "none"}; consumes ${s.consumes.join(", ") || "none"}`).join("\n"),
    static_contracts: table ?? "(no table was built for this run)",
    diffs: diffs
      .map((d) => `<branch repo="${d.repo}" task="${d.taskId ?? ""}" name="${d.branch ?? ""}" base="${d.base ?? ""}">\n${d.stat}\n\n${d.diff}${d.cut ? "\n(diff cut here)" : ""}\n</branch>`)
      .join("\n"),
  });
  writeFileSync(join(files.prompts, "review.md"), prompt);
  const res = await callStage(deps, run, "review", prompt, reviewAnswer(answer.contract.items.map((c) => c.id)), signal);
  if (!res.ok) return res;
  writeFileAtomic(files.review, `${JSON.stringify(res.value, null, 2)}\n`);
  return { ok: true, review: res.value, diffs, table };
}

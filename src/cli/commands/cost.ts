// `skep cost`: the token ledger rolled up per task, per purpose and for the repo.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { openApi } from "../../api/api.ts";
import { CostAnswer, type TokenTotals } from "../../protocol/tasks.ts";
import { WorkspaceCost } from "../../protocol/cli-answers.ts";
import { printJson } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { taskRepoContext } from "../../repo/repo.ts";
import { costTable } from "../task-print.ts";
import { join } from "node:path";
import { withTaskStore } from "../../tasks/store.ts";
import { findWorkspace, workspaceRepos } from "../../workspace/registry.ts";
import { formatTokens } from "../../tasks/format.ts";
import { CommandFailed } from "../../errors.ts";

/** Ledgers added up (effective input is linear in its parts, so the sum of sums is exact). */
export function addTotals(all: TokenTotals[]): TokenTotals {
  const sum = (f: (t: TokenTotals) => number) => all.reduce((s, t) => s + f(t), 0);
  return {
    calls: sum((t) => t.calls),
    input: sum((t) => t.input),
    output: sum((t) => t.output),
    cacheCreation: sum((t) => t.cacheCreation),
    cacheRead: sum((t) => t.cacheRead),
    reasoning: sum((t) => t.reasoning ?? 0),
    effectiveInput: sum((t) => t.effectiveInput),
    costUsd: sum((t) => t.costUsd),
    backends: [...new Set(all.flatMap((t) => t.backends))].sort(),
  };
}

/** Per repo totals across the workspace, read from each repo's task store. */
function printWorkspaceCost(root: string, json: boolean): void {
  const ws = findWorkspace(root);
  if (!ws) throw new CommandFailed("no workspace above this repo (skep init --workspace DIR creates one)");
  const repos = workspaceRepos(ws).flatMap((r) => withTaskStore(join(r.path, ".skep"), (store) => [{ ...r, tasks: store.list().length, total: store.totals() }]) ?? []);
  const total = addTotals(repos.map((r) => r.total));
  if (json) return printJson(WorkspaceCost, { workspace: ws, repos, total });
  if (!repos.length) return console.log(`no LLM calls recorded in the workspace at ${ws}`);
  for (const r of repos) console.log(`${r.name.padEnd(20)} ${String(r.tasks).padStart(4)} tasks  ${formatTokens(r.total)}`);
  const tasks = repos.reduce((s, r) => s + r.tasks, 0);
  console.log(`${"workspace total".padEnd(20)} ${String(tasks).padStart(4)} tasks  ${formatTokens(total)}`);
}

export const costCommand = defineCommand({
  meta: TOP.cost,
  args: { all: { type: "boolean", description: "Every repo in the workspace, one total per repo" }, ...repoArgs, ...jsonArg } as const,
  async run({ args }) {
    const ctx = taskRepoContext(args.repo);
    if (args.all) return printWorkspaceCost(ctx.root, !!args.json);
    const api = await openApi(ctx, ctx, "command");
    try {
      const { value: c } = await api.tasks.cost();
      if (args.json) return printJson(CostAnswer, c);
      if (c.total.calls === 0) return console.log("no LLM calls recorded yet");
      console.log(costTable(c));
    } finally {
      await api.close();
    }
  },
});

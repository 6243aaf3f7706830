// `skep cost`: the token ledger rolled up per task, per purpose and for the repo.
import { defineCommand } from "citty";
import { daemonPaths } from "../../daemon/paths.ts";
import { openTasks } from "../../daemon/task-client.ts";
import { CostAnswer } from "../../protocol/tasks.ts";
import { printJson } from "../print.ts";
import { jsonArg, repoArgs, repoContext } from "../repo.ts";
import { costTable } from "../task-print.ts";

export const costCommand = defineCommand({
  meta: { name: "cost", description: "Tokens and cost of every LLM call, per task and for the repo" },
  args: { ...repoArgs, ...jsonArg } as const,
  async run({ args }) {
    const ctx = repoContext(args.repo);
    const api = await openTasks(daemonPaths(ctx.root, ctx.skepDir));
    try {
      const c = await api.cost();
      if (args.json) return printJson(CostAnswer, c);
      if (c.total.calls === 0) return console.log("no LLM calls recorded yet");
      console.log(costTable(c));
    } finally {
      api.close();
    }
  },
});

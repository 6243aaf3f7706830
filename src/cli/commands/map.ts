// `skep map`: the ranked repo map fitted to a token budget.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { askIndex } from "../../api/ask.ts";
import { daemonPaths } from "../../repo/daemon-paths.ts";
import { DEFAULT_MAP_TOKENS } from "../../graph/repomap.ts";
import { RepoMapAnswer } from "../../protocol/index-answers.ts";
import { UsageError } from "../../errors.ts";
import { printJson, warnIfStale } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";

export const mapCommand = defineCommand({
  meta: TOP.map,
  args: {
    tokens: { type: "string", description: `Token budget (default ${DEFAULT_MAP_TOKENS})`, default: String(DEFAULT_MAP_TOKENS) },
    ...repoArgs,
    ...jsonArg,
  } as const,
  async run({ args }) {
    const budget = Number(args.tokens);
    if (!Number.isInteger(budget) || budget < 1) throw new UsageError(`--tokens must be a positive integer, not '${args.tokens}'`);
    const ctx = repoContext(args.repo);
    const { answer } = await askIndex(daemonPaths(ctx.root, ctx.skepDir), "map", { tokens: budget });
    if (args.json) return printJson(RepoMapAnswer, answer);
    warnIfStale(answer.freshness);
    process.stdout.write(answer.text || "(the index has no symbols)\n");
  },
});

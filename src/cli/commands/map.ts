// `skep map`: the ranked repo map fitted to a token budget.
import { defineCommand } from "citty";
import { freshness } from "../../index/freshness.ts";
import { openReadonly } from "../../index/store.ts";
import { DEFAULT_MAP_TOKENS, repoMap } from "../../graph/repomap.ts";
import { RepoMapAnswer } from "../../protocol/index-answers.ts";
import { UsageError } from "../errors.ts";
import { printJson, warnIfStale } from "../print.ts";
import { jsonArg, repoArgs, repoContext } from "../repo.ts";

export const mapCommand = defineCommand({
  meta: { name: "map", description: "The most important files and symbols, fitted to a token budget" },
  args: {
    tokens: { type: "string", description: `Token budget (default ${DEFAULT_MAP_TOKENS})`, default: String(DEFAULT_MAP_TOKENS) },
    ...repoArgs,
    ...jsonArg,
  } as const,
  async run({ args }) {
    const budget = Number(args.tokens);
    if (!Number.isInteger(budget) || budget < 1) throw new UsageError(`--tokens must be a positive integer, not '${args.tokens}'`);
    const ctx = repoContext(args.repo);
    const db = openReadonly(ctx.dbPath);
    try {
      const map = repoMap(db, budget);
      const answer: RepoMapAnswer = { ...map, budget, freshness: freshness(db, ctx.root) };
      if (args.json) return printJson(RepoMapAnswer, answer);
      warnIfStale(answer.freshness);
      process.stdout.write(map.text || "(the index has no symbols)\n");
    } finally {
      db.close();
    }
  },
});

// `skep search <query>` (also `skep index ask`): find symbols by name, camel humps, words or typos.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { askIndex } from "../../api/ask.ts";
import { daemonPaths } from "../../repo/daemon-paths.ts";
import { UsageError } from "../../errors.ts";
import { location, printJson, warnIfStale } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";

export const searchCommand = defineCommand({
  meta: TOP.search,
  args: {
    query: { type: "positional", description: "What to look for (a name, initials, or words)", required: true, variadic: true },
    kind: { type: "string", description: "Only these kinds, comma-separated (function,method,class,...)" },
    lang: { type: "string", description: "Only these languages, comma-separated (go,typescript,...)" },
    path: { type: "string", description: "Only under this path, or matching this glob (src/**, *_test.go)" },
    limit: { type: "string", description: "At most this many hits (default 20, max 200)", default: "20" },
    ...repoArgs,
    ...jsonArg,
  } as const,
  async run({ args }) {
    const limit = Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, not '${args.limit}'`);
    const ctx = repoContext(args.repo);
    const split = (v: string | undefined) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined);
    const query = String(args.query ?? "");
    const { answer } = await askIndex(daemonPaths(ctx.root, ctx.skepDir), "search", {
      query,
      kind: split(args.kind),
      lang: split(args.lang),
      path: args.path,
      limit: Math.min(limit, 200),
    });
    // The schema only for --json: building zod schemas costs more than a warm daemon's answer.
    if (args.json) return printJson((await import("../../protocol/index-answers.ts")).SearchAnswer, answer);
    warnIfStale(answer.freshness);
    if (answer.hits.length === 0) {
      console.log("no matches");
      return;
    }
    for (const h of answer.hits) {
      const owner = h.container ? `${h.container}.` : "";
      console.log(`${h.kind.padEnd(9)} ${owner}${h.name}  ${location(h.path, h.line)}`);
      if (h.signature) console.log(`          ${h.signature}`);
    }
  },
});

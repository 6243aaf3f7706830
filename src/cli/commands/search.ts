// `skep search <query>` (also `skep index ask`): find symbols by name, camel humps, words or typos.
import { defineCommand } from "citty";
import { freshness } from "../../index/freshness.ts";
import { openReadonly } from "../../index/store.ts";
import { SearchAnswer } from "../../protocol/index-answers.ts";
import { search } from "../../search/search.ts";
import { UsageError } from "../errors.ts";
import { location, printJson, warnIfStale } from "../print.ts";
import { jsonArg, repoArgs, repoContext } from "../repo.ts";

export const searchCommand = defineCommand({
  meta: { name: "search", description: "Search symbols: exact, prefix, camel humps (LVM), words, substring, fuzzy" },
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
    const db = openReadonly(ctx.dbPath);
    try {
      const split = (v: string | undefined) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined);
      const hits = search(db, String(args.query ?? ""), { kind: split(args.kind), lang: split(args.lang), path: args.path, limit });
      const answer: SearchAnswer = { query: String(args.query ?? ""), hits, freshness: freshness(db, ctx.root) };
      if (args.json) return printJson(SearchAnswer, answer);
      warnIfStale(answer.freshness);
      if (hits.length === 0) {
        console.log("no matches");
        return;
      }
      for (const h of hits) {
        const owner = h.container ? `${h.container}.` : "";
        console.log(`${h.kind.padEnd(9)} ${owner}${h.name}  ${location(h.path, h.line)}`);
        if (h.signature) console.log(`          ${h.signature}`);
      }
    } finally {
      db.close();
    }
  },
});

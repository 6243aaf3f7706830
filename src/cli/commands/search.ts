// `skep search <query>` (also `skep index ask`): find symbols by name, camel humps, words or typos.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { runSearch } from "./search-run.ts";

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
  run({ args }) {
    return runSearch(args);
  },
});

// What `skep search` does once its flags are read (search.ts declares them for citty). Apart, so
// main.ts can run a plain `skep search WORDS` (cli/plain-argv.ts) without loading citty and the
// command tree: agents call it in loops, and a warm daemon answers in a few milliseconds.
import { askIndex } from "../../api/ask.ts";
import { daemonPaths } from "../../repo/daemon-paths.ts";
import { UsageError } from "../../errors.ts";
import { location, printJson, warnIfStale } from "../print.ts";
import { repoContext } from "../../repo/repo.ts";

/** The flags as citty hands them over (strings as typed; limit defaults to "20"). */
export interface SearchArgs {
  query?: string;
  kind?: string;
  lang?: string;
  path?: string;
  limit: string;
  repo?: string;
  json?: boolean;
}

export async function runSearch(args: SearchArgs): Promise<void> {
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
}

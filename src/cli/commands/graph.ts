// `skep callers <symbol>` and `skep callees <symbol>`: walk the call graph.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { askIndex } from "../../api/ask.ts";
import { daemonPaths } from "../../repo/daemon-paths.ts";
import { CallGraphAnswer } from "../../protocol/index-answers.ts";
import { CommandFailed, UsageError } from "../../errors.ts";
import { location, printJson, warnIfStale } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";

function graphCommand(direction: "callers" | "callees") {
  return defineCommand({
    meta: TOP[direction],
    args: {
      symbol: { type: "positional", description: "Name, Container.Name, or path:line", required: true },
      depth: { type: "string", description: "How many hops to follow (default 1, max 5)", default: "1" },
      limit: { type: "string", description: "At most this many symbols per root (default 50)", default: "50" },
      ...repoArgs,
      ...jsonArg,
    } as const,
    async run({ args }) {
      const depth = Number(args.depth);
      const limit = Number(args.limit);
      if (!Number.isInteger(depth) || depth < 1 || depth > 5) throw new UsageError(`--depth must be 1 to 5, not '${args.depth}'`);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, not '${args.limit}'`);
      const ctx = repoContext(args.repo);
      const { answer } = await askIndex(daemonPaths(ctx.root, ctx.skepDir), direction, { symbol: String(args.symbol), depth, limit });
      if (answer.roots.length === 0) throw new CommandFailed(`no symbol named '${args.symbol}' (try \`skep search ${args.symbol}\`)`);
      if (args.json) return printJson(CallGraphAnswer, answer);
      warnIfStale(answer.freshness);
      for (const { symbol, neighbours } of answer.roots) {
        const owner = symbol.container ? `${symbol.container}.` : "";
        console.log(`${direction} of ${symbol.kind} ${owner}${symbol.name}  ${location(symbol.path, symbol.line)}`);
        if (neighbours.length === 0) console.log("  (none found)");
        for (const n of neighbours) {
          const nOwner = n.container ? `${n.container}.` : "";
          const weight = n.weight < 0.999 ? `  (ambiguous, weight ${n.weight.toFixed(2)})` : "";
          console.log(`${"  ".repeat(n.depth)}${n.kind.padEnd(9)} ${nOwner}${n.name}  ${location(n.path, n.line)}  [${RESOLVED[n.resolved]}]${weight}`);
        }
      }
    },
  });
}

/** How each edge was found, as the human output says it. */
const RESOLVED = { type: "by type", interface: "through an interface", import: "by import", name: "by name" } as const;

/** `skep impls <symbol>`: what implements an interface, trait, class or method, and what it implements. */
export const implsCommand = defineCommand({
  meta: TOP.impls,
  args: {
    symbol: { type: "positional", description: "Name, Container.Name, or path:line", required: true },
    ...repoArgs,
    ...jsonArg,
  } as const,
  async run({ args }) {
    const ctx = repoContext(args.repo);
    const { answer } = await askIndex(daemonPaths(ctx.root, ctx.skepDir), "callers", { symbol: String(args.symbol), depth: 1, limit: 1, impls: true });
    if (answer.roots.length === 0) throw new CommandFailed(`no symbol named '${args.symbol}' (try \`skep search ${args.symbol}\`)`);
    if (args.json) return printJson(CallGraphAnswer, answer);
    warnIfStale(answer.freshness);
    for (const root of answer.roots) {
      const s = root.symbol;
      console.log(`${s.kind} ${s.container ? `${s.container}.` : ""}${s.name}  ${location(s.path, s.line)}`);
      for (const [title, list] of [["implemented by", root.implementations ?? []], ["implements", root.implements ?? []]] as const) {
        console.log(`  ${title}:${list.length ? "" : " (none found)"}`);
        for (const t of list) console.log(`    ${t.kind.padEnd(9)} ${t.container ? `${t.container}.` : ""}${t.name}  ${location(t.path, t.line)}`);
      }
    }
  },
});

export const callersCommand = graphCommand("callers");
export const calleesCommand = graphCommand("callees");

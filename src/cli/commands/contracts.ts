// `skep contracts [--workspace] [--json] [--check]`: the HTTP contract table. Every client call
// found (fetch, axios, Retrofit, Ktor client, OkHttp, net/http, requests, generated OpenAPI
// clients) with the server route it reaches, the calls that reach none, and the routes nothing
// calls. `--check` fails (exit 1) on an unmatched call, for CI.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { basename } from "node:path";
import { contractTable, type ContractRepoRef } from "../../contracts/table.ts";
import { ContractsAnswer, type HttpCall, type HttpRoute } from "../../protocol/contracts.ts";
import { workspaceOf, workspaceRepos } from "../../workspace/registry.ts";
import { CommandFailed } from "../../errors.ts";
import { location, printJson } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";

export const contractsCommand = defineCommand({
  meta: TOP.contracts,
  args: {
    workspace: { type: "boolean", description: "Match across every repo of the workspace, not only this one" },
    check: { type: "boolean", description: "Exit 1 when a client call matches no route (for CI)" },
    ...repoArgs,
    ...jsonArg,
  } as const,
  async run({ args }) {
    const ctx = repoContext(args.repo);
    let repos: ContractRepoRef[];
    const ws = workspaceOf(ctx.root);
    if (args.workspace) {
      if (!ws) throw new CommandFailed(`${ctx.root} is in no skep workspace (register repos with \`skep init --workspace DIR\`), so --workspace has no repos to read`);
      repos = workspaceRepos(ws.workspace).map((r) => (r.name === ws.self ? { ...r, skepDir: ctx.skepDir } : r));
      // A repo below the workspace but not registered in it is still the one asked about.
      if (ws.self === null) repos.push({ name: basename(ctx.root), path: ctx.root, skepDir: ctx.skepDir });
    } else repos = [{ name: ws?.self ?? basename(ctx.root), path: ctx.root, skepDir: ctx.skepDir }];
    const answer = await contractTable(repos);
    if (args.json) printJson(ContractsAnswer, answer);
    else printTable(answer, repos.length > 1);
    if (args.check && answer.unmatched.length > 0) {
      const n = answer.unmatched.length;
      throw new CommandFailed(`${n} client call${n === 1 ? "" : "s"} match${n === 1 ? "es" : ""} no server route`);
    }
  },
});

function printTable(a: ContractsAnswer, manyRepos: boolean): void {
  const where = (e: HttpCall | HttpRoute) => `${manyRepos ? `${e.repo}:` : ""}${location(e.file, e.line)}  ${e.framework}`;
  const shown = (c: HttpCall) => `${c.method} ${c.relative ? `…${c.path}` : c.path}`;
  if (a.matched.length) {
    console.log(`matched (${a.matched.length})`);
    for (const m of a.matched) {
      console.log(`  ${shown(m.call)}${m.how === "suffix" ? "  (matched by the end of the route's path)" : ""}`);
      console.log(`    call   ${where(m.call)}`);
      for (const r of m.routes) console.log(`    route  ${r.method} ${r.path}  ${where(r)}`);
    }
  }
  if (a.unmatched.length) {
    console.log(`unmatched (${a.unmatched.length})`);
    for (const u of a.unmatched) {
      console.log(`  ${shown(u.call)}`);
      console.log(`    call   ${where(u.call)}`);
      console.log(`    ${u.reason}`);
    }
  }
  if (a.uncalledRoutes.length) {
    console.log(`routes no client here calls (${a.uncalledRoutes.length})`);
    for (const r of a.uncalledRoutes) console.log(`  ${r.method} ${r.path}  ${where(r)}`);
  }
  const calls = a.matched.length + a.unmatched.length;
  const routes = a.repos.reduce((n, r) => n + r.routes, 0);
  const files = a.repos.map((r) => `${r.name}: ${r.files} file${r.files === 1 ? "" : "s"}`).join(", ");
  console.log(`${calls} client call${calls === 1 ? "" : "s"} (${a.matched.length} matched, ${a.unmatched.length} unmatched), ${routes} route${routes === 1 ? "" : "s"} (${files})`);
}

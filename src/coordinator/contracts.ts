// The HTTP contract table the final review starts from (src/contracts/, what `skep contracts`
// prints), read on the workers' branches, not on the user's checkouts: each done worker's branch
// is checked out detached in a temporary worktree under the run's directory (outside every repo),
// the table is built over those trees with each repo's own index and cache, and the worktrees are
// removed. The LLM adds what a table cannot see.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type ContractRepoRef, contractTable } from "../contracts/table.ts";
import { gitBytes, gitRaw } from "../git/exec.ts";
import type { ContractsAnswer, HttpCall, HttpRoute } from "../protocol/contracts.ts";
import type { Run } from "../protocol/runs.ts";
import { runFiles } from "./store.ts";

export async function branchContractTable(run: Run): Promise<string> {
  const root = join(runFiles(run.workspace, run.id).dir, "branches");
  const added: { repo: string; path: string }[] = [];
  try {
    mkdirSync(root, { recursive: true });
    const refs: ContractRepoRef[] = run.repos.map((r) => {
      const w = run.workers.find((x) => x.repo === r.name);
      if (!w?.branch) return { name: r.name, path: r.path };
      const path = join(root, r.name);
      gitBytes(r.path, ["worktree", "add", "--detach", "--quiet", path, w.branch]);
      added.push({ repo: r.path, path });
      return { name: r.name, path, skepDir: join(r.path, ".skep") };
    });
    return renderTable(await contractTable(refs), run);
  } catch (err) {
    return `The table could not be built: ${(err as Error).message}`;
  } finally {
    for (const a of added) gitRaw(a.repo, ["worktree", "remove", "--force", a.path]);
    rmSync(root, { recursive: true, force: true });
  }
}

/** Markdown for the reviewer's prompt and the report: matched calls, unmatched ones, uncalled routes. */
export function renderTable(a: ContractsAnswer, run: Run): string {
  const onBranch = (repo: string) => (run.workers.find((w) => w.repo === repo)?.branch ? " (branch)" : "");
  const at = (e: HttpCall | HttpRoute) => `${e.repo}${onBranch(e.repo)} \`${e.file}:${e.line}\``;
  const call = (c: HttpCall) => `\`${c.method} ${c.relative ? `…${c.path}` : c.path}\``;
  const lines: string[] = [];
  if (!a.matched.length && !a.unmatched.length && !a.uncalledRoutes.length) return "No HTTP routes or client calls in these repos.";
  if (a.matched.length || a.unmatched.length) {
    lines.push("| call | client side | server side | |", "|---|---|---|---|");
    for (const m of a.matched) lines.push(`| ${call(m.call)} | ${at(m.call)} | ${m.routes.map((r) => `\`${r.method} ${r.path}\` ${at(r)}`).join("<br>")} | ${m.how === "suffix" ? "matched by the route's end" : "matched"} |`);
    for (const u of a.unmatched) lines.push(`| ${call(u.call)} | ${at(u.call)} | - | **unmatched**: ${u.reason.replace(/\|/g, "\\|")} |`);
  }
  if (a.uncalledRoutes.length) lines.push("", `Routes no client here calls: ${a.uncalledRoutes.map((r) => `\`${r.method} ${r.path}\` ${at(r)}`).join(", ")}.`);
  return lines.join("\n");
}

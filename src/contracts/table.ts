// The contract table for a set of repos: what `skep contracts` prints, and what the coordinator's
// final review starts from.
import type { ContractsAnswer } from "../protocol/contracts.ts";
import { matchContracts } from "./match.ts";
import { repoContracts } from "./repo.ts";

export interface ContractRepoRef {
  name: string;
  /** The repo's work tree root. */
  path: string;
  /** Where its `.skep/` is (default `<path>/.skep`). */
  skepDir?: string;
}

/**
 * Every client call in `repos` with the route(s) it matches, the calls that match none, and the
 * routes nothing calls. Throws IndexUnavailable (src/index/store.ts) naming a repo without a
 * readable index.
 */
export async function contractTable(repos: ContractRepoRef[]): Promise<ContractsAnswer> {
  const found = [];
  for (const r of repos) found.push(await repoContracts(r.name, r.path, r.skepDir));
  return matchContracts(found);
}

/**
 * The table as Markdown, for a report (the coordinator's `report.md` starts from it): one row per
 * client call with the route(s) it reaches, file:line on both sides, then the calls that reach no
 * route with the reason, then the routes no call reaches.
 */
export function contractsMarkdown(a: ContractsAnswer): string {
  const at = (e: { repo: string; file: string; line: number }) => `${e.repo}:${e.file}:${e.line}`;
  const cell = (s: string) => s.replaceAll("|", "\\|");
  const lines: string[] = [];
  lines.push("| call | client | route | server |", "|---|---|---|---|");
  for (const m of a.matched)
    lines.push(`| ${cell(`${m.call.method} ${m.call.relative ? "…" : ""}${m.call.path}`)} | ${cell(at(m.call))} (${m.call.framework}) | ${cell(m.routes.map((r) => `${r.method} ${r.path}`).join(", "))}${m.how === "suffix" ? " (end of path)" : ""} | ${cell(m.routes.map((r) => `${at(r)} (${r.framework})`).join(", "))} |`);
  for (const u of a.unmatched) lines.push(`| ${cell(`${u.call.method} ${u.call.relative ? "…" : ""}${u.call.path}`)} | ${cell(at(u.call))} (${u.call.framework}) | **none**: ${cell(u.reason)} | |`);
  if (a.matched.length + a.unmatched.length === 0) lines.push("| (no client calls found) | | | |");
  if (a.uncalledRoutes.length) {
    lines.push("", "Routes no client in these repos calls:", "");
    for (const r of a.uncalledRoutes) lines.push(`- ${r.method} ${r.path} at ${at(r)} (${r.framework})`);
  }
  return `${lines.join("\n")}\n`;
}

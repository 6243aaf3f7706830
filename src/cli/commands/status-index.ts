// `skep status` without --oneline: what the index holds and whether it matches the disk (status.ts
// loads this only for that form).
import { askIndex } from "../../api/ask.ts";
import { daemonPaths } from "../../repo/daemon-paths.ts";
import { contentRuleGroup } from "../../index/rules.ts";
import { StatusAnswer } from "../../protocol/index-answers.ts";
import { printJson } from "../print.ts";
import { taskCounts } from "../task-print.ts";
import { repoContext } from "../../repo/repo.ts";

const LIST_MAX = 20;

export async function printStatus(repo: string | undefined, json: boolean): Promise<void> {
  const ctx = repoContext(repo);
  const s: StatusAnswer = (await askIndex(daemonPaths(ctx.root, ctx.skepDir), "status", {})).answer;
  if (json) return printJson(StatusAnswer, s);
  const f = s.freshness;
  const short = (h: string | null) => (h ? h.slice(0, 10) : "none");
  console.log(`Repo:       ${s.root}${ctx.isGit ? `  (HEAD ${short(f.head)})` : "  (not a git repo)"}`);
  console.log(`Index:      ${n(s.files, "file")}, ${n(s.symbols, "symbol")}, ${n(s.refs, "reference")}, ${n(s.edges, "edge")}`);
  console.log(`Languages:  ${s.languages.map((l) => `${l.name} ${n(l.files, "file")} / ${n(l.symbols, "symbol")}`).join(", ") || "none"}`);
  console.log(`Built:      ${f.indexedAt ? `${f.indexedAt} (${ago(f.indexedAt)})` : "never"}${ctx.isGit ? ` at HEAD ${short(f.indexedHead)}` : ""}`);
  if (f.head !== f.indexedHead && ctx.isGit) console.log("            HEAD has moved since the index was built");
  const c = s.changed;
  if (f.pendingFiles === 0) console.log("Changed:    nothing since the index was built");
  else {
    console.log(`Changed:    ${c.modified.length} modified, ${c.added.length} added, ${c.deleted.length} deleted since the index was built (run \`skep index\`)`);
    const all = [...c.modified.map((p) => `M ${p}`), ...c.added.map((p) => `A ${p}`), ...c.deleted.map((p) => `D ${p}`)];
    for (const line of all.slice(0, LIST_MAX)) console.log(`            ${line}`);
    if (all.length > LIST_MAX) console.log(`            ... and ${all.length - LIST_MAX} more`);
  }
  if (s.syntaxErrors.length) console.log(`Partial:    ${n(s.syntaxErrors.length, "file")} parsed with syntax errors (indexed as far as they parse)`);
  console.log(`Other:      ${n(s.otherFiles, "file")} in languages skep does not parse`);
  const tasks = taskCounts(ctx.skepDir);
  if (tasks) console.log(`Tasks:      ${tasks}`);
  const byRule = s.skippedByRule.reduce((sum, r) => sum + r.files, 0);
  if (byRule) {
    console.log(`Left out:   ${n(byRule, "file")} by the index rules (index.include / index.exclude in .skep/config.json change them)`);
    for (const r of s.skippedByRule) console.log(`            ${r.files} ${r.reason}`);
  }
  // Files left out by a content rule are counted above; the rest are listed one by one.
  const others = s.skipped.filter((k) => contentRuleGroup(k.reason) === null);
  if (others.length) {
    console.log(`Skipped:    ${n(others.length, "file")}`);
    for (const k of others) console.log(`            ${k.path}: ${k.reason}`);
  }
}

function n(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function ago(iso: string): string {
  const secs = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (secs < 60) return `${secs}s ago`;
  if (secs < 3600) return `${Math.round(secs / 60)} min ago`;
  if (secs < 86400) return `${Math.round(secs / 3600)} h ago`;
  return `${Math.round(secs / 86400)} days ago`;
}

// Re-index a handful of paths the watcher named, without rescanning the repo: list the paths, then
// apply them (apply.ts, the full scan's per-file rules). Which files belong to the index is decided
// as discovery decides it: by the index rules (rules.ts: not under .git/.skep, a language skep
// parses, not vendored or generated unless the config says so), and not ignored by git. The call
// graph is left to the caller (see daemon/index-worker.ts), so a burst of saves updates it once.
import type { Database } from "bun:sqlite";
import { gitRaw } from "../git/exec.ts";
import type { EdgeChanges } from "../graph/edges.ts";
import { applySteps, stepFor, type Step } from "./apply.ts";
import { loadIndexRules } from "./rules.ts";
import type { FileState } from "./store.ts";

export interface TargetedReport {
  parsed: number;
  sameContent: number;
  unchanged: number;
  deleted: number;
  skipped: number;
  /** Paths a rule left out (removed if the index held them), per reason. */
  ruleSkips: Record<string, number>;
  changes: EdgeChanges;
}

/** null: these paths cannot be handled one by one (git could not classify them); do a full run. */
export async function indexPaths(db: Database, root: string, paths: string[]): Promise<TargetedReport | null> {
  const rules = loadIndexRules(root);
  const verdicts = new Map([...new Set(paths)].map((p) => [p, rules.verdict(p)]));
  // A path a rule leaves out is handled as an ignored one: removed if the index holds it.
  const candidates = [...verdicts].filter(([, v]) => v.kind === "index" || v.kind === "skip").map(([p]) => p).sort();
  const ignored = gitIgnored(root, candidates);
  if (ignored === null) return null;

  const stateOf = db.prepare("SELECT id, size, mtime_us AS mtimeUs, hash, skip_reason AS skipReason FROM files WHERE path = ?");
  const known = new Map<string, FileState | null>();
  const ruleSkips: Record<string, number> = {};
  const steps: Step[] = [];
  for (const path of candidates) {
    const state = stateOf.get(path) as FileState | null;
    known.set(path, state);
    const v = verdicts.get(path)!;
    if (v.kind === "skip") ruleSkips[v.reason] = (ruleSkips[v.reason] ?? 0) + 1;
    if (v.kind !== "index" || ignored.has(path)) {
      if (state) steps.push({ kind: "absent", path });
      continue;
    }
    steps.push(stepFor(root, { path, lang: v.lang, forced: v.forced }, state ?? undefined));
  }
  // On this (the index worker's) thread: a handful of files does not repay starting a worker.
  const r = await applySteps(db, root, steps, { known: (p) => known.get(p), workers: 1 });
  const { parsed, sameContent, unchanged, deleted, skipped, changes } = r;
  return { parsed, sameContent, unchanged, deleted, skipped, ruleSkips, changes };
}

/** The paths git ignores (untracked and matching an ignore rule), or null when git cannot say. */
function gitIgnored(root: string, paths: string[]): Set<string> | null {
  if (paths.length === 0) return new Set();
  const p = gitRaw(root, ["check-ignore", "--stdin", "-z"], Buffer.from(`${paths.join("\0")}\0`));
  // 0: some are ignored, 1: none are; anything else (a path inside a submodule, no repo): unknown.
  if (p.exitCode !== 0 && p.exitCode !== 1) return null;
  return new Set(new TextDecoder().decode(p.stdout).split("\0").filter(Boolean));
}

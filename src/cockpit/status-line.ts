// `skep status --oneline` over the scope: what tmux shows in every cockpit, a whole process every
// few seconds. It loads only scope.ts, oneline.ts, the counts reader (tasks/counts.ts: one
// read-only statement per store, only for a store changed since tasks/counts-cache.ts kept its
// counts) and the registry peek (workspace/peek.ts: no zod schema). A
// registry or a store these do not answer for (an unexpected shape, another schema version,
// damage) is read the full way (workspace/registry.ts, snapshot.ts readRepo), so every one shows
// as the dashboard shows it.
import { existsSync } from "node:fs";
import { cachedTaskCounts } from "../tasks/counts-cache.ts";
import { peekRepos } from "../workspace/peek.ts";
import { tasksDbPath } from "../tasks/schema.ts";
import type { OnelineAnswer } from "../protocol/workspace.ts";
import { onelineOf, type RepoCounts } from "./oneline.ts";
import { locate, type Scope, scopeAt, type ScopeRepo } from "./scope.ts";

export async function statusLine(start: string, opts: { tmux?: boolean } = {}): Promise<{ scope: Scope; answer: OnelineAnswer }> {
  const place = locate(start);
  const ws = place.workspace;
  const seen = ws ? peekRepos(ws) : [];
  const reposOf = seen ? () => seen : (await import("../workspace/registry.ts")).workspaceRepos;
  const scope = scopeAt(place, reposOf);
  const repos: RepoCounts[] = [];
  for (const r of scope.repos) repos.push(await countsOfRepo(r));
  return { scope, answer: onelineOf(scope, repos, opts) };
}

async function countsOfRepo(repo: ScopeRepo): Promise<RepoCounts> {
  // readRepo's first two answers, without loading it: a repo that is gone, a repo with no tasks yet.
  if (!existsSync(repo.path)) return { name: repo.name, unreadable: true, byStatus: {}, waiting: [] };
  const db = tasksDbPath(repo.skepDir);
  if (!existsSync(db)) return { name: repo.name, unreadable: false, byStatus: {}, waiting: [] };
  const counts = await cachedTaskCounts(db);
  if (counts) return { name: repo.name, unreadable: false, ...counts };
  const [{ readRepo }, { countsOf }] = await Promise.all([import("./snapshot.ts"), import("./dashboard.ts")]);
  return countsOf(readRepo(repo, { tokens: false }));
}

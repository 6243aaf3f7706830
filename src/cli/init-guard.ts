// What `skep init` refuses before it writes anything: a folder that is not a git repo (tasks need
// branches and worktrees; a plain folder is indexed only when asked), and a workspace folder
// whose children are the repos (indexed as one, it would be registered as a peer every planner
// then sees).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { WORKSPACE_DIR } from "../workspace/registry.ts";
import type { RepoContext } from "../repo/repo.ts";
import { CommandFailed } from "../errors.ts";

/** Git repos directly below `dir` (a `.git` directory or file), by name. */
export function childRepos(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith(".")).map((d) => d.name);
  } catch {
    return [];
  }
  return names.filter((n) => existsSync(join(dir, n, ".git"))).sort();
}

export function refuseInit(ctx: RepoContext, opts: { allowNonGit: boolean; workspace: string | null }): void {
  if (ctx.isGit) return;
  const repos = childRepos(ctx.root);
  const isWorkspace = existsSync(join(ctx.root, WORKSPACE_DIR)) || (opts.workspace !== null && opts.workspace === ctx.root);
  if (repos.length || isWorkspace) {
    const shown = repos.slice(0, 4).join(", ") + (repos.length > 4 ? `, … (${repos.length})` : "");
    const example = repos[0] ?? "<repo>";
    throw new CommandFailed(
      `${ctx.root} is a workspace folder${repos.length ? ` holding git repos (${shown})` : ""}, not a repo: run \`skep init\` inside each repo instead, ` +
        `naming this folder as the workspace: cd ${join(ctx.root, example)} && skep init --workspace ${ctx.root}`,
    );
  }
  if (!opts.allowNonGit) {
    throw new CommandFailed(
      `${ctx.root} is not a git repository: skep's tasks run on their own branch in a git worktree. ` +
        "Run `git init` there first (or run skep init inside the repo you meant), or `skep init --allow-non-git` to index the folder for search and MCP only",
    );
  }
}

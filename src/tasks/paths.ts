// Where a task keeps its files: `.skep/tasks/<id>/` (plan, result, clarification questions, the
// live log, the prompts sent) and `.skep/worktrees/task-<id>-<slug>/` (its git worktree).
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export interface TaskFiles {
  dir: string;
  plan: string;
  result: string;
  clarify: string;
  clarifyArchive: string;
  log: string;
  prompts: string;
}

export function taskFiles(skepDir: string, id: number): TaskFiles {
  const dir = join(skepDir, "tasks", String(id));
  return {
    dir,
    plan: join(dir, "plan.md"),
    result: join(dir, "result.md"),
    clarify: join(dir, "clarify.md"),
    clarifyArchive: join(dir, "clarify-archive"),
    log: join(dir, "log.txt"),
    prompts: join(dir, "prompts"),
  };
}

export function ensureTaskDir(skepDir: string, id: number): TaskFiles {
  const f = taskFiles(skepDir, id);
  mkdirSync(f.prompts, { recursive: true, mode: 0o700 });
  return f;
}

export function worktreePath(skepDir: string, id: number, slug: string): string {
  return join(skepDir, "worktrees", `task-${id}-${slug}`);
}

export function branchName(id: number, slug: string): string {
  return `skep/task-${id}-${slug}`;
}

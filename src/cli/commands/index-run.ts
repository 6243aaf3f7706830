// What `skep index` (the build) does, without citty: main.ts runs the plain form
// (`skep index [--json] [--repo DIR]`, cli/plain-argv.ts) straight from here, index-cmd.ts every
// other form, and `skep init` its build. A first build re-executes itself (cold-build.ts) before
// it loads the API, the index code or a schema: the process it replaces should cost little more
// than a start, and the command tree is not needed by either.
import { daemonPaths } from "../../repo/daemon-paths.ts";
import { progressOn } from "../../util/terminal.ts";
import type { IndexAnswer } from "../../protocol/index-answers.ts";
import { printJson } from "../print.ts";
import { progressLine } from "../progress.ts";
import { repoContext, type RepoContext } from "../../repo/repo.ts";
import { reexecForColdBuild } from "../cold-build.ts";

export async function printAnswerJson(a: IndexAnswer): Promise<void> {
  printJson((await import("../../protocol/index-answers.ts")).IndexAnswer, a);
}

/** Build or refresh the index of the repo `ctx` names (repoContext, asked by the caller). */
export async function buildIndex(ctx: RepoContext, json: boolean): Promise<IndexAnswer> {
  const { RepoIndex } = await import("../../api/api.ts");
  // While a daemon runs it is the only writer: the API asks it to rescan and waits for the result.
  const index = new RepoIndex(daemonPaths(ctx.root, ctx.skepDir));
  const progress = progressLine(!json && progressOn(process.stderr));
  try {
    // A damaged file is moved aside and rebuilt in a new file (indexRepo says so on stderr).
    return (await index.refresh({ onProgress: progress.update })).value;
  } finally {
    progress.done();
    index.close();
  }
}

export function printIndexAnswer(a: IndexAnswer): void {
  const secs = (a.durationMs / 1000).toFixed(a.durationMs < 10_000 ? 2 : 1);
  console.log(`Indexed ${a.files} files, ${a.symbols} symbols in ${secs}s (${a.parsed} parsed, ${a.unchanged} unchanged, ${a.deleted} removed)`);
  if (a.skipped.length) console.log(`${a.skipped.length} file${a.skipped.length === 1 ? "" : "s"} skipped: see \`skep status\``);
}

/** `skep index [build] [--json] [--repo DIR]`. */
export async function runIndex(repo: string | undefined, json: boolean): Promise<void> {
  // No index yet: the build runs in a process tuned for a cold build (cold-build.ts).
  const ctx = repoContext(repo);
  reexecForColdBuild(ctx.dbPath, ctx.root);
  const a = await buildIndex(ctx, json);
  if (json) await printAnswerJson(a);
  else printIndexAnswer(a);
}

// `skep index`: build or refresh the index (incremental after the first run).
// The API, the index code, the zod schemas and `ask`'s search command are imported when used:
// a first build re-executes itself before it needs them (cold-build.ts), and should not pay
// for loading them twice.
import { mkdirSync } from "node:fs";
import { TOP } from "../top-meta.ts";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { daemonPaths } from "../../repo/daemon-paths.ts";
import { progressOn } from "../../util/terminal.ts";
import type { IndexAnswer } from "../../protocol/index-answers.ts";
import { CommandFailed } from "../../errors.ts";
import { printJson } from "../print.ts";
import { progressLine } from "../progress.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";
import { lazy } from "../lazy.ts";
import { reexecForColdBuild } from "../cold-build.ts";

async function printAnswerJson(a: IndexAnswer): Promise<void> {
  printJson((await import("../../protocol/index-answers.ts")).IndexAnswer, a);
}

export async function buildIndex(repo: string | undefined, json: boolean): Promise<IndexAnswer> {
  const ctx = repoContext(repo);
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

const build = defineCommand({
  meta: { name: "build", alias: ["create", "refresh"], description: "Build or refresh the index (incremental after the first run)" },
  args: { ...repoArgs, ...jsonArg },
  async run({ args }) {
    // No index yet: the build runs in a process tuned for a cold build (cold-build.ts).
    const ctx = repoContext(args.repo);
    reexecForColdBuild(ctx.dbPath, ctx.root);
    const a = await buildIndex(args.repo, Boolean(args.json));
    if (args.json) await printAnswerJson(a);
    else printIndexAnswer(a);
  },
});

async function daemonRunning(root: string, skepDir: string): Promise<boolean> {
  const { RepoIndex } = await import("../../api/api.ts");
  const index = new RepoIndex(daemonPaths(root, skepDir));
  try {
    return await index.daemonServes();
  } catch {
    return false;
  } finally {
    index.close();
  }
}

async function portable<T>(f: (p: typeof import("../../index/portable.ts")) => T): Promise<T> {
  const [p, { IndexUnavailable }] = await Promise.all([import("../../index/portable.ts"), import("../../index/store.ts")]);
  try {
    return f(p);
  } catch (err) {
    if (err instanceof p.PortableIndexError || err instanceof IndexUnavailable) throw new CommandFailed(err.message);
    throw err;
  }
}

const exportIndexCommand = defineCommand({
  meta: { name: "export", description: "Write the index to a portable file (zstd; repo-relative paths) for `skep index import` in another clone" },
  args: { file: { type: "positional", description: "The file to write", valueHint: "file", required: true }, ...repoArgs },
  async run({ args }) {
    const ctx = repoContext(args.repo);
    const out = resolve(String(args.file));
    const r = await portable((p) => p.exportIndex(ctx.dbPath, out));
    console.log(`Exported ${r.files} files, ${r.symbols} symbols${r.head ? ` (at ${r.head.slice(0, 12)})` : ""} to ${out} (${(r.bytes / 1024 / 1024).toFixed(1)} MB)`);
  },
});

const importIndexCommand = defineCommand({
  meta: { name: "import", description: "Adopt an index written by `skep index export`, then re-parse only the files whose content differs" },
  args: { file: { type: "positional", description: "The exported file", valueHint: "file", required: true }, ...repoArgs, ...jsonArg },
  async run({ args }) {
    const ctx = repoContext(args.repo);
    if (await daemonRunning(ctx.root, ctx.skepDir)) {
      throw new CommandFailed("a daemon is running for this repo and owns its index: `skep daemon stop`, import, then `skep daemon start`");
    }
    mkdirSync(ctx.skepDir, { recursive: true });
    const r = await portable((p) => p.importIndex(resolve(String(args.file)), ctx.dbPath));
    if (!args.json) console.log(`Imported ${r.files} files${r.head ? ` (exported at ${r.head.slice(0, 12)})` : ""}; checking them against this checkout`);
    const a = await buildIndex(args.repo, Boolean(args.json));
    if (args.json) await printAnswerJson(a);
    else printIndexAnswer(a);
  },
});

const ASK_META = { name: "ask", description: "Search symbols (same as `skep search`)" };

export const indexCommand = defineCommand({
  meta: TOP.index,
  subCommands: { build, export: exportIndexCommand, import: importIndexCommand, ask: lazy(ASK_META, async () => ({ ...(await import("./search.ts")).searchCommand, meta: ASK_META })) },
  default: "build",
} as Parameters<typeof defineCommand>[0]);

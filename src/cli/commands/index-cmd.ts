// `skep index`: build or refresh the index (incremental after the first run), export and import it.
// The build itself is index-run.ts (main.ts runs its plain form without this command tree). The
// API, the index code, the zod schemas and `ask`'s search command are imported when used.
import { mkdirSync } from "node:fs";
import { TOP } from "../top-meta.ts";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { daemonPaths } from "../../repo/daemon-paths.ts";
import { CommandFailed } from "../../errors.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";
import { lazy } from "../lazy.ts";
import { buildIndex, printAnswerJson, printIndexAnswer, runIndex } from "./index-run.ts";

const build = defineCommand({
  meta: { name: "build", alias: ["create", "refresh"], description: "Build or refresh the index (incremental after the first run)" },
  args: { ...repoArgs, ...jsonArg },
  async run({ args }) {
    await runIndex(args.repo, Boolean(args.json));
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
    // Asked again: .skep/ may have been made just now, and is checked as it is.
    const a = await buildIndex(repoContext(args.repo), Boolean(args.json));
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

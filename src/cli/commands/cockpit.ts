// `skep cockpit [setup|reset|status]`: install, remove or inspect the tmux snippet
// (~/.tmux.conf.d/skep.conf). The user's own ~/.tmux.conf is only ever read.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { writeFileAtomic } from "../../util/fs.ts";
import { cockpitPaths, cockpitStatus, SOURCE_LINE, snippet, snippetCommand } from "../../cockpit/conf.ts";
import { CockpitResetAnswer, CockpitSetupAnswer, CockpitStatusAnswer } from "../../protocol/cli-answers.ts";
import { printJson } from "../print.ts";
import { jsonArg } from "../args.ts";

/** The backups `setup` left beside the snippet, oldest first. */
function backupsOf(conf: string): string[] {
  const dir = join(conf, "..");
  if (!existsSync(dir)) return [];
  const prefix = `${basename(conf)}.backup-`;
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .sort()
    .map((f) => join(dir, f));
}

const status = defineCommand({
  meta: { name: "status", description: "Is the snippet installed, and does ~/.tmux.conf source it" },
  args: { ...jsonArg } as const,
  run({ args }) {
    const s = cockpitStatus();
    if (args.json) return printJson(CockpitStatusAnswer, s);
    console.log(`Snippet:    ${s.conf_path}${s.installed ? ` (${s.size} bytes)` : " (not installed: skep cockpit setup)"}`);
    const conf = s.user_tmux_exists ? s.user_tmux_conf : `${s.user_tmux_conf} (does not exist)`;
    console.log(`tmux conf:  ${conf}`);
    console.log(`Sourced:    ${s.sourced ? "yes" : `no: add \`${SOURCE_LINE}\` to ${s.user_tmux_conf}`}`);
  },
});

const setup = defineCommand({
  meta: { name: "setup", description: "Write ~/.tmux.conf.d/skep.conf (status line, popup keys); print the line to source it" },
  args: { ...jsonArg } as const,
  run({ args }) {
    const p = cockpitPaths();
    mkdirSync(p.dir, { recursive: true });
    let backup: string | null = null;
    if (existsSync(p.conf)) {
      // Never overwrite what may hold the user's edits: keep it, named by the time it was replaced.
      const stamp = Math.floor(Date.now() / 1000);
      backup = `${p.conf}.backup-${stamp}`;
      for (let i = 2; existsSync(backup); i++) backup = `${p.conf}.backup-${stamp}-${i}`;
      renameSync(p.conf, backup);
    }
    const cmd = snippetCommand();
    writeFileAtomic(p.conf, snippet(cmd.command, cmd.note, new Date()));
    const s = cockpitStatus(p);
    if (args.json) return printJson(CockpitSetupAnswer, { ...s, backup, command: cmd.command, command_source: cmd.source, source_line: SOURCE_LINE });
    console.log(`Wrote ${p.conf}${backup ? ` (the previous one is kept as ${basename(backup)})` : ""}`);
    console.log(`It ${cmd.note}.`);
    if (s.sourced) console.log(`${p.userConf} already sources it; reload with: tmux source-file ${p.userConf}   (or prefix R)`);
    else {
      console.log(`${p.userConf} ${s.user_tmux_exists ? "does not source it yet" : "does not exist yet"}; add this line to it (skep never edits it):`);
      console.log(`    ${SOURCE_LINE}`);
      console.log(`then reload: tmux source-file ${p.userConf}`);
    }
    console.log("Keys after the prefix: S dashboard (skep workspace watch) · ! oldest task waiting for you · T all tasks · A search · R reload · h/j/k/l panes · | and - split");
  },
});

const reset = defineCommand({
  meta: { name: "reset", description: "Remove ~/.tmux.conf.d/skep.conf (its backups stay)" },
  args: { ...jsonArg } as const,
  run({ args }) {
    const p = cockpitPaths();
    const removed = existsSync(p.conf);
    if (removed) rmSync(p.conf);
    const s = cockpitStatus(p);
    const backups = backupsOf(p.conf);
    if (args.json) return printJson(CockpitResetAnswer, { conf_path: p.conf, removed, backups, sourced: s.sourced });
    console.log(removed ? `Removed ${p.conf}` : `Nothing to remove: ${p.conf} does not exist`);
    if (backups.length) console.log(`${backups.length} backup${backups.length === 1 ? "" : "s"} kept beside it (${basename(backups[backups.length - 1]!)}${backups.length > 1 ? ", ..." : ""})`);
    // tmux reports an error for a source-file of a missing file at every start: say which line to take out.
    if (s.sourced) console.log(`${p.userConf} still sources it: remove the line \`${SOURCE_LINE}\` (tmux reports a missing file otherwise)`);
  },
});

export const cockpitCommand = defineCommand({
  meta: TOP.cockpit,
  subCommands: { status, setup, reset },
  default: "status",
} as Parameters<typeof defineCommand>[0]);

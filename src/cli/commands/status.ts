// `skep status`: what the index holds and whether it matches the disk; `--oneline`: the
// workspace's tasks in one line for tmux.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { UsageError } from "../../errors.ts";
import { jsonArg, repoArgs } from "../args.ts";

export const statusCommand = defineCommand({
  meta: TOP.status,
  args: {
    oneline: { type: "boolean", description: "One line over the whole workspace (or the repo alone), for tmux status-right" },
    tmux: { type: "boolean", description: "With --oneline: colour it with tmux #[...] style markup" },
    ...repoArgs,
    ...jsonArg,
  },
  async run({ args }) {
    // Each form loads only its own modules: tmux runs the one line every few seconds.
    if (args.oneline) return (await import("./status-oneline.ts")).printOneline(args.repo, !!args.tmux, !!args.json);
    if (args.tmux) throw new UsageError("--tmux only goes with --oneline");
    return (await import("./status-index.ts")).printStatus(args.repo, !!args.json);
  },
});

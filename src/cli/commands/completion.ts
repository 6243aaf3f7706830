// `skep completion <bash|zsh|fish>`: a completion script generated from the live command tree
// (src/cli/completion/tree.ts), so every command, verb, alias and flag skep has is completed and
// nothing it lacks is: the script cannot drift from the binary that printed it.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { CONFIG_KEYS } from "../../config/keys.ts";
import { bashScript } from "../completion/bash.ts";
import { fishScript } from "../completion/fish.ts";
import { completionTree } from "../completion/tree.ts";
import { zshScript } from "../completion/zsh.ts";
import { UsageError } from "../../errors.ts";
import { nearest } from "../../util/suggest.ts";

const SHELLS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

export const completionCommand = defineCommand({
  meta: TOP.completion,
  args: {
    shell: { type: "positional", description: "bash, zsh or fish", valueHint: "bash|zsh|fish", required: true },
  } as const,
  async run({ args }) {
    const make = SHELLS[args.shell as keyof typeof SHELLS];
    if (!make) {
      const hint = nearest(args.shell, Object.keys(SHELLS));
      throw new UsageError(`no completion for '${args.shell}'${hint ? `; did you mean '${hint}'?` : ""} (bash, zsh or fish)`);
    }
    // Imported here, not at the top: app.ts imports this command, and the tree is only read when it runs.
    const { app } = await import("../app.ts");
    const nodes = await completionTree(app, { key: CONFIG_KEYS.map((k) => k.key), "bash|zsh|fish": Object.keys(SHELLS) });
    process.stdout.write(make(nodes));
  },
});

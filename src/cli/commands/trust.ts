// `skep trust`: allow tasks to run this repo's test command on this machine. The trust lives
// outside the repo (src/tasks/trust.ts), so a command that arrives in a committed or copied
// config never runs until its user has looked at it here.
import { defineCommand } from "citty";
import { readConfig } from "../../config/config.ts";
import { trust, trustState, untrust } from "../../tasks/trust.ts";
import { confirm } from "../confirm.ts";
import { CommandFailed } from "../../errors.ts";
import { repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";

export const trustCommand = defineCommand({
  meta: { name: "trust", description: "Let tasks run this repo's test command (test_cmd in .skep/config.json) on this machine" },
  args: {
    yes: { type: "boolean", alias: "y", description: "Do not ask" },
    revoke: { type: "boolean", description: "Stop trusting this repo's test command" },
    ...repoArgs,
  } as const,
  async run({ args }) {
    const ctx = repoContext(args.repo);
    if (args.revoke) {
      const r = untrust(ctx.root);
      if (r.warning) console.error(`warning: ${r.warning}`);
      return console.log(r.removed ? "Trust:      revoked; tasks will not run the test command" : "Trust:      nothing was trusted for this repo");
    }
    const cmd = readConfig(ctx.skepDir)?.test_cmd;
    if (!cmd) throw new CommandFailed("no test command configured (set test_cmd in .skep/config.json)");
    const state = trustState(ctx.root, cmd);
    if (state === "trusted") return console.log(`Trust:      \`${cmd}\` is already trusted`);
    const note = state === "changed" ? " (it changed since you last trusted it)" : "";
    if (!args.yes && !(await confirm(`Let tasks run \`${cmd}\` in their worktrees${note}?`, "trust"))) return console.log("Trust:      not changed");
    const r = trust(ctx.root, cmd);
    if (r && typeof r === "object" && "warning" in r && r.warning) console.error(`warning: ${r.warning}`);
    console.log(`Trust:      tasks will run \`${cmd}\` after their steps`);
  },
});

// `skep trust`: allow skep to run what this repo's .skep/config.json names to execute (test_cmd,
// claude_bin) on this machine. The trust lives outside the repo (src/trust/store.ts), so a value
// that arrives in a committed or copied config never runs until its user has looked at it here.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { readConfig } from "../../config/config.ts";
import { claudeBinFor } from "../../llm/select.ts";
import { repoValues, type RepoValue } from "../../trust/repo-values.ts";
import { trustValues, untrust } from "../../trust/store.ts";
import { confirm } from "../confirm.ts";
import { CommandFailed } from "../../errors.ts";
import { repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";

export const trustCommand = defineCommand({
  meta: TOP.trust,
  args: {
    yes: { type: "boolean", alias: "y", description: "Do not ask" },
    revoke: { type: "boolean", description: "Stop trusting this repo's test_cmd and claude_bin" },
    ...repoArgs,
  } as const,
  async run({ args }) {
    const ctx = repoContext(args.repo);
    if (args.revoke) {
      const r = untrust(ctx.root);
      if (r.warning) console.error(`warning: ${r.warning}`);
      return console.log(r.removed ? "Trust:      revoked; skep will not run this repo's test_cmd or claude_bin" : "Trust:      nothing was trusted for this repo");
    }
    const config = readConfig(ctx.skepDir);
    const values = config ? repoValues(config, ctx.root) : [];
    if (!config || !values.length) throw new CommandFailed("nothing to trust: .skep/config.json sets neither test_cmd nor claude_bin");
    const pending = values.filter((v) => v.state !== "trusted");
    if (!pending.length) return console.log(`Trust:      ${values.map(show).join(" and ")} already trusted`);
    const what = (v: RepoValue) => (v.key === "claude_bin" ? `run ${show(v)} (${claudeBinFor(config, ctx.root)}) as the LLM CLI` : `run ${show(v)} in task worktrees`);
    const notes = pending.map((v) => `${what(v)}${v.state === "changed" ? " (it changed since you last trusted it)" : ""}`);
    if (!args.yes && !(await confirm(`Let skep ${notes.join(", and ")}?`, "trust"))) return console.log("Trust:      not changed");
    const r = trustValues(ctx.root, Object.fromEntries(pending.map((v) => [v.key, v.value])));
    if (r.warning) console.error(`warning: ${r.warning}`);
    for (const v of pending) console.log(`Trust:      ${v.key === "test_cmd" ? `tasks will run \`${v.value}\` after their steps` : `tasks will use \`${v.value}\` as the claude CLI`}`);
  },
});

function show(v: RepoValue): string {
  return `${v.key} \`${v.value}\``;
}

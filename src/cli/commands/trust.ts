// `skep trust`: allow skep to run what this repo's .skep/config.json names to execute (test_cmd,
// the LLM CLIs, a provider URL) on this machine. The trust lives outside the repo (src/trust/store.ts), so a value
// that arrives in a committed or copied config never runs until its user has looked at it here.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { readConfig } from "../../config/config.ts";
import { cliBinFor } from "../../llm/select.ts";
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
    revoke: { type: "boolean", description: "Stop trusting this repo's test_cmd, LLM CLIs and provider URLs" },
    ...repoArgs,
  } as const,
  async run({ args }) {
    const ctx = repoContext(args.repo);
    if (args.revoke) {
      const r = untrust(ctx.root);
      if (r.warning) console.error(`warning: ${r.warning}`);
      return console.log(r.removed ? "Trust:      revoked; skep will not run this repo's test_cmd, LLM CLIs or provider URLs" : "Trust:      nothing was trusted for this repo");
    }
    const config = readConfig(ctx.skepDir);
    const values = config ? repoValues(config, ctx.root) : [];
    if (!config || !values.length) throw new CommandFailed("nothing to trust: .skep/config.json sets no test_cmd, LLM CLI (claude_bin, codex_bin, gemini_bin) or provider URL (codex_base_url, gemini_base_url)");
    const pending = values.filter((v) => v.state !== "trusted");
    if (!pending.length) return console.log(`Trust:      ${values.map(show).join(" and ")} already trusted`);
    const what = (v: RepoValue) => {
      if (v.key === "test_cmd") return `run ${show(v)} in task worktrees`;
      if (v.key.endsWith("_base_url")) return `send ${v.key.split("_")[0]}'s requests (your code, your key) to ${show(v)}`;
      const backend = v.key.split("_")[0] as "claude" | "codex" | "gemini";
      return `run ${show(v)} (${cliBinFor(backend, config, ctx.root)}) as the LLM CLI`;
    };
    const notes = pending.map((v) => `${what(v)}${v.state === "changed" ? " (it changed since you last trusted it)" : ""}`);
    if (!args.yes && !(await confirm(`Let skep ${notes.join(", and ")}?`, "trust"))) return console.log("Trust:      not changed");
    const r = trustValues(ctx.root, Object.fromEntries(pending.map((v) => [v.key, v.value])));
    if (r.warning) console.error(`warning: ${r.warning}`);
    for (const v of pending) {
      const effect = v.key === "test_cmd" ? `tasks will run \`${v.value}\` after their steps` : v.key.endsWith("_base_url") ? `${v.key.split("_")[0]} calls will go to ${v.value}` : `tasks will use \`${v.value}\` as the ${v.key.split("_")[0]} CLI`;
      console.log(`Trust:      ${effect}`);
    }
  },
});

function show(v: RepoValue): string {
  return `${v.key} \`${v.value}\``;
}

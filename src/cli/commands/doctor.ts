// `skep doctor`: is everything skep needs here, and in order? Programs (the LLM CLI, git, tmux,
// ctags), the OS, then the repo (.skep/, config, test command trust, index, daemon, workspace,
// tasks). Read-only: it never repairs, starts or writes anything, so it is safe to run anywhere,
// also outside a repo. Exit 1 when a critical check fails, so scripts can gate on it.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { existsSync } from "node:fs";
import { checkCtags, checkGit, checkLlm, checkOs, checkSkep, checkTmux } from "../../doctor/programs.ts";
import { checkCompletions, checkInstall } from "../../doctor/install.ts";
import { selfCommand } from "../../client/control.ts";
import { checkConfig, checkDaemon, checkIndex, checkRepo, checkTasks, checkTestCmd, checkWorkspace, notInRepo } from "../../doctor/repo.ts";
import { RepoConfig } from "../../protocol/config.ts";
import { DoctorAnswer, type DoctorCheck } from "../../protocol/doctor.ts";
import { VERSION } from "../../version.ts";
import { printJson } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";

export async function runDoctor(repo: string | undefined): Promise<DoctorAnswer> {
  const ctx = repoContext(repo);
  const inRepo = existsSync(ctx.skepDir);
  const cfg = inRepo ? checkConfig(ctx) : { check: null, config: RepoConfig.parse({}) };
  // The programs answer in parallel: a slow one (up to its timeout) does not hold up the others.
  const [llm, git, tmux, ctags] = await Promise.all([checkLlm(cfg.config, ctx.root), checkGit(ctx.root), checkTmux(cfg.config, ctx.root), checkCtags(ctx.root)]);
  const checks: DoctorCheck[] = [...llm, git, tmux, ctags, checkOs(), checkSkep(), checkInstall(selfCommand()), checkCompletions(selfCommand()), checkRepo(ctx)];
  if (inRepo) {
    checks.push(cfg.check!, checkTestCmd(ctx, cfg.config), checkIndex(ctx), await checkDaemon(ctx), checkWorkspace(ctx.root, ctx.root), checkTasks(ctx));
  } else {
    checks.push(...notInRepo(["config", "test_cmd", "index", "daemon"]), checkWorkspace(ctx.root, null), ...notInRepo(["tasks"]));
  }
  const healthy = !checks.some((c) => c.level === "critical" && c.status === "fail");
  return { healthy, version: VERSION, root: inRepo ? ctx.root : null, checks };
}

function mark(c: DoctorCheck): string {
  if (c.status === "ok") return "✓";
  return c.level === "critical" ? "✗" : "!";
}

export const doctorCommand = defineCommand({
  meta: TOP.doctor,
  args: { ...repoArgs, ...jsonArg },
  async run({ args }) {
    const answer = await runDoctor(args.repo);
    if (!answer.healthy) process.exitCode = 1;
    if (args.json) return printJson(DoctorAnswer, answer);
    const width = Math.max(...answer.checks.map((c) => c.name.length)) + 2;
    for (const c of answer.checks) {
      console.log(`${mark(c)} ${c.name.padEnd(width)}${c.detail}`);
      if (c.status === "fail" && c.fix) console.log(`  ${" ".repeat(width)}fix: ${c.fix}`);
    }
    const critical = answer.checks.filter((c) => c.status === "fail" && c.level === "critical").length;
    const count = (level: string, noun: string) => {
      const n = answer.checks.filter((c) => c.status === "fail" && c.level === level).length;
      return n ? [`${n} ${noun}${n === 1 ? "" : "s"}`] : [];
    };
    const others = [...count("warning", "warning"), ...count("info", "note")];
    const notes = others.length ? ` (${others.join(", ")})` : "";
    console.log(critical ? `\nskep has ${critical} critical problem${critical === 1 ? "" : "s"}${notes}.` : `\nskep is healthy${notes}.`);
  },
});

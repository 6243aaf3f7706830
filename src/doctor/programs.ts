// `skep doctor`: the programs skep runs (the LLM CLIs the config names, git, tmux, ctags), the OS, and skep itself.
// The LLM CLI is found exactly as a task finds it (src/llm/select.ts), so a ✓ here means tasks
// will start the same executable.
import { readFileSync } from "node:fs";
import { arch, release } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";
import { cockpitStatus } from "../cockpit/conf.ts";
import { selfCommand } from "../client/control.ts";
import { makeCliHome } from "../llm/cli-home.ts";
import { INSTALL, resolveCli } from "../llm/preflight.ts";
import { backendNameFor, KNOWN_BACKENDS, type CliBackend } from "../llm/select.ts";
import { ScriptFile } from "../llm/script.ts";
import type { RepoConfig } from "../protocol/config.ts";
import type { DoctorCheck } from "../protocol/doctor.ts";
import { LLM_PURPOSES, type LlmPurpose } from "../protocol/tasks.ts";
import { VERSION } from "../version.ts";
import { fail, ok, oneLine, runVersion } from "./check.ts";

/** One check per backend the config uses, naming the purposes it serves. */
export async function checkLlm(config: RepoConfig, root: string): Promise<DoctorCheck[]> {
  const byBackend = new Map<string, LlmPurpose[]>();
  for (const p of LLM_PURPOSES) byBackend.set(backendNameFor(p, config), [...(byBackend.get(backendNameFor(p, config)) ?? []), p]);
  return Promise.all(
    [...byBackend].map(([backend, purposes]) => {
      const name = `llm.${backend}`;
      const serves = `llm=${backend} (${purposes.join(", ")})`;
      if (backend === "claude" || backend === "codex" || backend === "gemini") return checkCli(backend, name, serves, config, root);
      if (backend === "script") return Promise.resolve(checkScript(name, serves, config, root));
      return Promise.resolve(fail(name, "critical", `${serves}: unknown backend '${backend}' (known: ${KNOWN_BACKENDS.join(", ")})`, "skep config llm claude"));
    }),
  );
}

/** Each CLI's `--version` line: "2.1.197 (Claude Code)", "codex-cli 0.171.0", "0.61.0" (Gemini CLI). */
const VERSION_LINE: Record<CliBackend, { re: RegExp; product: string }> = {
  claude: { re: /^(\d+\.\d+\.\d+\S*)\s+\(Claude Code\)/m, product: "Claude Code" },
  codex: { re: /^codex-cli\s+(\d+\.\d+\.\d+\S*)/m, product: "Codex CLI" },
  gemini: { re: /^(\d+\.\d+\.\d+\S*)\s*$/m, product: "Gemini CLI" },
};

async function checkCli(backend: CliBackend, name: string, serves: string, config: RepoConfig, root: string): Promise<DoctorCheck> {
  const found = resolveCli(backend, config, root);
  if ("problem" in found) return fail(name, "critical", `${serves}: ${found.problem}`, found.fix);
  const { path, from } = found;
  const install = INSTALL[backend];
  const { re, product } = VERSION_LINE[backend];
  let r: Awaited<ReturnType<typeof runVersion>>;
  if (backend === "gemini") {
    // `gemini --version` writes into its home and starts a 96 MB bundle: a throw-away home, and time.
    const home = makeCliHome("gemini");
    try {
      r = await runVersion([path, "--version"], root, 30_000, { ...process.env, GEMINI_CLI_HOME: home.dir });
    } finally {
      home.dispose();
    }
  } else r = await runVersion([path, "--version"], root);
  if (!r.ok) return fail(name, "critical", `${serves}: ${path}: ${r.reason}`, install);
  const m = re.exec(r.output);
  if (!m) return fail(name, "critical", `${serves}: ${path} --version printed no ${product} version: '${oneLine(r.output, 60) || "(nothing)"}'`, install);
  return ok(name, "critical", `${serves}: ${product} ${m[1]} at ${path}${from === "the PATH" ? "" : ` (from ${from})`}`);
}

function checkScript(name: string, serves: string, config: RepoConfig, root: string): DoctorCheck {
  if (!config.llm_script) return fail(name, "critical", `${serves}: llm_script is not set (the JSON file of answers to replay)`, "skep config llm_script <file>");
  const file = resolve(root, config.llm_script);
  let parsed: z.ZodSafeParseResult<ScriptFile>;
  try {
    parsed = ScriptFile.safeParse(JSON.parse(readFileSync(file, "utf8")));
  } catch (err) {
    return fail(name, "critical", `${serves}: ${file} cannot be read as JSON (${oneLine((err as Error).message, 80)})`, "fix the file, or point llm_script elsewhere");
  }
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return fail(name, "critical", `${serves}: ${file} is not an answers script (${i?.path.join(".") || "top"}: ${i?.message})`, "see docs/cli.md, \"The script backend\"");
  }
  return ok(name, "critical", `${serves}: replays ${parsed.data.answers.length} answer${parsed.data.answers.length === 1 ? "" : "s"} from ${file} (not a model)`);
}

export async function checkGit(cwd: string): Promise<DoctorCheck> {
  // Every git repo needs it: file lists, HEAD, and the worktrees tasks run in.
  const r = await runVersion(["git", "--version"], cwd);
  if (!r.ok) return fail("git", "critical", r.reason, "install git and put it on the PATH");
  return ok("git", "critical", oneLine(r.output));
}

/**
 * tmux is optional: `skep daemon start` uses a hidden tmux session when tmux is installed and runs
 * the daemon detached otherwise; tasks run headless in worktrees, and a daemon inside tmux also
 * shows them in panes (`tmux_layout`, src/cockpit/panes.ts), nothing without it. So tmux is
 * never critical. What does need a recent tmux is a popup: the cockpit's keys, and a
 * `tmux_layout: popup`; both need tmux 3.2, a warning when it is older or missing.
 */
export async function checkTmux(config: RepoConfig, cwd: string): Promise<DoctorCheck> {
  const cockpit = cockpitStatus();
  const needs = [...(cockpit.installed ? [`the cockpit (${cockpit.conf_path})`] : []), ...(config.tmux_layout === "popup" ? ["tmux_layout 'popup'"] : [])];
  if (process.env.SKEP_NO_TMUX === "1" && !needs.length) return ok("tmux", "info", "not used (SKEP_NO_TMUX=1: the daemon runs detached)");
  const r = await runVersion(["tmux", "-V"], cwd);
  if (!r.ok) {
    const what = r.notFound ? "not installed" : r.reason;
    const also = needs.length ? `; ${needs.join(" and ")} cannot work` : "";
    return fail("tmux", "warning", `${what}: \`skep daemon start\` runs the daemon detached instead of in a tmux session${also}`, "install tmux (3.2 or later)");
  }
  const version = oneLine(r.output);
  const m = /(\d+)\.(\d+)/.exec(version);
  const before32 = m !== null && (Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 2));
  if (before32 && needs.length) return fail("tmux", "warning", `${version}: ${needs.join(" and ")} need${needs.length === 1 ? "s" : ""} tmux 3.2 or later (popups)`, "upgrade tmux");
  return ok("tmux", "warning", version);
}

export async function checkCtags(cwd: string): Promise<DoctorCheck> {
  // skep parses with tree-sitter; ctags is only the baseline `npm run bench:index` compares with.
  const r = await runVersion(["ctags", "--version"], cwd);
  const note = "optional: only `npm run bench:index` uses it, as its baseline";
  if (!r.ok) return fail("ctags", "info", `${r.notFound ? "not installed" : r.reason} (${note})`, null);
  const first = oneLine(r.output.split("\n")[0] ?? "", 60);
  if (!/universal ctags/i.test(first)) return fail("ctags", "info", `${first}: not universal-ctags (${note})`, null);
  return ok("ctags", "info", `${first.replace(/,.*$/, "")} (${note})`);
}

export function checkOs(): DoctorCheck {
  const wsl = /microsoft/i.test(release()) ? ", WSL" : "";
  const what = `${process.platform} ${release()} ${arch()}${wsl}`;
  // flock(2), Unix sockets, process groups and /proc (or kill(0)) are what the daemon and tasks rely on.
  if (process.platform === "linux" || process.platform === "darwin") return ok("os", "warning", what);
  return fail("os", "warning", `${what}: skep is built and tested for Linux and macOS only`, null);
}

export function checkSkep(): DoctorCheck {
  const cmd = selfCommand();
  const how = cmd.length === 1 ? `binary ${cmd[0]}` : `${cmd[1]} on bun ${Bun.version}`;
  return ok("skep", "info", `skep ${VERSION} (${how})`);
}

// `skep init`: set a repo up: `.skep/`, config, git exclude, the index, the workspace registry.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { mkdirSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { isBareRepo, trackedUnder } from "../../git/repo.ts";
import { CommandFailed } from "../../errors.ts";
import { reexecForColdBuild } from "../cold-build.ts";
import { repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";

/**
 * What the command needs past its first checks, imported then: a repo seen for the first time
 * re-executes itself before (cold-build.ts), and would load all of it twice (0.2 CPU-s).
 */
async function initParts() {
  const [guard, config, testCommand, control, fallback, paths, exclude, trust, values, protocol, registry, ownership, index, select] = await Promise.all([
    import("../init-guard.ts"),
    import("../../config/config.ts"),
    import("../../config/test-command.ts"),
    import("../../client/control.ts"),
    import("../../api/fallback.ts"),
    import("../../repo/daemon-paths.ts"),
    import("../../git/exclude.ts"),
    import("../../trust/store.ts"),
    import("../../trust/repo-values.ts"),
    import("../../protocol/config.ts"),
    import("../../workspace/registry.ts"),
    import("../../trust/ownership.ts"),
    import("./index-run.ts"),
    import("../../llm/select.ts"),
  ]);
  const { configPath, readConfig, writeConfig } = config;
  const { findWorkspace, registerRepo, registryPath, requireSafeWorkspace } = registry;
  return {
    refuseInit: guard.refuseInit,
    configPath,
    readConfig,
    writeConfig,
    detectTestCommand: testCommand.detectTestCommand,
    startDaemon: control.startDaemon,
    daemonWanted: fallback.daemonWanted,
    daemonPaths: paths.daemonPaths,
    excludeSkepDir: exclude.excludeSkepDir,
    trustState: trust.trustState,
    repoValues: values.repoValues,
    untrustedReason: values.untrustedReason,
    RepoConfig: protocol.RepoConfig,
    findWorkspace,
    registerRepo,
    registryPath,
    requireSafeWorkspace,
    UnsafePath: ownership.UnsafePath,
    buildIndex: index.buildIndex,
    printIndexAnswer: index.printIndexAnswer,
    CLI_BACKENDS: select.CLI_BACKENDS,
  };
}

function isInside(root: string, dir: string): boolean {
  const rel = relative(root, dir);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

export const initCommand = defineCommand({
  meta: TOP.init,
  args: {
    workspace: { type: "string", description: "Create (or use) a workspace at this directory and register the repo there", valueHint: "dir" },
    "allow-non-git": { type: "boolean", description: "Index a folder that is not a git repo (search and MCP only: tasks need git)" },
    daemon: { type: "boolean", description: "Start the repo's daemon at the end (--no-daemon to skip; SKEP_NO_DAEMON=1 too)", default: true },
    ...repoArgs,
  } as const,
  async run({ args }) {
    const ctx = repoContext(args.repo);
    if (!ctx.isGit && isBareRepo(ctx.root)) throw new CommandFailed(`${ctx.root} is a bare git repository: it has no work tree to index; run skep init in a clone or worktree of it`);
    // A repo seen for the first time: the whole command runs in a process tuned for a cold build
    // (before anything is written, so every line is printed once).
    reexecForColdBuild(ctx.dbPath, ctx.root);
    const { refuseInit, configPath, readConfig, writeConfig, detectTestCommand, startDaemon, daemonWanted, daemonPaths, excludeSkepDir, trustState, repoValues, untrustedReason, RepoConfig, findWorkspace, registerRepo, registryPath, requireSafeWorkspace, UnsafePath, buildIndex, printIndexAnswer, CLI_BACKENDS } =
      await initParts();
    refuseInit(ctx, { allowNonGit: Boolean(args["allow-non-git"]), workspace: args.workspace ? resolve(args.workspace) : null });
    // .skep/ is per machine: a tracked one arrives with every clone (config, tasks.db), so whatever
    // it holds was chosen by the repo, not by this user.
    const tracked = ctx.isGit ? trackedUnder(ctx.root, relative(ctx.root, ctx.skepDir) || ".skep") : [];
    if (tracked.length && isInside(ctx.root, ctx.skepDir)) {
      const shown = tracked.slice(0, 3).join(", ") + (tracked.length > 3 ? `, … (${tracked.length} files)` : "");
      throw new CommandFailed(`.skep/ is tracked by git (${shown}): skep's state is per machine and never comes with a clone; untrack it (git rm -r --cached .skep && git commit) and run skep init again`);
    }
    mkdirSync(ctx.skepDir, { recursive: true, mode: 0o700 });

    const existing = readConfig(ctx.skepDir);
    // Relative to the repo when .skep/ is inside it (the usual case), else absolute (SKEP_DIR elsewhere).
    const shown = relative(ctx.root, configPath(ctx.skepDir));
    const configShown = shown.startsWith("..") || isAbsolute(shown) ? configPath(ctx.skepDir) : shown;
    let testCmd: string | null;
    if (existing) {
      testCmd = existing.test_cmd;
      console.log(`Config:     ${configShown} (kept; test command: ${existing.test_cmd ?? "none"})`);
    } else {
      // The LLM CLIs on the PATH: the first of claude, codex, gemini found answers every purpose.
      const found = CLI_BACKENDS.filter((b) => Bun.which(b) !== null);
      const config = RepoConfig.parse({ test_cmd: detectTestCommand(ctx.root), ...(found[0] ? { llm: found[0] } : {}) });
      writeConfig(ctx.skepDir, config);
      testCmd = config.test_cmd;
      console.log(`Config:     wrote ${configShown} (test command: ${config.test_cmd ?? "none detected"})`);
      if (found.length === 0) console.log(`LLM:        no LLM CLI (${CLI_BACKENDS.join(", ")}) on the PATH; tasks need one: install it, or set claude_bin, codex_bin or gemini_bin`);
      else {
        const others = found.slice(1).map((b) => `skep config llm ${b}`);
        console.log(`LLM:        ${found.join(", ")} on the PATH; using ${found[0]}${others.length ? ` (or ${others.join(", or ")}; per purpose: llm_classify, llm_plan, llm_step)` : ""}`);
      }
    }
    // A test command never runs on its own: the user trusts it on this machine first.
    if (testCmd && trustState(ctx.root, testCmd) !== "trusted") console.log(`Tests:      tasks will not run \`${testCmd}\` until you trust it: skep trust`);
    // Nor does an LLM CLI (or a provider URL) named by a config that was already here.
    const untrusted = existing ? repoValues(existing, ctx.root).filter((v) => v.key !== "test_cmd" && v.state !== "trusted") : [];
    for (const v of untrusted) console.log(`LLM:        ${untrustedReason(v)}`);

    if (ctx.isGit && excludeSkepDir(ctx.root)) console.log("Git:        added .skep/ to .git/info/exclude");

    // Asked again: .skep/ was made above, and is checked as it is now.
    const answer = await buildIndex(repoContext(ctx.root), false);
    printIndexAnswer(answer);

    let ws: string | null = null;
    let refused = false;
    try {
      ws = args.workspace ? resolve(args.workspace) : findWorkspace(ctx.root);
      if (ws) requireSafeWorkspace(ws);
    } catch (err) {
      if (!(err instanceof UnsafePath)) throw err;
      // Another user's registry above this repo: never written to, and said so.
      console.log(`Workspace:  not registered: ${err.message}`);
      ws = null;
      refused = true;
    }
    if (ws) {
      const name = registerRepo(ws, ctx.root);
      console.log(`Workspace:  registered as '${name}' in ${registryPath(ws)}`);
    } else if (!refused) {
      console.log("Workspace:  none found above this repo (use --workspace DIR to create one)");
    }

    if (args.daemon && daemonWanted()) {
      const r = await startDaemon(daemonPaths(ctx.root, ctx.skepDir));
      if (r.how === "already") console.log(`Daemon:     already running (pid ${r.info.pid})`);
      else console.log(`Daemon:     started ${r.how === "tmux" ? `in tmux session '${r.session}'` : `detached (log: ${relative(process.cwd(), join(ctx.skepDir, "logs", "daemon.log"))})`}, pid ${r.info.pid}`);
    } else {
      console.log("Daemon:     not started (run `skep daemon start` to keep the index warm)");
    }
  },
});

// The README's main job (`npm run demo`, after `bun run build`): run the real dist/skep binary
//
//   1. on this very repo: init (index, config), search, a call graph, the repo map;
//   2. on a throwaway git repo in a temp dir: a task from description to commits on its own
//      branch, with the LLM replaced by the `script` backend, which replays the answers in
//      scripts/demo/answers.json. No model is asked anything; every token figure shown comes from
//      that file. A real run uses `"llm": "claude"` (the Claude Code CLI) instead.
//
// Every child runs with SKEP_NO_DAEMON=1 (nothing is left running) and SKEP_HOME inside the temp
// dir (the test-command trust store of the person running the demo is not touched). The temp dir
// is removed at the end, on failure and on Ctrl-C too.
//
//   bun scripts/demo.ts [--keep]      (--keep: leave the temp dir for a look around; its path is printed)
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PROJECT = resolve(import.meta.dir, "..");
const SKEP = join(PROJECT, "dist/skep");
const ANSWERS = join(PROJECT, "scripts/demo/answers.json");
const BANNER = "LLM: script backend (replayed answers from scripts/demo/answers.json), not a model";
const KEEP = process.argv.includes("--keep");

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s: string) => (colour ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (colour ? `\x1b[2m${s}\x1b[0m` : s);

let tmp: string | null = null;
let child: ReturnType<typeof Bun.spawn> | null = null;

function cleanUp(): void {
  if (!tmp) return;
  if (KEEP) console.log(dim(`(kept ${tmp})`));
  else rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}

// Ctrl-C reaches the child too (same process group); wait for it, then remove the temp dir.
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, async () => {
    if (child) await child.exited;
    cleanUp();
    process.exit(130);
  });
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\$`])/g, "\\$1")}"`;
}

/** Print `$ <command>` (with a note), run it with inherited output, and fail the demo on an unexpected exit code. */
async function run(cmd: string[], opts: { cwd: string; env: Record<string, string>; note?: string; shown?: string; expect?: number }): Promise<void> {
  const shown = opts.shown ?? ["skep", ...cmd.slice(1)].map(quote).join(" ");
  console.log(`\n${bold(`$ ${shown}`)}${opts.note ? `   ${dim(opts.note)}` : ""}`);
  child = Bun.spawn(cmd, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdin: "ignore", stdout: "inherit", stderr: "inherit" });
  const code = await child.exited;
  child = null;
  if (code !== (opts.expect ?? 0)) throw new Error(`\`${shown}\` exited ${code}`);
}

function git(cwd: string, args: string[]): void {
  // Commit without the user's hooks or signing: this repo exists for a minute.
  const r = Bun.spawnSync(["git", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.stderr.toString().trim()}`);
}

function section(title: string): void {
  console.log(`\n${bold(`== ${title}`)}`);
}

async function thisRepo(): Promise<void> {
  section("skep on this repo: index, search, call graph, repo map");
  const env = { SKEP_NO_DAEMON: "1" };
  await run([SKEP, "init"], { cwd: PROJECT, env, note: "(SKEP_NO_DAEMON=1: no daemon is started)" });
  await run([SKEP, "search", "index", "repo", "--limit", "5"], { cwd: PROJECT, env });
  await run([SKEP, "callers", "indexRepo"], { cwd: PROJECT, env });
  await run([SKEP, "map", "--tokens", "400"], { cwd: PROJECT, env });
}

async function tasks(): Promise<void> {
  tmp = mkdtempSync(join(tmpdir(), "skep-demo-"));
  const repo = join(tmp, "hello");
  const home = join(tmp, "home");
  mkdirSync(join(repo, "src"), { recursive: true });
  mkdirSync(home, { mode: 0o700 });

  section("a task, end to end, in a throwaway repo");
  console.log(bold(`*** ${BANNER} ***`));
  console.log(
    dim(
      [
        "The classifier's, planner's and steps' answers, their file edits and their token counts all come",
        "from that file; everything else (dedup, gate, worktree, commits, test command, symbol diff, ledger)",
        `is the real skep. Repo: ${repo}`,
      ].join("\n"),
    ),
  );

  writeFileSync(join(repo, "src/greet.ts"), '/** Greets someone by name. */\nexport function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n');
  writeFileSync(
    join(repo, "src/main.ts"),
    'import { greet } from "./greet.ts";\n\nexport function main(args: string[]): void {\n  console.log(greet(args[0] ?? "world"));\n}\n',
  );
  git(repo, ["init", "-q", "-b", "main"]);
  git(repo, ["config", "user.name", "skep demo"]);
  git(repo, ["config", "user.email", "demo@skep.invalid"]);
  git(repo, ["add", "-A"]);
  git(repo, ["commit", "-q", "--no-verify", "-m", "greet and main"]);

  const env = { SKEP_NO_DAEMON: "1", SKEP_HOME: home };
  const scripted = `(${BANNER})`;
  await run([SKEP, "init", "--no-daemon"], { cwd: repo, env });

  // The script backend records which answers it used beside the script: replay a copy, so the
  // checkout stays clean and the next demo starts from the first answer again.
  const answers = join(tmp, "answers.json");
  copyFileSync(ANSWERS, answers);
  const configPath = join(repo, ".skep/config.json");
  const config = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
  Object.assign(config, {
    llm: "script",
    llm_script: answers,
    // A stand-in for a test suite that runs anywhere skep does: whitespace errors and conflict
    // markers in the task's changes against main.
    test_cmd: "git diff --check main",
  });
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  console.log(`\n${bold("# .skep/config.json now has:")} "llm": "script", "llm_script": "${answers}", "test_cmd": "git diff --check main"`);
  console.log(dim(`  (${answers} is a copy of scripts/demo/answers.json)`));

  await run([SKEP, "trust", "--yes"], { cwd: repo, env, note: `(trust store: ${home}/trusted-repos.json, not your ~/.skep)` });
  await run([SKEP, "task", "create", "Add a farewell function next to greet and make main print it"], { cwd: repo, env, note: scripted });
  await run([SKEP, "tasks"], { cwd: repo, env });
  await run([SKEP, "task", "approve", "1"], { cwd: repo, env });
  await run([SKEP, "task", "run", "1"], { cwd: repo, env, note: scripted });
  await run(["git", "log", "--oneline", "--all"], { cwd: repo, env, shown: "git log --oneline --all" });
  await run([SKEP, "task", "show", "1"], { cwd: repo, env, note: scripted });
  await run([SKEP, "cost"], { cwd: repo, env, note: scripted });
  console.log(`\n${bold(`*** ${BANNER}: the figures above are the script's, not a model's ***`)}`);
}

async function main(): Promise<void> {
  if (!existsSync(SKEP)) throw new Error(`${SKEP} is missing: run \`bun run build\` first (npm run demo does both)`);
  await thisRepo();
  await tasks();
  console.log(`\n${bold("Demo done.")} Try it on your own repo: skep init, then skep task create "..." (with Claude Code installed).`);
}

try {
  await main();
} catch (err) {
  console.error(`\ndemo failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  cleanUp();
}

// `skep task <verb>` and `skep tasks`: create, inspect, decide on and run tasks. Through the
// repo's daemon when it runs, in this process otherwise (the repo's SkepApi, src/api/api.ts).
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { type Done, TaskClient, type Via } from "../../api/task-client.ts";
import { openApi } from "../../api/api.ts";
import { Task, TaskCreateAnswer, TaskDeleteAnswer, TERMINAL_STATUSES } from "../../protocol/tasks.ts";
import { TaskNotFound, withTaskStore } from "../../tasks/store.ts";
import { taskFiles } from "../../tasks/paths.ts";
import { mergedInto } from "../../tasks/merged.ts";
import { findScope, oldestWaiting } from "../../cockpit/snapshot.ts";
import { findTaskPane, jumpToPane, paneTitle, tmuxReachable } from "../../cockpit/panes.ts";
import { findWorkspace, workspaceRepos } from "../../workspace/registry.ts";
import { join, resolve } from "node:path";
import { confirm } from "../confirm.ts";
import { followLog } from "../task-logs.ts";
import { CommandFailed, UsageError } from "../../errors.ts";
import { TaskList } from "../../protocol/cli-answers.ts";
import { printJson } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { type RepoContext, taskRepoContext } from "../../repo/repo.ts";
import { createSummary, listRow, listWidth, showTask } from "../task-print.ts";

const idArg = { id: { type: "positional", description: "Task id (as in `skep tasks`)", required: true } } as const;

function parseId(raw: unknown): number {
  const id = Number(String(raw).replace(/^#/, ""));
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`'${raw}' is not a task id (a positive number, as in \`skep tasks\`)`);
  return id;
}

/**
 * Open the task API, run `fn`, close it. A refused operation is a SkepError, from this process or
 * the daemon alike: main.ts prints its one line and exits with its code (2 for bad params, else 1).
 */
async function withTasks<T>(repo: string | undefined, fn: (api: TaskClient, ctx: RepoContext) => Promise<T>): Promise<T> {
  const ctx = taskRepoContext(repo);
  const api = await openApi(ctx, ctx, "command");
  try {
    return await fn(api.tasks, ctx);
  } finally {
    await api.close();
  }
}

const progressPrinter = (json: boolean) => (json ? undefined : (message: string) => console.error(`◠  ${message}`));

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError("`task create -` reads the description from stdin, but stdin is a terminal");
  return (await Bun.stdin.text()).trim();
}

const create = defineCommand({
  meta: { name: "create", description: "Describe a task in one sentence ('-' reads it from stdin): dedup, classify, plan, gate" },
  args: {
    description: { type: "positional", description: "What to do, or - for stdin", required: true, variadic: true },
    "dry-run": { type: "boolean", description: "Classify and plan, but store nothing" },
    ...repoArgs,
    ...jsonArg,
  } as const,
  async run({ args }) {
    const description = String(args.description) === "-" ? await readStdin() : String(args.description).trim();
    if (!description) throw new UsageError("the task description is empty");
    await withTasks(args.repo, async (api) => {
      const progress = progressPrinter(!!args.json);
      const { value: r, via } = await api.create(description, { dryRun: !!args["dry-run"], wait: true, onProgress: progress });
      // The pipeline stopped here: the command failed, whatever the task was left as.
      if (r.classifyError) throw r.classifyError;
      if (args.json) return printJson(TaskCreateAnswer, r);
      if (r.duplicate) {
        console.log(`Duplicate (${r.duplicate.layer}): ${r.duplicate.reason}`);
        console.log("nothing was created");
        return;
      }
      if (!r.task) return;
      if (r.dryRun) console.log("(dry-run) nothing was stored; the LLM calls were recorded in the ledger");
      console.log(createSummary(r.task, via, r.dryRun));
    });
  },
});

const show = defineCommand({
  meta: { name: "show", description: "A task: status, class, reason, plan, steps, branch, tokens, result" },
  args: { ...idArg, ...repoArgs, ...jsonArg } as const,
  async run({ args }) {
    const id = parseId(args.id);
    await withTasks(args.repo, async (api, ctx) => {
      const { value: t } = await api.show(id);
      if (args.json) return printJson(Task, t);
      console.log(showTask(t, ctx.skepDir, ctx.root));
    });
  },
});

async function printList(repo: string | undefined, all: boolean, json: boolean): Promise<void> {
  if (all) return printWorkspaceList(repo, json);
  await withTasks(repo, async (api, ctx) => {
    const { value: tasks } = await api.list();
    if (json) return printJson(TaskList, tasks);
    if (!tasks.length) console.log("no tasks (create one: skep task create \"...\")");
    for (const t of tasks) console.log(listRow(t, undefined, listWidth(), isMergedDone(ctx.root, t)));
  });
}

/** A done task whose commits are all in its base branch: `skep tasks` says "done (merged)". */
function isMergedDone(root: string, t: Task): boolean {
  return t.status === "done" && mergedInto(root, t) !== null;
}

/** `--all`: every repo of the workspace, read from each repo's task store. */
async function printWorkspaceList(repo: string | undefined, json: boolean): Promise<void> {
  const ctx = taskRepoContext(repo);
  const ws = findWorkspace(ctx.root);
  const repos = ws ? workspaceRepos(ws) : [{ name: "this repo", path: ctx.root }];
  const rows = repos.flatMap((r) => withTaskStore(join(r.path, ".skep"), (store) => store.list().map((t) => ({ ...t, repo: r.name, path: r.path }))) ?? []);
  if (json) return printJson(TaskList, rows.map(({ path: _, ...t }) => t));
  if (!rows.length) console.log(ws ? `no tasks in the workspace at ${ws}` : "no tasks (and no workspace above this repo)");
  for (const t of rows) console.log(listRow(t, t.repo, listWidth(), isMergedDone(t.path, t)));
}

const listArgs = { all: { type: "boolean", description: "Every repo in the workspace" }, ...repoArgs, ...jsonArg } as const;

const list = defineCommand({
  meta: { name: "list", alias: "ls", description: "This repo's tasks (--all: the whole workspace)" },
  args: listArgs,
  run: ({ args }) => printList(args.repo, !!args.all, !!args.json),
});

export const tasksCommand = defineCommand({
  meta: TOP.tasks,
  args: listArgs,
  run: ({ args }) => printList(args.repo, !!args.all, !!args.json),
});

function simpleVerb(name: string, description: string, act: (api: TaskClient, id: number) => Promise<Done<Task>>, say: (t: Task, via: Via) => string) {
  return defineCommand({
    meta: { name, description },
    args: { ...idArg, ...repoArgs, ...jsonArg } as const,
    async run({ args }) {
      const id = parseId(args.id);
      await withTasks(args.repo, async (api) => {
        const { value: t, via } = await act(api, id);
        if (args.json) return printJson(Task, t);
        console.log(say(t, via));
      });
    },
  });
}

const approve = simpleVerb(
  "approve",
  "Approve a task's plan for execution",
  (api, id) => api.approve(id),
  (t, via) => `Task #${t.id} approved; ${via === "daemon" ? "the daemon will execute it" : `run: skep task run ${t.id} (or start the daemon)`}`,
);

const reject = defineCommand({
  meta: { name: "reject", description: "Reject a task (final)" },
  args: { ...idArg, reason: { type: "string", description: "Why (recorded with the task)" }, ...repoArgs, ...jsonArg } as const,
  async run({ args }) {
    const id = parseId(args.id);
    await withTasks(args.repo, async (api) => {
      const { value: t } = await api.reject(id, args.reason);
      if (args.json) return printJson(Task, t);
      console.log(`Task #${t.id} rejected`);
    });
  },
});

const clarify = defineCommand({
  meta: { name: "clarify", description: "Send a task's answered questions (.skep/tasks/<id>/clarify.md) back through classify and plan" },
  args: { ...idArg, ...repoArgs, ...jsonArg } as const,
  async run({ args }) {
    const id = parseId(args.id);
    await withTasks(args.repo, async (api) => {
      const { value: t, via } = await api.clarify(id, { onProgress: progressPrinter(!!args.json) });
      if (args.json) return printJson(Task, t);
      console.log(createSummary(t, via));
    });
  },
});

function runCommand(name: "run" | "resume", description: string) {
  return defineCommand({
    meta: { name, description },
    args: {
      ...idArg,
      detach: { type: "boolean", description: "With a daemon: queue it and return at once (default: follow until it ends)" },
      ...repoArgs,
      ...jsonArg,
    } as const,
    async run({ args }) {
      const id = parseId(args.id);
      await withTasks(args.repo, async (api) => {
        const { value: shown, via } = await api.show(id);
        const runnable = ["approved", "failed", "interrupted", "queued"].includes(shown.status);
        if (via === "local" && runnable && !args.json) console.error(`◠  no daemon runs: executing task #${id} here (Ctrl-C interrupts it; resume later)`);
        const { value: t } = await api.run(id, { follow: !args.detach, onProgress: progressPrinter(!!args.json) });
        // A run that ends anywhere but done is a failure for scripts, whatever the output format.
        if (TERMINAL_STATUSES.includes(t.status) && t.status !== "done") process.exitCode = 1;
        if (args.json) return printJson(Task, t);
        if (!TERMINAL_STATUSES.includes(t.status)) return console.log(`Task #${t.id} ${t.status}; follow it: skep task logs -f ${t.id}`);
        console.log(`Task #${t.id} ${t.status}: ${(t.result ?? t.reason ?? "").split("\n")[0]}`);
        if (t.status === "done" && t.branch) console.log(`review: git diff ${t.baseBranch ?? t.baseCommit?.slice(0, 10)}...${t.branch}   merge: git merge ${t.branch}`);
      });
    },
  });
}

const interrupt = simpleVerb(
  "interrupt",
  "Stop a running or queued task; it keeps its worktree and branch for `task resume`",
  (api, id) => api.interrupt(id),
  (t) => `Task #${t.id} ${t.status}${t.status === "interrupted" ? `; resume with: skep task resume ${t.id}` : ""}`,
);

const done = simpleVerb("done", "Mark a task done by hand", (api, id) => api.done(id), (t) => `Task #${t.id} marked done`);

const jumpPending = defineCommand({
  meta: { name: "jump-pending", description: "The oldest task of the workspace waiting for a person: shown, with the commands that answer it" },
  args: { ...repoArgs } as const,
  async run({ args }) {
    const scope = findScope(resolve(args.repo || process.cwd()));
    if (scope.kind === "none") throw new CommandFailed(`no skep workspace or repo at ${resolve(args.repo || process.cwd())}`);
    const waiting = await oldestWaiting(scope);
    if (!waiting) return console.log("no task is waiting for a person");
    const { repo, task } = waiting;
    const at = `--repo ${repo.path}`;
    console.log(`${repo.name} ${showTask(task, repo.skepDir, repo.path)}`);
    console.log("");
    if (task.status === "pending_clarification") console.log(`answer: edit ${taskFiles(repo.skepDir, task.id).clarify}, then skep task clarify ${task.id} ${at}`);
    else console.log(`approve: skep task approve ${task.id} ${at}\nreject:  skep task reject ${task.id} ${at} --reason '...'`);
  },
});

const del = defineCommand({
  meta: { name: "delete", description: "Delete a task, its files, worktree and branch (asks first)" },
  args: {
    ...idArg,
    yes: { type: "boolean", alias: "y", description: "Do not ask" },
    "keep-branch": { type: "boolean", description: "Keep the task's git branch" },
    ...repoArgs,
    ...jsonArg,
  } as const,
  async run({ args }) {
    const id = parseId(args.id);
    await withTasks(args.repo, async (api) => {
      const { value: t } = await api.show(id);
      const question = `Delete task #${t.id} ${t.name} (${t.status})${t.branch && !args["keep-branch"] ? ` and its branch ${t.branch}` : ""}?`;
      if (!args.yes && !(await confirm(question, "delete"))) return console.log("not deleted");
      const { value: r } = await api.delete(id, !args["keep-branch"]);
      if (args.json) return printJson(TaskDeleteAnswer, r);
      console.log(`Task #${id} deleted${r.branchDeleted ? ` (branch ${t.branch} deleted)` : ""}`);
    });
  },
});

const logs = defineCommand({
  meta: { name: "logs", description: "A task's log: progress and the LLM's output (-f follows it live)" },
  args: {
    ...idArg,
    follow: { type: "boolean", alias: "f", description: "Keep printing until the task ends" },
    hold: { type: "boolean", description: "With -f: then say how the task ended and wait for Enter (what a task pane runs)" },
    ...repoArgs,
  } as const,
  async run({ args }) {
    const id = parseId(args.id);
    if (args.hold && !args.follow) throw new UsageError("--hold goes with --follow (-f)");
    const ctx = taskRepoContext(args.repo);
    const code = await followLog(ctx, id, { follow: !!args.follow, hold: !!args.hold });
    if (code) process.exitCode = code;
  },
});

const attach = defineCommand({
  meta: { name: "attach", description: "Jump to a task's tmux pane (inside tmux); otherwise follow its log here" },
  args: { ...idArg, ...repoArgs } as const,
  async run({ args }) {
    const id = parseId(args.id);
    const ctx = taskRepoContext(args.repo);
    // The task must exist here, whatever tmux says.
    let task: Task | null;
    try {
      task = withTaskStore(ctx.skepDir, (store) => store.get(id), { readOnly: true });
    } catch (err) {
      if (err instanceof TaskNotFound) throw new CommandFailed(err.message);
      throw err;
    }
    if (!task) throw new CommandFailed(new TaskNotFound(id).message);
    if (tmuxReachable()) {
      const found = await findTaskPane(ctx.root, id);
      if (found) {
        const r = await jumpToPane(found.pane);
        if (r.code !== 0) throw new CommandFailed(`tmux could not switch to the pane ${found.pane} of task #${id}: ${r.stderr}`);
        return console.log(`task #${id}: pane ${found.pane} (${paneTitle(id, task.name)}) in session ${found.session}`);
      }
      console.error(`◠  task #${id} has no pane open (tmux_layout none or popup, it never executed, or its pane was closed): following its log here`);
    }
    const code = await followLog(ctx, id, { follow: true, hold: false });
    if (code) process.exitCode = code;
  },
});

export const taskCommand = defineCommand({
  meta: TOP.task,
  subCommands: {
    create,
    show,
    list,
    approve,
    reject,
    clarify,
    run: runCommand("run", "Execute an approved task (through the daemon, or here when none runs)"),
    interrupt,
    resume: runCommand("resume", "Continue a failed or interrupted task from its first unfinished step"),
    logs,
    attach,
    delete: del,
    done,
    "jump-pending": jumpPending,
  },
});

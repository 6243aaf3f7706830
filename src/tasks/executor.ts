// Execute an approved task: its own branch in its own worktree (the user's checkout is never
// touched), one LLM call per step, a commit per step that changed files, one retry with the error,
// the first failure stops the task. Then the test command (only when the user trusts it), a
// symbol-level diff of the branch against its base, result.md, and the final state. A `delegate`
// step makes no LLM call here: delegate.ts runs it through the peer repo's daemon.
import { appendFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkoutChanges, checkoutState, pinWorktree, protectedChanges, protectedState } from "../git/guard.ts";
import { render } from "../llm/prompts.ts";
import { modelForBackend } from "../llm/select.ts";
import type { Task, TaskStep } from "../protocol/tasks.ts";
import { addWorktree, commitAll, currentBranch, removeWorktree, resolveCommit, slugify } from "../git/worktree.ts";
import { excludeSkepDir } from "../git/exclude.ts";
import { commitSubject, formatPlan, formatSteps, formatTokens } from "./format.ts";
import { parseDelegation, runDelegateStep } from "./delegate.ts";
import { runSafely, type TaskDeps } from "./pipeline.ts";
import { branchName, ensureTaskDir, worktreePath, type TaskFiles } from "./paths.ts";
import { formatSymbolDiff, symbolDiff } from "./symbol-diff.ts";
import { runTestCommand } from "./test-run.ts";
import { trustState } from "../trust/store.ts";

export interface ExecuteOptions {
  /** Aborting interrupts the task: the running call is killed, the task becomes interrupted. */
  signal: AbortSignal;
  /** Raw output lines of the LLM CLI and the test command, for the live log. */
  onOutput?: (taskId: number, line: string) => void;
  /** The queue's slot (tasks/queue.ts): given up while a delegate step waits on a peer, taken back after. */
  parking?: Parking;
}

/** How a task hands its queue's slot on while it waits on a peer, and takes it back. */
export interface Parking {
  /** The task waits on a peer from now on: the queue may run the next task. */
  park(): void;
  /** The wait is over: resolves once the task holds the slot again (or `signal` aborted). */
  resume(signal: AbortSignal): Promise<void>;
}

type Outcome = { status: "done"; reason: string } | { status: "failed"; reason: string } | { status: "interrupted"; reason: string };

/**
 * Run task `id` (status queued) to a final state. Never throws for a task failure; returns the task.
 * Whatever fails once the task is executing (a full disk writing its files, git, the final record)
 * still ends it failed or interrupted with the reason: a task is never left executing under a
 * runner that has stopped working on it.
 */
export async function executeTask(deps: TaskDeps, id: number, opts: ExecuteOptions): Promise<Task> {
  const { store } = deps;
  store.transition(id, "executing", { from: ["queued"], patch: { runner_pid: process.pid } });
  let outcome: Outcome;
  let worktree: string | null = null;
  let files: TaskFiles | null = null;
  try {
    files = ensureTaskDir(deps.skepDir, id);
    const prepared = await prepareWorktree(deps, id);
    worktree = prepared.worktree;
    outcome = await runSteps(deps, id, worktree, files, opts);
    if (outcome.status === "done") outcome = await runTests(deps, id, worktree, opts);
  } catch (err) {
    outcome = opts.signal.aborted ? { status: "interrupted", reason: "interrupted" } : { status: "failed", reason: files ? (err as Error).message : `its files could not be written: ${(err as Error).message}` };
  }
  try {
    const task = store.get(id);
    // An interrupt answers once the task is stopped: it does not wait for a symbol diff.
    const diff = outcome.status === "interrupted" ? "Not computed: the task was interrupted." : await describeDiff(deps, task);
    if (files) writeResult(files, task, outcome, diff);
    store.transition(id, outcome.status, { reason: outcome.reason, patch: { result: summary(task, outcome), runner_pid: null } });
  } catch (err) {
    // result.md or the full record could not be written (a full disk): the state and the reason
    // still must be, in the smallest write there is.
    const reason = `${outcome.reason} (and its result could not be recorded: ${(err as Error).message})`;
    store.transition(id, outcome.status, { from: ["executing"], reason, patch: { runner_pid: null } });
    outcome = { ...outcome, reason };
  }
  // A finished task's worktree has nothing left to resume; its branch stays for review and merge.
  if (outcome.status === "done" && worktree) {
    try {
      await removeWorktree(deps.root, worktree, { force: true });
      store.patch(id, { worktree: null });
    } catch (err) {
      deps.progress?.(id, `the worktree ${worktree} could not be removed: ${(err as Error).message}`);
    }
  }
  deps.progress?.(id, `${outcome.status}: ${outcome.reason}`);
  return store.get(id);
}

/** Create (or, resuming, reuse) the task's branch and worktree from its base. */
async function prepareWorktree(deps: TaskDeps, id: number): Promise<{ worktree: string }> {
  const { store, root, config } = deps;
  const task = store.get(id);
  if (!task.plan || task.steps.length === 0) throw new Error("the task has no plan to execute");
  const slug = slugify(task.name);
  const baseBranch = task.baseBranch ?? config.base_branch ?? currentBranch(root);
  let baseCommit = task.baseCommit;
  if (!baseCommit) {
    const ref = baseBranch ?? "HEAD";
    try {
      baseCommit = resolveCommit(root, ref);
    } catch {
      throw new Error(`cannot start from ${ref}: the repository has no commit there (commit something first)`);
    }
  }
  const branch = task.branch ?? branchName(id, slug);
  // The worktree lives under .skep/: make sure the user's `git status` never shows it.
  excludeSkepDir(root);
  const wt = await addWorktree(root, { path: task.worktree ?? worktreePath(deps.skepDir, id, slug), branch, base: baseCommit });
  store.patch(id, { branch, base_branch: baseBranch, base_commit: baseCommit, worktree: wt.path });
  deps.progress?.(id, `${wt.created ? "created" : "reusing"} worktree ${wt.path} on branch ${branch}`);
  return { worktree: wt.path };
}

async function runSteps(deps: TaskDeps, id: number, worktree: string, files: TaskFiles, opts: ExecuteOptions): Promise<Outcome> {
  const { store, config } = deps;
  const task = store.get(id);
  const plan = task.plan!;
  const { backend } = deps.backends("step");
  // Found from the repository's record of its worktrees, before any step of this run: git never
  // learns where the repository is from the worktree's `.git`, which a step could rewrite.
  const pin = pinWorktree(deps.root, worktree);
  const gitLink = readFileSync(join(worktree, ".git"));
  for (const step of task.steps) {
    if (step.status === "done" || step.status === "skipped") continue;
    if (opts.signal.aborted) return interrupted(store, id, step);
    const label = `step ${step.seq}/${task.steps.length}: ${step.verb}${step.targetFile ? ` ${step.targetFile}` : ""}`;
    deps.progress?.(id, label, step.seq);
    if (step.verb === "delegate") {
      const r = await runDelegateStep(deps, id, step, { signal: opts.signal, label, parking: opts.parking });
      if (r.status !== "done") return r;
      continue;
    }
    store.updateStep(id, step.seq, { status: "running", error: null });
    const started = performance.now();
    // A verb's model that names a Claude alias means nothing to another CLI: its step default then.
    const model = modelForBackend(backend.name, config.step_model_by_verb[step.verb]) ?? deps.backends("step").model;
    let lastError: string | null = null;
    let done = false;
    for (let attempt = 1; attempt <= 2 && !done; attempt++) {
      const guarded = protectedState(worktree);
      const checkout = await checkoutState(deps.root);
      const prompt = stepPrompt(deps.root, task, plan, step, worktree, attempt === 2 ? lastError : null);
      writeFileSync(`${files.prompts}/step-${step.seq}${attempt === 2 ? "-retry" : ""}.md`, prompt);
      const res = await runSafely(backend, {
        purpose: "step",
        prompt,
        appendSystemPrompt: render("system", {}),
        model,
        cwd: worktree,
        mcpRepo: worktree,
        allowEdits: true,
        maxTurns: config.step_max_turns,
        timeoutMs: config.step_timeout_sec * 1000,
        signal: opts.signal,
        onLine: (line) => opts.onOutput?.(id, line),
      });
      store.recordCall({ taskId: id, stepSeq: step.seq, purpose: "step", attempt, result: res });
      if (res.aborted || opts.signal.aborted) return interrupted(store, id, step);
      const blocked = /^\s*BLOCKED:/m.exec(res.text) ? res.text.trim() : null;
      if (!res.ok || blocked) {
        lastError = (res.ok ? blocked : res.error) ?? "the call failed";
        store.updateStep(id, step.seq, { retries: attempt - 1, error: lastError });
        if (attempt === 1) deps.progress?.(id, `${label} failed (${oneLine(lastError)}); retrying once`, step.seq);
        continue;
      }
      // A step that touched the worktree's link to git (or skep's or submodules' files) is refused
      // outright, not retried: the link is put back so the worktree stays usable and removable.
      const touched = protectedChanges(guarded, protectedState(worktree));
      if (touched.length) {
        restoreGitLink(worktree, gitLink);
        const reason = `${label} ${touched.join(", ")}: a step may not create, change or delete .git, .skep or .gitmodules (nothing was committed)`;
        store.updateStep(id, step.seq, { status: "failed", retries: attempt - 1, error: reason, duration_ms: Math.round(performance.now() - started) });
        return { status: "failed", reason };
      }
      let sha: string | null;
      deps.progress?.(id, `${label}: committing`, step.seq);
      try {
        sha = await commitAll(worktree, commitSubject(id, step), { gitDir: pin.gitDir, signal: opts.signal });
      } catch (err) {
        // An interrupt kills the commit's git: the step's files stay in the worktree, and resuming
        // runs the step again and commits them.
        if (opts.signal.aborted) return interrupted(store, id, step);
        throw err;
      }
      const moved = checkoutChanges(checkout, await checkoutState(deps.root));
      if (moved.length) {
        const reason = `your checkout ${deps.root} changed during ${label}: ${moved.join("; ")}. skep stopped the task; look at \`git status\` and \`git reflog\` there (if you made the change yourself, \`skep task resume ${id}\` continues)`;
        store.updateStep(id, step.seq, { status: "failed", retries: attempt - 1, error: reason, duration_ms: Math.round(performance.now() - started) });
        return { status: "failed", reason };
      }
      store.updateStep(id, step.seq, { status: "done", commit_sha: sha, retries: attempt - 1, error: null, duration_ms: Math.round(performance.now() - started) });
      deps.progress?.(id, `${label} done${sha ? ` (commit ${sha.slice(0, 10)})` : " (no file changed)"}`, step.seq);
      done = true;
    }
    if (!done) {
      store.updateStep(id, step.seq, { status: "failed", retries: 1, duration_ms: Math.round(performance.now() - started) });
      return { status: "failed", reason: `${label} failed twice: ${oneLine(lastError ?? "unknown error", 300)}` };
    }
  }
  return { status: "done", reason: `${task.steps.length} step${task.steps.length === 1 ? "" : "s"} done` };
}

/** Put the worktree's `.git` link back as it was before the step (whatever the step left there). */
function restoreGitLink(worktree: string, content: Buffer): void {
  const path = join(worktree, ".git");
  rmSync(path, { recursive: true, force: true });
  writeFileSync(path, content);
}

function interrupted(store: TaskDeps["store"], id: number, step: TaskStep): Outcome {
  store.updateStep(id, step.seq, { status: "pending" });
  return { status: "interrupted", reason: `interrupted at step ${step.seq}; \`skep task resume ${id}\` continues from there` };
}

/** The prompt of one step (exported for its golden test). */
export function stepPrompt(root: string, task: Pick<Task, "id" | "description">, plan: NonNullable<Task["plan"]>, step: TaskStep, worktree: string, previousError: string | null): string {
  const planStep = plan.plan[step.seq - 1];
  return render("step", {
    task_id: String(task.id),
    repo: root,
    worktree,
    task: task.description,
    plan: formatPlan(plan),
    step_number: String(step.seq),
    step_count: String(plan.plan.length),
    verb: step.verb,
    target_file: step.targetFile || "(none)",
    symbols: planStep?.symbols.join(", ") || "(none named)",
    description: step.description,
    acceptance: step.acceptance,
    previous_error: previousError ? `\n<previous_attempt>\nThe first attempt at this step failed: ${previousError}\nFix that and finish the step.\n</previous_attempt>\n` : "",
  });
}

/** The test command runs only when this user has trusted it for this repo (never from a committed config alone). */
async function runTests(deps: TaskDeps, id: number, worktree: string, opts: ExecuteOptions): Promise<Outcome> {
  const cmd = deps.config.test_cmd;
  const count = deps.store.get(id).steps.length;
  const steps = `${count} step${count === 1 ? "" : "s"} done`;
  if (!cmd) return { status: "done", reason: `${steps}; no test command configured` };
  const trust = trustState(deps.root, cmd);
  if (trust !== "trusted") {
    const why = trust === "changed" ? `\`${cmd}\` changed since you trusted it (run \`skep trust\` to allow it again)` : `\`${cmd}\` is not trusted on this machine yet (run \`skep trust\` to allow it)`;
    return { status: "done", reason: `${steps}; tests not run: ${why}` };
  }
  deps.progress?.(id, `running tests: ${cmd}`);
  const r = await runTestCommand(cmd, worktree, {
    timeoutMs: deps.config.test_timeout_sec * 1000,
    signal: opts.signal,
    onLine: (line) => opts.onOutput?.(id, line),
  });
  if (opts.signal.aborted) return { status: "interrupted", reason: `interrupted while testing; \`skep task resume ${id}\` runs the tests again` };
  if (r.ok) return { status: "done", reason: `${steps}; tests passed (\`${cmd}\`)` };
  const how = r.error ?? (r.timedOut ? `timed out after ${deps.config.test_timeout_sec}s` : `exit ${r.exitCode ?? r.signal}`);
  return { status: "failed", reason: `tests failed (\`${cmd}\`, ${how}):\n${r.outputTail.split("\n").slice(-15).join("\n")}` };
}

async function describeDiff(deps: TaskDeps, task: Task): Promise<string> {
  if (!task.branch || !task.baseCommit) return "No branch was created.";
  try {
    return formatSymbolDiff(await symbolDiff(deps.root, task.baseCommit, task.branch));
  } catch (err) {
    return `The symbol diff could not be computed: ${(err as Error).message}`;
  }
}

function writeResult(files: TaskFiles, task: Task, outcome: Outcome, diff: string): void {
  const merge = task.branch && outcome.status === "done" ? `\nReview and merge: \`git diff ${task.baseBranch ?? task.baseCommit?.slice(0, 10)}...${task.branch}\`, then \`git merge ${task.branch}\`\n` : "";
  const text = [
    `# Task #${task.id}: ${task.name}`,
    "",
    `Status: ${outcome.status}`,
    `Outcome: ${outcome.reason}`,
    `Branch: ${task.branch ?? "(none)"} (from ${task.baseBranch ?? "detached HEAD"} at ${task.baseCommit?.slice(0, 10) ?? "?"})`,
    `Tokens: ${formatTokens(task.tokens)}`,
    merge,
    "## Description",
    "",
    task.description,
    "",
    "## Steps",
    "",
    formatSteps(task.steps),
    "",
    ...delegatedWork(task),
    "## Symbol changes",
    "",
    diff,
    "",
  ].join("\n");
  writeFileSync(files.result, text);
}

/** result.md's list of the work peer repos did (or do) for this task: it lives on their branches, not on this one. */
function delegatedWork(task: Task): string[] {
  const delegated = task.steps.filter((s) => s.peer);
  if (!delegated.length) return [];
  const lines = delegated.map((s) => {
    const p = s.peer!;
    const what = parseDelegation(s.description)?.what ?? s.description;
    return `- step ${s.seq}: ${p.repo} task #${p.taskId} (${p.status ?? "status unknown"})${p.branch ? `, branch ${p.branch} in ${p.repo}` : ""}: ${what}`;
  });
  return ["## Delegated work", "", ...lines, "", "Review and merge each peer's branch in its own repo.", ""];
}

function summary(task: Task, outcome: Outcome): string {
  const commits = task.steps.filter((s) => s.commit).length;
  const delegated = task.steps.filter((s) => s.peer?.status === "done").map((s) => `${s.peer!.repo} #${s.peer!.taskId}`);
  return `${outcome.reason}${commits ? ` · ${commits} commit${commits === 1 ? "" : "s"} on ${task.branch}` : ""}${delegated.length ? ` · delegated: ${delegated.join(", ")}` : ""}`;
}

function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Append to a task's live log (read by `skep task logs [-f]`). */
export function appendTaskLog(skepDir: string, id: number, line: string): void {
  const files = ensureTaskDir(skepDir, id);
  try {
    appendFileSync(files.log, line.endsWith("\n") ? line : `${line}\n`);
  } catch {
    // the log is best effort
  }
}

// `skep coordinate`, `skep runs` and `skep run <verb>`: coordinator runs across the workspace's
// repos (src/coordinator/). The verbs mirror the task verbs. A run is driven by the command that
// drafts, approves or resumes it, in the foreground (Ctrl-C or `skep run interrupt` stop it; a
// resume continues).
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { existsSync, readFileSync } from "node:fs";
import { RunError, RunNotFound, RunService } from "../../coordinator/service.ts";
import { IllegalRunTransition } from "../../coordinator/states.ts";
import { FollowUpAnswer, Run, RunDeleteAnswer, RunListAnswer, RunShowAnswer } from "../../protocol/runs.ts";
import { confirm } from "../confirm.ts";
import { CommandFailed, UsageError } from "../../errors.ts";
import { printJson } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext } from "../../repo/repo.ts";
import { runRow, showRun } from "../run-print.ts";

const idArg = { id: { type: "positional", description: "Run id (as in `skep runs`)", required: true } } as const;

function parseId(raw: unknown): number {
  const id = Number(String(raw).replace(/^#/, ""));
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`'${raw}' is not a run id (a positive number, as in \`skep runs\`)`);
  return id;
}

/** The workspace's run service; its errors become one clear line (exit 2 for usage, 1 otherwise). */
async function withRuns<T>(repo: string | undefined, fn: (svc: RunService, root: string) => Promise<T> | T): Promise<T> {
  const root = repoContext(repo).root;
  try {
    return await fn(RunService.near(root), root);
  } catch (err) {
    if (err instanceof RunError) throw err.code === "usage" ? new UsageError(err.message) : new CommandFailed(err.message);
    if (err instanceof RunNotFound || err instanceof IllegalRunTransition) throw new CommandFailed(err.message);
    throw err;
  }
}

const say = (json: boolean) => (json ? undefined : (m: string) => console.error(`◠  ${m}`));

/** Ctrl-C, SIGTERM (`skep run interrupt` from elsewhere) and SIGHUP abort the run this command drives. */
function interruptible(): { signal: AbortSignal; done: () => void } {
  const ctl = new AbortController();
  const stop = () => ctl.abort();
  const sigs = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const s of sigs) process.on(s, stop);
  return { signal: ctl.signal, done: () => sigs.forEach((s) => process.off(s, stop)) };
}

/** Print where a run settled; exit 1 when it did not end well. */
function settled(run: Run, json: boolean, svc: RunService): void {
  if (json) printJson(RunShowAnswer, svc.show(run.id));
  else console.log(showRun(svc.show(run.id), { brief: true }));
  if (run.status === "failed" || run.status === "interrupted") process.exitCode = 1;
}

function splitRepos(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const names = String(raw)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) throw new UsageError("--repos needs repo names, comma-separated (as in `skep workspace list`)");
  return names;
}

export const coordinateCommand = defineCommand({
  meta: TOP.coordinate,
  args: {
    spec: { type: "positional", description: "The change, or - for stdin", required: true, variadic: true },
    repos: { type: "string", description: "Repos of the run, comma-separated (default: every repo of the workspace)", valueHint: "a,b,c" },
    "dry-run": { type: "boolean", description: "Draft the contract and specs, print them, keep no run" },
    auto: { type: "boolean", description: "Approve and run at once (refused over several repos unless every spec is small)" },
    ...repoArgs,
    ...jsonArg,
  } as const,
  async run({ args }) {
    const raw = String(args.spec);
    let spec = raw;
    if (raw === "-") {
      if (process.stdin.isTTY) throw new UsageError("`coordinate -` reads the change from stdin, but stdin is a terminal");
      spec = await Bun.stdin.text();
    }
    if (!spec.trim()) throw new UsageError("the change to coordinate is empty");
    if (args["dry-run"] && args.auto) throw new UsageError("--dry-run and --auto exclude each other");
    const repos = splitRepos(args.repos);
    await withRuns(args.repo, async (svc, root) => {
      const stop = interruptible();
      try {
        let run = await svc.coordinate(spec, { repos, from: root, signal: stop.signal, say: say(!!args.json) });
        if (args["dry-run"]) {
          const shown = svc.show(run.id);
          svc.delete(run.id);
          if (args.json) return printJson(RunShowAnswer, shown);
          console.log(`(dry-run) nothing was kept; the coordinator's calls cost ${shown.tokens.total.calls ? `${shown.tokens.total.effectiveInput} effective input tokens` : "nothing"}`);
          return console.log(showRun(shown, { brief: false }));
        }
        if (args.auto && run.status === "pending") {
          const refused = svc.autoRefusal(run.id);
          if (refused) {
            if (!args.json) console.log(showRun(svc.show(run.id), { brief: false }));
            throw new CommandFailed(`${refused}: run ${run.id} waits for approval (\`skep run approve ${run.id}\`)`);
          }
          run = await svc.approve(run.id, { signal: stop.signal, say: say(!!args.json) });
          return settled(run, !!args.json, svc);
        }
        if (args.json) return printJson(RunShowAnswer, svc.show(run.id));
        console.log(showRun(svc.show(run.id), { brief: false }));
        if (run.status === "interrupted" || run.status === "failed") process.exitCode = 1;
      } finally {
        stop.done();
      }
    });
  },
});

export const runsCommand = defineCommand({
  meta: TOP.runs,
  args: { ...repoArgs, ...jsonArg } as const,
  async run({ args }) {
    await withRuns(args.repo, (svc) => {
      const runs = svc.list();
      if (args.json) return printJson(RunListAnswer, { workspace: svc.workspace, runs });
      if (!runs.length) return console.log(`no runs in the workspace at ${svc.workspace} (start one: skep coordinate "...")`);
      for (const r of runs) console.log(runRow(r));
    });
  },
});

const show = defineCommand({
  meta: { name: "show", description: "A run: status, contract, per-repo specs and ordering, workers, verdicts, tokens" },
  args: { ...idArg, ...repoArgs, ...jsonArg } as const,
  async run({ args }) {
    const id = parseId(args.id);
    await withRuns(args.repo, (svc) => {
      const shown = svc.show(id);
      if (args.json) return printJson(RunShowAnswer, shown);
      console.log(showRun(shown, { brief: false }));
    });
  },
});

/** approve and resume: drive the run in the foreground until it settles. */
function driving(verb: "approve" | "resume" | "clarify", description: string) {
  return defineCommand({
    meta: { name: verb, description },
    args: { ...idArg, ...repoArgs, ...jsonArg } as const,
    async run({ args }) {
      const id = parseId(args.id);
      await withRuns(args.repo, async (svc) => {
        const stop = interruptible();
        try {
          const o = { signal: stop.signal, say: say(!!args.json) };
          const run = verb === "approve" ? await svc.approve(id, o) : verb === "resume" ? await svc.resume(id, o) : await svc.clarify(id, o);
          settled(run, !!args.json, svc);
        } finally {
          stop.done();
        }
      });
    },
  });
}

const reject = defineCommand({
  meta: { name: "reject", description: "Reject a run (final); its worker tasks are left as they are" },
  args: { ...idArg, reason: { type: "string", description: "Why (kept on the run)" }, ...repoArgs, ...jsonArg } as const,
  async run({ args }) {
    const id = parseId(args.id);
    await withRuns(args.repo, (svc) => {
      const run = svc.reject(id, args.reason);
      if (args.json) return printJson(Run, run);
      console.log(`Run ${id} rejected: ${run.reason}`);
    });
  },
});

const interrupt = defineCommand({
  meta: { name: "interrupt", description: "Stop a running run and its workers' tasks; `run resume` continues it" },
  args: { ...idArg, ...repoArgs, ...jsonArg } as const,
  async run({ args }) {
    const id = parseId(args.id);
    await withRuns(args.repo, async (svc) => {
      const run = await svc.interrupt(id, { say: say(!!args.json) });
      if (args.json) return printJson(Run, run);
      console.log(`Run ${id} ${run.status}${run.reason ? `: ${run.reason}` : ""}`);
    });
  },
});

const logs = defineCommand({
  meta: { name: "logs", description: "A run's log: its stages' progress, the workers' events, the LLM output" },
  args: { ...idArg, follow: { type: "boolean", alias: "f", description: "Keep printing until the run settles" }, ...repoArgs } as const,
  async run({ args }) {
    const id = parseId(args.id);
    await withRuns(args.repo, async (svc) => {
      svc.store.get(id); // "no run N" first
      const file = svc.store.files(id).log;
      let printed = 0;
      const drain = () => {
        if (!existsSync(file)) return;
        const text = readFileSync(file, "utf8");
        if (text.length > printed) process.stdout.write(text.slice(printed));
        printed = text.length;
      };
      drain();
      if (!args.follow) {
        if (printed === 0) console.log(`(run ${id} has no log yet)`);
        return;
      }
      // Each change of the run renames a new run.json into its directory, and each log line is
      // written there: the watch wakes on both, nothing polls.
      const busy = (r: Run) => r.status === "drafting" || r.status === "running" || r.status === "reviewing";
      const grown = () => existsSync(file) && readFileSync(file, "utf8").length > printed;
      for (;;) {
        const { run } = await svc.store.waitFor(id, (r) => !busy(r) || grown(), 3_600_000);
        drain();
        if (!busy(run)) return;
      }
    });
  },
});

const del = defineCommand({
  meta: { name: "delete", description: "Delete a run's record and files (not while it runs); worker tasks and branches stay in their repos" },
  args: { ...idArg, yes: { type: "boolean", alias: "y", description: "Do not ask" }, ...repoArgs, ...jsonArg } as const,
  async run({ args }) {
    const id = parseId(args.id);
    await withRuns(args.repo, async (svc) => {
      const run = svc.store.get(id);
      if (!args.yes && !(await confirm(`Delete run ${id} (${run.status})?`, "delete"))) return console.log("not deleted");
      svc.delete(id);
      if (args.json) return printJson(RunDeleteAnswer, { id, deleted: true });
      console.log(`Run ${id} deleted (its worker tasks and branches stay in their repos)`);
    });
  },
});

const followUp = defineCommand({
  meta: { name: "follow-up", description: "Turn a broken contract item of a reviewed run into a task in one repo" },
  args: {
    ...idArg,
    item: { type: "positional", description: "The contract item id (as in the report)", required: true },
    in: { type: "string", description: "The repo to fix it in (default: the first side the review named)", valueHint: "repo" },
    ...repoArgs,
    ...jsonArg,
  } as const,
  async run({ args }) {
    const id = parseId(args.id);
    await withRuns(args.repo, async (svc) => {
      const r = await svc.followUp(id, String(args.item), args.in, say(!!args.json));
      if (args.json) return printJson(FollowUpAnswer, r);
      console.log(`${r.repo} task #${r.taskId} (${r.status}) created for item ${args.item}`);
    });
  },
});

export const runCommand = defineCommand({
  meta: TOP.run,
  subCommands: {
    show,
    approve: driving("approve", "Approve a pending run once for all its repos: the workers run, then the review writes report.md"),
    reject,
    interrupt,
    resume: driving("resume", "Continue a failed or interrupted run where it stopped (drafting, workers, or review)"),
    clarify: driving("clarify", "Send the answers in a run's clarify.md back to the coordinator, which drafts again"),
    logs,
    delete: del,
    "follow-up": followUp,
  },
});

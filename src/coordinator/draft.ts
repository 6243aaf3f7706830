// The coordinator stage: one LLM call (with one retry) reads every repo of the run through the
// workspace MCP server and answers the contract and one spec per repo. What it writes are the
// run's own files (coordinator.json, contract.md, specs/<repo>.md); the repos are only read.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { render } from "../llm/prompts.ts";
import { type CoordinatorAnswer, coordinatorReply, type RepoSpec, type Run } from "../protocol/runs.ts";
import { promptContext } from "../tasks/context.ts";
import { questionsText } from "../tasks/pipeline.ts";
import { writeFileAtomic } from "../util/fs.ts";
import { callStage, type StageDeps } from "./llm-call.ts";

/** The largest task description a daemon accepts (TaskCreateParams). */
const MAX_DESCRIPTION = 20_000;

/** Draft run `run` (status drafting): pending with specs, or pending with the reason there are none. */
export async function draftRun(deps: StageDeps, run: Run, signal?: AbortSignal): Promise<Run> {
  const files = deps.store.files(run.id);
  const repos = run.repos
    .map((r) => {
      const ctx = promptContext(r.path, join(r.path, ".skep", "index.db"), 512);
      return `<repo name="${r.name}" path="${r.path}">\n${ctx.repoMap}\n</repo>`;
    })
    .join("\n");
  const prompt = render("coordinate", { repos, spec: specWithAnswers(run) });
  writeFileSync(join(files.prompts, "coordinate.md"), prompt);
  const names = run.repos.map((r) => r.name);
  const res = await callStage(deps, run, "coordinate", prompt, coordinatorReply(names), signal);
  if (!res.ok) {
    if (res.aborted) return deps.store.transition(run.id, "interrupted", { reason: "interrupted while the coordinator was drafting; `skep run resume` drafts again", patch: { driverPid: null } });
    return deps.store.transition(run.id, "pending", {
      reason: `no valid specs from the coordinator (${res.error}); \`skep run resume ${run.id}\` asks it again, \`skep run reject ${run.id}\` drops the run`,
      patch: { driverPid: null },
    });
  }
  if ("questions" in res.value) {
    const { questions } = res.value;
    writeFileAtomic(files.clarify, questionsText(`run ${run.id}`, `Change: ${run.spec}`, `skep run clarify ${run.id}`, questions));
    deps.say(`the coordinator asks ${questions.length} question${questions.length === 1 ? "" : "s"} before it can write the specs`);
    return deps.store.transition(run.id, "pending_clarification", {
      reason: `needs clarification: answer the questions in ${files.clarify}, then run \`skep run clarify ${run.id}\` (or \`skep run reject ${run.id}\`)`,
      patch: { driverPid: null, questions },
    });
  }
  const answer = res.value;
  writeFileAtomic(files.coordinator, `${JSON.stringify(answer, null, 2)}\n`);
  writeFileAtomic(files.contract, contractMarkdown(run, answer));
  for (const spec of answer.specs) writeFileAtomic(join(files.specs, `${spec.repo}.md`), `${workerDescription(run, answer, spec)}\n`);
  const order = orderingText(answer.specs);
  deps.say(`contract: ${answer.contract.items.length} item${answer.contract.items.length === 1 ? "" : "s"}; specs for ${names.join(", ")}${order ? `; ordering: ${order}` : ""}`);
  return deps.store.transition(run.id, "pending", {
    reason: `waiting for approval: ${answer.specs.map((s) => `${s.repo} (${s.size})`).join(", ")}${order ? `; ${order}` : "; no ordering: the workers run at the same time"}`,
    patch: { driverPid: null },
  });
}

/** The change as the coordinator reads it: with every answer a person gave to its questions. */
export function specWithAnswers(run: Run): string {
  if (!run.clarifications.length) return run.spec;
  return `${run.spec}\n\nClarifications (a person's answers to your earlier questions):\n${run.clarifications.map((c) => `- ${c.question}: ${c.answer}`).join("\n")}`;
}

/** The validated coordinator answer of a run, or null when it has none (yet). */
export function readAnswer(coordinatorFile: string): CoordinatorAnswer | null {
  if (!existsSync(coordinatorFile)) return null;
  try {
    return JSON.parse(readFileSync(coordinatorFile, "utf8")) as CoordinatorAnswer;
  } catch {
    return null;
  }
}

/** "server before client, ...": the specs' `after` relation, or "" when there is none. */
export function orderingText(specs: readonly RepoSpec[]): string {
  return specs.flatMap((s) => s.after.map((a) => `${a} before ${s.repo}`)).join(", ");
}

export function contractMarkdown(run: Run, a: CoordinatorAnswer): string {
  const items = a.contract.items.map((c) => `| ${c.id} | ${c.kind} | \`${cell(c.name)}\` | ${c.producer} | ${c.consumers.join(", ")} | ${cell(c.description)} |`);
  const specs = a.specs.map(
    (s) =>
      `### ${s.repo} (${s.size})\n\n${s.summary}\n\n- owns: ${list([...s.owns.paths, ...s.owns.symbols])}\n- must not change: ${list(s.must_not_change)}\n- implements: ${list(s.implements)}; consumes: ${list(s.consumes)}\n- after: ${list(s.after)}\n- acceptance:\n${s.acceptance.map((x) => `  - ${x}`).join("\n")}`,
  );
  return [
    `# Run ${run.id}: contract`,
    "",
    `Change: ${run.spec}`,
    "",
    a.contract.summary,
    "",
    "| item | kind | name | producer | consumers | what |",
    "|---|---|---|---|---|---|",
    ...items,
    "",
    "## Expected behaviour",
    "",
    a.contract.expected_behaviour,
    "",
    "## Risks",
    "",
    ...(a.contract.risks.length ? a.contract.risks.map((r) => `- ${r}`) : ["- none named"]),
    "",
    "## Per-repo specs",
    "",
    specs.join("\n\n"),
    "",
    `Ordering: ${orderingText(a.specs) || "none (the workers run at the same time)"}`,
    "",
  ].join("\n");
}

/** The task description a repo's worker gets: its spec with the contract items it touches, spelled out. */
export function workerDescription(run: Run, a: CoordinatorAnswer, s: RepoSpec): string {
  const touched = new Set([...s.implements, ...s.consumes]);
  const items = a.contract.items.filter((c) => touched.has(c.id) || c.producer === s.repo || c.consumers.includes(s.repo));
  const text = [
    s.summary,
    "",
    `This is ${s.repo}'s part of skep coordinator run ${run.id} across ${run.repos.map((r) => r.name).join(", ")}: ${oneLine(run.spec, 300)}`,
    "Contract items (names are exact; the other repos rely on them):",
    ...items.map((c) => `- ${c.id} (${c.kind}) \`${c.name}\`: ${oneLine(c.description, 400)} [producer ${c.producer}; consumers ${c.consumers.join(", ")}]`),
    `Implements: ${list(s.implements)}. Consumes: ${list(s.consumes)}.`,
    `Owns (change only these): ${list([...s.owns.paths, ...s.owns.symbols])}.`,
    `Must not change: ${list(s.must_not_change)}.`,
    "Acceptance:",
    ...s.acceptance.map((x) => `- ${x}`),
  ].join("\n");
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 80)}\n(cut: the whole spec is in the run's contract.md)` : text;
}

function list(xs: readonly string[]): string {
  return xs.length ? xs.join(", ") : "none";
}

function cell(s: string): string {
  return oneLine(s, 300).replace(/\|/g, "\\|");
}

export function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

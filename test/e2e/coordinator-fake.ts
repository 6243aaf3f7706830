// The coordinator e2e scenario with the real Claude Code CLI against the fake Messages API: the
// fake's side of every call of a run (coordinator, workers, reviewer), the fixture workspace, and
// the checks both scenario files share (coordinator-claude*.test.ts).
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunShowAnswer } from "../../src/protocol/runs.ts";
import type { Task } from "../../src/protocol/tasks.ts";
import { type Bed, snapshot, workspace } from "../coordinator/support.ts";
import { offlineClaudeEnv } from "../support/claude.ts";
import type { FakeAnthropic, Turn, TurnContext, Usage } from "../support/fake-anthropic.ts";
import { childEnv } from "../mcp/support.ts";
import { BUN, MAIN, PROJECT, tempDir } from "../support/temp.ts";

export type Kind = "coordinate" | "review" | "classify" | "plan" | "step";

export function firstUserText(ctx: Pick<TurnContext, "body">): string {
  const first = ctx.body.messages?.find((m) => m.role === "user");
  if (!first) return "";
  return typeof first.content === "string" ? first.content : first.content.map((b) => b.text ?? "").join("\n");
}

/** Which call a request belongs to, and for which repo. */
export function callOf(ctx: Pick<TurnContext, "body">): { kind: Kind; repo: string; worktree: string } {
  const text = firstUserText(ctx);
  if (text.includes("You are the COORDINATOR of a skep run")) return { kind: "coordinate", repo: "", worktree: "" };
  if (text.includes("You are the REVIEWER of a skep coordinator run")) return { kind: "review", repo: "", worktree: "" };
  const repo = /This is (\w+)'s part of skep coordinator run/.exec(text)?.[1] ?? (/Fix contract item/.test(text) ? "follow-up" : "");
  if (text.includes("You are the CLASSIFIER")) return { kind: "classify", repo, worktree: "" };
  if (text.includes("You are the PLANNER")) return { kind: "plan", repo, worktree: "" };
  const wt = /current directory, (\S+?)\. Change only/.exec(text);
  if (!wt) throw new Error(`unrecognised prompt: ${text.slice(0, 300)}`);
  return { kind: "step", repo: wt[1]!.includes("/adapter/") ? "adapter" : "gateway", worktree: wt[1]! };
}

/** Distinct usage per kind, repo and turn, so equal totals mean every call was counted once. */
export function usageFor(kind: Kind, repo: string, turn: number): Usage {
  const base = { coordinate: 5000, review: 7000, classify: 300, plan: 600, step: 900 }[kind] + (repo === "gateway" ? 50 : 0);
  return { input_tokens: base + turn, output_tokens: 20 + turn, cache_creation_input_tokens: 10 * (turn + 1), cache_read_input_tokens: 1000 + base / 10 + turn };
}

export const ADAPTER_HOLDS = `"""The platform adapter's receive loop."""
import logging

log = logging.getLogger(__name__)


class ReceiveLoopDied(Exception):
    """Raised when the receive loop stops for good; retry_after says when to reconnect."""

    def __init__(self, reason: str, retry_after: float = 1.0):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Adapter:
    def __init__(self, socket):
        self.socket = socket

    def receive_forever(self, handle):
        while True:
            try:
                frame = self.socket.recv()
            except OSError as err:
                log.error("receive loop died: %s", err)
                raise ReceiveLoopDied(str(err), retry_after=2.0) from err
            handle(frame)
`;
/** The adapter's worker "improves" the name: the gateway's except clause no longer matches. */
export const ADAPTER_RENAMED = ADAPTER_HOLDS.replaceAll("ReceiveLoopDied", "ReceiveLoopStopped");
export const GATEWAY = `"""Keeps the platform adapter's receive loop alive."""
import logging
import time

from adapter.receive import ReceiveLoopDied

log = logging.getLogger(__name__)

RETRY_BUDGET = 3


class GatewayDown(Exception):
    """The adapter kept dying: the retry budget is spent."""


def supervise(connect, handle):
    for attempt in range(1, RETRY_BUDGET + 1):
        try:
            connect().receive_forever(handle)
        except ReceiveLoopDied as err:
            log.warning("adapter receive loop died (%s); reconnect %d/%d", err.reason, attempt, RETRY_BUDGET)
            time.sleep(err.retry_after)
    raise GatewayDown(f"adapter died {RETRY_BUDGET} times")
`;

export function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in the text`);
  return i + 1;
}

export const CONTRACT = JSON.stringify({
  contract: {
    summary: "The adapter raises ReceiveLoopDied(reason, retry_after) when its receive loop dies; the gateway catches it, logs it and reconnects after retry_after, at most RETRY_BUDGET (3) times.",
    items: [
      { id: "C1", kind: "exception", name: "ReceiveLoopDied", description: "raised by Adapter.receive_forever when the loop dies, carrying reason and retry_after", producer: "adapter", consumers: ["gateway"] },
      { id: "C2", kind: "retry", name: "RETRY_BUDGET = 3", description: "the gateway reconnects at most 3 times, waiting retry_after each time", producer: "gateway", consumers: ["adapter"] },
    ],
    risks: ["renaming the exception leaves the gateway's except clause dead"],
    expected_behaviour: "a dead loop is logged by both sides and reconnected after retry_after, at most 3 times",
  },
  specs: [
    { repo: "adapter", summary: "Add retry_after to ReceiveLoopDied and set it where the receive loop dies.", owns: { paths: ["adapter/receive.py"], symbols: ["ReceiveLoopDied", "Adapter.receive_forever"] }, must_not_change: ["the class name ReceiveLoopDied"], implements: ["C1"], consumes: ["C2"], acceptance: ["ReceiveLoopDied(reason, retry_after)"], after: [], size: "small" },
    { repo: "gateway", summary: "Sleep err.retry_after before each reconnect in supervise.", owns: { paths: ["gateway/recovery.py"], symbols: ["supervise"] }, must_not_change: ["RETRY_BUDGET"], implements: ["C2"], consumes: ["C1"], acceptance: ["supervise sleeps retry_after"], after: [], size: "small" },
  ],
});

export const plan = (file: string) =>
  JSON.stringify({ plan: [{ verb: "modify", target_file: file, symbols: [], description: `update ${file} for the contract`, acceptance: "the contract holds", depends_on: [] }], files_affected: [file] });

/** The fake's side of every call of a run; `adapterWrites` is what the adapter's worker writes. */
export function turnFor(adapterWrites: string) {
  return (ctx: TurnContext): Turn => {
    const c = callOf(ctx);
    const usage = usageFor(c.kind, c.repo, ctx.turn);
    switch (c.kind) {
      case "coordinate": {
        // Read both repos through the workspace server (connected before the first request: the
        // claude backend waits for it), then answer.
        if (ctx.turn === 0)
          return {
            tools: [
              { name: "mcp__skep__search_symbols", input: { repo: "adapter", query: "ReceiveLoopDied" } },
              { name: "mcp__skep__search_symbols", input: { repo: "gateway", query: "supervise" } },
            ],
            usage,
          };
        const latest = ctx.results.slice(-2);
        if (!latest.some((r) => r.text.includes("adapter/receive.py")) || !latest.some((r) => r.text.includes("gateway/recovery.py")))
          return { text: `the MCP reads did not reach both repos: ${JSON.stringify(ctx.results.map((r) => r.text.slice(0, 200)))}`, usage };
        return { text: `Contract and specs:\n${CONTRACT}`, usage };
      }
      case "classify":
        return { text: JSON.stringify({ classification: c.repo === "follow-up" ? "large" : "small", confidence: 0.9, reason: "one file", needs_clarification: false, clarifying_questions: [], reject_reason: null }), usage };
      case "plan":
        return { text: plan(c.repo === "gateway" || c.repo === "follow-up" ? "gateway/recovery.py" : "adapter/receive.py"), usage };
      case "step": {
        // Claude Code writes over a file only after reading it.
        const [file, content] = c.repo === "adapter" ? ["adapter/receive.py", adapterWrites] : ["gateway/recovery.py", GATEWAY];
        if (ctx.turn === 0) return { tools: [{ name: "Read", input: { file_path: join(c.worktree, file) } }], usage };
        if (ctx.turn === 1) return { tools: [{ name: "Write", input: { file_path: join(c.worktree, file), content } }], usage };
        return { text: "done", usage };
      }
      case "review": {
        // The reviewer reads the branches' diffs in its prompt.
        const text = firstUserText(ctx);
        const renamed = text.includes("+class ReceiveLoopStopped(Exception):");
        const adapterSide = { repo: "adapter", file: "adapter/receive.py", line: lineOf(adapterWrites, renamed ? "class ReceiveLoopStopped" : "class ReceiveLoopDied") };
        const gatewaySide = { repo: "gateway", file: "gateway/recovery.py", line: lineOf(GATEWAY, "except ReceiveLoopDied") };
        return {
          text: JSON.stringify({
            summary: renamed ? "The adapter now raises ReceiveLoopStopped; the gateway still catches ReceiveLoopDied, so a dead loop is never recovered." : "Both sides agree on ReceiveLoopDied and retry_after.",
            items: [
              { id: "C1", verdict: renamed ? "broken" : "holds", sides: [adapterSide, gatewaySide], note: renamed ? "adapter raises ReceiveLoopStopped, gateway catches ReceiveLoopDied" : "same name on both sides" },
              { id: "C2", verdict: "untested", sides: [{ repo: "gateway", file: "gateway/recovery.py", line: lineOf(GATEWAY, "RETRY_BUDGET = 3") }], note: "no test waits retry_after" },
            ],
            look_at: renamed ? ["gateway/recovery.py except clause"] : ["the sleep in supervise blocks its thread"],
          }),
          usage,
        };
      }
    }
  };
}

export interface Cmd {
  code: number;
  stdout: string;
  stderr: string;
}

export function setup(fake: FakeAnthropic, claude: string): { bed: Bed; skep: (...args: string[]) => Promise<Cmd> } {
  const home = tempDir("skep-e2e-home-");
  const env = { ...offlineClaudeEnv(fake.url, { home, apiTimeoutMs: 60_000 }), SKEP_CLAUDE_BIN: claude };
  const bed = workspace(["adapter", "gateway"], () => ({ llm: "claude" }), env);
  // Async: the fake API answers in this process, so nothing may block its event loop.
  const skep = async (...args: string[]): Promise<Cmd> => {
    const p = Bun.spawn([BUN, MAIN, ...args, "--repo", bed.repos.adapter!], { cwd: PROJECT, env: childEnv(bed.env), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, stdout, stderr };
  };
  return { bed, skep };
}

export async function json<T>(r: Cmd): Promise<T> {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  return JSON.parse(r.stdout) as T;
}

export function tasksOf(bed: Bed, repo: string): Task[] {
  const p = Bun.spawnSync([BUN, MAIN, "tasks", "--json", "--repo", bed.repos[repo]!], { cwd: PROJECT, env: childEnv(bed.env), stdout: "pipe", stderr: "pipe" });
  return JSON.parse(p.stdout.toString()) as Task[];
}

/** Every request of the scenario, summed as the ledgers count it. */
export function expectedUsage(fake: FakeAnthropic, scenario: string): { input: number; output: number; cacheCreation: number; cacheRead: number } {
  const sum = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
  for (const r of fake.requestsOf(scenario).filter((x) => x.body)) {
    const c = callOf({ body: r.body! });
    const u = usageFor(c.kind, c.repo, r.turn!);
    sum.input += u.input_tokens;
    sum.output += u.output_tokens;
    sum.cacheCreation += u.cache_creation_input_tokens ?? 0;
    sum.cacheRead += u.cache_read_input_tokens ?? 0;
  }
  return sum;
}

export async function coordinateAndApprove(fake: FakeAnthropic, claude: string, scenario: string, adapterWrites: string) {
  fake.add({ name: scenario, turns: Array.from({ length: 8 }, () => turnFor(adapterWrites)) });
  const { bed, skep } = setup(fake, claude);
  const change = `[[scenario:${scenario}]] Give ReceiveLoopDied a retry_after hint and have the gateway wait it between its 3 reconnects`;
  const drafted = await json<RunShowAnswer>(await skep("coordinate", change, "--json"));
  expect(drafted.run.status, drafted.run.reason ?? "").toBe("pending");
  expect(drafted.specs.map((s) => s.repo), drafted.run.reason ?? "").toEqual(["adapter", "gateway"]);
  // The coordinator's second request carried both MCP answers: its reads reached both repos.
  const coordinatorCalls = fake.requestsOf(scenario).filter((r) => r.body && callOf({ body: r.body }).kind === "coordinate");
  expect(coordinatorCalls.length).toBeGreaterThanOrEqual(2);
  const answered = coordinatorCalls.at(-1)!.body!.messages!.flatMap((m) => (typeof m.content === "string" ? [] : m.content)).filter((b) => b.type === "tool_result");
  const answers = JSON.stringify(answered.slice(-2));
  expect(answers).toContain("adapter/receive.py");
  expect(answers).toContain("gateway/recovery.py");
  // Once connected, the workspace server offers the five reads and nothing that writes.
  const tools = (coordinatorCalls.at(-1)!.body!.tools ?? []).map((t: { name: string }) => t.name).filter((n) => n.startsWith("mcp__skep__"));
  expect(tools.sort()).toEqual(["get_call_graph", "get_file_context", "get_overview", "get_symbol", "search_symbols"].map((n) => `mcp__skep__${n}`));
  const done = await json<RunShowAnswer>(await skep("run", "approve", String(drafted.run.id), "--json"));
  expect(fake.errors).toEqual([]);
  expect(done.run.status, done.run.reason ?? "").toBe("done");
  // Both workers were in flight at once: each task was created before either finished.
  const log = readFileSync(join(bed.ws, ".skep-workspace", "runs", "1", "log.txt"), "utf8");
  const firstDone = Math.min(log.indexOf("adapter: task #1 done"), log.indexOf("gateway: task #1 done"));
  expect(log.indexOf("adapter: created task #1")).toBeGreaterThan(-1);
  expect(log.indexOf("adapter: created task #1")).toBeLessThan(firstDone);
  expect(log.indexOf("gateway: created task #1")).toBeLessThan(firstDone);
  return { bed, skep, done, report: readFileSync(done.files.report!, "utf8") };
}

export function ledgerMatches(fake: FakeAnthropic, done: RunShowAnswer, scenario: string): void {
  const expected = expectedUsage(fake, scenario);
  expect(done.tokens.total).toMatchObject({ ...expected, effectiveInput: expected.input + Math.round(expected.cacheRead / 10), backends: ["claude"] });
  // coordinate 1 call, review 1, each worker classify + plan + one step.
  expect(done.tokens.total.calls).toBe(8);
}

export function checkoutsUnchanged(bed: Bed): void {
  for (const [name, root] of Object.entries(bed.repos)) expect(snapshot(root)).toEqual(bed.checkouts[name]!);
}


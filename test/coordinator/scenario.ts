// The adapter/gateway scenario of the coordinator tests with the `script` backend: the change,
// the coordinator's and the reviewer's scripted answers, each repo's worker answers, and helpers
// to read what a run left.
import { expect } from "bun:test";
import type { RunShowAnswer } from "../../src/protocol/runs.ts";
import type { Task } from "../../src/protocol/tasks.ts";
import { type Bed, classify, plan, scriptFile, skep, snapshot, workspace } from "./support.ts";

export const CHANGE = "Give ReceiveLoopDied a retry_after hint set by the adapter, and have the gateway wait retry_after between its reconnects (budget 3)";

export const ADAPTER_V2 = `"""The platform adapter's receive loop."""
import logging

log = logging.getLogger(__name__)


class ReceiveLoopDied(Exception):
    """Raised when the receive loop stops for good; retry_after says when to reconnect."""

    def __init__(self, reason: str, retry_after: float = 1.0):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
`;
export const GATEWAY_V2 = `"""Keeps the adapter alive."""
import logging
import time

from adapter.receive import ReceiveLoopDied

RETRY_BUDGET = 3


def supervise(connect, handle):
    for attempt in range(1, RETRY_BUDGET + 1):
        try:
            connect().receive_forever(handle)
        except ReceiveLoopDied as err:
            logging.warning("receive loop died (%s)", err.reason)
            time.sleep(err.retry_after)
`;

export interface CoordinatorOpts {
  gatewayAfter?: string[];
  sizes?: [string, string];
}

export function coordinatorAnswer(o: CoordinatorOpts = {}): string {
  return JSON.stringify({
    contract: {
      summary: "The adapter raises ReceiveLoopDied with retry_after; the gateway waits that long before each of its 3 reconnects.",
      items: [
        { id: "C1", kind: "exception", name: "ReceiveLoopDied", description: "raised by receive_forever when the loop dies, with reason and retry_after", producer: "adapter", consumers: ["gateway"] },
        { id: "C2", kind: "retry", name: "RETRY_BUDGET = 3", description: "the gateway reconnects at most 3 times", producer: "gateway", consumers: ["adapter"] },
      ],
      risks: ["a renamed exception leaves the gateway's except clause dead"],
      expected_behaviour: "a dead receive loop is logged, then reconnected after retry_after seconds, at most 3 times",
    },
    specs: [
      { repo: "adapter", summary: "Add retry_after to ReceiveLoopDied and set it when the loop dies.", owns: { paths: ["adapter/receive.py"], symbols: ["ReceiveLoopDied"] }, must_not_change: ["the name ReceiveLoopDied"], implements: ["C1"], consumes: ["C2"], acceptance: ["ReceiveLoopDied has retry_after"], after: [], size: o.sizes?.[0] ?? "small" },
      { repo: "gateway", summary: "Sleep err.retry_after before reconnecting.", owns: { paths: ["gateway/recovery.py"], symbols: ["supervise"] }, must_not_change: ["RETRY_BUDGET"], implements: ["C2"], consumes: ["C1"], acceptance: ["supervise sleeps retry_after"], after: o.gatewayAfter ?? [], size: o.sizes?.[1] ?? "small" },
    ],
  });
}

export const REVIEW = JSON.stringify({
  summary: "Both sides agree on ReceiveLoopDied and its retry_after; the budget is unchanged but only the gateway tests it.",
  items: [
    { id: "C1", verdict: "holds", sides: [{ repo: "adapter", file: "adapter/receive.py", line: 7 }, { repo: "gateway", file: "gateway/recovery.py", line: 14 }], note: "same class, retry_after read where it is set" },
    { id: "C2", verdict: "untested", sides: [{ repo: "gateway", file: "gateway/recovery.py", line: 7 }], note: "no adapter-side test" },
  ],
  look_at: ["gateway sleeps in the supervising thread"],
});

/** Usage per scripted call, so the ledger totals can be checked to the token. */
export const U = {
  coordinate: { input: 1000, output: 200, cacheCreation: 30, cacheRead: 400 },
  review: { input: 900, output: 150, cacheCreation: 0, cacheRead: 100 },
  classify: { input: 11, output: 3, cacheCreation: 0, cacheRead: 0 },
  plan: { input: 21, output: 5, cacheCreation: 0, cacheRead: 7 },
  step: { input: 31, output: 9, cacheCreation: 2, cacheRead: 50 },
};

export function workerAnswers(file: string, content: string, opts: { stepDelayMs?: number; failStep?: boolean } = {}): unknown[] {
  return [
    { purpose: "classify", text: classify("small"), usage: U.classify },
    { purpose: "plan", match: "PLANNER", text: plan([{ verb: "modify", target_file: file, description: `update ${file}` }]), usage: U.plan },
    opts.failStep
      ? { purpose: "step", text: "BLOCKED: cannot", ok: false, error: "the model gave up", usage: U.step }
      : { purpose: "step", text: "done", writes: [{ path: file, content }], delayMs: opts.stepDelayMs ?? 0, usage: U.step },
  ];
}

export function bedWith(o: CoordinatorOpts & { stepDelayMs?: number; coordinator?: unknown[]; gatewayFails?: boolean } = {}): Bed {
  const adapter = scriptFile([
    ...(o.coordinator ?? [{ purpose: "plan", match: "COORDINATOR of a skep run", text: coordinatorAnswer(o), usage: U.coordinate }]),
    { purpose: "plan", match: "REVIEWER of a skep", text: REVIEW, usage: U.review },
    ...workerAnswers("adapter/receive.py", ADAPTER_V2, { stepDelayMs: o.stepDelayMs }),
  ]);
  const gateway = scriptFile(workerAnswers("gateway/recovery.py", GATEWAY_V2, { stepDelayMs: o.stepDelayMs, failStep: o.gatewayFails }));
  return workspace(["adapter", "gateway"], (name) => ({ llm: "script", llm_script: name === "adapter" ? adapter : gateway }));
}

export function shown(bed: Bed, id: number): RunShowAnswer {
  const r = skep(bed, ["run", "show", String(id), "--json"], bed.repos.adapter!);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as RunShowAnswer;
}

export function tasksOf(bed: Bed, repo: string): Task[] {
  const r = skep(bed, ["tasks", "--json"], bed.repos[repo]!);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Task[];
}

export function checkoutsUnchanged(bed: Bed): void {
  for (const [name, root] of Object.entries(bed.repos)) expect(snapshot(root)).toEqual(bed.checkouts[name]!);
}

export const sum = (...us: (typeof U)[keyof typeof U][]) => ({
  input: us.reduce((s, u) => s + u.input, 0),
  output: us.reduce((s, u) => s + u.output, 0),
  cacheCreation: us.reduce((s, u) => s + u.cacheCreation, 0),
  cacheRead: us.reduce((s, u) => s + u.cacheRead, 0),
});


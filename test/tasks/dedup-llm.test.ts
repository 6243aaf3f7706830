// The LLM dedup layer with a fake backend: what it sends (the five closest candidates, read-only,
// the dedup purpose), and how it reads the answer. Only a clear duplicate naming a task it was
// shown counts; garbage, an unknown id and a failed call all mean "not a duplicate".
import { describe, expect, test } from "bun:test";
import { ZERO_USAGE, type LlmBackend, type LlmRequest, type LlmResult } from "../../src/llm/backend.ts";
import type { DedupCandidate } from "../../src/tasks/dedup/cheap.ts";
import { checkLlm, LLM_CANDIDATES, topCandidates } from "../../src/tasks/dedup/llm-layer.ts";

function result(over: Partial<LlmResult> = {}): LlmResult {
  return {
    ok: true,
    text: "",
    error: null,
    usage: { ...ZERO_USAGE, input: 120, output: 20 },
    costUsd: 0.001,
    durationMs: 5,
    exitCode: 0,
    model: "haiku",
    sessionId: null,
    backend: "fake",
    aborted: false,
    ...over,
  };
}

/** Answers every request with `answer` and keeps the requests. */
function fake(answer: Partial<LlmResult> | string): LlmBackend & { requests: LlmRequest[] } {
  const requests: LlmRequest[] = [];
  return {
    name: "fake",
    requests,
    run: async (req) => {
      requests.push(req);
      return result(typeof answer === "string" ? { text: answer } : answer);
    },
  };
}

const CANDIDATES: DedupCandidate[] = [
  { id: 1, description: "Add a health check endpoint to the API", status: "executing" },
  { id: 2, description: "Upgrade the Kafka client library", status: "pending" },
  { id: 3, description: "Fix the login bug in the iOS app", status: "approved" },
];
const OPTS = { cwd: "/repo", timeoutMs: 60_000, model: "haiku" };
const NEW = "Expose a /healthz route so the load balancer can probe the service";

describe("checkLlm", () => {
  test("a duplicate naming a task shown: layer llm, the task's state and the model's reason", async () => {
    const backend = fake('{"duplicate": true, "duplicate_of": 1, "reason": "Same liveness endpoint."}');
    const { result: r, call } = await checkLlm(NEW, CANDIDATES, backend, OPTS);
    expect(r).toEqual({ duplicate: true, layer: "llm", taskId: 1, score: null, reason: "in progress as task #1: Same liveness endpoint." });
    // The call comes back whole, so the caller can put its tokens in the ledger.
    expect(call.usage.input).toBe(120);
    expect(call.backend).toBe("fake");
  });

  test("the request: dedup purpose, read-only, one turn, the model and timeout asked for, the tasks listed", async () => {
    const backend = fake('{"duplicate": false, "duplicate_of": null, "reason": "different"}');
    const signal = new AbortController().signal;
    await checkLlm(NEW, CANDIDATES, backend, { ...OPTS, signal });
    const [req] = backend.requests;
    expect(req).toMatchObject({ purpose: "dedup", model: "haiku", cwd: "/repo", timeoutMs: 60_000, allowEdits: false, maxTurns: 1, signal });
    expect(req!.mcpRepo).toBeUndefined();
    expect(req!.prompt).toContain(`<new_task>\n${NEW}\n</new_task>`);
    expect(req!.prompt).toContain("#1 [executing] Add a health check endpoint to the API");
    expect(req!.prompt).toContain("#3 [approved] Fix the login bug in the iOS app");
    expect(req!.prompt).not.toContain("{{");
  });

  test("not a duplicate: the model's reason is kept", async () => {
    const { result: r } = await checkLlm("Remove the health check endpoint", CANDIDATES, fake('{"duplicate": false, "duplicate_of": null, "reason": "Opposite operation."}'), OPTS);
    expect(r).toEqual({ duplicate: false, layer: null, taskId: null, score: null, reason: "not a duplicate: Opposite operation." });
  });

  test("prose and code fences around the JSON, and an id written as a string, are fine", async () => {
    const text = 'Looking at the tasks...\n```json\n{"duplicate": true, "duplicate_of": "#1", "reason": "same"}\n```';
    const { result: r } = await checkLlm(NEW, CANDIDATES, fake(text), OPTS);
    expect(r).toMatchObject({ duplicate: true, taskId: 1 });
  });

  test("garbage is not a duplicate, and says why", async () => {
    for (const text of ["yes, it is a duplicate of task 1", "", '{"duplicate": "maybe"}']) {
      const { result: r, call } = await checkLlm(NEW, CANDIDATES, fake(text), OPTS);
      expect(r.duplicate).toBe(false);
      expect(r.reason).toStartWith("LLM dedup answer unusable (");
      expect(r.reason).toEndWith("treated as not a duplicate");
      expect(call.ok).toBe(true);
    }
  });

  test("a duplicate without a valid id is not a duplicate: no id, or a task it was not shown", async () => {
    const none = await checkLlm(NEW, CANDIDATES, fake('{"duplicate": true, "duplicate_of": null, "reason": "same"}'), OPTS);
    expect(none.result).toMatchObject({ duplicate: false, taskId: null });
    expect(none.result.reason).toBe("LLM called it a duplicate of no task, not one of the tasks shown (#1, #2, #3); treated as not a duplicate");
    const unknown = await checkLlm(NEW, CANDIDATES, fake('{"duplicate": true, "duplicate_of": 42, "reason": "same"}'), OPTS);
    expect(unknown.result).toMatchObject({ duplicate: false, taskId: null });
    expect(unknown.result.reason).toContain("task #42, not one of the tasks shown");
  });

  test("a failed call is not a duplicate; the failed call is still returned for the ledger", async () => {
    const failed = result({ ok: false, text: "", error: "timeout after 60000 ms", exitCode: null });
    const { result: r, call } = await checkLlm(NEW, CANDIDATES, fake(failed), OPTS);
    expect(r).toEqual({ duplicate: false, layer: null, taskId: null, score: null, reason: "LLM dedup call failed (timeout after 60000 ms); treated as not a duplicate" });
    expect(call.ok).toBe(false);
    // ok=false wins even over text that looks like a duplicate.
    const half = await checkLlm(NEW, CANDIDATES, fake({ ok: false, error: "max turns", text: '{"duplicate": true, "duplicate_of": 1, "reason": "x"}' }), OPTS);
    expect(half.result.duplicate).toBe(false);
  });

  test("no candidates: nothing to ask, the caller must skip the layer", async () => {
    const backend = fake("{}");
    await expect(checkLlm(NEW, [], backend, OPTS)).rejects.toThrow(RangeError);
    expect(backend.requests).toHaveLength(0);
  });
});

describe("topCandidates", () => {
  test("the five sharing most of the new description's words, best first", () => {
    const many: DedupCandidate[] = [
      { id: 1, description: "Translate the onboarding screens", status: "pending" },
      { id: 2, description: "Add a health check endpoint to the API", status: "pending" },
      { id: 3, description: "Fix the health check", status: "pending" },
      { id: 4, description: "Document the API", status: "pending" },
      { id: 5, description: "Add a metrics endpoint", status: "pending" },
      { id: 6, description: "Upgrade Kafka", status: "pending" },
      { id: 7, description: "Add rate limiting to the API", status: "pending" },
      { id: 8, description: "Bump zod", status: "pending" },
    ];
    const top = topCandidates("add an API health check endpoint", many);
    expect(top).toHaveLength(LLM_CANDIDATES);
    expect(top[0]!.id).toBe(2);
    expect(top.map((c) => c.id)).not.toContain(1);
    expect(top.map((c) => c.id)).not.toContain(8);
  });

  test("a prompt shows at most five tasks", async () => {
    const many = Array.from({ length: 9 }, (_, i): DedupCandidate => ({ id: i + 1, description: `Add the health check number ${i}`, status: "pending" }));
    const backend = fake('{"duplicate": false, "duplicate_of": null, "reason": ""}');
    await checkLlm("add a health check", many, backend, OPTS);
    expect(backend.requests[0]!.prompt.match(/^#\d+ \[/gm)).toHaveLength(5);
  });
});

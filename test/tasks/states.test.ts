// The state machine: one function changes a status; illegal moves are refused and leave no trace;
// every move writes an event row and reaches the listeners.
import { afterAll, describe, expect, test } from "bun:test";
import { TASK_STATUSES } from "../../src/protocol/tasks.ts";
import { canTransition, IllegalTransition } from "../../src/tasks/states.ts";
import { TaskNotFound, TaskStore } from "../../src/tasks/store.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

describe("task states", () => {
  test("final states have no way out; every state is reachable from created", () => {
    expect(TASK_STATUSES.filter((s) => TASK_STATUSES.every((t) => !canTransition(s, t)))).toEqual(["done", "rejected"]);
    const seen = new Set<string>(["created"]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of [...seen]) for (const t of TASK_STATUSES) if (canTransition(s as never, t) && !seen.has(t)) (seen.add(t), (grew = true));
    }
    expect([...seen].sort()).toEqual([...TASK_STATUSES].sort());
  });

  test("transition checks, records an event, and tells listeners; an illegal one changes nothing", () => {
    const store = TaskStore.open(tempDir("skep-states-"));
    const heard: string[] = [];
    store.onTransition((e) => heard.push(`${e.taskId}:${e.from}->${e.to}`));
    const id = store.insert({ name: "x", description: "do x" });
    store.transition(id, "classified", { reason: "small", patch: { classification: "small" } });
    store.transition(id, "pending", { reason: "waiting" });
    expect(() => store.transition(id, "executing")).toThrow(IllegalTransition);
    expect(() => store.transition(id, "approved", { from: ["classified"] })).toThrow(IllegalTransition);
    expect(store.status(id)).toBe("pending");
    store.transition(id, "approved");
    expect(heard).toEqual([`${id}:null->created`, `${id}:created->classified`, `${id}:classified->pending`, `${id}:pending->approved`]);
    expect(store.events(id).map((e) => [e.from, e.to, e.reason])).toEqual([
      [null, "created", null],
      ["created", "classified", "small"],
      ["classified", "pending", "waiting"],
      ["pending", "approved", null],
    ]);
    expect(store.get(id).classification).toBe("small");
    expect(() => store.transition(999, "done")).toThrow(TaskNotFound);
    store.close();
  });

  test("the ledger sums every call, failed ones included; effective input adds a tenth of cache reads", () => {
    const store = TaskStore.open(tempDir("skep-ledger-"));
    const id = store.insert({ name: "x", description: "do x" });
    const result = (input: number, cacheRead: number, ok = true) => ({
      ok,
      text: "",
      error: ok ? null : "boom",
      usage: { input, output: 7, cacheCreation: 100, cacheRead },
      costUsd: 0.5,
      durationMs: 3,
      exitCode: ok ? 0 : 1,
      model: "m",
      sessionId: null,
      backend: "script",
      aborted: false,
    });
    store.recordCall({ taskId: id, purpose: "classify", result: result(1000, 5000) });
    store.recordCall({ taskId: id, stepSeq: 1, purpose: "step", attempt: 2, result: result(20, 30, false) });
    store.recordCall({ taskId: null, purpose: "dedup", result: result(1, 0) });
    const t = store.totals(id);
    expect(t).toEqual({ calls: 2, input: 1020, output: 14, cacheCreation: 200, cacheRead: 5030, reasoning: 0, effectiveInput: 1020 + 503, costUsd: 1, backends: ["script"] });
    expect(store.totals().calls).toBe(3);
    expect(store.unattributedTotals().input).toBe(1);
    expect(store.calls({ taskId: id }).map((c) => [c.purpose, c.attempt, c.ok, c.exitCode])).toEqual([
      ["classify", 1, true, 0],
      ["step", 2, false, 1],
    ]);
    store.delete(id);
    expect(store.unattributedTotals().calls).toBe(3); // the money was spent; the rows stay
    store.close();
  });

  test("a tasks.db that is not a database is moved aside, not deleted", async () => {
    const dir = tempDir("skep-corrupt-");
    await Bun.write(`${dir}/tasks.db`, "this is not sqlite at all, it is a text file".repeat(100));
    const store = TaskStore.open(dir);
    expect(store.list()).toEqual([]);
    store.close();
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(dir).some((f) => f.startsWith("tasks.db.corrupt-"))).toBe(true);
  });
});

// The serial queue both hosts run (tasks/queue.ts): one task holds the slot; a task that parks
// (its delegate step waits on a peer) hands the slot on, and takes it back before any new task
// once its peer is done; the daemon's queue takes every approved task, a process without a daemon
// only the ones run there. Execution is replaced by a scripted one (the executor and delegate
// steps have their own tests), so the order of events is exact.
import { afterEach, describe, expect, test } from "bun:test";
import type { Task } from "../../src/protocol/tasks.ts";
import type { Parking } from "../../src/tasks/executor.ts";
import { TaskQueue } from "../../src/tasks/queue.ts";
import type { TaskService } from "../../src/tasks/service.ts";
import { cleanupAll } from "../support/temp.ts";
import { makeBed } from "./support.ts";

afterEach(cleanupAll);

interface Script {
  log: string[];
  /** Task ids that park until `peerDone(id)`. */
  parks: Set<number>;
  peerDone(id: number): void;
  /** Tasks that run until `finish(id)`. */
  finish(id: number): void;
}

/** Replace execution with a script: start, maybe park until the peer is done, run until finished. */
function scripted(service: TaskService): Script {
  const peers = new Map<number, () => void>();
  const finishers = new Map<number, () => void>();
  const gate = (map: Map<number, () => void>, id: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      map.set(id, resolve);
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  const s: Script = {
    log: [],
    parks: new Set(),
    peerDone: (id) => peers.get(id)?.(),
    finish: (id) => finishers.get(id)?.(),
  };
  service.execute = async (id: number, signal: AbortSignal, parking?: Parking): Promise<Task> => {
    service.store.transition(id, "executing", { from: ["queued"], patch: { runner_pid: process.pid } });
    s.log.push(`start ${id}`);
    if (s.parks.has(id)) {
      parking!.park();
      s.log.push(`parked ${id}`);
      await gate(peers, id, signal);
      await parking!.resume(signal);
      s.log.push(`resumed ${id}`);
    }
    if (!signal.aborted) await gate(finishers, id, signal);
    service.store.transition(id, signal.aborted ? "interrupted" : "done", { reason: signal.aborted ? "interrupted" : "ok", patch: { runner_pid: null } });
    s.log.push(`${signal.aborted ? "interrupted" : "done"} ${id}`);
    return service.get(id);
  };
  return s;
}

function approvedTasks(service: TaskService, n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const id = service.store.insert({ name: `t${i + 1}`, description: `task ${i + 1}` });
    service.store.transition(id, "approved", { from: ["created"], reason: "approved" });
    return id;
  });
}

const tick = () => Bun.sleep(5);

describe("the task queue", () => {
  test("the daemon's queue: a parked task hands its slot on and takes it back before the next new task", async () => {
    const { service } = await makeBed();
    const s = scripted(service);
    const [a, b, c] = approvedTasks(service, 3) as [number, number, number];
    s.parks.add(a);
    const queue = new TaskQueue(service, { take: "all", log: (m) => s.log.push(m) });
    queue.start();
    await tick();
    // a parked; b got the slot; c waits in line.
    expect(s.log).toEqual([`start ${a}`, `task #${a}: parked while its delegate step waits on a peer; the queue goes on`, `parked ${a}`, `start ${b}`]);
    expect(service.store.status(a)).toBe("executing");
    expect(service.store.status(c)).toBe("approved");
    expect([...queue.executingHere].sort()).toEqual([a, b]);

    s.peerDone(a); // a's peer finished while b holds the slot: a waits for it, ahead of c
    await tick();
    expect(s.log.at(-1)).toBe(`start ${b}`);
    s.finish(b);
    await tick();
    expect(s.log.slice(-2)).toEqual([`done ${b}`, `resumed ${a}`]);
    expect(service.store.status(c)).toBe("approved");
    s.finish(a);
    await tick();
    expect(s.log.slice(-2)).toEqual([`done ${a}`, `start ${c}`]);
    s.finish(c);
    expect((await queue.settled(c)).status).toBe("done");
  });

  test("a parked task's peer finishing while the slot is free: it resumes at once", async () => {
    const { service } = await makeBed();
    const s = scripted(service);
    const [a] = approvedTasks(service, 1) as [number];
    s.parks.add(a);
    const queue = new TaskQueue(service, { take: "all", log: () => undefined });
    queue.start();
    await tick();
    s.peerDone(a);
    await tick();
    expect(s.log).toEqual([`start ${a}`, `parked ${a}`, `resumed ${a}`]);
    s.finish(a);
    expect((await queue.settled(a)).status).toBe("done");
  });

  test("without a daemon the queue takes only the tasks run here, and settles each", async () => {
    const { service } = await makeBed();
    const s = scripted(service);
    const [a, b] = approvedTasks(service, 2) as [number, number];
    const queue = new TaskQueue(service, { take: "asked", log: () => undefined });
    queue.start();
    await tick();
    expect(s.log).toEqual([]); // approved tasks are not taken on their own
    expect(queue.run(b).status).toBe("executing");
    const settled = queue.settled(b);
    s.finish(b);
    expect((await settled).status).toBe("done");
    await tick();
    expect(service.store.status(a)).toBe("approved");
    expect(s.log).toEqual([`start ${b}`, `done ${b}`]);
  });

  test("interrupting a parked task settles it interrupted; reconcile leaves this process's parked task alone", async () => {
    const { service } = await makeBed();
    const s = scripted(service);
    const [a, b] = approvedTasks(service, 2) as [number, number];
    s.parks.add(a);
    const queue = new TaskQueue(service, { take: "all", log: () => undefined });
    queue.start();
    await tick();
    expect(service.reconcile(queue.executingHere)).toEqual([]);
    expect(service.store.status(a)).toBe("executing");
    const r = await queue.interrupt(a);
    expect(r).toMatchObject({ id: a, status: "interrupted" });
    expect(s.log).toContain(`interrupted ${a}`);
    expect(service.store.status(b)).toBe("executing"); // b kept the slot
    s.finish(b);
    expect((await queue.settled(b)).status).toBe("done");
    // Not executing anywhere and not queued: nothing to interrupt.
    await expect(queue.interrupt(b)).rejects.toThrow(`task #${b} is done: nothing to interrupt`);
  });

  test("stop interrupts the active and the parked tasks", async () => {
    const { service } = await makeBed();
    const s = scripted(service);
    const [a, b] = approvedTasks(service, 2) as [number, number];
    s.parks.add(a);
    const queue = new TaskQueue(service, { take: "all", log: () => undefined });
    queue.start();
    await tick();
    await queue.stop();
    expect([service.store.status(a), service.store.status(b)]).toEqual(["interrupted", "interrupted"]);
  });
});

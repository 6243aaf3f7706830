// `skep status --oneline` reads task counts with its own small reader (tasks/counts.ts) and looks
// for coordinator runs without the run store (coordinator/peek.ts), to start fast. The line must
// be the one the dashboard's readers give (cockpit/dashboard.ts oneline over snapshot.ts
// findScope) for a store in any state: current, older or newer schema, damaged, missing, gone.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { oneline } from "../../src/cockpit/dashboard.ts";
import { findScope } from "../../src/cockpit/snapshot.ts";
import { statusLine } from "../../src/cockpit/status-line.ts";
import { anyRunRecordIn } from "../../src/coordinator/peek.ts";
import { RunStore, runsDir, runsInFlight } from "../../src/coordinator/store.ts";
import type { TaskStatus } from "../../src/protocol/tasks.ts";
import { readTaskCounts } from "../../src/tasks/counts.ts";
import { TaskStore, tasksDbPath } from "../../src/tasks/store.ts";
import { peekRepos } from "../../src/workspace/peek.ts";
import { registerRepo, registryPath, workspaceRepos } from "../../src/workspace/registry.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

const PATHS: Partial<Record<TaskStatus, TaskStatus[]>> = {
  executing: ["approved", "queued", "executing"],
  queued: ["approved", "queued"],
  approved: ["approved"],
  pending: ["pending"],
  pending_clarification: ["pending_clarification"],
  done: ["approved", "queued", "executing", "done"],
  classified: ["classified"],
};

function addTask(store: TaskStore, status: TaskStatus, createdAt: string): number {
  const id = store.insert({ name: `t-${status}`, description: status });
  for (const to of PATHS[status] ?? []) store.transition(id, to);
  store.db.query("UPDATE tasks SET created_at = ? WHERE id = ?").run(createdAt, id);
  return id;
}

function repoWithStore(ws: string, name: string, tasks: [TaskStatus, string][]): string {
  const root = join(ws, name);
  mkdirSync(root, { recursive: true });
  registerRepo(ws, root);
  const store = TaskStore.open(join(root, ".skep"));
  for (const [status, at] of tasks) addTask(store, status, at);
  store.close();
  return root;
}

function markSchema(root: string, version: string): void {
  const store = TaskStore.open(join(root, ".skep"));
  store.db.query("UPDATE meta SET value = ? WHERE key = 'tasks_schema'").run(version);
  store.close();
}

describe("the status line's own readers", () => {
  test("the same line and answer as the dashboard's readers, for stores in every state", async () => {
    const ws = tempDir("skep-status-line-");
    const api = repoWithStore(ws, "api", [
      ["done", "2025-01-01T00:00:00.000Z"],
      ["executing", "2025-01-02T00:00:00.000Z"],
      ["pending_clarification", "2025-01-06T00:00:00.000Z"],
      ["pending", "2025-01-03T00:00:00.000Z"],
      ["classified", "2025-01-04T00:00:00.000Z"],
    ]);
    // Same creation time as api's pending task (#4): the lower id wins, whatever the repo.
    const web = repoWithStore(ws, "web", [["queued", "2025-01-05T00:00:00.000Z"], ["approved", "2025-01-05T00:00:00.000Z"], ["pending", "2025-01-03T00:00:00.000Z"]]);
    const older = repoWithStore(ws, "older", [["pending", "2024-12-01T00:00:00.000Z"]]);
    markSchema(older, "2");
    const newer = repoWithStore(ws, "newer", [["executing", "2025-01-01T00:00:00.000Z"]]);
    markSchema(newer, "99");
    const broken = repoWithStore(ws, "broken", []);
    writeFileSync(tasksDbPath(join(broken, ".skep")), "not a database ".repeat(100));
    for (const ext of ["-wal", "-shm"]) rmSync(tasksDbPath(join(broken, ".skep")) + ext, { force: true });
    const empty = join(ws, "empty");
    mkdirSync(empty);
    registerRepo(ws, empty);
    const gone = repoWithStore(ws, "gone", [["executing", "2025-01-01T00:00:00.000Z"]]);
    rmSync(gone, { recursive: true });

    // The small reader answers for this skep's own schema only; the rest go the full way.
    expect(readTaskCounts(tasksDbPath(join(api, ".skep")))).toEqual({
      byStatus: { done: 1, executing: 1, pending_clarification: 1, pending: 1, classified: 1 },
      waiting: [
        { id: 3, status: "pending_clarification", createdAt: "2025-01-06T00:00:00.000Z" },
        { id: 4, status: "pending", createdAt: "2025-01-03T00:00:00.000Z" },
      ],
    });
    for (const r of [older, newer, broken]) expect(readTaskCounts(tasksDbPath(join(r, ".skep")))).toBeNull();

    for (const tmux of [false, true]) {
      const mine = await statusLine(web, { tmux });
      expect(mine.answer).toEqual(oneline(findScope(web), { tmux }));
      expect(mine.scope).toEqual(findScope(web));
    }
    const { answer } = await statusLine(api);
    expect(answer.text).toBe("◠ 1 exec · 2 queued · 1 planning · 3 pending · 1 needs clarify · 🔔 older#1 waiting approval · ⚠ 3 unreadable");
    markSchema(older, "3");
    expect((await statusLine(api)).answer.waiting).toEqual({ repo: "older", id: 1, status: "pending" });
    rmSync(join(older, ".skep"), { recursive: true });
    expect((await statusLine(api)).answer).toEqual(oneline(findScope(api)));
    expect((await statusLine(api)).answer.waiting).toEqual({ repo: "web", id: 3, status: "pending" });
  });

  test("the registry peek answers only for a registry the schema accepts, with the same repos", async () => {
    const ws = tempDir("skep-status-line-reg-");
    const repo = join(ws, "api");
    mkdirSync(repo);
    expect(peekRepos(ws)).toEqual([]); // no workspace directory yet: nothing registered
    registerRepo(ws, repo);
    registerRepo(ws, join(ws, "web"), "codex");
    expect(peekRepos(ws)).toEqual(workspaceRepos(ws));
    expect(peekRepos(ws)?.map((r) => r.name)).toEqual(["api", "web"]);
    const cases: [unknown, boolean][] = [
      [{}, true],
      [{ agents: {}, other: 1 }, true],
      [{ agents: { a: { path: "/a", extra: [1] } } }, true],
      [{ agents: { a: { path: "/a", llm: null } } }, false],
      [{ agents: { a: { path: 3 } } }, false],
      [{ agents: [] }, false],
      [{ agents: { a: "x" } }, false],
      [[], false],
    ];
    for (const [registry, peeked] of cases) {
      writeFileSync(registryPath(ws), JSON.stringify(registry));
      const full = (() => {
        try {
          return workspaceRepos(ws);
        } catch {
          return "invalid";
        }
      })();
      expect(peekRepos(ws)).toEqual(peeked ? (full as never) : null);
      if (peeked) expect(full).not.toBe("invalid");
      // Whichever reader answered, the line is the dashboard's.
      expect((await statusLine(repo)).answer).toEqual(oneline(findScope(repo)));
    }
    writeFileSync(registryPath(ws), "{ not json");
    expect(peekRepos(ws)).toBeNull();
    expect((await statusLine(repo)).answer.text).toBe("◠ (workspace registry unreadable)");
  });

  test("a repo alone, and nowhere: as the dashboard's readers", async () => {
    const solo = tempDir("skep-status-line-solo-");
    mkdirSync(join(solo, ".git"));
    expect((await statusLine(solo)).answer).toEqual(oneline(findScope(solo)));
    expect((await statusLine(solo)).answer.text).toBe("◠ idle");
    const store = TaskStore.open(join(solo, ".skep"));
    addTask(store, "pending", "2025-02-01T00:00:00.000Z");
    store.close();
    mkdirSync(join(solo, "sub"));
    expect((await statusLine(join(solo, "sub"))).answer).toEqual(oneline(findScope(solo)));
    expect((await statusLine(solo)).answer.text).toBe("◠ 1 pending · 🔔 #1 waiting approval");
    const nowhere = tempDir("skep-status-line-none-");
    expect((await statusLine(nowhere)).answer).toEqual(oneline(findScope(nowhere)));
    expect((await statusLine(nowhere)).answer.text).toBe("◠ (no skep repo)");
  });

  test("a run in flight is seen from the raw records; finished and damaged ones are not", () => {
    const ws = tempDir("skep-status-line-runs-");
    const shown = ["drafting", "pending_clarification", "pending", "running", "reviewing"];
    expect(anyRunRecordIn(ws, shown)).toBe(false);
    const runs = new RunStore(ws);
    const first = runs.create({ spec: "one", repos: [], configRepo: "api" });
    const record = (id: number) => join(runsDir(ws), String(id), "run.json");
    const setStatus = (id: number, status: string) => writeFileSync(record(id), JSON.stringify({ ...JSON.parse(readFileSync(record(id), "utf8")), status }));
    expect(anyRunRecordIn(ws, shown)).toBe(true); // drafting
    setStatus(first.id, "done");
    expect(anyRunRecordIn(ws, shown)).toBe(false);
    const second = runs.create({ spec: "two", repos: [], configRepo: "api" });
    writeFileSync(record(second.id), '{"status": "running", ');
    expect(anyRunRecordIn(ws, shown)).toBe(false); // damaged: the run store skips it too
    expect(runsInFlight(ws)).toEqual([]);
    setStatus(first.id, "running");
    expect(anyRunRecordIn(ws, shown)).toBe(true);
    expect(runsInFlight(ws)?.map((r) => r.id)).toEqual([first.id]);
  });
});

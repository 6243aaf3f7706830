// The MCP side of coordinator runs, with the `script` backend: a coding agent starts a run
// (`coordinate`), approves it (`approve_run`, answered at once while this server drives it), waits
// for the end server-side (`wait_run`) and reads it (`show_run`); and the read-only workspace
// server a run's LLM calls get (`skep mcp workspace`): the five index tools with a `repo` argument,
// reaching both repos, and nothing that writes.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll, connect, expectStructured } from "../mcp/support.ts";
import { bedWith, CHANGE, checkoutsUnchanged, tasksOf } from "./scenario.ts";

setDefaultTimeout(120_000);
afterEach(cleanupAll);

describe("run tools over MCP", () => {
  test("coordinate → approve_run → wait_run → show_run; the waits block server-side", async () => {
    const bed = bedWith({ stepDelayMs: 500 });
    const mcp = await connect(bed.repos.adapter!, { env: bed.env });
    const { tools } = await mcp.client.listTools();
    for (const name of ["coordinate", "show_run", "approve_run", "wait_run"]) expect(tools.some((t) => t.name === name)).toBe(true);

    const drafted = await mcp.json("coordinate", { spec: CHANGE });
    expect(drafted).toMatchObject({ id: 1, status: "pending", repos: ["adapter", "gateway"] });
    expect(drafted.contract.map((c: { id: string }) => c.id)).toEqual(["C1", "C2"]);
    expect(drafted.specs.map((s: { repo: string }) => s.repo)).toEqual(["adapter", "gateway"]);
    expect(drafted.next_action_hint).toContain("approve_run only with their go-ahead");
    expect(tasksOf(bed, "adapter")).toEqual([]);

    const approved = await mcp.json("approve_run", { id: 1 });
    expect(approved.status).toBe("running");
    const progress: string[] = [];
    const waited = await mcp.client.callTool({ name: "wait_run", arguments: { id: 1 } }, undefined, {
      onprogress: (p) => progress.push(String(p.message)),
      resetTimeoutOnProgress: true,
      timeout: 110_000,
    });
    expectStructured("wait_run", waited);
    const end = JSON.parse((waited.content as { text: string }[])[0]!.text);
    expect(end.status, end.reason).toBe("done");
    expect(end.verdicts).toEqual([
      { id: "C1", verdict: "holds", sides: ["adapter adapter/receive.py:7", "gateway gateway/recovery.py:14"], note: "same class, retry_after read where it is set" },
      { id: "C2", verdict: "untested", sides: ["gateway gateway/recovery.py:7"], note: "no adapter-side test" },
    ]);
    expect(end.workers.map((w: { repo: string; status: string }) => [w.repo, w.status])).toEqual([["adapter", "done"], ["gateway", "done"]]);
    // The first notification is the status the wait began with (later ones may be dropped by a client that has the answer).
    expect(progress[0]).toStartWith("run 1 running");
    expect(readFileSync(end.report_file, "utf8")).toContain("**holds**");
    // This server drove the run: the driver pid it recorded is gone from the run once it settled.
    const shown = await mcp.json("show_run", { id: 1 });
    expect(shown).toMatchObject({ id: 1, status: "done", tokens: { calls: 8 } });
    const missing = await mcp.call("show_run", { id: 7 });
    expect(missing).toMatchObject({ isError: true });
    expect(missing.text).toContain("no run 7");
    await mcp.close();
    checkoutsUnchanged(bed);
  });

  test("the workspace server: five read tools, each with `repo`, reaching every repo; an unknown repo is a tool error", async () => {
    const bed = bedWith();
    const mcp = await connect(null, { env: bed.env, args: ["workspace", "--workspace", bed.ws] });
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_call_graph", "get_file_context", "get_overview", "get_symbol", "search_symbols"]);
    for (const t of tools) {
      expect(t.annotations).toMatchObject({ readOnlyHint: true });
      expect(Object.keys((t.inputSchema as { properties: object }).properties)[0]).toBe("repo");
    }
    const adapter = await mcp.json("search_symbols", { repo: "adapter", query: "ReceiveLoopDied" });
    expect(adapter.hits[0]).toMatchObject({ name: "ReceiveLoopDied", file: "adapter/receive.py" });
    const gateway = await mcp.json("search_symbols", { repo: "gateway", query: "supervise" });
    expect(gateway.hits[0]).toMatchObject({ name: "supervise", file: "gateway/recovery.py" });
    const outline = await mcp.json("get_file_context", { repo: "Gateway", file_path: "gateway/recovery.py" });
    expect(JSON.stringify(outline)).toContain("RETRY_BUDGET");
    const wrong = await mcp.call("search_symbols", { repo: "mobile", query: "x" });
    expect(wrong).toMatchObject({ isError: true });
    expect(wrong.text).toBe("Error: no repo 'mobile' here; the repos are: adapter, gateway");
    await mcp.close();
    checkoutsUnchanged(bed);
    // Nothing was written into the repos' skep stores by the reads: no task store appeared.
    expect(() => readFileSync(join(bed.repos.adapter!, ".skep", "tasks.db"))).toThrow();
  });
});

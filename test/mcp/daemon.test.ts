// With and without the daemon: while the repo's daemon runs, the MCP server answers through its
// socket (stamp via: "daemon"); when the daemon stops, the same calls read the index file directly
// (via: "direct") with the same answers; when it comes back, the server uses it again.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll as stopDaemons, pathsFor, startDaemon, waitForPing } from "../daemon/support.ts";
import { cleanupAll, connect, git, indexAt, makeRepo, type Mcp, SAMPLE, tempDir } from "./support.ts";

// Real child processes (servers, git, daemons) on a shared, busy machine: be generous.
setDefaultTimeout(60_000);

let repo: string;
let mcp: Mcp;

beforeAll(async () => {
  repo = makeRepo(SAMPLE, join(tempDir("skep-mcpd-"), "repo"));
  await indexAt(repo);
  mcp = await connect(repo);
});
afterAll(async () => {
  await stopDaemons(); // daemons a failed test left running
  await cleanupAll();
});

const CALLS: [string, Record<string, unknown>][] = [
  ["search_symbols", { query: "greet" }],
  ["get_file_context", { file_path: "src/app.ts", verbose: true }],
  ["get_call_graph", { symbol_id: "greet", depth: 2 }],
  ["get_symbol", { symbol_id: "App.run" }],
  ["get_overview", { tokens: 300 }],
];

function withoutStamp(a: Record<string, unknown>): Record<string, unknown> {
  const { index: _, ...rest } = a;
  return rest;
}

describe("daemon", () => {
  test("answers go through the daemon while it runs, and straight to the index file otherwise", async () => {
    const direct = new Map<string, Record<string, unknown>>();
    for (const [tool, args] of CALLS) {
      const a = await mcp.json(tool, args);
      expect(a.index.via).toBe("direct");
      direct.set(tool, a);
    }

    const d = await startDaemon(repo);
    for (const [tool, args] of CALLS) {
      const a = await mcp.json(tool, args);
      expect(a.index).toMatchObject({ via: "daemon", worktree: repo, stale: false, indexedHead: git(repo, "rev-parse", "HEAD") });
      expect(withoutStamp(a)).toEqual(withoutStamp(direct.get(tool)!));
    }
    // Errors come back the same way through the daemon.
    const typo = await mcp.call("get_call_graph", { symbol_id: "gret" });
    expect(typo.isError).toBe(true);
    expect(typo.text).toContain("did you mean greet");
    const missing = await mcp.call("get_file_context", { file_path: "src/gret.ts" });
    expect(missing.text).toContain("did you mean 'src/greet.ts'");

    await d.stop();
    for (const [tool, args] of CALLS) {
      const a = await mcp.json(tool, args);
      expect(a.index.via).toBe("direct");
      expect(withoutStamp(a)).toEqual(withoutStamp(direct.get(tool)!));
    }

    // A daemon started after the MCP server is found too.
    const again = await startDaemon(repo);
    await waitForPing(pathsFor(repo));
    let via = "";
    for (let i = 0; i < 50 && via !== "daemon"; i++) {
      via = (await mcp.json("search_symbols", { query: "greet" })).index.via;
      if (via !== "daemon") await Bun.sleep(50); // a failed attempt waits a second before the next
    }
    expect(via).toBe("daemon");
    await again.stop();
  });

  test("a worktree identical to the indexed commit uses the main checkout's daemon; a changed one is overlaid", async () => {
    const d = await startDaemon(repo);
    const wt = join(repo, "..", "wt");
    git(repo, "worktree", "add", "-q", wt, "-b", "side");
    const m = await connect(wt);
    const clean = await m.json("search_symbols", { query: "greet" });
    expect(clean.index).toMatchObject({ via: "daemon", worktree: wt, indexRoot: repo, overlayFiles: 0 });
    writeFileSync(join(wt, "src/new.ts"), "export function fresh(): number { return 1; }\n");
    const changed = await m.json("search_symbols", { query: "fresh" });
    expect(changed.hits[0].name).toBe("fresh");
    expect(changed.index).toMatchObject({ via: "direct", worktree: wt, indexRoot: repo, overlayFiles: 1 });
    await m.close();
    await d.stop();
  });
});

// Red-team attack 12: a wedged daemon (SIGSTOP) made CLI reads wait 120 s and MCP calls 30 s before
// they read the index file themselves. Now both give it 2 s (api/ask.ts READ_TIMEOUT_MS): the
// answers come from the file, well before the old 30 s limit, and `daemon status` says the daemon
// does not answer and that its process is stopped.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { cleanupAll as stopDaemons, startDaemon } from "../daemon/support.ts";
import { BUN, childEnv, cleanupAll, connect, indexAt, MAIN, makeRepo, PROJECT, SAMPLE, tempDir } from "./support.ts";

setDefaultTimeout(90_000);
afterAll(async () => {
  await stopDaemons();
  await cleanupAll();
});

/** Resolves to "answered" or, after `ms`, "late": the old limits were 30 s (MCP) and 120 s (CLI). */
function before<T>(p: Promise<T>, ms: number): Promise<T | "late"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<"late">((r) => (timer = setTimeout(() => r("late"), ms)))]).finally(() => clearTimeout(timer));
}

function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  const p = Bun.spawn([BUN, MAIN, ...args], { cwd: PROJECT, env: childEnv(), stdout: "pipe", stderr: "pipe" });
  return Promise.all([new Response(p.stdout).text(), p.exited]).then(([stdout, code]) => ({ code, stdout }));
}

test("with the daemon stopped by SIGSTOP, CLI and MCP reads answer from the index file and daemon status says it does not answer", async () => {
  const repo = makeRepo(SAMPLE, join(tempDir("skep-frozen-"), "repo"));
  await indexAt(repo);
  const d = await startDaemon(repo);
  const mcp = await connect(repo);
  expect((await mcp.json("search_symbols", { query: "greet" })).index.via).toBe("daemon");

  d.proc.kill("SIGSTOP");
  try {
    const viaMcp = await before(mcp.json("search_symbols", { query: "greet" }), 15_000);
    expect(viaMcp).not.toBe("late");
    expect((viaMcp as Record<string, any>).index.via).toBe("direct");
    expect(JSON.stringify(viaMcp)).toContain("greet");

    const search = await before(cli(["search", "greet", "--repo", repo]), 15_000);
    expect(search).not.toBe("late");
    expect((search as { code: number }).code).toBe(0);
    expect((search as { stdout: string }).stdout).toContain("greet");

    const status = await cli(["daemon", "status", "--repo", repo]);
    expect(status.code).toBe(3);
    expect(status.stdout).toContain("does not answer");
    if (process.platform === "linux") expect(status.stdout).toContain("the process is stopped (SIGSTOP)");
  } finally {
    d.proc.kill("SIGCONT");
  }
  await mcp.close();
});

// Red-team attack 14: an unknown method, a line that is not JSON and a batch each get a JSON-RPC
// error (the client would otherwise wait forever), and the server keeps answering afterwards.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { lineError } from "../../src/mcp/stdio-guard.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

test("lineError: parse errors, batches and non-messages are named; messages and blank lines pass", () => {
  expect(lineError("{not json")?.error.code).toBe(-32700);
  expect(lineError('[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]')).toMatchObject({ id: null, error: { code: -32600 } });
  expect(lineError('{"jsonrpc":"2.0","id":4}')).toMatchObject({ id: 4, error: { code: -32600 } });
  expect(lineError('{"jsonrpc":"1.0","id":"a","method":"x"}')).toMatchObject({ id: "a", error: { code: -32600 } });
  expect(lineError("42")?.error.code).toBe(-32600);
  expect(lineError('{"jsonrpc":"2.0","id":1,"method":"nope"}')).toBeNull();
  expect(lineError('{"jsonrpc":"2.0","id":1,"result":{}}')).toBeNull();
  expect(lineError("   ")).toBeNull();
});

test("skep mcp answers -32601, -32700 and -32600 over stdio and keeps serving", async () => {
  const root = initRepo(join(tempDir("skep-jsonrpc-"), "repo"), { "a.go": "package main\nfunc A() {}\n" });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_")) env[k] = v;
  const proc = Bun.spawn([BUN, MAIN, "mcp", "--repo", root], { env: { ...env, SKEP_NO_DAEMON: "1" }, stdin: "pipe", stdout: "pipe", stderr: "ignore" });
  const lines = [
    { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 12, method: "nope" },
    "{not json",
    [{ jsonrpc: "2.0", id: 11, method: "tools/list" }],
    { jsonrpc: "2.0", id: 13, method: "tools/list" },
  ];
  for (const l of lines) proc.stdin.write(`${typeof l === "string" ? l : JSON.stringify(l)}\n`);
  await proc.stdin.flush();
  const replies: { id?: unknown; error?: { code: number }; result?: { tools?: unknown[] } }[] = [];
  const reader = proc.stdout.getReader();
  let buf = "";
  const deadline = Date.now() + 30_000;
  while (replies.length < 5 && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += new TextDecoder().decode(value);
    let nl: number;
    while ((nl = buf.indexOf("\n")) !== -1) {
      replies.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
    }
  }
  proc.stdin.end();
  await proc.exited;
  const byId = (id: unknown) => replies.filter((r) => r.id === id);
  expect(byId(12)[0]?.error?.code).toBe(-32601);
  expect(byId(null).map((r) => r.error?.code).sort()).toEqual([-32700, -32600].sort());
  expect(byId(13)[0]?.result?.tools?.length).toBeGreaterThan(5);
});

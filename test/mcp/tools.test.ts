// Every MCP tool and every error path, through the SDK's Client over stdio against a real
// `skep mcp --repo <tmp repo>` child, reading the index file directly (no daemon runs here).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Stamp } from "../../src/protocol/mcp.ts";
import { damagePages } from "../support/damage.ts";
import { cleanupAll, connect, git, indexAt, makeRepo, type Mcp, SAMPLE, tempDir } from "./support.ts";

// Real child processes (servers, git, daemons) on a shared, busy machine: be generous.
setDefaultTimeout(60_000);

let repo: string;
let mcp: Mcp;
let head: string;

beforeAll(async () => {
  repo = makeRepo(SAMPLE);
  await indexAt(repo);
  head = git(repo, "rev-parse", "HEAD");
  mcp = await connect(repo);
});
afterAll(cleanupAll);

function expectStamp(s: unknown): Stamp {
  const stamp = Stamp.parse(s);
  expect(stamp.worktree).toBe(repo);
  expect(stamp.head).toBe(head);
  expect(stamp.indexedHead).toBe(head);
  expect(stamp.indexedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(stamp.via).toBe("direct");
  return stamp;
}

describe("the server", () => {
  test("introduces itself and lists five lean index tools (and the task tools: task-tools.test.ts)", async () => {
    expect(mcp.client.getServerVersion()?.name).toBe("skep");
    expect(mcp.client.getInstructions()).toContain("index");
    const { tools: all } = await mcp.client.listTools();
    const tools = all.filter((t) => !t.name.endsWith("_task") && !t.name.endsWith("_tasks"));
    expect(tools.map((t) => t.name).sort()).toEqual(["get_call_graph", "get_file_context", "get_overview", "get_symbol", "search_symbols"]);
    for (const t of tools) {
      expect(t.annotations?.readOnlyHint).toBe(true);
      expect(t.description!.length).toBeLessThan(200);
    }
    // Outside a workspace only the 13 index and task tools are listed: the cross-repo ones would
    // cost every turn their share for nothing (docs/mcp.md, "What the tool list costs").
    expect(all.map((t) => t.name).some((n) => n.endsWith("_remote_task") || n.endsWith("_run") || n === "coordinate")).toBe(false);
    const chars = JSON.stringify(all).length + (mcp.client.getInstructions()?.length ?? 0);
    expect(chars).toBeLessThan(8_000);
  });

  test("parameters are compatible with the reference's names", async () => {
    const { tools } = await mcp.client.listTools();
    const props = (name: string) => Object.keys((tools.find((t) => t.name === name)!.inputSchema.properties ?? {}) as object);
    expect(props("search_symbols")).toEqual(expect.arrayContaining(["query", "kinds", "limit", "verbose", "path"]));
    expect(props("get_file_context")).toEqual(expect.arrayContaining(["file_path", "verbose"]));
    expect(props("get_call_graph")).toEqual(expect.arrayContaining(["symbol_id", "depth"]));
  });
});

describe("search_symbols", () => {
  test("finds a function with its location, signature and a freshness stamp", async () => {
    const a = await mcp.json("search_symbols", { query: "greet" });
    expect(a.hits[0]).toMatchObject({ name: "greet", kind: "function", file: "src/greet.ts", line: 2, end_line: 4, match: "exact" });
    expect(a.hits[0].signature).toBe("export function greet(name: string): string");
    expect(a.hits[0].doc).toBeUndefined();
    const stamp = expectStamp(a.index);
    expect(stamp.stale).toBe(false);
    expect(stamp.pendingFiles).toBe(0);
  });

  test("kinds, path and limit filter; verbose adds docs", async () => {
    const methods = await mcp.json("search_symbols", { query: "run", kinds: ["method"] });
    expect(methods.hits.map((h: { name: string; container: string }) => `${h.container}.${h.name}`)).toEqual(["App.run"]);
    const underGo = await mcp.json("search_symbols", { query: "serve", path: "go" });
    expect(underGo.hits.map((h: { file: string }) => h.file)).toEqual(["go/server.go"]);
    const one = await mcp.json("search_symbols", { query: "s", limit: 1 });
    expect(one.hits).toHaveLength(1);
    const docs = await mcp.json("search_symbols", { query: "greet", verbose: true });
    expect(docs.hits[0].doc).toContain("Greets someone");
  });

  test("typos and camel humps still find the symbol", async () => {
    expect((await mcp.json("search_symbols", { query: "gret" })).hits[0].name).toBe("greet");
    expect((await mcp.json("search_symbols", { query: "sa" })).hits.map((h: { name: string }) => h.name)).toContain("startApp");
  });

  test("no match is an answer with a hint, not an error", async () => {
    const a = await mcp.json("search_symbols", { query: "zzzqqqxxx" });
    expect(a.hits).toEqual([]);
    expect(a.hint).toContain("nothing matches");
    const filtered = await mcp.json("search_symbols", { query: "greet", kinds: ["class"] });
    expect(filtered.hint).toContain("without those filters");
  });
});

describe("get_file_context", () => {
  test("lists a file's symbols in line order with signatures and ranges", async () => {
    const a = await mcp.json("get_file_context", { file_path: "src/app.ts" });
    expect(a.file).toBe("src/app.ts");
    expect(a.lang).toBe("typescript");
    expect(a.symbols.map((s: { name: string; line: number }) => `${s.name}@${s.line}`)).toEqual(["App@3", "run@5", "stop@9", "startApp@12"]);
    expect(a.symbols[1]).toMatchObject({ kind: "method", container: "App", end_line: 7, signature: "run(): string" });
    expect(a.symbols[1].doc).toBeUndefined();
    expectStamp(a.index);
  });

  test("verbose adds docs; ./ and absolute paths inside the repo are accepted", async () => {
    const a = await mcp.json("get_file_context", { file_path: "./src/app.ts", verbose: true });
    expect(a.symbols[1].doc).toContain("Runs the app");
    const abs = await mcp.json("get_file_context", { file_path: join(repo, "src/greet.ts") });
    expect(abs.file).toBe("src/greet.ts");
  });

  test("errors say what to do: a typo, a directory, a file skep does not parse", async () => {
    const typo = await mcp.call("get_file_context", { file_path: "src/gret.ts" });
    expect(typo.isError).toBe(true);
    expect(typo.text).toContain("did you mean 'src/greet.ts'");
    const moved = await mcp.call("get_file_context", { file_path: "greet.ts" });
    expect(moved.text).toContain("did you mean 'src/greet.ts'");
    const dir = await mcp.call("get_file_context", { file_path: "src" });
    expect(dir.isError).toBe(true);
    expect(dir.text).toContain("is a directory");
    const readme = await mcp.call("get_file_context", { file_path: "README.md" });
    expect(readme.isError).toBe(true);
    expect(readme.text).toContain("not a source file skep parses");
    const root = await mcp.call("get_file_context", { file_path: "." });
    expect(root.isError).toBe(true);
    // Left out by a rule: the answer names the rule and the way to bring it back.
    mkdirSync(join(repo, "vendor/lib"), { recursive: true });
    writeFileSync(join(repo, "vendor/lib/lib.go"), "package lib\n\nfunc Vendored() {}\n");
    const vendored = await mcp.call("get_file_context", { file_path: "vendor/lib/lib.go" });
    expect(vendored.isError).toBe(true);
    expect(vendored.text).toContain("is left out of the index (vendored code (vendor/)): add it to index.include in .skep/config.json");
  });
});

describe("get_call_graph", () => {
  test("callers and callees of a name", async () => {
    const a = await mcp.json("get_call_graph", { symbol_id: "greet" });
    expect(a.symbol).toMatchObject({ name: "greet", file: "src/greet.ts" });
    expect(a.callers.map((c: { name: string }) => c.name)).toEqual(["run"]);
    expect(a.callees.map((c: { name: string }) => c.name)).toEqual(["format"]);
    expectStamp(a.index);
  });

  test("by id (number or string), one direction, several hops", async () => {
    const id = (await mcp.json("search_symbols", { query: "format" })).hits[0].id;
    const byNumber = await mcp.json("get_call_graph", { symbol_id: id, direction: "callers", depth: 3 });
    expect(byNumber.callees).toBeUndefined();
    const chain = byNumber.callers.map((c: { name: string; depth: number }) => `${c.name}:${c.depth}`);
    expect(chain).toEqual(["greet:1", "run:2", "startApp:3"]);
    expect(byNumber.callers[1].via).toBe(byNumber.callers[0].id);
    const byString = await mcp.json("get_call_graph", { symbol_id: String(id), direction: "callers" });
    expect(byString.symbol.id).toBe(id);
  });

  test("Type.Name and file:line name a symbol too", async () => {
    expect((await mcp.json("get_call_graph", { symbol_id: "App.run" })).symbol).toMatchObject({ name: "run", container: "App" });
    expect((await mcp.json("get_call_graph", { symbol_id: "src/app.ts:6" })).symbol).toMatchObject({ name: "run" });
  });

  test("an unknown name suggests the nearest symbols; an unknown id says to search again", async () => {
    const typo = await mcp.call("get_call_graph", { symbol_id: "gret" });
    expect(typo.isError).toBe(true);
    expect(typo.text).toMatch(/^Error: no symbol named 'gret'; did you mean greet \(function, src\/greet.ts:2, id \d+\)/);
    const gone = await mcp.call("get_call_graph", { symbol_id: 999999 });
    expect(gone.text).toContain("no symbol with id 999999");
    expect(gone.text).toContain("search_symbols");
    const line = await mcp.call("get_call_graph", { symbol_id: "src/app.ts:999" });
    expect(line.text).toContain("get_file_context");
    const bad = await mcp.call("get_call_graph", { symbol_id: -3 });
    expect(bad.isError).toBe(true);
  });
});

describe("get_symbol", () => {
  test("returns the source of one symbol with its range", async () => {
    const a = await mcp.json("get_symbol", { symbol_id: "App.run" });
    expect(a.symbol).toMatchObject({ name: "run", container: "App", file: "src/app.ts" });
    expect(a.start_line).toBe(5);
    expect(a.end_line).toBe(7);
    expect(a.source).toBe('  run(): string {\n    return greet("world");\n  }');
    expect(a.next_cursor).toBeUndefined();
    expectStamp(a.index);
  });

  test("a name with several definitions answers the best and lists the others", async () => {
    const dir = tempDir();
    const r = makeRepo({ "a.ts": "export function dup() { return 1; }\n", "b/c.ts": "export function dup() { return 2; }\n" }, join(dir, "r"));
    await indexAt(r);
    const m = await connect(r);
    const a = await m.json("get_symbol", { symbol_id: "dup" });
    expect(a.also).toHaveLength(1);
    expect(a.also[0].file).not.toBe(a.symbol.file);
    const other = await m.json("get_symbol", { symbol_id: a.also[0].id });
    expect(other.source).not.toBe(a.source);
    await m.close();
  });

  test("an unknown symbol is a tool error with suggestions", async () => {
    const r = await mcp.call("get_symbol", { symbol_id: "formt" });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("did you mean format");
  });
});

describe("get_overview", () => {
  test("languages, size and the ranked map within the budget", async () => {
    const a = await mcp.json("get_overview", { tokens: 200 });
    expect(a.root).toBe(repo);
    expect(a.files).toBe(3);
    expect(a.languages.map((l: { lang: string }) => l.lang).sort()).toEqual(["go", "typescript"]);
    expect(a.map).toContain("src/greet.ts:");
    expect(a.map.length / 4).toBeLessThanOrEqual(200);
    expect(a.peers).toBeUndefined();
    expectStamp(a.index);
  });

  test("names peer repos from the workspace registry", async () => {
    const ws = tempDir();
    const a = makeRepo(SAMPLE, join(ws, "alpha"));
    const b = join(ws, "beta");
    mkdirSync(b);
    mkdirSync(join(ws, ".skep-workspace"));
    writeFileSync(join(ws, ".skep-workspace", "registry.json"), JSON.stringify({ agents: { alpha: { path: a, llm: "claude" }, beta: { path: b, llm: "claude" } } }));
    await indexAt(a);
    const m = await connect(a);
    const o = await m.json("get_overview", {});
    expect(o.peers).toEqual([{ name: "beta", path: b }]);
    await m.close();
  });
});

describe("errors the SDK raises are tool errors too", () => {
  test("missing or mistyped arguments, an unknown tool", async () => {
    const missing = await mcp.call("search_symbols", {});
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain("query");
    const wrong = await mcp.call("get_call_graph", { symbol_id: "greet", depth: 9 });
    expect(wrong.isError).toBe(true);
    expect(wrong.text).toContain("depth");
    const unknown = await mcp.call("read_everything", {});
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain("not found");
  });

  test("a query or name that is far too long", async () => {
    expect((await mcp.call("search_symbols", { query: "x".repeat(2000) })).text).toContain("too long");
    expect((await mcp.call("get_symbol", { symbol_id: "x".repeat(2000) })).text).toContain("too long");
  });
});

describe("freshness", () => {
  test("an edit after indexing makes every answer say stale, naming the file", async () => {
    const r = makeRepo(SAMPLE);
    await indexAt(r);
    const m = await connect(r);
    expect((await m.json("search_symbols", { query: "greet" })).index.stale).toBe(false);
    appendFileSync(join(r, "src/greet.ts"), "export function later() {}\n");
    for (const [tool, args] of [
      ["search_symbols", { query: "greet" }],
      ["get_file_context", { file_path: "src/app.ts" }],
      ["get_call_graph", { symbol_id: "greet" }],
      ["get_symbol", { symbol_id: "greet" }],
      ["get_overview", {}],
    ] as const) {
      const a = await m.json(tool, args);
      expect(a.index).toMatchObject({ stale: true, pendingFiles: 1, pending: ["src/greet.ts"], via: "direct" });
    }
    await m.close();
  });

  test("without an index the server still starts, and every tool says how to build one", async () => {
    const r = makeRepo(SAMPLE);
    const m = await connect(r);
    const { tools } = await m.client.listTools();
    expect(tools).toHaveLength(13); // 5 index tools, 8 task tools (the 4 peer tools only with workspace peers, the 4 run tools only in a workspace)
    const a = await m.call("search_symbols", { query: "greet" });
    expect(a.isError).toBe(true);
    expect(a.text).toContain("skep init");
    // Built while the server runs: picked up without a restart.
    await indexAt(r);
    expect((await m.json("search_symbols", { query: "greet" })).hits[0].name).toBe("greet");
    await m.close();
  });

  test("a damaged index is a tool error naming the file; once `skep index` rebuilds it, the server reads the new file", async () => {
    const r = makeRepo(SAMPLE);
    await indexAt(r);
    const dbPath = join(r, ".skep", "index.db");
    damagePages(dbPath, ["symbols"]);
    const m = await connect(r);
    const damaged = `Error: the index at ${dbPath} is damaged (database disk image is malformed): run \`skep index\` to rebuild it`;
    for (const [tool, args] of [
      ["search_symbols", { query: "greet" }],
      ["get_file_context", { file_path: "src/app.ts" }],
      ["get_call_graph", { symbol_id: "greet" }],
      ["get_symbol", { symbol_id: "greet" }],
      ["get_overview", {}],
    ] as const) {
      expect(await m.call(tool, args)).toEqual({ isError: true, text: damaged });
    }
    // What `skep index` runs: the server's reads noted the damage, so this moves the file aside
    // and rebuilds it (and says so on stderr, kept out of the test's output here).
    const write = process.stderr.write;
    let stderr = "";
    process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
    try {
      await indexAt(r);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr).toContain(`skep: ${dbPath} is damaged`);
    expect((await m.json("search_symbols", { query: "greet" })).hits[0].name).toBe("greet");
    await m.close();
  });

  test("an index built for another directory says so in its stamp", async () => {
    const d = tempDir();
    const a = join(d, "a");
    mkdirSync(join(a, "src"), { recursive: true });
    writeFileSync(join(a, "src/x.ts"), "export function x(): number { return 1; }\n");
    await indexAt(a);
    const b = join(d, "b");
    cpSync(a, b, { recursive: true }); // a copied checkout, outside git, carrying a's index
    const m = await connect(b);
    const r = await m.json("search_symbols", { query: "x" });
    expect(r.index).toMatchObject({ worktree: b, indexRoot: a });
    await m.close();
  });

  test("--repo that is not a directory fails at start", async () => {
    const p = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/main.ts"), "mcp", "--repo", "/nonexistent/dir"], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    expect(p.exitCode).toBe(2);
    expect(p.stderr.toString()).toContain("not a directory");
  });
});

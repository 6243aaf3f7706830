// Bounded answers: no tool answer exceeds 20,000 characters; a long one is cut between items (or
// lines) and ends with next_cursor, and following the cursors yields everything exactly once.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { MAX_ANSWER_CHARS } from "../../src/protocol/mcp.ts";
import { cleanupAll, connect, indexAt, makeRepo, type Mcp } from "./support.ts";

// Real child processes (servers, git, daemons) on a shared, busy machine: be generous.
setDefaultTimeout(60_000);

let mcp: Mcp;
const BIG_FUNCTIONS = 1500;
const LONG_LINES = 3000;
const CALLERS = 400;

const bigFile = Array.from(
  { length: BIG_FUNCTIONS },
  (_, i) => `export function handlerNumber${i}(request: RequestWithAVeryLongTypeName, response: ResponseWithAVeryLongTypeName): Promise<void> { return target(); }`,
).join("\n");
const longBody = Array.from({ length: LONG_LINES }, (_, i) => `  const value${i} = ${i} + compute("some padding so that lines are long enough");`);
const longFunction = ["export function enormous(): number {", ...longBody, "  return 0;", "}"].join("\n");
const callers = Array.from({ length: CALLERS }, (_, i) => `export function caller${i}(): number { return target(); }`).join("\n");

beforeAll(async () => {
  const repo = makeRepo({
    "src/big.ts": `${bigFile}\n`,
    "src/long.ts": `${longFunction}\n\nfunction compute(s: string): number { return s.length; }\n`,
    "src/callers.ts": `${callers}\n`,
    "src/target.ts": "export function target(): any { return 1; }\n",
  });
  await indexAt(repo);
  mcp = await connect(repo);
});
afterAll(cleanupAll);

/** Call a tool and follow next_cursor to the end; every page must fit the limit. */
async function allPages(tool: string, args: Record<string, unknown>): Promise<Record<string, any>[]> {
  const pages: Record<string, any>[] = [];
  let cursor: string | undefined;
  do {
    const r = await mcp.call(tool, cursor ? { ...args, cursor } : args);
    expect(r.isError).toBe(false);
    expect(r.text.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
    const page = JSON.parse(r.text);
    expect(page.index.worktree).toBeTruthy(); // every page is stamped
    pages.push(page);
    cursor = page.next_cursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor);
  return pages;
}

describe("long answers are cut with a cursor", () => {
  test("get_file_context of a 1,500-symbol file", async () => {
    const pages = await allPages("get_file_context", { file_path: "src/big.ts" });
    expect(pages.length).toBeGreaterThan(5);
    const names = pages.flatMap((p) => p.symbols.map((s: { name: string }) => s.name));
    expect(names).toEqual(Array.from({ length: BIG_FUNCTIONS }, (_, i) => `handlerNumber${i}`));
    // Pages are full: each but the last is close to the limit.
    for (const p of pages.slice(0, -1)) expect(JSON.stringify(p).length).toBeGreaterThan(MAX_ANSWER_CHARS * 0.8);
  });

  test("search_symbols with 200 hits", async () => {
    const pages = await allPages("search_symbols", { query: "handlerNumber", limit: 200 });
    expect(pages.length).toBeGreaterThan(1);
    const ids = pages.flatMap((p) => p.hits.map((h: { id: number }) => h.id));
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
  });

  test("get_symbol of a 3,000-line function: pages of whole lines that join back to the source", async () => {
    const pages = await allPages("get_symbol", { symbol_id: "enormous" });
    expect(pages.length).toBeGreaterThan(5);
    let expectLine = 1;
    for (const p of pages) {
      expect(p.start_line).toBe(expectLine);
      expect(p.end_line - p.start_line + 1).toBe(p.source.split("\n").length);
      expectLine = p.end_line + 1;
    }
    expect(pages.map((p) => p.source).join("\n")).toBe(longFunction);
  });

  test("get_call_graph with 400 callers", async () => {
    const pages = await allPages("get_call_graph", { symbol_id: "target", direction: "callers", limit: 500 });
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) expect(p.symbol.name).toBe("target");
    const names = new Set(pages.flatMap((p) => p.callers.map((c: { name: string }) => c.name)));
    expect(names.size).toBe(500); // 1,900 symbols call target (the big file too); limit caps it
  });

  test("get_overview stays under the limit at its largest budget", async () => {
    const r = await mcp.call("get_overview", { tokens: 4000 });
    expect(r.isError).toBe(false);
    expect(r.text.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
  });
});

describe("cursors", () => {
  test("a cursor only continues the call it came from", async () => {
    const first = JSON.parse((await mcp.call("get_file_context", { file_path: "src/big.ts" })).text);
    const cursor = first.next_cursor as string;
    const other = await mcp.call("search_symbols", { query: "handlerNumber", cursor });
    expect(other.isError).toBe(true);
    expect(other.text).toContain("does not belong to search_symbols");
    const changed = await mcp.call("get_file_context", { file_path: "src/big.ts", verbose: true, cursor });
    expect(changed.isError).toBe(true);
    expect(changed.text).toContain("different arguments");
    const garbage = await mcp.call("get_file_context", { file_path: "src/big.ts", cursor: "not-a-cursor" });
    expect(garbage.isError).toBe(true);
    expect(garbage.text).toContain("pass next_cursor exactly as returned");
  });
});

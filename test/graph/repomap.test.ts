// The repo map: never over budget, most important files first, and a larger budget only adds.
import type { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { DEFAULT_MAP_TOKENS, estimateTokens, repoMap, type RepoMap } from "../../src/graph/repomap.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";
import { initRepo, tempDir } from "../helpers/git-repo.ts";

const tmp = tempDir("skep-map-");
let db: Database;

beforeAll(async () => {
  const files: Record<string, string> = {
    // core/ is called from every handler; util/ by a few; the handlers by nobody.
    "core/store.ts": [
      "export interface Record {\n  id: string;\n}\n",
      "export function openStore(path: string): Store {\n  return new Store(path);\n}\n",
      "export class Store {\n  constructor(readonly path: string) {}\n}\n",
      "export function getRecord(id: string): Record {\n  return { id };\n}\n",
    ].join("\n"),
    "util/strings.ts": "export function slugify(s: string): string {\n  return s.toLowerCase();\n}\n\nexport function padLeft(s: string, n: number): string {\n  return s.padStart(n);\n}\n",
  };
  for (let i = 0; i < 12; i++) {
    const imports = 'import { getRecord, openStore } from "../core/store";\nimport { slugify } from "../util/strings";\n\n';
    const body = `export function handleRequestNumber${i}(id: string): string {\n  openStore("db");\n  const r = getRecord(id);\n  return ${i % 3 === 0 ? "slugify(r.id)" : "r.id"};\n}\n`;
    files[`handlers/handler${String(i).padStart(2, "0")}.ts`] = imports + body;
  }
  const root = initRepo(join(tmp.dir, "repo"), files);
  db = openWritable(join(tmp.dir, "index.db"));
  await indexRepo(db, root);
});

afterAll(() => {
  db.close();
  tmp.cleanup();
});

const BUDGETS = [1, 5, 10, 20, 40, 80, 150, 300, DEFAULT_MAP_TOKENS, 100_000];

const entries = (m: RepoMap) => m.files.flatMap((f) => f.symbols.map((s) => `${f.path}:${s.line}:${s.name}`));

test("the map never exceeds its budget, and reports its own size", () => {
  for (const budget of BUDGETS) {
    const m = repoMap(db, budget);
    expect(estimateTokens(m.text)).toBeLessThanOrEqual(budget);
    expect(m.tokens).toBe(estimateTokens(m.text));
  }
});

test("estimateTokens is chars/4, rounded up", () => {
  expect(estimateTokens("")).toBe(0);
  expect(estimateTokens("abcd")).toBe(1);
  expect(estimateTokens("abcde")).toBe(2);
});

test("a budget too small for one line gives an empty map; a huge one shows every symbol", () => {
  expect(repoMap(db, 1)).toEqual({ text: "", tokens: 0, files: [] });
  const all = repoMap(db, 100_000);
  const symbolCount = (db.query("SELECT count(*) AS n FROM symbols").get() as { n: number }).n;
  expect(entries(all).length).toBe(symbolCount);
});

test("the budget is used: a moderate budget shows something and fills most of it", () => {
  const m = repoMap(db, 150);
  expect(m.files.length).toBeGreaterThan(0);
  // The next symbol would not fit, so at most a line or two of slack (lines here are under 100 chars).
  expect(m.tokens).toBeGreaterThan(150 - 60);
});

test("higher-ranked files come first, and the most-called file leads", () => {
  const m = repoMap(db, 100_000);
  for (let i = 1; i < m.files.length; i++) expect(m.files[i - 1]!.rank).toBeGreaterThanOrEqual(m.files[i]!.rank);
  expect(m.files[0]!.path).toBe("core/store.ts");
  expect(repoMap(db, 40).files[0]?.path).toBe("core/store.ts");
  // The text follows the same order.
  const headers = m.text.split("\n").filter((l) => l.endsWith(":") && !l.startsWith(" "));
  expect(headers).toEqual(m.files.map((f) => `${f.path}:`));
});

test("a file's symbols are listed in line order with their signatures", () => {
  const m = repoMap(db, 100_000);
  const store = m.files.find((f) => f.path === "core/store.ts")!;
  const lines = store.symbols.map((s) => s.line);
  expect(lines).toEqual([...lines].sort((a, b) => a - b));
  expect(m.text).toContain("core/store.ts:\n");
  expect(m.text).toMatch(/^ {2}\d+: export function openStore\(path: string\): Store$/m);
});

test("a larger budget shows a superset of a smaller one", () => {
  let previous = new Set<string>();
  for (const budget of BUDGETS) {
    const current = new Set(entries(repoMap(db, budget)));
    for (const e of previous) expect(current.has(e)).toBe(true);
    expect(current.size).toBeGreaterThanOrEqual(previous.size);
    previous = current;
  }
});

test("the symbols shown are the highest-ranked ones", () => {
  const m = repoMap(db, 80);
  const shown = m.files.flatMap((f) => f.symbols.map((s) => s.rank));
  const hidden = (db.query("SELECT rank FROM symbols ORDER BY rank DESC").all() as { rank: number }[]).map((r) => r.rank).slice(shown.length);
  expect(shown.length).toBeGreaterThan(0);
  expect(Math.min(...shown)).toBeGreaterThanOrEqual(Math.max(...hidden));
});

// The index layer: which descriptions it reads as "create this named thing", the labelled cases,
// and the lookup against a real index built with indexRepo.
import type { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { indexRepo } from "../../src/index/indexer.ts";
import { openReadonly, openWritable } from "../../src/index/store.ts";
import { checkIndex, parseCreateAsk, type IndexSymbol } from "../../src/tasks/dedup/index-layer.ts";
import { indexLookup } from "../../src/tasks/dedup/index-lookup.ts";
import { initRepo, tempDir } from "../helpers/git-repo.ts";

const lookupIn = (symbols: IndexSymbol[]) => (name: string) => symbols.filter((s) => s.name === name);

describe("parseCreateAsk", () => {
  test("reads create/add/implement + a code name, with an optional kind word before or after", () => {
    expect(parseCreateAsk("add a `parseConfig` function")).toEqual({ names: ["parseConfig"], kind: "function", container: null });
    expect(parseCreateAsk("Create the HealthController class")).toEqual({ names: ["HealthController"], kind: "class", container: null });
    expect(parseCreateAsk("implement parse_config in the loader")).toEqual({ names: ["parse_config"], kind: null, container: null });
    expect(parseCreateAsk("Please add a function parseConfig.")).toEqual({ names: ["parseConfig"], kind: "function", container: null });
    expect(parseCreateAsk("Add a Cache class")).toEqual({ names: ["Cache"], kind: "class", container: null });
    expect(parseCreateAsk("Add a method `close` to Server")).toEqual({ names: ["close"], kind: "method", container: "Server" });
    expect(parseCreateAsk("add `parseConfig` and `writeConfig` functions")).toEqual({ names: ["parseConfig", "writeConfig"], kind: "function", container: null });
    expect(parseCreateAsk("add a `parseConfig()` helper")).toBeNull(); // "helper" is not a kind word: the name is a modifier
    expect(parseCreateAsk("add `parseConfig(text)` to the loader")).toEqual({ names: ["parseConfig"], kind: null, container: null }); // prose, not a container
    expect(parseCreateAsk("Implement Server.close")).toEqual({ names: ["close"], kind: null, container: "Server" });
    expect(parseCreateAsk("Add `Server::close` method")).toEqual({ names: ["close"], kind: "method", container: "Server" });
    expect(parseCreateAsk("add auth.ts")).toBeNull();
  });

  test("ignores anything that changes existing code", () => {
    for (const d of ["fix the `parseConfig` function", "Refactor HealthController to use DI", "Remove the LegacyAuth class", "rename parseConfig to loadConfig", "update the HealthController class"]) {
      expect(parseCreateAsk(d)).toBeNull();
    }
  });

  test("ignores names that are not the object: modifiers, product names, plain words", () => {
    for (const d of ["Add GitHub login", "Add tests for `parseConfig`", "add parseConfig tests", "add a cache", "Add a Cache", "Implement the `Cache` interface for Redis"]) {
      expect(parseCreateAsk(d)).toBeNull();
    }
  });
});

describe("checkIndex", () => {
  test("reports where the index has it, with layer index and no task", () => {
    const r = checkIndex("Create the HealthController class", lookupIn([{ name: "HealthController", kind: "class", file: "src/health.ts", line: 12 }]));
    expect(r).toEqual({ duplicate: true, layer: "index", taskId: null, score: 1, reason: "the index already has HealthController (class) at src/health.ts:12" });
  });

  test("a kind word must match; the name must match exactly; every named thing must exist", () => {
    const syms: IndexSymbol[] = [
      { name: "parseConfig", kind: "function", file: "src/config.ts", line: 3 },
      { name: "HealthController", kind: "interface", file: "src/health.ts", line: 1 },
    ];
    expect(checkIndex("add the HealthController class", lookupIn(syms))).toBeNull();
    expect(checkIndex("add HealthController", lookupIn(syms))?.duplicate).toBe(true);
    expect(checkIndex("add `parseconfig`", lookupIn(syms))).toBeNull();
    expect(checkIndex("add `parseConfig` and `writeConfig` functions", lookupIn(syms))).toBeNull();
    // A lookup that ignores case must not make the layer ignore it.
    expect(checkIndex("add `parseconfig`", () => syms)).toBeNull();
  });

  test("labelled cases in the fixture", () => {
    const fixture = JSON.parse(readFileSync(join(import.meta.dir, "../fixtures/dedup/pairs.json"), "utf8")) as {
      index: { description: string; symbols: IndexSymbol[]; duplicate: boolean }[];
    };
    expect(fixture.index.length).toBeGreaterThanOrEqual(8);
    const wrong = fixture.index.filter((c) => (checkIndex(c.description, lookupIn(c.symbols))?.duplicate ?? false) !== c.duplicate).map((c) => c.description);
    expect(wrong).toEqual([]);
  });
});

describe("indexLookup on a real index", () => {
  const tmp = tempDir("skep-dedup-index-");
  let db: Database;

  beforeAll(async () => {
    const root = initRepo(join(tmp.dir, "repo"), {
      "src/health.ts": [
        "export class HealthController {",
        "  check(): string {",
        '    return "ok";',
        "  }",
        "}",
        "",
        "export function parseConfig(text: string): Record<string, string> {",
        "  return JSON.parse(text);",
        "}",
        "",
      ].join("\n"),
      "src/server.ts": "export class Server {\n  close(): void {}\n}\n\nexport class Conn {\n  open(): void {}\n}\n",
      "src/jobs.ts": Array.from({ length: 7 }, (_, i) => `export class Job${i} {\n  run(): void {}\n}\n`).join("\n"),
      "internal/limit/limiter.go": "package limit\n\n// RateLimiter limits requests.\ntype RateLimiter struct {\n\trate int\n}\n",
    });
    const path = join(tmp.dir, "index.db");
    const w = openWritable(path);
    await indexRepo(w, root);
    w.close();
    db = openReadonly(path); // the layer only reads
  });

  afterAll(() => {
    db.close();
    tmp.cleanup();
  });

  test("finds exact names with kind, file, line and container", () => {
    const lookup = indexLookup(db);
    expect(lookup("HealthController")).toEqual([{ name: "HealthController", kind: "class", file: "src/health.ts", line: 1, container: null }]);
    expect(lookup("check")).toEqual([{ name: "check", kind: "method", file: "src/health.ts", line: 2, container: "HealthController" }]);
    expect(lookup("healthcontroller")).toEqual([]);
    expect(lookup("Health")).toEqual([]);
  });

  test("drives the index layer end to end", () => {
    const lookup = indexLookup(db);
    expect(checkIndex("Create the HealthController class", lookup)?.reason).toBe("the index already has HealthController (class) at src/health.ts:1");
    expect(checkIndex("add a `parseConfig` function", lookup)?.reason).toBe("the index already has parseConfig (function) at src/health.ts:7");
    expect(checkIndex("Add a RateLimiter struct", lookup)?.reason).toBe("the index already has RateLimiter (struct) at internal/limit/limiter.go:4");
    expect(checkIndex("Add a method `close` to Server", lookup)?.duplicate).toBe(true);
    expect(checkIndex("Add a method `close` to Conn", lookup)).toBeNull();
    expect(checkIndex("Add a `parseYaml` function", lookup)).toBeNull();
    expect(checkIndex("Fix the HealthController class", lookup)).toBeNull();
  });

  test("at most five rows, through the name index", () => {
    expect(indexLookup(db)("run")).toHaveLength(5);
    const plan = db.query("EXPLAIN QUERY PLAN SELECT id FROM symbols s WHERE s.name = 'x' COLLATE NOCASE AND s.name = 'x'").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(" ")).toContain("symbols_name");
  });
});

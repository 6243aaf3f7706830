// Call-graph resolution on small real repos where the right answer is known: scope hints (same
// file, same directory, imported file, unique global), ambiguity spread over candidates, the
// MAX_CANDIDATES cut-off, and language families.
import type { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MAX_CANDIDATES } from "../../src/graph/edges.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";
import { type Files, initRepo, tempDir, writeFiles } from "../helpers/git-repo.ts";

interface Edge {
  from: string;
  to: string;
  weight: number;
}

/** Every edge as "path:name" pairs, so assertions name the exact definition resolved to. */
function edges(db: Database): Edge[] {
  return db
    .query(
      `SELECT fa.path || ':' || a.name AS "from", fb.path || ':' || b.name AS "to", e.weight
       FROM edges e
       JOIN symbols a ON a.id = e.from_symbol JOIN files fa ON fa.id = a.file_id
       JOIN symbols b ON b.id = e.to_symbol JOIN files fb ON fb.id = b.file_id
       ORDER BY 1, 2`,
    )
    .all() as Edge[];
}

function edgesFrom(db: Database, from: string): Edge[] {
  return edges(db).filter((e) => e.from === from);
}

const tmp = tempDir("skep-edges-");
afterAll(tmp.cleanup);
let n = 0;

/** Index a fresh committed repo; the index lives beside the repo, not in it. */
async function indexed(files: Files): Promise<{ db: Database; root: string }> {
  const base = join(tmp.dir, String(n++));
  const root = initRepo(join(base, "repo"), files);
  const db = openWritable(join(base, "index.db"));
  await indexRepo(db, root);
  return { db, root };
}

describe("Go: scope hints", () => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await indexed({
      "go.mod": "module example.com/m\n",
      // Two `helper`s in different packages; Run (package a) must reach a's, in another file of the same directory.
      "a/run.go": "package a\n\nfunc Run() {\n\thelper()\n}\n",
      "a/helper.go": "package a\n\nfunc helper() {}\n",
      "b/helper.go": "package b\n\nfunc helper() {}\n\nfunc B() {\n\thelper()\n}\n",
      // A name defined once in the whole repo resolves from anywhere.
      "c/use.go": 'package c\n\nimport "example.com/m/d"\n\nfunc Use() {\n\td.OnlyOne()\n}\n',
      "d/only.go": "package d\n\nfunc OnlyOne() {}\n",
      // Three candidates, none nearer than the others: the weight is spread.
      "x/shared.go": "package x\n\nfunc shared() {}\n",
      "y/shared.go": "package y\n\nfunc shared() {}\n",
      "z/shared.go": "package z\n\nfunc shared() {}\n",
      "caller/call.go": "package caller\n\nfunc CallShared() {\n\tshared()\n}\n",
    }));
  });
  afterAll(() => db.close());

  test("a call resolves to the same package's function, not the same-named one elsewhere", () => {
    expect(edgesFrom(db, "a/run.go:Run")).toEqual([{ from: "a/run.go:Run", to: "a/helper.go:helper", weight: 1 }]);
    expect(edgesFrom(db, "b/helper.go:B")).toEqual([{ from: "b/helper.go:B", to: "b/helper.go:helper", weight: 1 }]);
  });

  test("a unique name resolves globally", () => {
    expect(edgesFrom(db, "c/use.go:Use")).toEqual([{ from: "c/use.go:Use", to: "d/only.go:OnlyOne", weight: 1 }]);
  });

  test("an ambiguous name with three candidates gives three edges of weight 1/3", () => {
    const out = edgesFrom(db, "caller/call.go:CallShared");
    expect(out.map((e) => e.to)).toEqual(["x/shared.go:shared", "y/shared.go:shared", "z/shared.go:shared"]);
    for (const e of out) expect(e.weight).toBeCloseTo(1 / 3, 12);
  });

  test("no edge points at a function nobody calls", () => {
    expect(edges(db).filter((e) => e.to === "d/only.go:OnlyOne").length).toBe(1);
    expect(edges(db).some((e) => e.to.endsWith(":Run") || e.to.endsWith(":CallShared"))).toBe(false);
  });
});

describe("Go: imports by module path", () => {
  test("`import \"example.com/m/z/hub\"` picks z/hub's Logf over a same-named one elsewhere", async () => {
    const { db } = await indexed({
      "go.mod": "module example.com/m\n",
      "z/hub/log.go": "package hub\n\nfunc Logf() {}\n",
      "a/quiet/log.go": "package quiet\n\nfunc Logf() {}\n",
      "c/caller.go": 'package c\n\nimport (\n\t"fmt"\n\t"example.com/m/z/hub"\n)\n\nfunc Caller() {\n\tfmt.Println()\n\thub.Logf()\n}\n',
    });
    expect(edgesFrom(db, "c/caller.go:Caller")).toEqual([{ from: "c/caller.go:Caller", to: "z/hub/log.go:Logf", weight: 1 }]);
    db.close();
  });
});

describe("Go: the MAX_CANDIDATES cut-off", () => {
  const dirs = (count: number): Files =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`p${String(i).padStart(2, "0")}/common.go`, `package p${i}\n\nfunc common() {}\n`]));
  const caller: Files = { "main/main.go": "package main\n\nfunc main() {\n\tcommon()\n}\n" };

  test(`exactly MAX_CANDIDATES (${MAX_CANDIDATES}) candidates still resolve, each with weight 1/${MAX_CANDIDATES}`, async () => {
    const { db } = await indexed({ ...dirs(MAX_CANDIDATES), ...caller });
    const out = edgesFrom(db, "main/main.go:main");
    expect(out.length).toBe(MAX_CANDIDATES);
    for (const e of out) expect(e.weight).toBeCloseTo(1 / MAX_CANDIDATES, 12);
    db.close();
  });

  test("more than MAX_CANDIDATES candidates leave the reference unresolved", async () => {
    const { db } = await indexed({ ...dirs(MAX_CANDIDATES + 1), ...caller });
    expect(edgesFrom(db, "main/main.go:main")).toEqual([]);
    db.close();
  });

  test("a nearer candidate still wins when the name is everywhere", async () => {
    const { db } = await indexed({ ...dirs(MAX_CANDIDATES + 5), "main/main.go": "package main\n\nfunc main() {\n\tcommon()\n}\n\nfunc common() {}\n" });
    expect(edgesFrom(db, "main/main.go:main")).toEqual([{ from: "main/main.go:main", to: "main/main.go:common", weight: 1 }]);
    db.close();
  });
});

describe("TypeScript: scope hints", () => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await indexed({
      // `x` exists in lib/ and in an unrelated dir; the import decides.
      "main.ts": 'import { x } from "./lib/x";\n\nexport function main(): void {\n  x();\n}\n',
      "lib/x.ts": "export function x(): number {\n  return 1;\n}\n",
      "other/x.ts": "export function x(): number {\n  return 2;\n}\n",
      // Same file beats same directory.
      "util/a.ts": "function fmt(): string {\n  return \"a\";\n}\n\nexport function useFmt(): string {\n  return fmt();\n}\n",
      "util/b.ts": "export function fmt(): string {\n  return \"b\";\n}\n",
      // Same directory beats an import.
      "pkg/caller.ts": 'import { pick } from "../far/pick";\n\nexport function callPick(): number {\n  return pick();\n}\n',
      "pkg/pick.ts": "export function pick(): number {\n  return 0;\n}\n",
      "far/pick.ts": "export function pick(): number {\n  return 1;\n}\n",
      // A class used as a type resolves by the type kinds, not to a same-named function.
      "models/order.ts": "export class Order {\n  id = 0;\n}\n",
      "models/use.ts": 'import { Order } from "./order";\n\nexport function total(o: Order): number {\n  return o.id;\n}\n',
    }));
  });
  afterAll(() => db.close());

  test("an import picks the imported file's `x` over an unrelated one", () => {
    expect(edgesFrom(db, "main.ts:main")).toEqual([{ from: "main.ts:main", to: "lib/x.ts:x", weight: 1 }]);
  });

  test("the same file wins over the same directory", () => {
    expect(edgesFrom(db, "util/a.ts:useFmt")).toEqual([{ from: "util/a.ts:useFmt", to: "util/a.ts:fmt", weight: 1 }]);
  });

  test("the same directory wins over an imported file", () => {
    expect(edgesFrom(db, "pkg/caller.ts:callPick")).toEqual([{ from: "pkg/caller.ts:callPick", to: "pkg/pick.ts:pick", weight: 1 }]);
  });

  test("a type use links to the class", () => {
    expect(edgesFrom(db, "models/use.ts:total").map((e) => e.to)).toContain("models/order.ts:Order");
  });
});

describe("member calls (x.f()): never by a repo-wide unique name", () => {
  const files: Files = {
    // The repo's only `push`, `reset` and `widen` are Column's; `push` is also an Array method.
    "lib/column.ts": "export class Column {\n  push(v: number): void {}\n  reset(): void {}\n  widen(): void {}\n}\n\nexport function solo(): void {}\n",
    // Not in sight: neither xs.push nor xs.widen is Column's; a plain call of the unique `solo` still resolves.
    "app/list.ts": "export function build(): number[] {\n  const xs: any = [];\n  xs.push(1);\n  xs.widen();\n  solo();\n  return xs;\n}\n",
    // Column is in sight through an import and named here: its push and reset are meant.
    "app/grow.ts": 'import { Column } from "../lib/column";\n\nexport function grow(c: Column): void {\n  c.push(2);\n  c\n    ?.reset();\n}\n',
    // The same directory is in sight too, but push, named like Array's, needs Column named.
    "lib/fill.ts": "export function fill(c: any): void {\n  c.push(3);\n  c.widen();\n}\n",
    // `this.` calls reach the same file.
    "lib/stack.ts": "export class Stack {\n  top(): number {\n    return this.peekAt(0);\n  }\n  peekAt(i: number): number {\n    return i;\n  }\n}\n",
    // Go: a method of a value whose type is from a package not imported here (k) stays
    // unresolved; a package-qualified call through an import resolves.
    "go.mod": "module example.com/m\n",
    "g/use.go": 'package g\n\nimport "example.com/m/h"\n\nfunc Use() {\n\th.Helper().Rare()\n}\n',
    "h/h.go": 'package h\n\nimport "example.com/m/k"\n\nfunc Helper() k.T {\n\treturn k.T{}\n}\n',
    "k/k.go": "package k\n\ntype T struct{}\n\nfunc (T) Rare() {}\n",
    // Through an import's name: the import decides, even over a same-named function at hand.
    "bytes/index.go": 'package bytes\n\nimport (\n\t"fmt"\n\n\t"example.com/m/internal/alg"\n)\n\nfunc Index(b []byte) int {\n\tfmt.Println(b)\n\treturn alg.Index(b)\n}\n\nfunc Println(v any) {}\n',
    "internal/alg/alg.go": "package alg\n\nfunc Index(b []byte) int { return 0 }\n",
    ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`pad${i}/p.ts`, `export function p${i}(): void {}\n`])),
  };
  let db: Database;
  let root: string;
  beforeAll(async () => {
    ({ db, root } = await indexed(files));
  });
  afterAll(() => db.close());

  test("xs.push() and xs.widen() out of sight are not Column's; solo() still resolves repo-wide", () => {
    expect(edgesFrom(db, "app/list.ts:build").map((e) => e.to)).toEqual(["lib/column.ts:solo"]);
  });

  test("through an import, in the same directory, and through this: the method is meant; a core-named one needs its type named", () => {
    expect(edgesFrom(db, "app/grow.ts:grow").map((e) => e.to)).toEqual(["lib/column.ts:Column", "lib/column.ts:push", "lib/column.ts:reset"]);
    expect(edgesFrom(db, "lib/fill.ts:fill").map((e) => e.to)).toEqual(["lib/column.ts:widen"]);
    expect(edgesFrom(db, "lib/stack.ts:top").map((e) => e.to)).toEqual(["lib/stack.ts:peekAt"]);
  });

  test("Go: h.Helper() resolves through the import, and .Rare() on its result through Helper's declared return type k.T", () => {
    expect(edgesFrom(db, "g/use.go:Use").map((e) => e.to)).toEqual(["h/h.go:Helper", "k/k.go:Rare"]);
  });

  test("Go: alg.Index() is the imported package's Index, not bytes.Index; fmt.Println (not in the repo) is no edge", () => {
    expect(edgesFrom(db, "bytes/index.go:Index").map((e) => e.to)).toEqual(["internal/alg/alg.go:Index"]);
  });

  test("incremental runs read member calls back as such: an import brings widen in sight, naming Column brings push", async () => {
    writeFiles(root, { "app/list.ts": `import { solo } from "../lib/column";\n${files["app/list.ts"]}` });
    const r = await indexRepo(db, root);
    expect(r.edgeMode).toBe("incremental");
    expect(edgesFrom(db, "app/list.ts:build").map((e) => e.to)).toEqual(["lib/column.ts:solo", "lib/column.ts:widen"]);
    const named = (files["app/list.ts"] as string).replace("const xs: any = [];", "const xs: Column = new Column();");
    writeFiles(root, { "app/list.ts": `import { Column, solo } from "../lib/column";\n${named}` });
    expect((await indexRepo(db, root)).edgeMode).toBe("incremental");
    expect(edgesFrom(db, "app/list.ts:build").map((e) => e.to)).toEqual(["lib/column.ts:Column", "lib/column.ts:push", "lib/column.ts:solo", "lib/column.ts:widen"]);
    // A full recomputation from the stored references says the same.
    const before = edges(db);
    writeFiles(root, Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`pad${i % 10}/q${i}.ts`, `export function q${i}(): void {}\n`])));
    expect((await indexRepo(db, root)).edgeMode).toBe("full");
    expect(edges(db).filter((e) => !e.from.startsWith("pad"))).toEqual(before.filter((e) => !e.from.startsWith("pad")));
  });
});

describe("plain calls and methods", () => {
  test("in TS, Python and Go a plain call is never a method; in Java it can be (implicit this)", async () => {
    const { db } = await indexed({
      // The repo's only `resolve` is a method: a Promise's resolve() and path's resolve() are not it.
      "graph/resolver.ts": "export class Resolver {\n  resolve(name: string): string {\n    return name;\n  }\n}\n",
      "app/wait.ts":
        'import { resolve } from "node:path";\n\nexport function wait(): Promise<string> {\n  return new Promise((done) => done(resolve("a")));\n}\n\nexport function later(): Promise<number> {\n  return new Promise((resolve) => resolve(1));\n}\n',
      "py/jobs.py": "class Queue:\n    def drain(self):\n        pass\n\n\ndef run(q):\n    drain()\n    q.drain()\n",
      "go.mod": "module example.com/m\n",
      "g/a.go": "package g\n\ntype T struct{}\n\nfunc (T) Close() {}\n\nfunc Use(t T) {\n\tClose()\n\tt.Close()\n}\n",
      "j/A.java": "class A {\n  void a() {\n    b();\n  }\n\n  void b() {}\n}\n",
    });
    expect(edgesFrom(db, "app/wait.ts:wait")).toEqual([]);
    expect(edgesFrom(db, "app/wait.ts:later")).toEqual([]);
    expect(edgesFrom(db, "py/jobs.py:run").map((e) => e.to)).toEqual(["py/jobs.py:drain"]); // from q.drain() alone
    expect(edgesFrom(db, "py/jobs.py:run")[0]!.weight).toBe(1);
    expect(edgesFrom(db, "g/a.go:Use").map((e) => e.to)).toEqual(["g/a.go:Close", "g/a.go:T"]);
    expect(edgesFrom(db, "g/a.go:Use").find((e) => e.to === "g/a.go:Close")!.weight).toBe(1);
    expect(edgesFrom(db, "j/A.java:a").map((e) => e.to)).toEqual(["j/A.java:b"]);
    db.close();
  });
});

describe("language families", () => {
  test("a TypeScript call never resolves to a same-named Go function", async () => {
    const { db } = await indexed({
      // The only `format` is Go: the TS call stays unresolved.
      "web/app.ts": "export function start(): void {\n  format();\n}\n",
      "svc/format.go": "package svc\n\nfunc format() {}\n",
      // A Go `render` in the caller's own directory loses to a TS `render` far away.
      "ui/view.ts": "export function show(): void {\n  render();\n}\n",
      "ui/render.go": "package ui\n\nfunc render() {}\n",
      "lib/render.ts": "export function render(): void {}\n",
      // And the other way round: Go never reaches into TS.
      "cmd/main.go": "package main\n\nfunc main() {\n\tshow()\n}\n",
    });
    expect(edgesFrom(db, "web/app.ts:start")).toEqual([]);
    expect(edgesFrom(db, "ui/view.ts:show")).toEqual([{ from: "ui/view.ts:show", to: "lib/render.ts:render", weight: 1 }]);
    expect(edgesFrom(db, "cmd/main.go:main")).toEqual([]);
    db.close();
  });

  test("JavaScript and TypeScript are one family", async () => {
    const { db } = await indexed({
      "app/main.ts": "export function boot(): void {\n  legacyInit();\n}\n",
      "lib/legacy.js": "function legacyInit() {}\nmodule.exports = { legacyInit };\n",
    });
    expect(edgesFrom(db, "app/main.ts:boot")).toEqual([{ from: "app/main.ts:boot", to: "lib/legacy.js:legacyInit", weight: 1 }]);
    db.close();
  });
});

describe("incremental updates keep the same answers", () => {
  test("adding a nearer definition moves the edge; removing it moves it back", async () => {
    const { db, root } = await indexed({
      "a/run.go": "package a\n\nfunc Run() {\n\tassist()\n}\n",
      "b/assist.go": "package b\n\nfunc assist() {}\n",
      // Enough other files that one change stays under the full-rebuild ratio.
      ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}/f.go`, `package f${i}\n\nfunc F${i}() {}\n`])),
    });
    expect(edgesFrom(db, "a/run.go:Run").map((e) => e.to)).toEqual(["b/assist.go:assist"]);

    writeFiles(root, { "a/assist.go": "package a\n\nfunc assist() {}\n" });
    const r1 = await indexRepo(db, root);
    expect(r1.edgeMode).toBe("incremental");
    expect(edgesFrom(db, "a/run.go:Run").map((e) => e.to)).toEqual(["a/assist.go:assist"]);

    Bun.spawnSync(["rm", join(root, "a/assist.go")]);
    await indexRepo(db, root);
    expect(edgesFrom(db, "a/run.go:Run").map((e) => e.to)).toEqual(["b/assist.go:assist"]);
    db.close();
  });
});

// Calls resolved through the receiver's type: the right method of several with one name, its
// ancestors' methods, interfaces (a call through one goes to the interface method), and library
// types (no edge). Each case is a small repo whose right answer is plain from the code.
import type { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { indexedRepos } from "../helpers/indexed-repo.ts";

const { indexed, cleanup } = indexedRepos("skep-typed-");
afterAll(cleanup);

/** Callees of `from` ("path:Container.name") as "path:Container.name via". */
function calleesOf(db: Database, from: string): string[] {
  const rows = db
    .query(
      `SELECT fa.path || ':' || coalesce(a.container || '.', '') || a.name AS "from",
              fb.path || ':' || coalesce(b.container || '.', '') || b.name || ' ' || e.via AS "to"
       FROM edges e
       JOIN symbols a ON a.id = e.from_symbol JOIN files fa ON fa.id = a.file_id
       JOIN symbols b ON b.id = e.to_symbol JOIN files fb ON fb.id = b.file_id
       WHERE e.kind <> 1 ORDER BY 2`,
    )
    .all() as { from: string; to: string }[];
  return rows.filter((r) => r.from === from).map((r) => r.to.replace(/ 2$/, " type").replace(/ 1$/, " import").replace(/ 0$/, " name"));
}

describe("Go", () => {
  test("a receiver's type picks its method over an interface method and another type's method of the same name", async () => {
    const db = await indexed({
      "go.mod": "module example.com/m\n",
      "model/message.go": "package model\n\ntype Message struct{ ID uint }\n",
      "database/message.go":
        "package database\n\nimport \"example.com/m/model\"\n\ntype GormDatabase struct{}\n\nfunc New() *GormDatabase { return &GormDatabase{} }\n\nfunc (d *GormDatabase) CreateMessage(m *model.Message) error { return nil }\n",
      "api/message.go":
        "package api\n\nimport \"example.com/m/model\"\n\ntype MessageDatabase interface {\n\tCreateMessage(m *model.Message) error\n}\n\ntype MessageAPI struct {\n\tDB MessageDatabase\n}\n\nfunc (a *MessageAPI) Create(m *model.Message) {\n\ta.DB.CreateMessage(m)\n}\n",
      "plugin/store.go": "package plugin\n\ntype Store struct{}\n\nfunc (s Store) CreateMessage() {}\n",
      "router/router.go":
        "package router\n\nimport (\n\t\"example.com/m/api\"\n\t\"example.com/m/database\"\n)\n\nfunc Create() {\n\tdb := database.New()\n\tdb.CreateMessage(nil)\n\tmsgs := api.MessageAPI{DB: db}\n\tmsgs.Create(nil)\n}\n",
    });
    // Through the field's interface type: the interface method, nothing else.
    expect(calleesOf(db, "api/message.go:MessageAPI.Create")).toEqual(["api/message.go:MessageDatabase.CreateMessage type"]);
    // `db := database.New()`: New's declared return type.
    expect(calleesOf(db, "router/router.go:Create")).toEqual([
      "api/message.go:MessageAPI.Create type",
      "database/message.go:GormDatabase.CreateMessage type",
      "database/message.go:New import",
    ]);
    db.close();
  });

  test("a method promoted from an embedded struct; a library type's method gives no edge", async () => {
    const db = await indexed({
      "go.mod": "module example.com/m\n",
      "a/base.go": "package a\n\ntype Base struct{}\n\nfunc (b *Base) Close() {}\n\ntype Conn struct {\n\tBase\n\tname string\n}\n",
      "a/other.go": "package a\n\ntype File struct{}\n\nfunc (f *File) Close() {}\n",
      "a/use.go": "package a\n\nimport \"strings\"\n\nfunc Use(c *Conn, b *strings.Builder) {\n\tc.Close()\n\tb.WriteString(\"x\")\n}\n\nfunc (f *File) WriteString(s string) {}\n",
    });
    expect(calleesOf(db, "a/use.go:Use")).toEqual(["a/base.go:Base.Close type"]);
    db.close();
  });
});

describe("Java, TypeScript, Python", () => {
  test("Java: fields, locals, inherited methods and implicit this", async () => {
    const db = await indexed({
      "src/Store.java": "class Store { void save() {} }\n",
      "src/Cache.java": "class Cache { void save() {} }\n",
      "src/Base.java": "class Base { void log() {} }\n",
      "src/Service.java":
        "class Service extends Base {\n  private Store store;\n  void run() {\n    store.save();\n    Cache c = new Cache();\n    c.save();\n    log();\n    java.util.List<String> xs = null;\n  }\n  void save() {}\n}\n",
    });
    expect(calleesOf(db, "src/Service.java:Service.run")).toEqual([
      "src/Base.java:Base.log type",
      "src/Cache.java:Cache name", // new Cache()
      "src/Cache.java:Cache.save type",
      "src/Store.java:Store.save type",
    ]);
    db.close();
  });

  test("TypeScript: this.field, constructor-initialised variables, interfaces", async () => {
    const db = await indexed({
      "src/client.ts": "export class Client {\n  send(): void {}\n}\nexport class Other {\n  send(): void {}\n}\n",
      "src/api.ts":
        "import { Client } from \"./client\";\nexport interface Sender { send(): void }\nexport class Api {\n  private client: Client;\n  private sender: Sender;\n  call(): void {\n    this.client.send();\n    this.sender.send();\n    const c = new Client();\n    c.send();\n    const m = new Map<string, string>();\n    m.set(\"a\", \"b\");\n  }\n  set(): void {}\n}\n",
    });
    expect(calleesOf(db, "src/api.ts:Api.call")).toEqual([
      "src/api.ts:Sender.send type",
      "src/client.ts:Client name", // new Client()
      "src/client.ts:Client.send type",
    ]);
    db.close();
  });

  test("Python: self, annotated parameters, constructor calls, base classes", async () => {
    const db = await indexed({
      "pkg/store.py": "class Store:\n    def get(self):\n        pass\n\nclass Other:\n    def get(self):\n        pass\n",
      "pkg/base.py": "class Base:\n    def close(self):\n        pass\n",
      "pkg/svc.py":
        "from .store import Store\nfrom .base import Base\n\nclass Svc(Base):\n    def __init__(self, store: Store):\n        self.store = store\n\n    def run(self):\n        self.store.get()\n        self.close()\n        d = {}\n        d.get(1)\n",
    });
    expect(calleesOf(db, "pkg/svc.py:Svc.run")).toEqual(["pkg/base.py:Base.close type", "pkg/store.py:Store.get type"]);
    db.close();
  });
});

describe("interfaces and implementations", () => {
  test("Go: implicit interfaces; a concrete method's callers include calls through its interface, marked as such", async () => {
    const { implementations } = await import("../../src/graph/impls.ts");
    const { findSymbols, walkGraph } = await import("../../src/graph/queries.ts");
    const db = await indexed({
      "go.mod": "module example.com/m\n",
      "store/store.go": "package store\n\ntype Saver interface {\n\tSave() error\n\tName() string\n}\n",
      "disk/disk.go": "package disk\n\ntype Disk struct{}\n\nfunc (d *Disk) Save() error { return nil }\n\nfunc (d *Disk) Name() string { return \"\" }\n",
      "half/half.go": "package half\n\ntype Half struct{}\n\nfunc (h *Half) Save() error { return nil }\n",
      "app/app.go": "package app\n\nimport \"example.com/m/store\"\n\nfunc Run(s store.Saver) {\n\ts.Save()\n}\n",
    });
    const saver = findSymbols(db, "Saver")[0]!;
    expect(implementations(db, saver.id).implementations.map((s) => `${s.path}:${s.name}`)).toEqual(["disk/disk.go:Disk"]);
    const save = findSymbols(db, "Disk.Save")[0]!;
    expect(implementations(db, save.id).implements.map((s) => `${s.path}:${s.container}.${s.name}`)).toEqual(["store/store.go:Saver.Save"]);
    const callers = walkGraph(db, save.id, "callers");
    expect(callers.map((c) => `${c.path}:${c.name} ${c.resolved}`)).toEqual(["app/app.go:Run interface"]);
    // Half lacks Name: it does not implement Saver, so calls through Saver are not its callers.
    const half = findSymbols(db, "Half.Save")[0]!;
    expect(walkGraph(db, half.id, "callers")).toEqual([]);
    db.close();
  });

  test("Java and TypeScript: implements and extends", async () => {
    const { implementations } = await import("../../src/graph/impls.ts");
    const { findSymbols } = await import("../../src/graph/queries.ts");
    const db = await indexed({
      "src/Shape.java": "interface Shape { double area(); }\n",
      "src/Circle.java": "class Circle implements Shape { public double area() { return 1; } }\n",
      "src/Ring.java": "class Ring extends Circle { public double area() { return 2; } }\n",
      "web/repo.ts": "export interface Repo { load(): void }\nexport class MemRepo implements Repo { load(): void {} }\n",
    });
    const names = (list: { path: string; name: string }[]) => list.map((s) => `${s.path}:${s.name}`).sort();
    expect(names(implementations(db, findSymbols(db, "Shape")[0]!.id).implementations)).toEqual(["src/Circle.java:Circle"]);
    expect(names(implementations(db, findSymbols(db, "Circle")[0]!.id).implementations)).toEqual(["src/Ring.java:Ring"]);
    expect(names(implementations(db, findSymbols(db, "Ring.area")[0]!.id).implements)).toEqual(["src/Circle.java:area"]);
    expect(names(implementations(db, findSymbols(db, "Repo.load")[0]!.id).implementations)).toEqual(["web/repo.ts:load"]);
    db.close();
  });
});

describe("calls through an import's name", () => {
  test("Go: `strings.HasPrefix` is strings' even when bytes (also imported) has one; an import names a package directory, not same-named files", async () => {
    const db = await indexed({
      "go.mod": "module example.com/m\n",
      "strings/strings.go": "package strings\n\nfunc HasPrefix(s, p string) bool { return true }\n",
      "bytes/bytes.go": "package bytes\n\nfunc HasPrefix(s, p []byte) bool { return true }\n",
      // Same file stem as the `path` package: an import of "path" does not mean these.
      "path/filepath/path.go": "package filepath\n\nfunc Clean(p string) string { return p }\n",
      "internal/lib/path.go": "package lib\n\nfunc Clean(p string) string { return p }\n",
      "path/match.go": "package path\n\nfunc Clean(p string) string { return p }\n",
      "app/app.go":
        'package app\n\nimport (\n\t"bytes"\n\t"path"\n\t"strings"\n)\n\nfunc Run(b []byte) bool {\n\t_ = path.Clean("x")\n\treturn strings.HasPrefix("ab", "a") && len(b) > 0 && bytes.Equal(b, b)\n}\n',
    });
    expect(calleesOf(db, "app/app.go:Run")).toEqual(["path/match.go:Clean import", "strings/strings.go:HasPrefix import"]);
    db.close();
  });

  test("Python: a plain call is the file's own function or an imported one, never another module's namesake", async () => {
    const db = await indexed({
      "pkg/__init__.py": "",
      "pkg/locale.py": "def str(val):\n    return val\n\ndef any(*choices):\n    return choices\n",
      "pkg/util.py": "def quote(s):\n    return s\n",
      "pkg/app.py": "from .util import quote\n\ndef local():\n    return 1\n\ndef run(x):\n    return quote(str(x)) if any([x]) else local()\n",
    });
    expect(calleesOf(db, "pkg/app.py:run")).toEqual(["pkg/app.py:local name", "pkg/util.py:quote name"]);
    db.close();
  });
});

describe("receivers the file tells without a compiler", () => {
  test("Go: a file-level variable, a local copied from a field, and a call's result", async () => {
    const db = await indexed({
      "go.mod": "module example.com/m\n",
      "sync/mutex.go": "package sync\n\ntype Mutex struct{}\n\nfunc (m *Mutex) Lock() {}\n",
      "web/locker.go": "package web\n\ntype fakeLocker struct{}\n\nfunc (fakeLocker) Lock() {}\n",
      "web/server.go":
        'package web\n\nimport "example.com/m/sync"\n\ntype Ctx struct{}\n\nfunc (c *Ctx) Done() {}\n\ntype Request struct{ mu sync.Mutex }\n\nfunc (r *Request) Context() *Ctx { return nil }\n\ntype reader struct{ req *Request }\n\nfunc (e *reader) Read() {\n\tuniqMu.Lock()\n\tr := e.req\n\tr.mu.Lock()\n\tr.Context().Done()\n}\n\nvar uniqMu sync.Mutex\n',
    });
    expect(calleesOf(db, "web/server.go:reader.Read")).toEqual(["sync/mutex.go:Mutex.Lock type", "web/server.go:Ctx.Done type", "web/server.go:Request.Context type"]);
    db.close();
  });

  test("TypeScript and Python: super's method is the base class's", async () => {
    const db = await indexed({
      "base.ts": 'export class Base {\n  render(): string {\n    return ""\n  }\n}\n',
      "other.ts": 'export class Other {\n  render(): string {\n    return ""\n  }\n}\n',
      "child.ts": 'import { Base } from "./base"\n\nexport class Child extends Base {\n  render(): string {\n    return super.render() + "x"\n  }\n}\n',
      "shapes.py": "class Shape:\n    def area(self):\n        return 0\n\nclass Box:\n    def area(self):\n        return 1\n\nclass Square(Shape):\n    def area(self):\n        return super().area() + 1\n",
    });
    expect(calleesOf(db, "child.ts:Child.render")).toEqual(["base.ts:Base.render type"]);
    expect(calleesOf(db, "shapes.py:Square.area")).toEqual(["shapes.py:Shape.area type"]);
    db.close();
  });
});

describe("Java plain calls", () => {
  test("a plain call is the class's own (or a nested class's, or a static import's), never an unrelated class's method", async () => {
    const db = await indexed({
      "util/Pattern.java": "package util;\n\nclass Pattern {\n  private static int getClass(int c) { return c; }\n}\n",
      "util/Objects.java": "package util;\n\npublic class Objects {\n  public static <T> T requireNonNull(T o) { return o; }\n}\n",
      "util/Spliterator.java":
        "package util;\n\nimport static util.Objects.requireNonNull;\n\nclass Spliterator {\n  void forEach(Object action) {\n    requireNonNull(action);\n    trip(getClass());\n  }\n  void trip(Object o) {}\n}\n",
    });
    expect(calleesOf(db, "util/Spliterator.java:Spliterator.forEach")).toEqual(["util/Objects.java:Objects.requireNonNull name", "util/Spliterator.java:Spliterator.trip type"]);
    db.close();
  });
});

// Overloads told apart by argument count: a call goes to the overloads whose parameter count
// admits its arguments (src/parser/arity.ts), and to every candidate when none does. Each case is
// a small repo whose right answer is plain from the code.
import type { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { parseText } from "../../src/parser/parse-file.ts";
import { indexedRepos } from "../helpers/indexed-repo.ts";

const { indexed, cleanup } = indexedRepos("skep-arity-");
afterAll(cleanup);

/** Callees (functions and methods) of `from` ("Container.name" or "name", the first such symbol) as "Container.name:line". */
function calleesOf(db: Database, from: string): string[] {
  const rows = db
    .query(
      `SELECT coalesce(a.container || '.', '') || a.name AS "from", a.line AS fromLine,
              coalesce(b.container || '.', '') || b.name || ':' || b.line AS "to"
       FROM edges e
       JOIN symbols a ON a.id = e.from_symbol
       JOIN symbols b ON b.id = e.to_symbol
       WHERE e.kind <> 1 AND b.kind IN ('function', 'method') ORDER BY a.line, 3`,
    )
    .all() as { from: string; fromLine: number; to: string }[];
  const first = rows.find((r) => r.from === from)?.fromLine;
  return rows.filter((r) => r.from === from && r.fromLine === first).map((r) => r.to);
}

describe("parameter and argument counts", () => {
  test("Java: fixed, varargs; this(…) and super(…) name the constructors", async () => {
    const x = await parseText("java", "class A extends B {\n  A() { this(1); }\n  A(int x) { super(x, 2); }\n  void m(int a, String... r) { m(1, \"a\", \"b\"); }\n}\n");
    expect(x.symbols.filter((s) => s.kind === "method").map((s) => `${s.name}:${s.arity}`)).toEqual(["A:0", "A:1:int", "m:1+"]);
    expect(x.refs.filter((r) => r.kind === "call").map((r) => `${r.name}(${r.args}) ${r.receiver} ${r.argTypes}`)).toEqual(["A(1) A int", "B(2) B int,int", "m(3) A int,String,String"]);
  });

  test("Python: self is not counted, defaults and *args make a range; a splat is no count", async () => {
    const x = await parseText("python", "class C:\n    def m(self, a, b=1): pass\n    @staticmethod\n    def s(a): pass\n    def v(self, *a): pass\n\ndef g():\n    C().m(1)\n    f(*xs)\n    f(x for x in y)\n");
    expect(x.symbols.filter((s) => s.arity !== null).map((s) => `${s.name}:${s.arity}`)).toEqual(["m:1-2", "s:1", "v:0+", "g:0"]);
    expect(x.refs.map((r) => `${r.name}(${r.args})`)).toEqual(["C(0)", "m(1)", "f(-1)", "f(1)"]);
  });

  test("Go: grouped names count each; f(g()) passes all of g's results; JavaScript is not counted", async () => {
    const go = await parseText("go", "package p\n\nfunc f(a, b int, c ...string) {}\n\nfunc h() { f(1, 2); f(g()) }\n");
    expect(go.symbols.map((s) => `${s.name}:${s.arity}`)).toEqual(["f:2+", "h:0"]);
    expect(go.refs.filter((r) => r.kind !== "type").map((r) => `${r.name}(${r.args})`)).toEqual(["f(2)", "f(-1)", "g(0)"]);
    const js = await parseText("javascript", "function f(a, b) {}\nfunction h() { f(1); }\n");
    expect(js.symbols.map((s) => s.arity)).toEqual([null, null]);
    expect(js.refs.map((r) => r.args)).toEqual([-1]);
  });
});

describe("overloads resolved by argument count", () => {
  test("Java: a constructor and a method among overloads of one class", async () => {
    const db = await indexed({
      "src/p/Box.java":
        "package p;\n\npublic class Box {\n  public Box() { this(8); }\n  public Box(int size) { }\n  public Box(int size, boolean grow) { }\n  void put(Object o) { }\n  void put(Object o, int at) { }\n  void fill() { put(null); put(null, 2); }\n}\n",
      "src/p/Use.java": "package p;\n\nclass Use {\n  void run() { Box b = new Box(1, true); b.put(\"x\"); }\n}\n",
    });
    expect(calleesOf(db, "Box.Box")).toEqual(["Box.Box:5"]);
    expect(calleesOf(db, "Box.fill")).toEqual(["Box.put:7", "Box.put:8"]);
    expect(calleesOf(db, "Use.run")).toEqual(["Box.Box:6", "Box.put:7"]);
    db.close();
  });

  test("Java: super(…) reaches the superclass's constructor of that count", async () => {
    const db = await indexed({
      "src/p/Base.java": "package p;\n\nclass Base {\n  Base() { }\n  Base(String m) { }\n}\n",
      "src/p/Sub.java": "package p;\n\nclass Sub extends Base {\n  Sub(String m) { super(m); }\n}\n",
    });
    expect(calleesOf(db, "Sub.Sub")).toEqual(["Base.Base:5"]);
    db.close();
  });

  test("Java: same-count overloads by the arguments' types: exact first, no boxing before boxing, primitive arrays", async () => {
    const db = await indexed({
      "src/p/Sorts.java":
        "package p;\n\nclass Sorts {\n  void sort(byte[] a, int lo) { }\n  void sort(char[] a, int lo) { }\n  void remove(int i) { }\n  void remove(Object o) { }\n  void print(Object o) { }\n  void print(String s) { }\n  void run(char[] cs, int i, String s) {\n    sort(cs, 0);\n    remove(i);\n    print(s);\n    print(\"x\");\n  }\n}\n",
    });
    expect(calleesOf(db, "Sorts.run")).toEqual(["Sorts.print:9", "Sorts.remove:6", "Sorts.sort:5"]);
    db.close();
  });

  test("a count no candidate admits keeps them all (Python's Class.method(obj, …))", async () => {
    const db = await indexed({
      "m.py": "class A:\n    def f(self, x):\n        pass\n\n\nclass B:\n    def f(self, x, y):\n        pass\n\n\ndef run(a: A):\n    A.f(a, 1, 2, 3)\n    a.f(1)\n",
    });
    expect(calleesOf(db, "run")).toEqual(["A.f:2"]);
    db.close();
  });
});

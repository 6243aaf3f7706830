// Calls through renamed imports and submodules, and receivers a file tells without a compiler
// that the call graph used to miss: Go's `urlpkg "net/url"` and `err.(net.Error)`, Python's
// `from email import _encoded_words as _ew`, `urllib.parse.f()` after `import urllib`, values
// of the language's own types (`words = []`, a compiled pattern) that are never the repo's methods,
// Java's nested types (`Map.Entry`) and a superclass's method over an interface's.
import type { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { indexedRepos } from "../helpers/indexed-repo.ts";

const { indexed, cleanup } = indexedRepos("skep-renamed-");
afterAll(cleanup);

/** Callees (functions and methods) of the symbol `from` in `path`, as "path:Container.name". */
function calleesOf(db: Database, path: string, from: string): string[] {
  const rows = db
    .query(
      `SELECT fb.path || ':' || coalesce(b.container || '.', '') || b.name AS "to"
       FROM edges e
       JOIN symbols a ON a.id = e.from_symbol JOIN files fa ON fa.id = a.file_id
       JOIN symbols b ON b.id = e.to_symbol JOIN files fb ON fb.id = b.file_id
       WHERE e.kind <> 1 AND b.kind IN ('function', 'method') AND fa.path = ? AND a.name = ? ORDER BY 1`,
    )
    .all(path, from) as { to: string }[];
  return rows.map((r) => r.to);
}

describe("Go", () => {
  test("a renamed import's functions and types; a type assertion's interface", async () => {
    const db = await indexed({
      "go.mod": "module example.com/m\n",
      "net/url/url.go": "package url\n\ntype URL struct{}\n\nfunc Parse(s string) (*URL, error) { return nil, nil }\n\nfunc (u *URL) Query() string { return \"\" }\n",
      "net/net.go": "package net\n\ntype Error interface {\n\tTimeout() bool\n}\n",
      "web/url.go": "package web\n\ntype URL struct{}\n\nfunc Parse(s string) {}\n\nfunc (u *URL) Query() string { return \"\" }\n",
      "web/serve.go":
        'package web\n\nimport (\n\t"example.com/m/net"\n\turlpkg "example.com/m/net/url"\n)\n\nfunc Serve(u *urlpkg.URL, err error) {\n\turlpkg.Parse("x")\n\tu.Query()\n\tif ne, ok := err.(net.Error); ok && ne.Timeout() {\n\t}\n}\n',
    });
    expect(calleesOf(db, "web/serve.go", "Serve")).toEqual(["net/net.go:Error.Timeout", "net/url/url.go:Parse", "net/url/url.go:URL.Query"]);
    db.close();
  });
});

describe("Python", () => {
  test("`from pkg import mod as alias`, `import pkg` then `pkg.mod.f()`; lists and compiled patterns are the language's", async () => {
    const db = await indexed({
      "email/__init__.py": "",
      "email/_encoded_words.py": "def decode(ew):\n    pass\n",
      "email/header.py":
        "import re\nimport urllib\nfrom email import _encoded_words as _ew\n\necre = re.compile('x')\n\n\nclass Header:\n    def append(self, s):\n        pass\n\n\ndef decode_header(h):\n    words = []\n    words.append(_ew.decode(h))\n    urllib.parse.quote(h)\n    return ecre.sub('', h)\n",
      "urllib/__init__.py": "",
      "urllib/parse.py": "def quote(s):\n    pass\n",
      "re/__init__.py": "def compile(p):\n    pass\n\n\ndef sub(p, r, s):\n    pass\n",
    });
    expect(calleesOf(db, "email/header.py", "decode_header")).toEqual(["email/_encoded_words.py:decode", "urllib/parse.py:quote"]);
    db.close();
  });
});

describe("plain calls of renamed functions and of locals", () => {
  test("Python: `from quopri import encodestring as _enc` makes `_enc()` quopri's; Go: a call of a local variable is no function's", async () => {
    const db = await indexed({
      "quopri.py": "def encodestring(s):\n    pass\n",
      "enc.py": "from quopri import encodestring as _enc\n\n\ndef encode(s):\n    return _enc(s)\n",
      "go.mod": "module example.com/m\n",
      "t/timer.go": "package t\n\nfunc stopTimer() bool { return true }\n\nfunc setCancel() (func(), bool) { return nil, false }\n\nfunc Send() {\n\tstopTimer, ok := setCancel()\n\tif ok {\n\t\tstopTimer()\n\t}\n}\n",
    });
    expect(calleesOf(db, "enc.py", "encode")).toEqual(["quopri.py:encodestring"]);
    expect(calleesOf(db, "t/timer.go", "Send")).toEqual(["t/timer.go:setCancel"]);
    db.close();
  });
});

describe("Java", () => {
  test("`Map.Entry` is Map's Entry, not another class's; super's method is the superclass's, not an interface's at the same depth", async () => {
    const db = await indexed({
      "src/p/Map.java": "package p;\n\ninterface Map<K, V> {\n  interface Entry<K, V> {\n    K getKey();\n  }\n}\n",
      "src/p/Table.java":
        "package p;\n\nclass Table {\n  static class Entry {\n    Object getKey() { return null; }\n  }\n\n  void putAll(Map.Entry<String, String> e) {\n    e.getKey();\n  }\n}\n",
      "src/p/Col.java": "package p;\n\ninterface Col {\n  boolean retainAll(Object c);\n}\n",
      "src/p/St.java": "package p;\n\ninterface St extends Col {\n  boolean retainAll(Object c);\n}\n",
      "src/p/Coll.java": "package p;\n\nabstract class Coll implements Col {\n  public boolean retainAll(Object c) { return true; }\n}\n",
      "src/p/ASet.java": "package p;\n\nabstract class ASet extends Coll implements St {\n}\n",
      "src/p/Jumbo.java": "package p;\n\nclass Jumbo extends ASet {\n  public boolean retainAll(Object c) {\n    return super.retainAll(c);\n  }\n}\n",
    });
    expect(calleesOf(db, "src/p/Table.java", "putAll")).toEqual(["src/p/Map.java:Entry.getKey"]);
    expect(calleesOf(db, "src/p/Jumbo.java", "retainAll")).toEqual(["src/p/Coll.java:Coll.retainAll"]);
    db.close();
  });
});

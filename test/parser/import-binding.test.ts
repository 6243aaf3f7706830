// The name an import binds when it is not renamed: what `fmt.Println()`-style member calls are
// matched against (src/parser/extract.ts), per language family's spelling of an import.
import { expect, test } from "bun:test";
import { importBinding } from "../../src/parser/extract.ts";
import { parseText } from "../../src/parser/parse-file.ts";

test("import specs to the names they bind", () => {
  const cases: [string, string][] = [
    ["fmt", "fmt"],
    ["net/http", "http"],
    ["example.com/m/v2", "m"],
    ["gopkg.in/yaml.v3", "yaml"],
    ["java.util.List", "List"],
    ["com.example.shop.store.Store", "Store"],
    ["./util.js", "util"],
    ["../db/client", "client"],
    ["node:path", "path"],
    ["node:fs/promises", "promises"],
    ["os.path", "path"],
    ["./api/index.ts", "api"],
    ["../api/index", "api"],
    ["index", "index"],
    [".", ""],
    ["..", ""],
  ];
  for (const [spec, name] of cases) expect(`${spec} -> ${importBinding(spec)}`).toBe(`${spec} -> ${name}`);
});

test("a member call is 'imported' only through a plain qualifier that an import binds, and only where imports bind names", async () => {
  const kinds = async (lang: "go" | "python" | "c", text: string) =>
    (await parseText(lang, text)).refs.filter((r) => r.kind !== "type").map((r) => `${r.name}:${r.kind}`);
  const go = 'package p\n\nimport "strings"\n\nfunc F(s S) {\n\tstrings.ToUpper("a")\n\ts.strings.Fields()\n\tg().strings()\n\ts.Other()\n\tLocal()\n}\n';
  expect(await kinds("go", go)).toEqual(["ToUpper:imported", "Fields:member", "g:call", "strings:member", "Other:member", "Local:call"]);
  expect(await kinds("python", "import json\nfrom . import x\n\ndef f(v):\n    json.dumps(v)\n    v.dumps()\n    v.json.dumps()\n")).toEqual(["dumps:imported", "dumps:member", "dumps:member"]);
  // An include binds no name: a variable called `queue` is just a value.
  expect(await kinds("c", '#include "queue.h"\n\nvoid f(struct q *queue) {\n  queue->push(queue, 1);\n}\n')).toEqual(["push:member"]);
});

// A `.h` file's stored language follows its content through every write path: a full index run,
// the daemon's targeted re-index of saved paths, and a task's symbol diff. When a header turns
// from C into C++ (or back), its row, status counts and `--lang` search follow, and no symbol
// parsed with the other grammar is left behind.
import type { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { utimesSync } from "node:fs";
import { join } from "node:path";
import { indexPaths } from "../../src/index/targeted.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { fileContext } from "../../src/index/read.ts";
import { indexStatus } from "../../src/index/status.ts";
import { openWritable } from "../../src/index/store.ts";
import { search } from "../../src/search/search.ts";
import { symbolDiff } from "../../src/tasks/symbol-diff.ts";
import { git, initRepo, tempDir, writeFiles } from "../helpers/git-repo.ts";

const tmp = tempDir("skep-header-lang-");
afterAll(tmp.cleanup);

const lines = (...l: string[]) => `${l.join("\n")}\n`;

const C_QUEUE = lines(
  "/* A FIFO of jobs. Not a class: plain C that C++ can include. */",
  "#ifndef QUEUE_H",
  "#define QUEUE_H",
  "#include <stddef.h>",
  "#ifdef __cplusplus",
  'extern "C" {',
  "#endif",
  "typedef struct queue queue_t;",
  "queue_t *queue_new(size_t cap);",
  "void queue_free(queue_t *q);",
  "#ifdef __cplusplus",
  "}",
  "#endif",
  "#endif",
);

const CPP_QUEUE = lines(
  "#pragma once",
  "#include <cstddef>",
  "namespace jobs {",
  "/// A FIFO of jobs.",
  "class Queue {",
  "public:",
  "    explicit Queue(std::size_t cap);",
  "    bool push(int id);",
  "private:",
  "    std::size_t cap_;",
  "};",
  "template <typename T>",
  "T *make(std::size_t cap) { return new T(cap); }",
  "}",
);

const C_SYMBOLS = ["type queue_t []", "function queue_new []", "function queue_free []"];
const CPP_SYMBOLS = ["namespace jobs []", "class Queue [jobs]", "method Queue [Queue]", "method push [Queue]", "field cap_ [Queue]", "function make [jobs]"];

const FILES = {
  "src/queue.h": C_QUEUE,
  "src/util.h": lines("#ifndef UTIL_H", "#define UTIL_H", "int util_max(int a, int b);", "#endif"),
  "src/util.c": lines('#include "util.h"', "int util_max(int a, int b) { return a > b ? a : b; }"),
};

function stored(db: Database, path: string): { lang: string; symbols: string[] } {
  const file = fileContext(db, path)!;
  return { lang: file.lang, symbols: file.symbols.map((s) => `${s.kind} ${s.name} [${s.container ?? ""}]`) };
}

/** The file's symbols as a fresh index of the same tree holds them: nothing stale in the patched one. */
async function coldStored(root: string, path: string, name: string) {
  const db = openWritable(join(tmp.dir, `${name}.db`));
  try {
    expect((await indexRepo(db, root)).writeMode).toBe("cold");
    return stored(db, path);
  } finally {
    db.close();
  }
}

/** Rewrite a file so a (size, mtime) scan must see it changed, whatever the clock's resolution. */
function rewrite(root: string, path: string, text: string, mtimeSec: number): void {
  writeFiles(root, { [path]: text });
  utimesSync(join(root, path), mtimeSec, mtimeSec);
}

describe("a header's language across index runs", () => {
  test("C, then C++, then C again: lang, status, --lang search and symbols follow", async () => {
    const root = initRepo(join(tmp.dir, "runs"), FILES);
    const db = openWritable(join(tmp.dir, "runs.db"));
    try {
      await indexRepo(db, root);
      expect(stored(db, "src/queue.h")).toEqual({ lang: "c", symbols: C_SYMBOLS });
      expect(indexStatus(db, root).languages.map((l) => `${l.lang} ${l.files}`)).toEqual(["c 3"]);

      rewrite(root, "src/queue.h", CPP_QUEUE, 2_000_000_000);
      const report = await indexRepo(db, root);
      expect(report.writeMode).toBe("patch");
      expect(report.parsed).toBe(1);
      expect(stored(db, "src/queue.h")).toEqual({ lang: "cpp", symbols: CPP_SYMBOLS });
      expect(stored(db, "src/queue.h")).toEqual(await coldStored(root, "src/queue.h", "runs-cold-cpp"));
      expect(indexStatus(db, root).languages.map((l) => `${l.lang} ${l.files} ${l.name}`)).toEqual(["c 2 C", "cpp 1 C++"]);
      expect(search(db, "Queue", { lang: "cpp" }).map((h) => `${h.kind} ${h.name} ${h.path} ${h.lang}`)).toContain("class Queue src/queue.h cpp");
      expect(search(db, "queue_new")).toEqual([]);
      expect(search(db, "util_max", { lang: "cpp" })).toEqual([]);
      expect(search(db, "util_max", { lang: "c" }).map((h) => h.path)).toEqual(["src/util.c", "src/util.h"]);

      // An unchanged header keeps its language without being read again.
      const again = await indexRepo(db, root);
      expect([again.parsed, again.unchanged]).toEqual([0, 3]);
      expect(stored(db, "src/queue.h").lang).toBe("cpp");

      rewrite(root, "src/queue.h", C_QUEUE, 2_000_000_100);
      await indexRepo(db, root);
      expect(stored(db, "src/queue.h")).toEqual({ lang: "c", symbols: C_SYMBOLS });
      expect(search(db, "Queue", { lang: "cpp" })).toEqual([]);
      expect(indexStatus(db, root).languages.map((l) => `${l.lang} ${l.files}`)).toEqual(["c 3"]);
    } finally {
      db.close();
    }
  });

  test("the daemon's targeted re-index of a saved header stores the language its content calls for", async () => {
    const root = initRepo(join(tmp.dir, "targeted"), FILES);
    const db = openWritable(join(tmp.dir, "targeted.db"));
    try {
      await indexRepo(db, root);
      rewrite(root, "src/queue.h", CPP_QUEUE, 2_000_000_000);
      const report = await indexPaths(db, root, ["src/queue.h"]);
      expect(report?.parsed).toBe(1);
      expect(stored(db, "src/queue.h")).toEqual({ lang: "cpp", symbols: CPP_SYMBOLS });
    } finally {
      db.close();
    }
  });

  test("a task's symbol diff parses each version of a header in its own language", async () => {
    const root = initRepo(join(tmp.dir, "diff"), FILES);
    git(root, "checkout", "-qb", "task");
    writeFiles(root, { "src/queue.h": CPP_QUEUE });
    git(root, "commit", "-qam", "queue in C++");
    const diff = await symbolDiff(root, "main", "task");
    expect(diff.skipped).toEqual([]);
    expect(diff.removed.map((s) => s.name).sort()).toEqual(["queue_free", "queue_new", "queue_t"]);
    expect(diff.added.map((s) => `${s.kind} ${s.name} [${s.container ?? ""}]`).sort()).toEqual([...CPP_SYMBOLS].sort());
  });
});

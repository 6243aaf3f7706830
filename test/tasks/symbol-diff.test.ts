// The symbol-level diff of a task branch: real git, real parsing, a TypeScript and a Go file.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatSymbolDiff, type Sym, symbolDiff, type SymbolDiff } from "../../src/tasks/symbol-diff.ts";
import { git, initRepo, writeFiles } from "../helpers/git-repo.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

setDefaultTimeout(60_000);

const TS_BEFORE = `export function greet(name: string): string {
  return "hi " + name;
}

export class Counter {
  count(step: number): number {
    return step;
  }
  reset(): void {}
}

export function unchanged(): number {
  return 1;
}
`;

const TS_AFTER = `export function greet(name: string, excited: boolean): string {
  return "hi " + name + (excited ? "!" : "");
}

export class Counter {
  count(step: number): number {
    return step + 1; // body changed, signature not
  }
  total(): number {
    return 0;
  }
}

export function unchanged(): number {
  return 1;
}
`;

const GO_BEFORE = `package store

type Store struct{}

func (s *Store) Get(key string) string { return key }

func Open(path string) *Store { return &Store{} }

func Legacy() {}
`;

const GO_AFTER = `package store

type Store struct{}

func (s *Store) Get(key string, fallback string) string { return key }

func (s *Store) Put(key, value string) error { return nil }

func Open(path string) *Store { return &Store{} }
`;

const RENAMED = `export function helper(a: number): number {
  return a * 2;
}
// enough shared text
// that git sees a rename
// rather than a delete and an add
`;

let repo: string;
let d: SymbolDiff;

const brief = (s: Sym) => `${s.file}:${s.container ? `${s.container}.` : ""}${s.name}(${s.kind})`;

beforeAll(async () => {
  repo = initRepo(join(tempDir("skep-symdiff-"), "repo"), {
    "src/greet.ts": TS_BEFORE,
    "store/store.go": GO_BEFORE,
    "lib/old.ts": RENAMED,
    "lib/dead.ts": "export const DEAD = 1;\nexport function dead(): void {}\n",
    "README.md": "# readme\n",
  });
  git(repo, "checkout", "-q", "-b", "task");
  writeFiles(repo, { "src/greet.ts": TS_AFTER, "store/store.go": GO_AFTER, "src/new.ts": "export interface Shape { area(): number }\n", "README.md": "# changed\n" });
  git(repo, "mv", "lib/old.ts", "lib/renamed.ts");
  writeFileSync(join(repo, "lib/renamed.ts"), RENAMED.replace("helper(a: number)", "helper(a: number, b: number)"));
  rmSync(join(repo, "lib/dead.ts"));
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "task work");
  // Base moves on after the branch left it: its later change is not the branch's.
  git(repo, "checkout", "-q", "main");
  writeFiles(repo, { "src/later.ts": "export function onBaseOnly(): void {}\n" });
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "base moves on");
  d = await symbolDiff(repo, "main", "task");
});
afterAll(cleanupAll);

describe("symbolDiff", () => {
  test("added symbols", async () => {
    expect(d.added.map(brief)).toEqual([
      "src/greet.ts:Counter.total(method)",
      "src/new.ts:Shape(interface)",
      "src/new.ts:Shape.area(method)",
      "store/store.go:Store.Put(method)",
    ]);
    const put = d.added.find((s) => s.name === "Put")!;
    expect(put.signature).toContain("Put(key, value string) error");
    expect(put.line).toBe(7);
  });

  test("removed symbols, including a deleted file's", async () => {
    expect(d.removed.map(brief)).toEqual([
      "lib/dead.ts:DEAD(constant)",
      "lib/dead.ts:dead(function)",
      "src/greet.ts:Counter.reset(method)",
      "store/store.go:Legacy(function)",
    ]);
  });

  test("changed signatures, with old and new", async () => {
    const changed = d.changed.map((c) => [brief(c.after), c.before.signature, c.after.signature]);
    expect(changed).toEqual([
      ["lib/renamed.ts:helper(function)", "export function helper(a: number): number", "export function helper(a: number, b: number): number"],
      ["src/greet.ts:greet(function)", "export function greet(name: string): string", "export function greet(name: string, excited: boolean): string"],
      ["store/store.go:Store.Get(method)", expect.stringContaining("Get(key string) string"), expect.stringContaining("Get(key string, fallback string) string")],
    ]);
    // A renamed file's old side keeps its old path.
    expect(d.changed[0]!.before.file).toBe("lib/old.ts");
  });

  test("a changed body with the same signature is not a change; base's later commits are ignored", async () => {
    const all = [...d.added, ...d.removed, ...d.changed.map((c) => c.after)].map((s) => s.name);
    expect(all).not.toContain("count");
    expect(all).not.toContain("unchanged");
    expect(all).not.toContain("onBaseOnly");
  });

  test("files lists every changed file, parsed or not", async () => {
    expect(d.files.map((f) => `${f.status} ${f.path}`).sort()).toEqual(["A src/new.ts", "D lib/dead.ts", "M README.md", "M src/greet.ts", "M store/store.go", "R lib/renamed.ts"]);
    expect(d.skipped).toEqual([]);
  });

  test("a branch with no commits has no changes", async () => {
    git(repo, "branch", "empty", "main");
    const none = await symbolDiff(repo, "main", "empty");
    expect(none).toEqual({ added: [], removed: [], changed: [], files: [], skipped: [] });
    expect(formatSymbolDiff(none)).toBe("No symbol-level changes.");
  });
});

describe("formatSymbolDiff", () => {
  test("markdown sections", async () => {
    const md = formatSymbolDiff(d);
    expect(md).toContain("### Added symbols\n- `total(): number` (method) in src/greet.ts:9");
    expect(md).toContain("### Removed symbols\n");
    expect(md).toContain("- `reset(): void` (method) in src/greet.ts:9");
    expect(md).toContain("### Changed signatures\n");
    expect(md).toContain("- `export function greet(name: string): string` → `export function greet(name: string, excited: boolean): string` (function) in src/greet.ts:1");
    expect(md).not.toContain("No symbol-level changes.");
    expect(md.indexOf("### Added")).toBeLessThan(md.indexOf("### Removed"));
    expect(md.indexOf("### Removed")).toBeLessThan(md.indexOf("### Changed"));
  });

  test("backticks in a signature keep the code span intact", async () => {
    const s: Sym = { name: "T", kind: "type", container: null, file: "t.ts", line: 1, signature: "type T = `a${string}`" };
    expect(formatSymbolDiff({ added: [s], removed: [], changed: [], files: [], skipped: [] })).toBe("### Added symbols\n- `` type T = `a${string}` `` (type) in t.ts:1");
  });

  test("skipped files are listed but do not count as changes", async () => {
    const md = formatSymbolDiff({ added: [], removed: [], changed: [], files: [], skipped: [{ path: "x.min.js", reason: "minified" }] });
    expect(md).toBe("No symbol-level changes.\n\n### Not compared\n- x.min.js: minified");
  });
});

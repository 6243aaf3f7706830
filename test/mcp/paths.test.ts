// Safety: paths outside the checkout are refused (climbing `..`, absolute paths elsewhere,
// symlinks that resolve outside), and nothing the server does writes to the repo.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PathRefused, safeRelativePath } from "../../src/mcp/paths.ts";
import { cleanupAll, connect, git, indexAt, makeRepo, type Mcp, SAMPLE, snapshot, tempDir } from "./support.ts";

// Real child processes (servers, git, daemons) on a shared, busy machine: be generous.
setDefaultTimeout(60_000);

let repo: string;
let outside: string;
let mcp: Mcp;

beforeAll(async () => {
  outside = tempDir("skep-outside-");
  writeFileSync(join(outside, "secret.ts"), "export function secret(): string { return 'x'; }\n");
  repo = makeRepo(SAMPLE);
  symlinkSync(outside, join(repo, "escape")); // a directory symlink leaving the repo
  symlinkSync(join(outside, "secret.ts"), join(repo, "src", "leak.ts")); // a file symlink leaving it
  symlinkSync("greet.ts", join(repo, "src", "alias.ts")); // a symlink that stays inside
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "links");
  await indexAt(repo);
  mcp = await connect(repo);
});
afterAll(cleanupAll);

describe("safeRelativePath", () => {
  const refused = (input: string, opts = {}) => expect(() => safeRelativePath(repo, input, "file_path", opts)).toThrow(PathRefused);

  test("accepts paths inside, normalising them", () => {
    expect(safeRelativePath(repo, "src/greet.ts", "p")).toBe("src/greet.ts");
    expect(safeRelativePath(repo, "./src//greet.ts", "p")).toBe("src/greet.ts");
    expect(safeRelativePath(repo, "src/../src/greet.ts", "p")).toBe("src/greet.ts");
    expect(safeRelativePath(repo, join(repo, "src/greet.ts"), "p")).toBe("src/greet.ts");
    expect(safeRelativePath(repo, "src/not-there-yet.ts", "p")).toBe("src/not-there-yet.ts");
    expect(safeRelativePath(repo, "src/alias.ts", "p")).toBe("src/alias.ts");
    expect(safeRelativePath(repo, "src/**/*.ts", "p", { glob: true })).toBe("src/**/*.ts");
  });

  test("refuses climbing out, absolute paths elsewhere, escaping symlinks, NUL", () => {
    refused("../../etc/passwd");
    refused("..");
    refused("src/../../x.ts");
    refused("/etc/passwd");
    refused("escape/secret.ts");
    refused("escape/missing/deeper.ts");
    refused("src/leak.ts");
    refused("src/greet.ts\0.png");
    refused("../**", { glob: true });
    refused("escape/**", { glob: true });
  });
});

describe("through the tools", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["get_file_context", { file_path: "../../etc/passwd" }, "outside the repository"],
    ["get_file_context", { file_path: "/etc/passwd" }, "outside the repository"],
    ["get_file_context", { file_path: "escape/secret.ts" }, "through a symlink"],
    ["get_file_context", { file_path: "src/leak.ts" }, "through a symlink"],
    ["search_symbols", { query: "secret", path: "../" }, "outside the repository"],
    ["search_symbols", { query: "secret", path: "/etc" }, "outside the repository"],
    ["search_symbols", { query: "secret", path: "escape" }, "through a symlink"],
    ["get_symbol", { symbol_id: "../../etc/passwd:1" }, "outside the repository"],
    ["get_call_graph", { symbol_id: "/etc/passwd:1" }, "outside the repository"],
  ];
  for (const [tool, args, why] of cases) {
    test(`${tool} ${JSON.stringify(args)} is refused`, async () => {
      const r = await mcp.call(tool, args);
      expect(r.isError).toBe(true);
      expect(r.text).toContain(why);
      expect(r.text).toContain(`relative to ${repo}`);
    });
  }

  test("the symlinked secret is never indexed or read", async () => {
    const a = await mcp.json("search_symbols", { query: "secret" });
    expect(a.hits).toEqual([]);
    const alias = await mcp.json("get_file_context", { file_path: "src/alias.ts" });
    expect(alias.skipped).toContain("symlink");
    expect(alias.symbols).toEqual([]);
  });
});

describe("read-only", () => {
  test("every tool, errors included, leaves the repo byte-for-byte as it was", async () => {
    const r = makeRepo(SAMPLE);
    mkdirSync(join(r, "empty-dir"));
    await indexAt(r);
    // SQLite's shared-memory and WAL files are the database's own bookkeeping for readers.
    const skip = (rel: string) => rel === ".skep/index.db-shm" || rel === ".skep/index.db-wal";
    const before = snapshot(r, skip);
    const m = await connect(r);
    for (const [tool, args] of [
      ["search_symbols", { query: "greet", verbose: true }],
      ["search_symbols", { query: "nothing-like-this" }],
      ["get_file_context", { file_path: "src/app.ts", verbose: true }],
      ["get_file_context", { file_path: "src/missing.ts" }],
      ["get_call_graph", { symbol_id: "greet", depth: 3 }],
      ["get_call_graph", { symbol_id: "nope" }],
      ["get_symbol", { symbol_id: "App.run" }],
      ["get_overview", { tokens: 4000 }],
      ["get_file_context", { file_path: "../../etc/passwd" }],
    ] as const) {
      await m.call(tool, args);
    }
    await m.close();
    expect(snapshot(r, skip)).toEqual(before);
    expect(git(r, "status", "--porcelain")).toBe("");
  });
});

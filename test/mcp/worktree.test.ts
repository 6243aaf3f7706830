// Worktree-aware answers: `skep mcp` started inside a git worktree of an indexed repo answers for
// that worktree (the main checkout's index plus the worktree's differing files, parsed on demand)
// and stamps the worktree in every answer, while the main checkout keeps answering for itself.
// Neither index (nor either checkout) is written.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll, connect, git, indexAt, makeRepo, type Mcp, SAMPLE, tempDir } from "./support.ts";

// Real child processes (servers, git, daemons) on a shared, busy machine: be generous.
setDefaultTimeout(60_000);

let dir: string;
let main: string;
let wt: string;
let fromWt: Mcp;
let fromMain: Mcp;
let indexBytes: string;

const OLD = "export function greet(name: string): string";
const NEW = "export function greet(name: string, excited: boolean): string";

function indexHash(): string {
  return Bun.hash(readFileSync(join(main, ".skep", "index.db"))).toString(16);
}

beforeAll(async () => {
  dir = tempDir("skep-wt-");
  main = makeRepo(SAMPLE, join(dir, "main"));
  await indexAt(main);
  indexBytes = indexHash();
  wt = join(dir, "wt");
  git(main, "worktree", "add", "-q", wt, "-b", "task");
  const greet = readFileSync(join(wt, "src/greet.ts"), "utf8");
  writeFileSync(join(wt, "src/greet.ts"), greet.replace("greet(name: string)", "greet(name: string, excited: boolean)"));
  fromWt = await connect(wt);
  fromMain = await connect(main);
});
afterAll(cleanupAll);

describe("a signature changed in a worktree", () => {
  test("search from the worktree shows the new signature, from the main checkout the old one", async () => {
    const w = await fromWt.json("search_symbols", { query: "greet" });
    expect(w.hits[0].signature).toBe(NEW);
    expect(w.index).toMatchObject({ worktree: wt, indexRoot: main, overlayFiles: 1, pendingFiles: 0, stale: false, via: "direct" });
    expect(w.index.head).toBe(git(wt, "rev-parse", "HEAD"));
    const m = await fromMain.json("search_symbols", { query: "greet" });
    expect(m.hits[0].signature).toBe(OLD);
    expect(m.index.worktree).toBe(main);
    expect(m.index.indexRoot).toBeUndefined();
    // A re-parsed symbol that still exists keeps its id: the same id works from either checkout.
    expect(w.hits[0].id).toBe(m.hits[0].id);
  });

  test("every tool answers for the worktree and stamps it", async () => {
    const file = await fromWt.json("get_file_context", { file_path: "src/greet.ts" });
    expect(file.symbols[0].signature).toBe(NEW);
    const source = await fromWt.json("get_symbol", { symbol_id: "greet" });
    expect(source.source).toContain("excited: boolean");
    expect(source.file_changed).toBeUndefined();
    const graph = await fromWt.json("get_call_graph", { symbol_id: "greet" });
    expect(graph.callers.map((c: { name: string }) => c.name)).toEqual(["run"]);
    expect(graph.callees.map((c: { name: string }) => c.name)).toEqual(["format"]);
    const overview = await fromWt.json("get_overview", {});
    expect(overview.root).toBe(wt);
    for (const a of [file, source, graph, overview]) expect(a.index).toMatchObject({ worktree: wt, indexRoot: main, overlayFiles: 1 });
    // An unchanged file is served from the main index, and read from the worktree.
    const app = await fromWt.json("get_symbol", { symbol_id: "App.run" });
    expect(app.source).toContain('greet("world")');
    expect(app.file_changed).toBeUndefined();
  });

  test("neither index nor either checkout is written", async () => {
    expect(indexHash()).toBe(indexBytes);
    const db = new Database(join(main, ".skep", "index.db"), { readonly: true });
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    db.close();
    expect(existsSync(join(wt, ".skep"))).toBe(false);
    expect(git(wt, "status", "--porcelain")).toBe("M src/greet.ts"); // (trimmed: " M")
    expect(git(main, "status", "--porcelain")).toBe("");
  });
});

describe("the overlay follows the worktree while the server runs", () => {
  test("edits, new files, deletions, commits and new calls", async () => {
    const before = await fromWt.json("get_overview", {});
    writeFileSync(join(wt, "src/extra.ts"), 'import { format } from "./greet";\nexport function shout(s: string): string {\n  return format(s.toUpperCase());\n}\n');
    const added = await fromWt.json("search_symbols", { query: "shout" });
    expect(added.hits[0]).toMatchObject({ name: "shout", file: "src/extra.ts" });
    expect(added.index.overlayFiles).toBe(2);
    // Whole-table answers are cached per version of the overlay, and a new file is a new version.
    expect((await fromWt.json("get_overview", {})).files).toBe(before.files + 1);
    // The call graph is re-resolved for overlaid files: format gains a caller in the worktree only.
    const callers = await fromWt.json("get_call_graph", { symbol_id: "format", direction: "callers" });
    expect(callers.callers.map((c: { name: string }) => c.name).sort()).toEqual(["greet", "shout"]);
    const mainCallers = await fromMain.json("get_call_graph", { symbol_id: "format", direction: "callers" });
    expect(mainCallers.callers.map((c: { name: string }) => c.name)).toEqual(["greet"]);

    // Commit on the worktree's branch: still different from the indexed commit, still overlaid.
    git(wt, "add", "-A");
    git(wt, "commit", "-qm", "task work");
    const committed = await fromWt.json("search_symbols", { query: "greet" });
    expect(committed.hits[0].signature).toBe(NEW);
    expect(committed.index.head).toBe(git(wt, "rev-parse", "HEAD"));
    expect(committed.index.indexedHead).toBe(git(main, "rev-parse", "HEAD"));

    // Edit again: the new text wins.
    writeFileSync(join(wt, "src/extra.ts"), "export function whisper(s: string): string {\n  return s.toLowerCase();\n}\n");
    const edited = await fromWt.json("search_symbols", { query: "whisper" });
    expect(edited.hits[0].name).toBe("whisper");
    expect((await fromWt.json("search_symbols", { query: "shout" })).hits.find((h: { name: string }) => h.name === "shout")).toBeUndefined();

    // Delete a file the main index has: its symbols disappear from the worktree's answers only.
    rmSync(join(wt, "go/server.go"));
    expect((await fromWt.json("search_symbols", { query: "Serve" })).hits.find((h: { name: string }) => h.name === "Serve")).toBeUndefined();
    expect((await fromMain.json("search_symbols", { query: "Serve" })).hits[0].name).toBe("Serve");
    expect(indexHash()).toBe(indexBytes);
  });
});

describe("other ways in", () => {
  test("started in a subdirectory of the worktree without --repo (as Claude Code starts it)", async () => {
    const m = await connect(null, { cwd: join(wt, "src") });
    const a = await m.json("search_symbols", { query: "greet" });
    expect(a.hits[0].signature).toBe(NEW);
    expect(a.index.worktree).toBe(wt);
    await m.close();
  });

  test("a worktree identical to the indexed commit is answered from the main index as it is", async () => {
    const clean = join(dir, "clean");
    git(main, "worktree", "add", "-q", clean, "-b", "clean");
    const m = await connect(clean);
    const a = await m.json("search_symbols", { query: "greet" });
    expect(a.hits[0].signature).toBe(OLD);
    expect(a.index).toMatchObject({ worktree: clean, indexRoot: main, overlayFiles: 0, stale: false });
    await m.close();
  });

  test("a change indexed in the main checkout but absent from the worktree does not leak into it", async () => {
    const d = tempDir("skep-wt2-");
    const m = makeRepo(SAMPLE, join(d, "main"));
    const w = join(d, "wt");
    git(m, "worktree", "add", "-q", w, "-b", "side");
    const text = readFileSync(join(m, "src/greet.ts"), "utf8");
    writeFileSync(join(m, "src/greet.ts"), text.replace("format(message: string)", "format(message: string, width: number)"));
    await indexAt(m); // the main index now holds the main checkout's uncommitted edit
    const fromW = await connect(w);
    const a = await fromW.json("search_symbols", { query: "format" });
    expect(a.hits[0].signature).toBe("export function format(message: string): string");
    const fromM = await connect(m);
    expect((await fromM.json("search_symbols", { query: "format" })).hits[0].signature).toContain("width: number");
    await fromW.close();
    await fromM.close();
  });

  test("a branch far ahead of the indexed commit: many differing files are parsed on worker threads", async () => {
    const many = join(dir, "many");
    git(main, "worktree", "add", "-q", many, "-b", "many");
    for (let i = 0; i < 60; i++) writeFileSync(join(many, `src/gen${i}.ts`), `export function generated${i}(): number { return ${i}; }\n`);
    git(many, "add", "-A");
    git(many, "commit", "-qm", "generated");
    const m = await connect(many, { env: { SKEP_WORKERS: "2" } });
    const a = await m.json("search_symbols", { query: "generated", limit: 100 });
    expect(a.hits).toHaveLength(60);
    expect(a.index).toMatchObject({ worktree: many, overlayFiles: 60 });
    await m.close();
    expect(indexHash()).toBe(indexBytes);
  });

  test("a worktree of a repo nobody indexed says where to build the index", async () => {
    const d = tempDir("skep-wt3-");
    const m = makeRepo(SAMPLE, join(d, "main"));
    const w = join(d, "wt");
    git(m, "worktree", "add", "-q", w, "-b", "side");
    const c = await connect(w);
    const r = await c.call("search_symbols", { query: "greet" });
    expect(r.isError).toBe(true);
    expect(r.text).toContain(`run \`skep index\` in ${m}`);
    await c.close();
  });
});

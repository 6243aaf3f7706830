// The watcher keeps the index in line with the disk with nobody asking: edits, new and removed
// directories, editor-style atomic saves, ignored paths, commits, and branch switches that change
// hundreds of files at once. After each, the daemon's index must equal a cold build of the tree.
import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll, coldIndex, dumpIndex, eventLog, git, makeRepo, rankDifferences, sampleFiles, settle, startDaemon, type RunningDaemon } from "./support.ts";

afterEach(cleanupAll);
setDefaultTimeout(60_000); // real processes on a shared, busy machine

/** The daemon's index equals a cold build of the same tree (ranks within tolerance). */
async function expectConverged(d: RunningDaemon): Promise<void> {
  const cold = dumpIndex(await coldIndex(d.root));
  const warm = dumpIndex(d.paths.dbPath);
  for (const table of Object.keys(cold.rows)) expect(warm.rows[table], table).toEqual(cold.rows[table]!);
  expect(rankDifferences(warm.ranks, cold.ranks)).toEqual([]);
}

/** `n` TypeScript files in a few packages that call each other across files. */
function manyFiles(n: number, variant: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const pkg = `pkg${i % 7}`;
    files[`src/${pkg}/file${i}.ts`] =
      `import { fn${(i + 1) % n}_${variant} } from "../pkg${(i + 1) % 7}/file${(i + 1) % n}";\n` +
      `/** ${variant} number ${i}. */\nexport function fn${i}_${variant}(x: number): number {\n  return fn${(i + 1) % n}_${variant}(x) + shared${i % 5}();\n}\n` +
      `export function shared${i % 5}(): number {\n  return ${i};\n}\n`;
  }
  return files;
}

describe("watcher", () => {
  test("a saved edit, a new file in a new directory, an atomic save and a removed directory are indexed unasked", async () => {
    const d = await startDaemon(makeRepo(sampleFiles()));
    const { client, events, seq } = await eventLog(d);
    await client.request("refresh", { wait: true });

    let mark = events.at(-1)?.seq ?? seq;
    writeFileSync(join(d.root, "src/mod1.ts"), "export function editedInPlace(): number {\n  return 1;\n}\n");
    await settle(client, events, mark);
    expect((await client.request("search", { query: "editedInPlace" })).hits.length).toBe(1);
    expect((await client.request("search", { query: "handler1" })).hits.filter((h) => h.name === "handler1")).toEqual([]);

    const before = await client.request("status"); // cached until the index changes
    const mapBefore = await client.request("map", { tokens: 100_000 });
    expect(mapBefore.text).not.toContain("lib/deep/er/new.go");
    expect(await client.request("status")).toEqual(before);
    mark = events.at(-1)!.seq;
    mkdirSync(join(d.root, "lib/deep/er"), { recursive: true });
    writeFileSync(join(d.root, "lib/deep/er/new.go"), "package er\n\nfunc BrandNewDir() int { return 1 }\n");
    await settle(client, events, mark);
    expect((await client.request("search", { query: "BrandNewDir" })).hits[0]!.path).toBe("lib/deep/er/new.go");
    const after = await client.request("status");
    expect(after.files).toBe(before.files + 1);
    expect(after.languages.find((l) => l.lang === "go")!.files).toBe(before.languages.find((l) => l.lang === "go")!.files + 1);
    expect((await client.request("map", { tokens: 100_000 })).text).toContain("lib/deep/er/new.go:");
    // The new directory is watched from now on.
    mark = events.at(-1)!.seq;
    writeFileSync(join(d.root, "lib/deep/er/new.go"), "package er\n\nfunc RenamedInNewDir() int { return 2 }\n");
    await settle(client, events, mark);
    expect((await client.request("search", { query: "RenamedInNewDir" })).hits.length).toBe(1);

    mark = events.at(-1)!.seq;
    writeFileSync(join(d.root, "src/.mod2.ts.swp"), "editor temp");
    writeFileSync(join(d.root, "src/mod2.ts.tmp"), "export function atomicSave(): number { return 2; }\n");
    renameSync(join(d.root, "src/mod2.ts.tmp"), join(d.root, "src/mod2.ts"));
    await settle(client, events, mark);
    expect((await client.request("search", { query: "atomicSave" })).hits[0]!.path).toBe("src/mod2.ts");

    mark = events.at(-1)!.seq;
    rmSync(join(d.root, "lib"), { recursive: true });
    await settle(client, events, mark);
    expect((await client.request("search", { query: "RenamedInNewDir" })).hits).toEqual([]);
    await expectConverged(d);
  });

  test("ignored files and .skep/ never reach the index; a .gitignore change is honoured", async () => {
    const root = makeRepo({ ...sampleFiles(), ".gitignore": "build/\n*.gen.ts\n" });
    const d = await startDaemon(root);
    const { client, events, seq } = await eventLog(d);
    await client.request("refresh", { wait: true });
    let mark = events.at(-1)?.seq ?? seq;
    mkdirSync(join(root, "build"), { recursive: true });
    writeFileSync(join(root, "build/out.ts"), "export function builtOutput() {}\n");
    writeFileSync(join(root, "src/api.gen.ts"), "export function generatedApi() {}\n");
    writeFileSync(join(root, ".skep/scratch.ts"), "export function insideSkep() {}\n");
    writeFileSync(join(root, "src/real.ts"), "export function realOne() {}\n"); // something that does produce a run
    mkdirSync(join(root, "newpkg/build/deeper"), { recursive: true }); // a new tree with an ignored part
    writeFileSync(join(root, "newpkg/build/deeper/y.ts"), "export function ignoredInNewTree() {}\n");
    writeFileSync(join(root, "newpkg/x.ts"), "export function keptInNewTree() {}\n");
    await settle(client, events, mark);
    for (const q of ["builtOutput", "generatedApi", "insideSkep", "ignoredInNewTree"]) expect((await client.request("search", { query: q })).hits, q).toEqual([]);
    expect((await client.request("search", { query: "keptInNewTree" })).hits.length).toBe(1);
    expect((await client.request("search", { query: "realOne" })).hits.length).toBe(1);
    await expectConverged(d);

    // Un-ignore everything: the files that were there all along are indexed now, and build/ is watched.
    mark = events.at(-1)!.seq;
    writeFileSync(join(root, ".gitignore"), "# nothing ignored\n");
    await settle(client, events, mark);
    expect((await client.request("search", { query: "generatedApi" })).hits.length).toBe(1);
    expect((await client.request("search", { query: "builtOutput" })).hits.length).toBe(1);
    mark = events.at(-1)!.seq;
    writeFileSync(join(root, "build/out.ts"), "export function builtOutput2() {}\n");
    await settle(client, events, mark);
    expect((await client.request("search", { query: "builtOutput2" })).hits.length).toBe(1);
    await expectConverged(d);
  }, 60_000);

  test("a commit moves HEAD: head.moved, and answers report the new HEAD as indexed", async () => {
    const root = makeRepo(sampleFiles());
    const d = await startDaemon(root);
    const { client, events, seq } = await eventLog(d);
    await client.request("refresh", { wait: true });
    const mark = events.at(-1)?.seq ?? seq;
    writeFileSync(join(root, "src/mod0.ts"), "export function committed(): number { return 0; }\n");
    git(root, "commit", "-qam", "second");
    const head = git(root, "rev-parse", "HEAD");
    await settle(client, events, mark);
    while (!events.some((e) => e.event === "head.moved")) await client.nextEvent((e) => e.event === "head.moved", 10_000);
    const moved = events.find((e) => e.event === "head.moved")!.data as { to: string };
    expect(moved.to).toBe(head);
    const f = (await client.request("search", { query: "committed" })).freshness;
    expect(f.head).toBe(head);
    expect(f.indexedHead).toBe(head);
    expect(f.stale).toBe(false);
  });

  test("branch switches that change hundreds of files converge to a cold build, both ways", async () => {
    const root = makeRepo(manyFiles(260, "main"));
    git(root, "checkout", "-q", "-b", "feature");
    // The feature branch rewrites most files, deletes some, adds others in new directories.
    const feature = manyFiles(220, "feat");
    for (let i = 220; i < 260; i++) rmSync(join(root, `src/pkg${i % 7}/file${i}.ts`));
    for (let i = 0; i < 30; i++) feature[`extra/dir${i % 4}/more${i}.go`] = `package dir${i % 4}\n\nfunc More${i}() int { return More${(i + 1) % 30}() }\n`;
    for (const [rel, text] of Object.entries(feature)) {
      mkdirSync(join(root, rel, ".."), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    git(root, "add", "-A");
    git(root, "commit", "-qm", "feature");
    git(root, "checkout", "-q", "main");

    const d = await startDaemon(root);
    const { client, events, seq } = await eventLog(d);
    await client.request("refresh", { wait: true });
    await expectConverged(d);

    let mark = events.at(-1)?.seq ?? seq;
    git(root, "checkout", "-q", "feature");
    await settle(client, events, mark);
    await expectConverged(d);
    const exact = async (q: string) => (await client.request("search", { query: q })).hits.filter((h) => h.name === q).length;
    expect(await exact("More7")).toBe(1);
    expect(await exact("fn3_main")).toBe(0);

    mark = events.at(-1)!.seq;
    git(root, "checkout", "-q", "main");
    await settle(client, events, mark);
    await expectConverged(d);
    expect(await exact("More7")).toBe(0);
    const f = (await client.request("status")).freshness;
    expect(f.head).toBe(git(root, "rev-parse", "HEAD"));
    expect(f.indexedHead).toBe(f.head);

    // A rebase-like rewrite: reset --hard to the other branch's commit.
    mark = events.at(-1)!.seq;
    git(root, "reset", "-q", "--hard", "feature");
    await settle(client, events, mark);
    await expectConverged(d);
  }, 180_000);

  test("outside git: the .gitignore-aware walk is watched too", async () => {
    const root = makeRepo({ ...sampleFiles(), ".gitignore": "out/\n" }, { git: false });
    mkdirSync(join(root, "out"));
    const d = await startDaemon(root);
    const { client, events, seq } = await eventLog(d);
    await client.request("refresh", { wait: true });
    const mark = events.at(-1)?.seq ?? seq;
    writeFileSync(join(root, "out/skip.ts"), "export function outside() {}\n");
    writeFileSync(join(root, "src/plain.ts"), "export function plainWalk() {}\n");
    await settle(client, events, mark);
    expect((await client.request("search", { query: "plainWalk" })).hits.length).toBe(1);
    expect((await client.request("search", { query: "outside" })).hits).toEqual([]);
    expect((await client.request("status")).freshness.head).toBeNull();
    await expectConverged(d);
  });
});

// Clients: the CLI answers the same through the daemon as from the database; answers are honest
// about staleness; a daemon killed in the middle of a large re-index converges after a restart.
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { damagePages } from "../support/damage.ts";
import { cleanupAll, coldIndex, dumpIndex, eventLog, git, makeRepo, rankDifferences, run, sampleFiles, settle, startDaemon } from "../daemon/support.ts";

afterEach(cleanupAll);
setDefaultTimeout(60_000); // real processes on a shared, busy machine

const READS: string[][] = [
  ["search", "helper", "--json"],
  ["search", "hndlr", "--limit", "3", "--json"],
  ["search", "handler", "--kind", "function", "--path", "src/**", "--json"],
  ["callers", "helper2", "--json"],
  ["callees", "handler1", "--depth", "3", "--json"],
  ["map", "--tokens", "300", "--json"],
  ["status", "--json"],
  ["search", "handler2"],
  ["callers", "helper2"],
  ["map", "--tokens", "200"],
];

describe("CLI through the daemon", () => {
  test("every read gives the same output through the daemon as straight from the database", async () => {
    const root = makeRepo(sampleFiles(12));
    const d = await startDaemon(root);
    const c = await d.client();
    await c.request("refresh", { wait: true });
    const before = (await c.request("ping")).requests;
    for (const args of READS) {
      const via = run([...args, "--repo", root]);
      const direct = run([...args, "--repo", root], { env: { SKEP_NO_DAEMON: "1" } });
      expect(via.code, via.stderr).toBe(0);
      expect(via.stdout, args.join(" ")).toBe(direct.stdout);
      expect(via.stderr).toBe(direct.stderr);
    }
    // Errors too: a symbol that does not exist.
    const a = run(["callers", "Nope", "--repo", root]);
    const b = run(["callers", "Nope", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } });
    expect([a.code, a.stderr]).toEqual([b.code, b.stderr]);
    // `skep index` asks the daemon to rescan instead of writing the database itself.
    const idx = run(["index", "--json", "--repo", root]);
    expect(idx.code, idx.stderr).toBe(0);
    expect(JSON.parse(idx.stdout)).toMatchObject({ root, files: 13, parsed: 0, unchanged: 13, deleted: 0 });
    // The reads really went through the daemon: it answered one request per read (+ callers Nope,
    // + index's refresh, + this ping); the SKEP_NO_DAEMON=1 runs did not touch it.
    expect((await c.request("ping")).requests - before).toBe(READS.length + 3);
  }, 120_000);

  test("with no daemon the CLI reads the database; with a stale socket too", async () => {
    const root = makeRepo(sampleFiles());
    expect(run(["index", "--repo", root]).code).toBe(0);
    expect(run(["search", "helper1", "--repo", root]).stdout).toContain("helper1");
    const d = await startDaemon(root);
    d.proc.kill("SIGKILL");
    await d.proc.exited;
    const r = run(["search", "helper1", "--repo", root, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).hits[0].name).toBe("helper1");
  }, 60_000);
});

describe("a damaged index", () => {
  test("the daemon's reads say so; `skep index` has it move the file aside and rebuild, and it answers from the new file", async () => {
    const root = makeRepo(sampleFiles());
    expect(run(["index", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } }).code).toBe(0);
    const dbPath = join(root, ".skep", "index.db");
    damagePages(dbPath, ["symbols"]); // pages a run with nothing to do never reads
    const d = await startDaemon(root);
    const c = await d.client();
    await c.request("refresh", { wait: true }); // its first run: nothing changed, the damage unseen
    const damaged = `the index at ${dbPath} is damaged (database disk image is malformed): run \`skep index\` to rebuild it`;
    await expect(c.request("search", { query: "helper1" })).rejects.toMatchObject({ code: "unavailable", message: damaged });
    const r = run(["search", "helper1", "--repo", root]);
    expect([r.code, r.stderr]).toEqual([1, `skep: ${damaged}\n`]);

    const idx = run(["index", "--json", "--repo", root]); // through the daemon: its worker rebuilds
    expect(idx.code, idx.stderr).toBe(0);
    expect(JSON.parse(idx.stdout)).toMatchObject({ files: 7, parsed: 7, unchanged: 0 });
    const aside = readdirSync(join(root, ".skep")).filter((f) => /^index\.db\.corrupt-\d+$/.test(f));
    expect(aside.length).toBe(1);
    expect(readFileSync(d.paths.log, "utf8")).toContain(`the index was damaged: moved aside as ${join(root, ".skep", aside[0]!)}, rebuilding it from scratch`);
    // The daemon's own connection followed the file: it answers, and from the new index.
    expect((await c.request("search", { query: "helper1" })).hits[0]?.name).toBe("helper1");
    expect(run(["search", "helper1", "--repo", root]).code).toBe(0);
  }, 60_000);

  test("damage the start-up reads meet: the daemon starts anyway and its first run rebuilds the index", async () => {
    const root = makeRepo(sampleFiles());
    expect(run(["index", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } }).code).toBe(0);
    damagePages(join(root, ".skep", "index.db"), ["files", "symbols"]);
    const d = await startDaemon(root);
    const c = await d.client();
    // (The refresh waits for a run after the first one, which did the rebuild.)
    expect(await c.request("refresh", { wait: true })).toMatchObject({ finished: true, index: { files: 7, symbols: 14 } });
    expect(readdirSync(join(root, ".skep")).filter((f) => /^index\.db\.corrupt-\d+$/.test(f)).length).toBe(1);
    const log = readFileSync(d.paths.log, "utf8");
    expect(log).toContain("the index could not be read (database disk image is malformed): the first run rebuilds it");
    expect(log).toContain("the index was damaged: moved aside as ");
    expect((await c.request("search", { query: "helper1" })).hits[0]?.name).toBe("helper1");
  }, 60_000);
});

describe("honest freshness", () => {
  test("an edit not yet indexed makes answers stale, through the daemon and directly alike; indexed, they are fresh", async () => {
    const root = makeRepo(sampleFiles());
    // A long quiet period holds the edit back from the indexer while we look.
    const d = await startDaemon(root, { args: ["--debounce", "4000"] });
    const { client, events } = await eventLog(d);
    await client.request("refresh", { wait: true });
    const fresh = (await client.request("search", { query: "helper1" })).freshness;
    expect(fresh).toMatchObject({ pendingFiles: 0, stale: false });

    const mark = events.at(-1)!.seq;
    writeFileSync(join(root, "src/mod1.ts"), "export function notYetIndexed() {}\n");
    writeFileSync(join(root, "src/added.ts"), "export function alsoNew() {}\n");
    await Bun.sleep(300); // the watcher has seen both (events arrive within milliseconds)
    const stale = await client.request("search", { query: "helper1" });
    expect(stale.freshness).toMatchObject({ pendingFiles: 2, stale: true });
    expect(stale.hits[0]!.name).toBe("helper1"); // computed from the old index, and says so
    const status = await client.request("status");
    expect(status.changed).toEqual({ added: ["src/added.ts"], modified: ["src/mod1.ts"], deleted: [] });
    const direct = JSON.parse(run(["status", "--json", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } }).stdout);
    expect(direct.changed).toEqual(status.changed);
    expect(direct.freshness).toEqual(status.freshness);
    const human = run(["search", "helper1", "--repo", root]);
    expect(human.stderr).toContain("note: the index is stale: 2 files changed");

    await settle(client, events, mark);
    const after = await client.request("search", { query: "notYetIndexed" });
    expect(after.freshness).toMatchObject({ pendingFiles: 0, stale: false });
    expect(after.hits[0]!.name).toBe("notYetIndexed");
  }, 60_000);
});

describe("crash recovery", () => {
  test("kill -9 in the middle of a large re-index: the next start finds what changed and converges", async () => {
    const files: Record<string, string> = {};
    const body = (v: string, i: number) =>
      `package p${i % 9}\n\n// F${i}${v} does work.\nfunc F${i}${v}(x int) int {\n\treturn G${(i + 1) % 1500}${v}(x) + shared${i % 7}()\n}\n\nfunc G${i}${v}(x int) int { return x * ${i} }\n\nfunc shared${i % 7}() int { return ${i} }\n`;
    for (let i = 0; i < 1500; i++) files[`p${i % 9}/f${i}.go`] = body("a", i);
    const root = makeRepo(files);
    git(root, "checkout", "-q", "-b", "other");
    for (let i = 0; i < 1500; i++) writeFileSync(join(root, `p${i % 9}/f${i}.go`), body("b", i));
    git(root, "commit", "-qam", "other");
    git(root, "checkout", "-q", "main");

    const d = await startDaemon(root);
    const { client, events } = await eventLog(d);
    await client.request("refresh", { wait: true }, 120_000);
    const mark = events.at(-1)!.seq;
    git(root, "checkout", "-q", "other"); // 1500 files change at once
    await client.nextEvent((e) => e.event === "index.started" && e.seq > mark && (e.data as { mode: string }).mode === "full", 30_000);
    await Bun.sleep(400);
    d.proc.kill("SIGKILL");
    await d.proc.exited;

    // The run was cut short: the marker says a run was open, and the index does not match the disk.
    const db = new Database(d.paths.dbPath, { readonly: true });
    const marker = db.query("SELECT value FROM meta WHERE key = 'daemon_run_open'").get();
    db.close();
    expect(marker).not.toBeNull();

    const again = await startDaemon(root);
    const log2 = await eventLog(again);
    await settle(log2.client, log2.events, 0, 120_000);
    const cold = dumpIndex(await coldIndex(root));
    const warm = dumpIndex(again.paths.dbPath);
    for (const table of Object.keys(cold.rows)) expect(warm.rows[table], table).toEqual(cold.rows[table]!);
    expect(rankDifferences(warm.ranks, cold.ranks)).toEqual([]);
    const f = (await log2.client.request("status")).freshness;
    expect(f).toMatchObject({ stale: false, pendingFiles: 0, head: git(root, "rev-parse", "HEAD"), indexedHead: git(root, "rev-parse", "HEAD") });
  }, 300_000);
});

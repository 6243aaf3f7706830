// The socket protocol: every verb, pipelining, subscribe, and bad input of every kind. After each
// bad input the same connection (and the daemon) must go on answering.
import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DaemonClient } from "../../src/client/daemon-client.ts";
import type { SkepError } from "../../src/errors.ts";
import { CallGraphAnswer, RepoMapAnswer, SearchAnswer, StatusAnswer } from "../../src/protocol/index-answers.ts";
import { DaemonInfo, FileContextAnswer, MAX_REQUEST_BYTES, RefreshAnswer, SymbolSourceAnswer } from "../../src/protocol/socket.ts";
import { cleanupAll, eventLog, makeRepo, rawSocket, sampleFiles, settle, startDaemon, type RunningDaemon } from "./support.ts";

afterEach(cleanupAll);
setDefaultTimeout(60_000); // real processes on a shared, busy machine

async function daemon(): Promise<RunningDaemon> {
  const d = await startDaemon(makeRepo(sampleFiles()));
  const c = await d.client();
  await c.request("refresh", { wait: true }); // the first index is complete
  return d;
}

describe("socket verbs", () => {
  test("every read verb answers with its schema's shape and a fresh freshness", async () => {
    const d = await daemon();
    const c = await d.client();
    const search = SearchAnswer.parse(await c.request("search", { query: "handler1" }));
    expect(search.hits[0]!.name).toBe("handler1");
    expect(search.freshness).toMatchObject({ worktree: d.root, pendingFiles: 0, stale: false });
    expect(search.freshness.head).toMatch(/^[0-9a-f]{40}$/);
    expect(search.freshness.indexedHead).toBe(search.freshness.head);
    const callers = CallGraphAnswer.parse(await c.request("callers", { symbol: "helper2" }));
    expect(callers.roots[0]!.neighbours.map((n) => n.name)).toContain("handler1");
    const callees = CallGraphAnswer.parse(await c.request("callees", { symbol: "handler1", depth: 2 }));
    expect(callees.roots[0]!.neighbours.map((n) => n.name)).toContain("helper2");
    const map = RepoMapAnswer.parse(await c.request("map", { tokens: 200 }));
    expect(map.tokens).toBeLessThanOrEqual(200);
    expect(map.text).toContain("src/");
    const status = StatusAnswer.parse(await c.request("status"));
    expect(status.files).toBe(7);
    const file = FileContextAnswer.parse(await c.request("file.context", { path: "src/mod1.ts", docs: true }));
    expect(file.symbols.map((s) => s.name)).toEqual(["handler1", "helper1"]);
    expect(file.symbols[0]!.doc).toBe("Module 1.");
    const source = SymbolSourceAnswer.parse(await c.request("symbol.source", { symbol: "helper1" }));
    expect(source.symbols[0]!.text).toBe("export function helper1(x: number): number {\n  return x * 1;\n}");
    expect(source.symbols[0]!.fileChanged).toBe(false);
    const bounded = SymbolSourceAnswer.parse(await c.request("symbol.source", { symbol: "helper1", maxLines: 1 }));
    expect(bounded.symbols[0]).toMatchObject({ text: "export function helper1(x: number): number {", truncated: true });
    DaemonInfo.parse(await c.request("ping"));
    const refresh = RefreshAnswer.parse(await c.request("refresh"));
    expect(refresh.finished).toBe(true);
    expect(refresh.index!.files).toBe(7);
    expect(refresh.index!.parsed).toBe(0);
  });

  test("not found is an error with a code, not a crash", async () => {
    const d = await daemon();
    const c = await d.client();
    expect(c.request("file.context", { path: "nope.ts" })).rejects.toMatchObject({ code: "not_found" });
    expect((await c.request("callers", { symbol: "NoSuchThing" })).roots).toEqual([]);
    expect((await c.request("ping")).pid).toBe(d.proc.pid);
  });

  test("pipelined requests on one connection are all answered, matched by id", async () => {
    const d = await daemon();
    const raw = await rawSocket(d.paths.socketDefault);
    const lines: string[] = [];
    for (let i = 0; i < 100; i++) lines.push(JSON.stringify({ id: `r${i}`, verb: i % 2 ? "search" : "ping", params: i % 2 ? { query: `handler${i % 6}` } : {} }));
    raw.write(`${lines.join("\n")}\n`);
    const replies = await raw.lines(100);
    expect(replies.map((r) => r.id)).toEqual(lines.map((_, i) => `r${i}`)); // in order, as the verbs are synchronous
    for (const r of replies) expect(r.ok).toBe(true);
    raw.end();
  });

  test("subscribe: an edit produces index.started, index.searchable and index.updated", async () => {
    const d = await daemon();
    const { client, events, seq } = await eventLog(d);
    writeFileSync(join(d.root, "src/mod2.ts"), "export function freshlyAdded(): number {\n  return 42;\n}\n");
    await settle(client, events, seq);
    const names = events.filter((e) => e.seq > seq).map((e) => e.event);
    expect(names).toContain("index.started");
    expect(names).toContain("index.searchable");
    expect(names).toContain("index.updated");
    const updated = events.find((e) => e.event === "index.updated")!.data as { paths: string[]; freshness: { stale: boolean } };
    expect(updated.paths).toContain("src/mod2.ts");
    expect(updated.freshness.stale).toBe(false);
    const other = await d.client();
    expect((await other.request("search", { query: "freshlyAdded" })).hits[0]!.path).toBe("src/mod2.ts");
    // Filters: only head.moved events.
    const filtered = await d.client();
    const got: string[] = [];
    await filtered.subscribe((e) => got.push(e.event), ["head.moved"]);
    writeFileSync(join(d.root, "src/mod3.ts"), "export function another(): number { return 1; }\n");
    const before = events.length;
    await client.nextEvent((e) => e.event === "index.updated" && events.indexOf(e) >= before);
    expect(got).toEqual([]);
  });
});

describe("bad input", () => {
  test("malformed JSON, non-requests, unknown verbs and wrong params each get an error; the connection goes on", async () => {
    const d = await daemon();
    const raw = await rawSocket(d.paths.socketDefault);
    const cases: [string, string, unknown][] = [
      ["{not json", "bad_json", null],
      ['"just a string"', "bad_request", null],
      ["[1,2,3]", "bad_request", null],
      ['{"verb":"ping"}', "bad_request", null],
      ['{"id":7}', "bad_request", 7],
      ['{"id":{"x":1},"verb":"ping"}', "bad_request", null],
      ['{"id":1,"verb":"frobnicate"}', "unknown_verb", 1],
      ['{"id":2,"verb":"search","params":{"query":42}}', "bad_params", 2],
      ['{"id":3,"verb":"search","params":{"query":"x","limit":"ten"}}', "bad_params", 3],
      ['{"id":4,"verb":"search","params":{"query":"x","bogus":true}}', "bad_params", 4],
      ['{"id":5,"verb":"callers","params":{"symbol":"x","depth":99}}', "bad_params", 5],
      ['{"id":6,"verb":"map","params":[]}', "bad_request", 6],
      ['{"id":8,"verb":"__proto__"}', "unknown_verb", 8],
      ['{"id":9,"verb":"toString"}', "unknown_verb", 9],
    ];
    for (const [line, code, id] of cases) {
      raw.write(`${line}\n`);
      const [reply] = await raw.lines(1);
      expect(reply, line).toMatchObject({ id, ok: false, error: { code } });
      expect(typeof (reply!.error as { message: string }).message).toBe("string");
    }
    raw.write('{"id":"after","verb":"ping"}\n');
    expect((await raw.lines(1))[0]).toMatchObject({ id: "after", ok: true });
    raw.end();
  });

  test("a line over 1 MB is refused and skipped; the next line is answered", async () => {
    const d = await daemon();
    const raw = await rawSocket(d.paths.socketDefault);
    const huge = JSON.stringify({ id: "big", verb: "search", params: { query: "x".repeat(MAX_REQUEST_BYTES + 10) } });
    // Sent in pieces, as a real client would.
    for (let i = 0; i < huge.length; i += 64 * 1024) raw.write(huge.slice(i, i + 64 * 1024));
    raw.write('\n{"id":"next","verb":"ping"}\n');
    const [tooLarge, next] = await raw.lines(2);
    expect(tooLarge).toMatchObject({ id: null, ok: false, error: { code: "too_large" } });
    expect(next).toMatchObject({ id: "next", ok: true });
    raw.end();
  });

  test("binary garbage gets bad_json; blank lines are ignored; the daemon keeps serving", async () => {
    const d = await daemon();
    const raw = await rawSocket(d.paths.socketDefault);
    const garbage = new Uint8Array(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256;
    const lines = Buffer.from(garbage).toString("latin1").split("\n").length; // one reply per newline-terminated piece
    raw.write(garbage);
    raw.write("\n\n\n");
    const replies = await raw.lines(lines);
    for (const r of replies) expect(r).toMatchObject({ id: null, ok: false, error: { code: "bad_json" } });
    raw.write('{"id":1,"verb":"ping"}\n');
    expect((await raw.lines(1))[0]).toMatchObject({ id: 1, ok: true });
    raw.end();
  });

  test("connections closed half way (mid-line, mid-request, right after sending) do not disturb the daemon", async () => {
    const d = await daemon();
    for (let i = 0; i < 20; i++) {
      const raw = await rawSocket(d.paths.socketDefault);
      if (i % 3 === 0) raw.write('{"id":1,"verb":"sea');
      else if (i % 3 === 1) raw.write('{"id":1,"verb":"map","params":{"tokens":100000}}\n');
      else raw.write('{"id":1,"verb":"status"}\n{"id":2,"verb":"search","params":{"query":"h"}}\n');
      raw.end();
    }
    const c = await d.client();
    expect((await c.request("search", { query: "helper3" })).hits[0]!.name).toBe("helper3");
    const info = await c.request("ping");
    expect(info.pid).toBe(d.proc.pid);
  });

  test("50 clients at once, each with several requests: every one is answered", async () => {
    const d = await daemon();
    const clients = await Promise.all(Array.from({ length: 50 }, () => d.client()));
    const results = await Promise.all(
      clients.map(async (c, i) => {
        const [s, g, p, m] = await Promise.all([
          c.request("search", { query: `helper${i % 6}` }),
          c.request("callers", { symbol: `helper${i % 6}` }),
          c.request("ping"),
          c.request("map", { tokens: 100 }),
        ]);
        const bad = await c.request("search", { query: 1 as unknown as string }).catch((e: SkepError) => e.code);
        return { s: s.hits[0]?.name, g: g.roots.length, p: p.pid, m: m.budget, bad };
      }),
    );
    results.forEach((r, i) => expect(r).toEqual({ s: `helper${i % 6}`, g: 1, p: d.proc.pid, m: 100, bad: "bad_params" }));
    for (const c of clients) c.close();
    const after = await DaemonClient.connect(d.paths.socketDefault);
    expect((await after.request("ping")).pid).toBe(d.proc.pid);
    after.close();
  });
});

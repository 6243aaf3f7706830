// The HTTP sidecar: bearer token (401 without or with a wrong one), the verbs as POST /v1/<verb>,
// GET aliases for reads, 404/405/413, and Server-Sent Events.
import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SearchAnswer, StatusAnswer } from "../../src/protocol/index-answers.ts";
import { MAX_REQUEST_BYTES } from "../../src/protocol/socket.ts";
import { cleanupAll, makeRepo, pathsFor, run, sampleFiles, startDaemon } from "./support.ts";

afterEach(cleanupAll);
setDefaultTimeout(60_000); // real processes on a shared, busy machine

async function sidecar() {
  const d = await startDaemon(makeRepo(sampleFiles()));
  await (await d.client()).request("refresh", { wait: true });
  const { url, token } = d.http();
  const auth = { authorization: `Bearer ${token}` };
  return { d, url, token, auth };
}

describe("HTTP sidecar", () => {
  test("listens on 127.0.0.1 only, and every request needs the bearer token", async () => {
    const { url, token, auth } = await sidecar();
    expect(new URL(url).hostname).toBe("127.0.0.1");
    const none = await fetch(`${url}/v1/status`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    for (const bad of [`Bearer ${"0".repeat(64)}`, `Bearer ${token.slice(0, -1)}`, `Bearer ${token}x`, token, `Basic ${token}`, "Bearer "]) {
      const r = await fetch(`${url}/v1/status`, { headers: { authorization: bad } });
      expect(r.status, bad).toBe(401);
    }
    // Unauthenticated requests learn nothing, not even which paths exist.
    expect((await fetch(`${url}/nope`)).status).toBe(401);
    const ok = await fetch(`${url}/v1/status`, { headers: auth });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { ok: boolean; result: unknown };
    expect(body.ok).toBe(true);
    expect(StatusAnswer.parse(body.result).files).toBe(7);
  });

  test("POST /v1/<verb> with params as the body; GET aliases for reads give the same answer", async () => {
    const { url, auth } = await sidecar();
    const post = await fetch(`${url}/v1/search`, { method: "POST", headers: auth, body: JSON.stringify({ query: "helper2", limit: 3 }) });
    expect(post.status).toBe(200);
    const a = SearchAnswer.parse(((await post.json()) as { result: unknown }).result);
    const get = await fetch(`${url}/v1/search?q=helper2&limit=3`, { headers: auth });
    const b = SearchAnswer.parse(((await get.json()) as { result: unknown }).result);
    expect(b).toEqual(a);
    expect(a.hits[0]!.name).toBe("helper2");
    const callers = await (await fetch(`${url}/v1/callers?symbol=helper2&depth=2`, { headers: auth })).json();
    expect((callers as { result: { roots: unknown[] } }).result.roots.length).toBe(1);
    const ping = await (await fetch(`${url}/v1/ping`, { method: "POST", headers: auth })).json();
    expect((ping as { ok: boolean }).ok).toBe(true);
    const file = await (await fetch(`${url}/v1/file.context?path=src/mod1.ts&docs=true`, { headers: auth })).json();
    expect((file as { result: { symbols: { doc: string }[] } }).result.symbols[0]!.doc).toBe("Module 1.");
  });

  test("404 for unknown endpoints and verbs, 405 for the wrong method, 400 for bad params or JSON, 413 for big bodies", async () => {
    const { url, auth } = await sidecar();
    expect((await fetch(`${url}/v2/status`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${url}/v1/frobnicate`, { method: "POST", headers: auth })).status).toBe(404);
    expect((await fetch(`${url}/v1/subscribe`, { method: "POST", headers: auth })).status).toBe(404);
    const del = await fetch(`${url}/v1/status`, { method: "DELETE", headers: auth });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, POST");
    const getStop = await fetch(`${url}/v1/stop`, { headers: auth }); // a write verb is never a GET
    expect(getStop.status).toBe(405);
    expect(getStop.headers.get("allow")).toBe("POST");
    expect((await fetch(`${url}/v1/events`, { method: "POST", headers: auth })).status).toBe(405);
    const badParams = await fetch(`${url}/v1/search`, { method: "POST", headers: auth, body: JSON.stringify({ query: 5 }) });
    expect(badParams.status).toBe(400);
    expect(((await badParams.json()) as { error: { code: string } }).error.code).toBe("bad_params");
    expect((await fetch(`${url}/v1/search`, { method: "POST", headers: auth, body: "{nope" })).status).toBe(400);
    expect((await fetch(`${url}/v1/search?limit=abc&q=x`, { headers: auth })).status).toBe(400);
    const big = await fetch(`${url}/v1/search`, { method: "POST", headers: auth, body: JSON.stringify({ query: "x".repeat(MAX_REQUEST_BYTES + 1) }) });
    expect(big.status).toBe(413);
    const missing = await fetch(`${url}/v1/file.context`, { method: "POST", headers: auth, body: JSON.stringify({ path: "none.ts" }) });
    expect(missing.status).toBe(404);
    // Still serving.
    expect((await fetch(`${url}/v1/ping`, { headers: auth })).status).toBe(200);
  });

  test("GET /v1/events streams Server-Sent Events: an edit shows up as index.updated", async () => {
    const { d, url, auth } = await sidecar();
    const res = await fetch(`${url}/v1/events?events=index.*`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = "";
    const first = await reader.read(); // the stream's opening comment
    text += dec.decode(first.value);
    writeFileSync(join(d.root, "src/mod4.ts"), "export function viaSse(): number { return 4; }\n");
    while (!text.includes("event: index.updated")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended: ${text}`);
      text += dec.decode(value);
    }
    const block = text.split("\n\n").find((b) => b.includes("event: index.updated"))!;
    const data = JSON.parse(block.split("\n").find((l) => l.startsWith("data: "))!.slice(6));
    expect(data.event).toBe("index.updated");
    expect(data.data.paths).toContain("src/mod4.ts");
    expect(block).toMatch(/^id: \d+$/m);
    await reader.cancel();
    const noAuth = await fetch(`${url}/v1/events`);
    expect(noAuth.status).toBe(401);
  });

  test("no token published, no daemon: it refuses to start rather than serve without one", async () => {
    const root = makeRepo(sampleFiles());
    const p = pathsFor(root);
    mkdirSync(join(p.http, "blocker"), { recursive: true }); // http.json cannot be written
    const r = run(["daemon", "run", "--repo", root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("refusing to serve HTTP without a published token");
    expect(existsSync(p.socketDefault)).toBe(false);
    expect(run(["daemon", "status", "--repo", root]).code).toBe(3);
  });

  test("requests cut off half way (headers, body) and garbage instead of HTTP leave the sidecar serving", async () => {
    const { url, token, auth } = await sidecar();
    const { hostname, port } = new URL(url);
    const partials = [
      "POST /v1/search HTTP/1.1\r\nHost: x\r\nAuthor",
      `POST /v1/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Length: 1000\r\n\r\n{"query":`,
      "\x00\x01\x02 not http at all \xff\xfe\r\n\r\n",
    ];
    for (const text of partials) {
      const s = await Bun.connect({ hostname, port: Number(port), socket: { data() {}, close() {}, error() {} } });
      s.write(text);
      await Bun.sleep(20);
      s.end();
    }
    const r = await fetch(`${url}/v1/search?q=helper1`, { headers: auth });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { result: { hits: { name: string }[] } }).result.hits[0]!.name).toBe("helper1");
  });
});

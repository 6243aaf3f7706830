// Red-team attacks 6 and 13: another client holding many idle connections, to the HTTP port
// (without a token) and to the Unix socket, leaves the owner's CLI, authenticated HTTP and indexing
// working, and the daemon's descriptors bounded. `bun run attack` runs the 4,000-connection case.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { clientSocketPath } from "../../src/repo/daemon-paths.ts";
import { clientLimits, clientFdBudget } from "../../src/util/fds.ts";
import { floodHttp, floodSocket, openFds } from "../support/flood.ts";
import { cleanupAll, makeRepo, run, sampleFiles, startDaemon } from "./support.ts";

afterEach(cleanupAll);
setDefaultTimeout(120_000);

test("1,000 idle HTTP connections without a token and more idle socket connections than the cap leave the owner's CLI, HTTP and indexing working", async () => {
  const root = makeRepo(sampleFiles());
  const d = await startDaemon(root);
  const { url, token } = d.http();
  const port = Number(new URL(url).port);
  const limits = clientLimits(clientFdBudget());
  const before = openFds(d.proc.pid);

  const http = await floodHttp(port, 1000);
  const stalled = await floodHttp(port, 100, `GET /v1/ping HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
  // The daemon closes unauthenticated connections beyond its cap (once each had a second to show a
  // token): wait for that, then the owner's request gets through while the flood holds the rest.
  const closedEnough = () => http.closedByPeer() + stalled.closedByPeer() >= 1100 - limits.http.maxUnauthenticated;
  for (let i = 0; i < 200 && !closedEnough(); i++) await Bun.sleep(50);
  expect(closedEnough()).toBe(true);
  const owner = await fetch(`${url}/v1/ping`, { headers: { authorization: `Bearer ${token}` } });
  expect(owner.status).toBe(200);
  const during = openFds(d.proc.pid);
  if (before !== null && during !== null) expect(during - before).toBeLessThanOrEqual(3 * limits.http.maxUnauthenticated + 16);

  const sock = await floodSocket(clientSocketPath(d.paths), limits.socket + 50);
  // The CLI's own connection evicts the longest-idle one.
  const search = run(["search", "handler1", "--json", "--repo", root]);
  expect(search.code).toBe(0);
  expect(search.stdout).toContain("handler1");

  // Indexing still opens what it needs: an edit becomes searchable.
  appendFileSync(join(root, "src/util.ts"), "\nexport function floodProbe(): number {\n  return 7;\n}\n");
  const c = await d.client();
  await c.request("refresh", { wait: true, timeoutMs: 60_000 }, 65_000);
  const found = await c.request("search", { query: "floodProbe" });
  expect(found.hits.map((h: { name: string }) => h.name)).toContain("floodProbe");
  const info = await c.request("ping", {});
  expect(info.indexer.lastError).toBeNull();
  expect(info.connections).toBeLessThanOrEqual(limits.socket);

  http.release();
  stalled.release();
  sock.release();
});

// Red-team attacks 6 and 18: an unauthenticated HTTP client cannot hold keep-alive connections
// (each is closed after its 401), and a request whose Host is not a loopback name or that carries
// an Origin is refused even with the right token (DNS rebinding).
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { connect } from "node:net";
import { cleanupAll, makeRepo, sampleFiles, startDaemon } from "./support.ts";

afterEach(cleanupAll);
setDefaultTimeout(60_000);

test("Host must be a loopback name and no Origin may be present, token or not", async () => {
  const d = await startDaemon(makeRepo(sampleFiles()));
  const { url, token } = d.http();
  const auth = { authorization: `Bearer ${token}` };
  expect((await fetch(`${url}/v1/ping`, { headers: auth })).status).toBe(200);
  const evilHost = await fetch(`${url}/v1/ping`, { headers: { ...auth, host: "evil.com" } });
  expect(evilHost.status).toBe(403);
  expect(((await evilHost.json()) as { error: { message: string } }).error.message).toContain("Host 'evil.com' is not this daemon's loopback address");
  const origin = await fetch(`${url}/v1/ping`, { headers: { ...auth, origin: "http://evil.com" } });
  expect(origin.status).toBe(403);
  expect((await fetch(`${url}/v1/ping`, { headers: { ...auth, host: `localhost:${new URL(url).port}` } })).status).toBe(200);
});

test("an unauthenticated keep-alive connection is closed after its 401", async () => {
  const d = await startDaemon(makeRepo(sampleFiles()));
  const port = Number(new URL(d.http().url).port);
  const closed = await new Promise<{ text: string; closed: boolean }>((resolve) => {
    const sock = connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ text, closed: false });
    }, 10_000);
    sock.on("data", (b) => (text += b.toString()));
    sock.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    sock.write(`GET /v1/ping HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
  });
  expect(closed.text).toContain("401");
  expect(closed.closed).toBe(true);
});

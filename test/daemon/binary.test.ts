// The compiled binary runs the daemon: its index worker (and the parse workers that worker starts
// for a large change) are embedded entry points, found from inside /$bunfs.
import { afterEach, expect, test, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DaemonClient } from "../../src/client/daemon-client.ts";
import { cleanupAll, makeRepo, PROJECT, settle, tempDir, waitForPing, childEnv, pathsFor } from "./support.ts";

afterEach(cleanupAll);
setDefaultTimeout(60_000); // real processes on a shared, busy machine

test("dist binary: daemon start, a 40-file change through parse workers, stop", async () => {
  const out = join(tempDir("skep-bin-"), "skep");
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts", "--outfile", out], { cwd: PROJECT, stdout: "pipe", stderr: "pipe" });
  expect(build.exitCode, build.stderr.toString()).toBe(0);
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`src/f${i}.ts`] = `export function before${i}(): number { return ${i}; }\n`;
  const root = makeRepo(files);
  const skep = (...args: string[]) => Bun.spawnSync([out, ...args], { cwd: root, env: childEnv(), stdout: "pipe", stderr: "pipe" });
  const init = skep("init");
  expect(init.exitCode, init.stderr.toString()).toBe(0);
  expect(init.stdout.toString()).toContain("Daemon:     started detached");
  try {
    await waitForPing(pathsFor(root));
    const c = await DaemonClient.connect(pathsFor(root).socketDefault);
    const events: import("../../src/protocol/socket.ts").Event[] = [];
    const seq = await c.subscribe((e) => events.push(e));
    for (let i = 0; i < 40; i++) writeFileSync(join(root, `src/f${i}.ts`), `export function after${i}(): number { return ${i}; }\n`);
    await settle(c, events, seq);
    c.close();
    const r = skep("search", "after39", "--json");
    expect(r.exitCode, r.stderr.toString()).toBe(0);
    expect(JSON.parse(r.stdout.toString()).hits[0].name).toBe("after39");
    const st = JSON.parse(skep("status", "--json").stdout.toString());
    expect(st).toMatchObject({ files: 40, symbols: 40 });
    expect(st.freshness.stale).toBe(false);
  } finally {
    expect(skep("daemon", "stop").exitCode).toBe(0);
  }
}, 120_000);

// The one fallback rule (src/api/fallback.ts) and the one error (src/errors.ts): a daemon that
// says it is going away (`stopping`, `busy`) or drops the connection is "gone", and a read is
// answered from the index file here; any other error it sends is its answer, with its code and
// fix unchanged. A fake daemon (a Unix socket that answers every request with a chosen reply)
// plays the daemon, so each case is exact. Then the same task error through a real daemon and
// without one: same words, same exit code.
import { afterEach, describe, expect, test } from "bun:test";
import type { Socket, UnixSocketListener } from "bun";
import { RepoIndex } from "../../src/api/api.ts";
import { DaemonLink, withFallback, type Op } from "../../src/api/fallback.ts";
import { daemonGone, SkepError } from "../../src/errors.ts";
import { clientSocketPath, daemonPaths } from "../../src/repo/daemon-paths.ts";
import { BUN, childEnv, cleanupAll, MAIN, makeRepo, onCleanup, PROJECT, run, sampleFiles, startDaemon } from "../daemon/support.ts";

/** The CLI as a child this process does not block on: the fake daemon below answers from this event loop. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([BUN, MAIN, ...args], { cwd: PROJECT, env: childEnv(env), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

afterEach(cleanupAll);

/** A socket at the repo's daemon path that answers each request line with `reply(id)` (null: hang up). */
function fakeDaemon(root: string, reply: (id: unknown) => object | null): { requests: () => number } {
  const path = clientSocketPath(daemonPaths(root, `${root}/.skep`));
  let requests = 0;
  const listener: UnixSocketListener<undefined> = Bun.listen({
    unix: path,
    socket: {
      data(s: Socket<undefined>, chunk) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) {
          requests++;
          const r = reply(JSON.parse(line).id);
          if (r === null) s.end();
          else s.write(`${JSON.stringify(r)}\n`);
        }
      },
    },
  });
  onCleanup(() => listener.stop(true));
  return { requests: () => requests };
}

function indexedRepo(): string {
  const root = makeRepo(sampleFiles());
  expect(run(["index", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } }).code).toBe(0);
  return root;
}

const error = (code: string, message: string, fix?: string) => (id: unknown) => ({ id, ok: false, error: { code, message, ...(fix ? { fix } : {}) } });

describe("the fallback rule", () => {
  for (const [what, reply] of [
    ["the daemon answers `stopping`", error("stopping", "the daemon is shutting down")],
    ["the daemon answers `busy`", error("busy", "too many connections")],
    ["the daemon hangs up mid-request", () => null],
  ] as const) {
    test(`${what}: the read is answered from the index file here`, async () => {
      const root = indexedRepo();
      const fake = fakeDaemon(root, reply);
      const index = new RepoIndex(daemonPaths(root, `${root}/.skep`));
      try {
        const r = await index.ask("search", { query: "helper1" });
        expect(r.via).toBe("local");
        expect(r.value.hits[0]?.name).toBe("helper1");
        expect(fake.requests()).toBe(1); // it was asked, and its answer meant "gone"
      } finally {
        index.close();
      }
      // The CLI does the same (and asked the fake once more).
      const r2 = await cli(["search", "helper1", "--repo", root, "--json"]);
      expect(r2.code, r2.stderr).toBe(0);
      expect(JSON.parse(r2.stdout).hits[0].name).toBe("helper1");
      expect(fake.requests()).toBe(2);
    });
  }

  test("any other error is the daemon's answer: its code and fix travel unchanged to the caller and the CLI", async () => {
    const root = indexedRepo();
    fakeDaemon(root, error("unavailable", "the index at X is damaged", "run `skep index` to rebuild it"));
    const index = new RepoIndex(daemonPaths(root, `${root}/.skep`));
    try {
      const err = await index.ask("search", { query: "helper1" }).catch((e) => e);
      expect(err).toBeInstanceOf(SkepError);
      expect(err).toMatchObject({ code: "unavailable", message: "the index at X is damaged", fix: "run `skep index` to rebuild it" });
      expect(daemonGone(err)).toBe(false);
    } finally {
      index.close();
    }
    const r = await cli(["search", "helper1", "--repo", root]);
    expect([r.code, r.stderr]).toEqual([1, "skep: the index at X is damaged; run `skep index` to rebuild it\n"]);
    // bad_params is a request that can never succeed as written: exit 2, as a usage error.
    const root2 = indexedRepo();
    fakeDaemon(root2, error("bad_params", "bad params for 'search': query: too long"));
    const bad = await cli(["search", "helper1", "--repo", root2]);
    expect([bad.code, bad.stderr]).toEqual([2, "skep: bad params for 'search': query: too long\n"]);
  });

  test("a change is not made again here when the daemon goes away; a read is; a pinned caller never switches", async () => {
    const root = indexedRepo();
    fakeDaemon(root, () => null);
    const link = new DaemonLink(() => clientSocketPath(daemonPaths(root, `${root}/.skep`)));
    let localRuns = 0;
    const op = (read: boolean): Op<string> => ({ daemon: async (c) => (await c.request("ping", {})).version, local: () => (localRuns++, "here"), read });
    const c1 = await link.connect();
    expect(c1).not.toBeNull();
    await expect(withFallback(c1, link, op(false))).rejects.toMatchObject({ code: "disconnected" });
    expect(localRuns).toBe(0);
    expect(await withFallback(await link.connect(), link, op(true))).toMatchObject({ via: "local" });
    expect(localRuns).toBe(1);
    await expect(withFallback(await link.connect(), link, op(true), { pinned: true })).rejects.toMatchObject({ code: "disconnected" });
    expect(localRuns).toBe(1);
    link.drop();
  });

  test("SKEP_NO_DAEMON=1: the daemon is never asked", async () => {
    const root = indexedRepo();
    const fake = fakeDaemon(root, error("internal", "must not be asked"));
    const r = await cli(["search", "helper1", "--repo", root, "--json"], { SKEP_NO_DAEMON: "1" });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests()).toBe(0);
  });
});

describe("one error, either way", () => {
  test("a task error says the same words with the same exit code through the daemon and without one", async () => {
    const root = indexedRepo();
    run(["init", "--no-daemon", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } });
    const local = [run(["task", "approve", "7", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } }), run(["task", "show", "7", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } })];
    await startDaemon(root);
    const viaDaemon = [run(["task", "approve", "7", "--repo", root]), run(["task", "show", "7", "--repo", root])];
    for (const [i, r] of viaDaemon.entries()) {
      expect([r.code, r.stderr]).toEqual([local[i]!.code, local[i]!.stderr]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("skep: no task #7\n");
    }
  }, 60_000);
});

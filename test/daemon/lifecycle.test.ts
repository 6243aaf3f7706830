// Lifecycle: one daemon per repo (lock, racing starts), clean SIGTERM, stale files after kill -9,
// file modes, the long-path socket fallback, init starting the daemon, and tmux sessions.
import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DaemonClient } from "../../src/client/daemon-client.ts";
import { clientSocketPath, MAX_SOCKET_PATH_BYTES } from "../../src/repo/daemon-paths.ts";
import { BUN, childEnv, cleanupAll, MAIN, makeRepo, pathsFor, PROJECT, run, sampleFiles, startDaemon, tempDir, waitForPing } from "./support.ts";

afterEach(cleanupAll);
setDefaultTimeout(60_000); // real processes on a shared, busy machine

const mode = (p: string) => statSync(p).mode & 0o777;

describe("daemon lifecycle", () => {
  test("run: files with private modes, ping answers, SIGTERM exits 0 and removes them", async () => {
    const root = makeRepo(sampleFiles());
    const d = await startDaemon(root);
    const p = d.paths;
    expect(mode(p.skepDir)).toBe(0o700);
    expect(mode(p.socketDefault)).toBe(0o600);
    expect(statSync(p.socketDefault).isSocket()).toBe(true);
    expect(mode(p.http)).toBe(0o600);
    const http = d.http();
    expect(http.token).toMatch(/^[0-9a-f]{64}$/);
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const pid = Number(readFileSync(p.pid, "utf8"));
    expect(pid).toBe(d.proc.pid);
    const c = await d.client();
    const info = await c.request("ping");
    expect(info.pid).toBe(d.proc.pid);
    expect(info.root).toBe(root);
    expect(await d.stop()).toBe(0);
    expect(existsSync(p.socketDefault)).toBe(false);
    expect(existsSync(p.pid)).toBe(false);
    expect(existsSync(p.http)).toBe(false);
  });

  test("a second daemon for the same repo refuses to start; the first keeps serving", async () => {
    const root = makeRepo(sampleFiles());
    const d = await startDaemon(root);
    const second = run(["daemon", "run", "--repo", root]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("already runs");
    const c = await d.client();
    expect((await c.request("ping")).pid).toBe(d.proc.pid);
  });

  test("racing starts leave exactly one daemon running", async () => {
    const root = makeRepo(sampleFiles());
    const starts = Array.from({ length: 4 }, () =>
      Bun.spawn([BUN, MAIN, "daemon", "start", "--repo", root, "--no-tmux"], { cwd: PROJECT, env: childEnv(), stdout: "pipe", stderr: "pipe" }),
    );
    const outs = await Promise.all(starts.map(async (p) => ({ code: await p.exited, out: await new Response(p.stdout).text(), err: await new Response(p.stderr).text() })));
    const paths = pathsFor(root);
    const info = await waitForPing(paths);
    try {
      for (const o of outs) {
        expect(o.code, o.err).toBe(0);
        expect(o.out).toContain(`pid ${info.pid}`);
      }
      // Every `daemon run` child but the lock holder exits (after its few lock retries).
      const runners = () => Bun.spawnSync(["pgrep", "-f", `daemon run --repo ${root}$`], { stdout: "pipe" }).stdout.toString().trim().split("\n").filter(Boolean).map(Number);
      for (let i = 0; i < 200 && runners().length > 1; i++) await Bun.sleep(50);
      expect(runners()).toEqual([info.pid]);
    } finally {
      expect(run(["daemon", "stop", "--repo", root]).code).toBe(0);
    }
  });

  test("kill -9 leaves stale files: status says so, start cleans them and serves", async () => {
    const root = makeRepo(sampleFiles());
    const d = await startDaemon(root);
    d.proc.kill("SIGKILL");
    await d.proc.exited;
    const p = d.paths;
    expect(existsSync(p.socketDefault)).toBe(true); // left behind
    expect(existsSync(p.pid)).toBe(true);
    const status = run(["daemon", "status", "--repo", root, "--json"]);
    expect(status.code).toBe(3);
    const s = JSON.parse(status.stdout);
    expect(s.running).toBe(false);
    expect(s.unresponsive).toBe(false);
    expect(s.stale).toContain(p.socketDefault);
    // A client finds no daemon (connection refused), and the CLI falls back to reading the database.
    expect(DaemonClient.connect(p.socketDefault)).rejects.toBeDefined();
    const started = run(["daemon", "start", "--repo", root, "--no-tmux"]);
    expect(started.code, started.stderr).toBe(0);
    try {
      const info = await waitForPing(p);
      expect(info.pid).not.toBe(d.proc.pid);
      expect(Number(readFileSync(p.pid, "utf8"))).toBe(info.pid);
    } finally {
      run(["daemon", "stop", "--repo", root]);
    }
  });

  test("SIGTERM drains an in-flight request before exiting", async () => {
    const root = makeRepo(sampleFiles(30));
    const d = await startDaemon(root);
    const c = await d.client();
    const watcher = await d.client();
    const started: string[] = [];
    await watcher.subscribe((e) => started.push(e.event), ["index.started"]);
    const pending = c.request("refresh", { wait: true });
    await watcher.nextEvent((e) => e.event === "index.started", 20_000).catch(() => undefined);
    d.proc.kill("SIGTERM");
    const reply = await pending; // answered (finished or not), never dropped
    expect(typeof reply.finished).toBe("boolean");
    expect(reply.freshness.worktree).toBe(root);
    expect(await d.proc.exited).toBe(0);
  });

  test("stop through the CLI; status reports not running with exit 3", async () => {
    const root = makeRepo(sampleFiles());
    expect(run(["daemon", "start", "--repo", root, "--no-tmux"]).code).toBe(0);
    const st = run(["daemon", "status", "--repo", root]);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain("running (pid");
    // Started without Bun's repeating GC timer: an idle daemon never wakes up.
    const pid = Number(/running \(pid (\d+)/.exec(st.stdout)![1]);
    if (existsSync(`/proc/${pid}/environ`)) expect(readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")).toContain("BUN_GC_TIMER_DISABLE=1");
    const stop = run(["daemon", "stop", "--repo", root]);
    expect(stop.stdout).toContain("stopped");
    expect(run(["daemon", "status", "--repo", root]).code).toBe(3);
    expect(run(["daemon", "stop", "--repo", root]).stdout).toContain("not running");
    // The detached daemon logged to .skep/logs/daemon.log.
    expect(readFileSync(join(root, ".skep/logs/daemon.log"), "utf8")).toContain("listening on");
  });

  test("a socket path too long for sun_path moves to a private runtime dir, recorded in agent.sock.path", async () => {
    const base = tempDir();
    const deep = join(base, "a-rather-long-directory-name-".repeat(3), "and-another-level-of-nesting-here");
    mkdirSync(deep, { recursive: true });
    const root = makeRepo(sampleFiles(), { dir: deep });
    const p = pathsFor(root);
    expect(Buffer.byteLength(p.socketDefault)).toBeGreaterThan(MAX_SOCKET_PATH_BYTES);
    const d = await startDaemon(root);
    const recorded = readFileSync(p.socketPathFile, "utf8").trim();
    expect(clientSocketPath(p)).toBe(recorded);
    expect(Buffer.byteLength(recorded)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    expect(mode(recorded)).toBe(0o600);
    const dir = join(recorded, "..");
    expect(mode(dir)).toBe(0o700);
    const c = await d.client();
    expect((await c.request("ping")).socket).toBe(recorded);
    const viaCli = run(["search", "handler1", "--repo", root, "--json"]);
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(await d.stop()).toBe(0);
    expect(existsSync(recorded)).toBe(false);
    expect(existsSync(p.socketPathFile)).toBe(false);
  });

  test("init starts the daemon detached (no tmux); --no-daemon and SKEP_NO_DAEMON=1 do not", async () => {
    const a = makeRepo(sampleFiles());
    const init = run(["init", "--repo", a]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("Daemon:     started detached");
    try {
      await waitForPing(pathsFor(a));
    } finally {
      run(["daemon", "stop", "--repo", a]);
    }
    const b = makeRepo(sampleFiles());
    expect(run(["init", "--repo", b, "--no-daemon"]).stdout).toContain("not started");
    const c = makeRepo(sampleFiles());
    expect(run(["init", "--repo", c], { env: { SKEP_NO_DAEMON: "1" } }).stdout).toContain("not started");
    for (const r of [b, c]) expect(run(["daemon", "status", "--repo", r]).code).toBe(3);
  });

  test("with tmux, start runs the daemon in a hidden session skep-<repo>; stop ends it", async () => {
    if (!Bun.which("tmux")) return;
    const tmuxDir = tempDir("skep-tmux-");
    const env = { SKEP_NO_TMUX: "0", TMUX_TMPDIR: tmuxDir };
    const root = makeRepo(sampleFiles());
    try {
      const start = run(["daemon", "start", "--repo", root], { env });
      expect(start.code, start.stderr).toBe(0);
      const name = `skep-${root.split("/").pop()!.replace(/[^A-Za-z0-9_-]/g, "_")}`;
      expect(start.stdout).toContain(`tmux session '${name}'`);
      const ls = Bun.spawnSync(["tmux", "list-sessions", "-F", "#{session_name}"], { env: { ...process.env, TMUX_TMPDIR: tmuxDir }, stdout: "pipe" });
      expect(ls.stdout.toString()).toContain(name);
      await waitForPing(pathsFor(root));
      expect(run(["daemon", "stop", "--repo", root], { env }).code).toBe(0);
    } finally {
      Bun.spawnSync(["tmux", "kill-server"], { env: { ...process.env, TMUX_TMPDIR: tmuxDir }, stdout: "ignore", stderr: "ignore" });
    }
  });
});

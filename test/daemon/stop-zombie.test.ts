// `skep daemon stop` judges a daemon gone by its lock and whether its process still runs, not by
// whether the pid still exists: a daemon in a tmux server that holds another session can stay a
// zombie of that server long after it released its lock (issue 11, defect 1).
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { stopDaemon } from "../../src/client/control.ts";
import { alive, isZombie } from "../../src/util/pid.ts";
import { cleanupAll, makeRepo, onCleanup, pathsFor, run, sampleFiles, tempDir, waitForPing } from "./support.ts";

afterEach(cleanupAll);
setDefaultTimeout(120_000);

/**
 * A process that holds `lockPath` with flock(1) and, once it exits, stays a zombie: its parent
 * (`sleep`, exec'd by the shell that started it) never reaps children.
 */
async function zombieToBe(lockPath: string): Promise<number> {
  const p = Bun.spawn(["sh", "-c", `flock -o "$1" sleep 30 & echo $!; exec sleep 60`, "sh", lockPath], { stdout: "pipe" });
  onCleanup(() => p.kill("SIGKILL"));
  const reader = p.stdout.getReader();
  const { value } = await reader.read();
  const pid = Number(new TextDecoder().decode(value).trim());
  for (let i = 0; i < 100 && !Bun.spawnSync(["flock", "-n", lockPath, "true"]).exitCode; i++) await Bun.sleep(20); // until it holds the lock
  return pid;
}

test("a zombie is not alive", async () => {
  const dir = tempDir();
  const pid = await zombieToBe(`${dir}/lock`);
  expect(alive(pid)).toBe(true);
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 100 && !isZombie(pid); i++) await Bun.sleep(20);
  expect(isZombie(pid)).toBe(true);
  expect(alive(pid)).toBe(false);
});

test("stop returns at once when the daemon's process is a zombie that released the lock", async () => {
  const root = tempDir();
  const paths = pathsFor(root);
  mkdirSync(paths.skepDir, { recursive: true });
  const pid = await zombieToBe(paths.lock);
  writeFileSync(paths.pid, `${pid}\n`);
  // Held but not answering: stop sends SIGTERM, the holder dies into a zombie.
  const started = Date.now();
  const r = await stopDaemon(paths, 5_000);
  expect(r.stopped).toBe(true);
  expect(r.pid).toBe(pid);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(isZombie(pid)).toBe(true);
});

test("the issue's repro: start and stop four times in a tmux server that also holds another session", async () => {
  if (!Bun.which("tmux")) return;
  const tmuxDir = tempDir("skep-tmux-");
  const tmuxEnv: Record<string, string | undefined> = { ...process.env, TMUX_TMPDIR: tmuxDir };
  delete tmuxEnv.TMUX;
  onCleanup(() => void Bun.spawnSync(["tmux", "kill-server"], { env: tmuxEnv, stdout: "ignore", stderr: "ignore" }));
  expect(Bun.spawnSync(["tmux", "new-session", "-d", "-s", "pre", "sleep 600"], { env: tmuxEnv }).exitCode).toBe(0);
  const env = { SKEP_NO_TMUX: "0", TMUX_TMPDIR: tmuxDir };
  const root = makeRepo(sampleFiles(2));
  for (let i = 0; i < 4; i++) {
    const start = run(["daemon", "start", "--repo", root], { env });
    expect(start.code, start.stderr).toBe(0);
    await waitForPing(pathsFor(root));
    const stop = run(["daemon", "stop", "--repo", root], { env });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain("stopped");
  }
});

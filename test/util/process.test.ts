// The process-group runner: lines as they come, exit codes and signals, a bounded stderr tail, and
// timeouts/aborts/leftovers that take the whole group (grandchildren included) down and reap it.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { runInProcessGroup } from "../../src/util/process.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";
import { gone, pidFrom } from "../llm/support.ts";

setDefaultTimeout(30_000);
afterAll(cleanupAll);

const sh = (script: string) => ["sh", "-c", script];

describe("runInProcessGroup", () => {
  test("stdout lines are streamed as they come, the last one without a newline too", async () => {
    const seen: string[] = [];
    let secondBeforeExit = false;
    const r = await runInProcessGroup({
      cmd: sh("echo one; echo 'two\r'; sleep 0.2; printf three"),
      cwd: tempDir("skep-llm-proc-"),
      onLine: (line) => {
        seen.push(line);
        if (line === "two") secondBeforeExit = true;
      },
    });
    expect(seen).toEqual(["one", "two", "three"]);
    expect(secondBeforeExit).toBe(true);
    expect(r).toMatchObject({ exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null });
    expect(r.stdoutHead).toBe("one\ntwo\r\nthree");
    expect(r.pid).toBeGreaterThan(0);
  });

  test("long lines and multi-byte characters survive being split across reads", async () => {
    const seen: string[] = [];
    // 200,001 bytes of 'a' then 'é' makes the two bytes of 'é' straddle a 64 KiB read boundary or not; either way they must decode.
    await runInProcessGroup({ cmd: sh("head -c 200001 /dev/zero | tr '\\0' a; printf 'é€\\n'; printf 'x%.0s' $(seq 1 70000); echo"), cwd: tempDir("skep-llm-proc-"), onLine: (l) => seen.push(l) });
    expect(seen).toEqual([`${"a".repeat(200_001)}é€`, "x".repeat(70_000)]);
  });

  test("exit codes, the signal that killed the child, and a capped stderr tail", async () => {
    const cwd = tempDir("skep-llm-proc-");
    expect((await runInProcessGroup({ cmd: sh("exit 3"), cwd })).exitCode).toBe(3);

    const killed = await runInProcessGroup({ cmd: sh("kill -9 $$"), cwd });
    expect(killed).toMatchObject({ exitCode: null, signal: "SIGKILL" });

    const stderrLines: string[] = [];
    const noisy = await runInProcessGroup({
      cmd: sh("i=0; while [ $i -lt 300 ]; do echo \"line $i\" >&2; i=$((i+1)); done; echo last-words >&2; exit 1"),
      cwd,
      stderrTailChars: 100,
      onStderrLine: (l) => stderrLines.push(l),
    });
    expect(noisy.exitCode).toBe(1);
    expect(noisy.stderrTail.length).toBe(100);
    expect(noisy.stderrTail.endsWith("line 299\nlast-words\n")).toBe(true);
    expect(stderrLines.length).toBe(301);
  });

  test("the environment and cwd given are the child's", async () => {
    const cwd = tempDir("skep-llm-proc-");
    const lines: string[] = [];
    await runInProcessGroup({ cmd: sh('echo "$SKEP_PROBE"; pwd'), cwd, env: { PATH: process.env.PATH, SKEP_PROBE: "probe-value" }, onLine: (l) => lines.push(l) });
    expect(lines).toEqual(["probe-value", cwd]);
  });

  test("a command that does not exist is a spawn error, not a throw", async () => {
    const r = await runInProcessGroup({ cmd: ["/nonexistent/skep-no-such-binary"], cwd: tempDir("skep-llm-proc-") });
    expect(r.spawnError?.code).toBe("ENOENT");
    expect(r.pid).toBeNull();
    expect(r.exitCode).toBeNull();
  });

  test("a timeout kills the whole group: the child and the grandchild it started are gone", async () => {
    const dir = tempDir("skep-llm-proc-");
    const pidFile = join(dir, "grandchild.pid");
    const r = await runInProcessGroup({ cmd: sh(`sleep 60 & echo $! > '${pidFile}'; wait`), cwd: dir, timeoutMs: 1500 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe("SIGTERM");
    const grandchild = await pidFrom(pidFile);
    expect(await gone(r.pid!)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
  });

  test("a group that ignores SIGTERM gets SIGKILL after the grace period", async () => {
    const dir = tempDir("skep-llm-proc-");
    const pidFile = join(dir, "grandchild.pid");
    // An ignored signal stays ignored in children: neither the shell nor its sleep will go on SIGTERM.
    const r = await runInProcessGroup({
      cmd: sh(`trap '' TERM; sleep 60 & echo $! > '${pidFile}'; echo ready; wait; wait`),
      cwd: dir,
      timeoutMs: 1500,
      killGraceMs: 300,
    });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGKILL");
    expect(await gone(r.pid!)).toBe(true);
    expect(await gone(await pidFrom(pidFile))).toBe(true);
  });

  test("abort kills the group; an already aborted signal starts nothing", async () => {
    const dir = tempDir("skep-llm-proc-");
    const pidFile = join(dir, "grandchild.pid");
    const ctl = new AbortController();
    const r = await runInProcessGroup({
      cmd: sh(`sleep 60 & echo $! > '${pidFile}'; echo started; wait`),
      cwd: dir,
      signal: ctl.signal,
      onLine: (line) => line === "started" && ctl.abort(),
    });
    expect(r).toMatchObject({ aborted: true, timedOut: false, exitCode: null });
    expect(await gone(r.pid!)).toBe(true);
    expect(await gone(await pidFrom(pidFile))).toBe(true);

    const before = await runInProcessGroup({ cmd: sh("echo never"), cwd: dir, signal: AbortSignal.abort() });
    expect(before).toMatchObject({ aborted: true, pid: null, exitCode: null });
  });

  test("a leader that exits leaves nothing behind: a backgrounded grandchild holding stdout is killed", async () => {
    const dir = tempDir("skep-llm-proc-");
    const lines: string[] = [];
    const r = await runInProcessGroup({ cmd: sh("sleep 60 & echo $!; exit 0"), cwd: dir, onLine: (l) => lines.push(l), killGraceMs: 300 });
    expect(r.exitCode).toBe(0);
    expect(r.timedOut).toBe(false);
    expect(await gone(Number(lines[0]))).toBe(true);
  });

  test("a process that left the group (setsid) and holds the pipe does not keep the call open", async () => {
    const dir = tempDir("skep-llm-proc-");
    const lines: string[] = [];
    const r = await runInProcessGroup({ cmd: sh("setsid sh -c 'touch escaped; sleep 0.3; echo late; sleep 60' & while [ ! -f escaped ]; do sleep 0.01; done; echo $!; exit 0"), cwd: dir, onLine: (l) => lines.push(l) });
    expect(r.exitCode).toBe(0);
    // Its output is read for a while after the leader exits, then the call returns anyway.
    expect(lines).toEqual([lines[0]!, "late"]);
    const escaped = Number(lines[0]);
    try {
      process.kill(-escaped, "SIGKILL"); // not ours to police: clean up after the test
    } catch {
      // already gone
    }
    expect(await gone(escaped)).toBe(true);
  });
});

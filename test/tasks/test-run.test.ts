// The test-command runner: the no-shell tokenizer, exit codes, output, and timeouts/aborts that
// leave no process of the command's group behind (grandchildren included).
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CommandSyntaxError, OUTPUT_TAIL_BYTES, parseCommand, runTestCommand, splitCommand } from "../../src/tasks/test-run.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

setDefaultTimeout(30_000);
afterAll(cleanupAll);

describe("splitCommand", () => {
  test.each<[string, string[]]>([
    ["bun test", ["bun", "test"]],
    ["  go   test\t./...  ", ["go", "test", "./..."]],
    ["echo 'a b' \"c d\"", ["echo", "a b", "c d"]],
    ["echo 'it'\\''s'", ["echo", "it's"]],
    ['echo "say \\"hi\\""', ["echo", 'say "hi"']],
    ['echo "a\\\\b" "\\$HOME" "\\n"', ["echo", "a\\b", "$HOME", "\\n"]],
    ["echo 'single \\ keeps \" all'", ["echo", 'single \\ keeps " all']],
    ["echo a\\ b c\\\\d", ["echo", "a b", "c\\d"]],
    ["echo '' \"\" x", ["echo", "", "", "x"]],
    ["echo ab'cd'\"ef\"gh", ["echo", "abcdefgh"]],
    ["npm test | tee out.txt > log 2>&1 && rm -rf /", ["npm", "test", "|", "tee", "out.txt", ">", "log", "2>&1", "&&", "rm", "-rf", "/"]],
    ["echo $HOME ~ *.ts `id` $(id)", ["echo", "$HOME", "~", "*.ts", "`id`", "$(id)"]],
    ["make \\\n  test", ["make", "test"]],
    ['echo "line\\\ncontinued"', ["echo", "linecontinued"]],
    ["a\nb", ["a", "b"]],
    ["echo 'üñí ✓'", ["echo", "üñí ✓"]],
  ])("%p", (input, want) => {
    expect(splitCommand(input)).toEqual(want);
  });

  test.each([
    ["echo 'open", /unterminated single quote at column 6/],
    ['echo "open', /unterminated double quote at column 6/],
    ["echo \"a 'b\" 'c", /unterminated single quote/],
    ['echo "a\\"', /unterminated double quote/],
    ["echo trailing\\", /trailing backslash/],
    ["", /empty command/],
    ["   \t\n ", /empty command/],
  ])("%p is refused", (input, message) => {
    expect(() => splitCommand(input)).toThrow(CommandSyntaxError);
    expect(() => splitCommand(input)).toThrow(message);
  });
});

describe("parseCommand", () => {
  test("leading assignments become the environment", () => {
    expect(parseCommand("CI=1 NODE_ENV='test env' npm test")).toEqual({ env: { CI: "1", NODE_ENV: "test env" }, argv: ["npm", "test"] });
    expect(parseCommand("npm test FOO=1")).toEqual({ env: {}, argv: ["npm", "test", "FOO=1"] });
    expect(parseCommand("EMPTY= x")).toEqual({ env: { EMPTY: "" }, argv: ["x"] });
    expect(parseCommand("1X=2 cmd")).toEqual({ env: {}, argv: ["1X=2", "cmd"] });
    expect(() => parseCommand("A=1 B=2")).toThrow(/no command/);
  });
});

/** Alive and not a zombie (a killed orphan may wait a moment for init to reap it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

async function readPid(file: string): Promise<number> {
  for (let i = 0; i < 100 && !existsSync(file); i++) await Bun.sleep(20);
  return Number(readFileSync(file, "utf8").trim());
}

describe("runTestCommand", () => {
  const cwd = tempDir("skep-testrun-");

  test("exit 0 is ok; output lines from both streams reach onLine and the tail", async () => {
    const lines: [string, string][] = [];
    const r = await runTestCommand("sh -c 'echo out; echo err >&2; pwd'", cwd, { onLine: (l, s) => lines.push([l, s]) });
    expect(r).toMatchObject({ ok: true, exitCode: 0, signal: null, timedOut: false, aborted: false, error: null });
    expect(lines).toContainEqual(["out", "stdout"]);
    expect(lines).toContainEqual(["err", "stderr"]);
    expect(lines).toContainEqual([cwd, "stdout"]);
    expect(r.outputTail).toContain("out\n");
    expect(r.outputTail).toContain("err\n");
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  test("a non-zero exit is not ok and keeps its code", async () => {
    const r = await runTestCommand("sh -c 'echo failing; exit 3'", cwd);
    expect(r).toMatchObject({ ok: false, exitCode: 3, timedOut: false, error: null });
    expect(r.outputTail).toBe("failing\n");
  });

  test("no shell: a pipe is an argument", async () => {
    const r = await runTestCommand("echo a | wc -l > out.txt", cwd);
    expect(r.ok).toBe(true);
    expect(r.outputTail).toBe("a | wc -l > out.txt\n");
    expect(existsSync(join(cwd, "out.txt"))).toBe(false);
  });

  test("assignments set the environment", async () => {
    const r = await runTestCommand("SKEP_T1='x y' sh -c 'echo \"[$SKEP_T1]\"'", cwd);
    expect(r.outputTail).toBe("[x y]\n");
  });

  test("only the last 8 KB of output is kept", async () => {
    const r = await runTestCommand(`sh -c 'i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i+1)); done'`, cwd);
    expect(r.ok).toBe(true);
    expect(Buffer.byteLength(r.outputTail)).toBeLessThanOrEqual(OUTPUT_TAIL_BYTES);
    expect(Buffer.byteLength(r.outputTail)).toBeGreaterThan(OUTPUT_TAIL_BYTES - 20);
    expect(r.outputTail.endsWith("line 2999\n")).toBe(true);
    expect(r.outputTail).not.toContain("line 1\n");
  });

  test("a missing command or bad quoting is reported, not thrown", async () => {
    const missing = await runTestCommand("skep-no-such-command-xyz --flag", cwd);
    expect(missing).toMatchObject({ ok: false, exitCode: null, timedOut: false });
    expect(missing.error).toContain("skep-no-such-command-xyz");
    expect(missing.outputTail).toBe(missing.error!);
    const bad = await runTestCommand("echo 'open", cwd);
    expect(bad.ok).toBe(false);
    expect(bad.error).toContain("unterminated single quote");
  });

  test("a timeout kills the command and its grandchildren", async () => {
    const pidFile = join(cwd, "grandchild-1.pid");
    const started = performance.now();
    const r = await runTestCommand(`sh -c 'sleep 300 & echo $! > ${pidFile}; echo started; wait'`, cwd, { timeoutMs: 500 });
    expect(r).toMatchObject({ ok: false, timedOut: true, exitCode: null, signal: "SIGTERM" });
    expect(r.outputTail).toContain("started");
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(alive(await readPid(pidFile))).toBe(false);
  });

  test("a grandchild ignoring SIGTERM is killed with SIGKILL after the grace period", async () => {
    const pidFile = join(cwd, "grandchild-2.pid");
    // Ignored signals stay ignored across exec: both sh and sleep ignore SIGTERM.
    const r = await runTestCommand(`sh -c 'trap "" TERM; sleep 300 & echo $! > ${pidFile}; wait'`, cwd, { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGKILL");
    expect(r.durationMs).toBeGreaterThanOrEqual(2000);
    expect(alive(await readPid(pidFile))).toBe(false);
  });

  test("an abort kills the group; an already aborted signal runs nothing", async () => {
    const pidFile = join(cwd, "grandchild-3.pid");
    const ac = new AbortController();
    const running = runTestCommand(`sh -c 'sleep 300 & echo $! > ${pidFile}; wait'`, cwd, { signal: ac.signal });
    const pid = await readPid(pidFile);
    expect(alive(pid)).toBe(true);
    ac.abort();
    const r = await running;
    expect(r).toMatchObject({ ok: false, aborted: true, timedOut: false });
    expect(alive(pid)).toBe(false);

    const marker = join(cwd, "should-not-exist");
    const again = await runTestCommand(`touch ${marker}`, cwd, { signal: ac.signal });
    expect(again).toMatchObject({ ok: false, aborted: true });
    expect(existsSync(marker)).toBe(false);
  });

  test("a background process left behind by a passing command is killed too", async () => {
    const pidFile = join(cwd, "leftover.pid");
    const r = await runTestCommand(`sh -c 'sleep 300 & echo $! > ${pidFile}; exit 0'`, cwd);
    expect(r.ok).toBe(true);
    expect(alive(await readPid(pidFile))).toBe(false);
  });
});

// The single-instance lock: flock(2) held by a live holder refuses a second taker, and is free
// again the moment the holder's process dies (SIGKILL included); the pid-file fallback refuses
// while the recorded pid lives and takes over from a dead one.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isLocked, tryLock, tryPidLock } from "../../src/util/lock.ts";
import { cleanupAll, PROJECT, tempDir } from "../daemon/support.ts";

afterEach(cleanupAll);
setDefaultTimeout(60_000);

test("flock: one holder at a time; released on release()", () => {
  const path = join(tempDir(), "daemon.lock");
  const a = tryLock(path);
  expect(a?.kind).toBe("flock");
  expect(readFileSync(path, "utf8").trim()).toBe(String(process.pid));
  expect(tryLock(path)).toBeNull();
  expect(isLocked(path)).toBe(true);
  a!.release();
  expect(isLocked(path)).toBe(false);
  const b = tryLock(path);
  expect(b).not.toBeNull();
  b!.release();
});

test("flock: a holder killed with SIGKILL leaves the lock free at once", async () => {
  const path = join(tempDir(), "daemon.lock");
  const script = `const { tryLock } = await import(${JSON.stringify(join(PROJECT, "src/util/lock.ts"))}); const l = tryLock(${JSON.stringify(path)}); console.log(l ? "held" : "busy"); await Bun.sleep(60000);`;
  const child = Bun.spawn([process.execPath, "-e", script], { cwd: PROJECT, stdout: "pipe" });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value).trim()).toBe("held");
  expect(tryLock(path)).toBeNull();
  child.kill("SIGKILL");
  await child.exited;
  const mine = tryLock(path);
  expect(mine).not.toBeNull();
  mine!.release();
});

test("pid-file fallback: refused while the pid lives, taken over from a dead pid", async () => {
  const path = join(tempDir(), "daemon.lock");
  const a = tryPidLock(path);
  expect(a?.kind).toBe("pidfile");
  expect(tryPidLock(path)).toBeNull(); // our own pid is alive
  a!.release();
  expect(existsSync(path)).toBe(false);
  const dead = Bun.spawn(["true"]);
  await dead.exited;
  writeFileSync(path, `${dead.pid}\n`);
  const b = tryPidLock(path);
  expect(b).not.toBeNull();
  expect(readFileSync(path, "utf8").trim()).toBe(String(process.pid));
  b!.release();
});

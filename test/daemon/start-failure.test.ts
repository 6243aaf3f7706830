// Red-team attack 16: `daemon start` on a full disk said "see .skep/logs/daemon.log" while the log
// was empty (the disk could not take the error either). Now start prints the error the daemon
// logged, or says it logged nothing, why that may be, and how to see the error. The full disk is
// played by /dev/full (every write fails with ENOSPC) standing in for the log.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll, makeRepo, run } from "./support.ts";

setDefaultTimeout(60_000);
afterEach(cleanupAll);

function brokenRepo(): string {
  const root = makeRepo({ "src/a.ts": "export function a(): number {\n  return 1;\n}\n" });
  run(["init", "--no-daemon", "--repo", root], { env: { SKEP_NO_DAEMON: "1" } });
  writeFileSync(join(root, ".skep/config.json"), "{not json");
  return root;
}

test("a daemon that exits before answering: start prints the error from its log", () => {
  const root = brokenRepo();
  const r = run(["daemon", "start", "--repo", root], { env: { SKEP_NO_TMUX: "1" } });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("config.json is not valid JSON");
  expect(r.stderr).toContain("full log:");
});

test.if(existsSync("/dev/full"))("a log that cannot be written (a full disk): start says so and how to see the error", () => {
  const root = brokenRepo();
  mkdirSync(join(root, ".skep/logs"), { recursive: true });
  rmSync(join(root, ".skep/logs/daemon.log"), { force: true });
  symlinkSync("/dev/full", join(root, ".skep/logs/daemon.log"));
  const r = run(["daemon", "start", "--repo", root], { env: { SKEP_NO_TMUX: "1" } });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("wrote nothing to");
  expect(r.stderr).toContain("is the disk full or read-only");
  expect(r.stderr).toContain(`skep daemon run --repo ${root}`);
});

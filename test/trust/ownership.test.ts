// Red-team attacks 3 and 7: a `.skep` that is a symlink, owned by another user or writable by
// others is refused, and so is a `.skep-workspace/` (or its registry) found walking up that
// another user owns: init does not register into it, peer lookups refuse it and say why.
// "Another user" is uid 65534 (nobody): when the tests run as root (id -u = 0) files are chowned to
// it; otherwise those cases are skipped (only root can give a file away) and the mode and symlink
// cases still run.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ownershipProblem } from "../../src/trust/ownership.ts";
import { resolvePeer } from "../../src/workspace/registry.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);
const ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

function skep(cwd: string, args: string[]) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_")) env[k] = v;
  const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd, env: { ...env, SKEP_NO_DAEMON: "1", SKEP_HOME: join(cwd, "..", "home") }, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

describe("ownershipProblem", () => {
  test("a symlink, a mode others can write, another owner; root-owned allowed only when asked", () => {
    const dir = tempDir("skep-own-");
    mkdirSync(join(dir, "mine"), { mode: 0o700 });
    chmodSync(join(dir, "mine"), 0o700);
    expect(ownershipProblem(join(dir, "mine"))).toBeNull();
    expect(ownershipProblem(join(dir, "missing"))).toBeNull();
    symlinkSync(join(dir, "mine"), join(dir, "link"));
    expect(ownershipProblem(join(dir, "link"))).toContain("is a symlink");
    expect(ownershipProblem(join(dir, "link"), { followSymlink: true })).toBeNull();
    mkdirSync(join(dir, "open"));
    chmodSync(join(dir, "open"), 0o777);
    expect(ownershipProblem(join(dir, "open"))).toContain("writable by everyone (mode 777)");
    chmodSync(join(dir, "open"), 0o775);
    expect(ownershipProblem(join(dir, "open"))).toContain("writable by its group");
  });

  test.skipIf(!ROOT)("owned by another uid (chown to nobody, as root)", () => {
    const dir = tempDir("skep-own-");
    mkdirSync(join(dir, "theirs"), { mode: 0o755 });
    chownSync(join(dir, "theirs"), NOBODY, NOBODY);
    expect(ownershipProblem(join(dir, "theirs"))).toContain(`owned by uid ${NOBODY}, not by you (uid 0)`);
  });
});

describe("a repo's .skep", () => {
  test("a committed symlink .skep is refused: nothing is written through it", () => {
    const base = tempDir("skep-own-");
    const evil = join(base, "evilskep");
    mkdirSync(evil, { mode: 0o700 });
    const repo = initRepo(join(base, "repo"), { "a.go": "package a\n" });
    symlinkSync(evil, join(repo, ".skep"));
    const r = skep(repo, ["init", "--no-daemon"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`refusing ${join(repo, ".skep")}: it is a symlink (to ${evil})`);
    expect(readFileSync(join(repo, "a.go"), "utf8")).toBe("package a\n");
    expect(skep(repo, ["doctor"]).code).toBe(1);
  });

  test("a .skep others can write is refused, with the fix", () => {
    const base = tempDir("skep-own-");
    const repo = initRepo(join(base, "repo"), { "a.go": "package a\n" });
    mkdirSync(join(repo, ".skep"));
    chmodSync(join(repo, ".skep"), 0o777);
    const r = skep(repo, ["search", "a"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("it is writable by everyone (mode 777); check what is in it, then: chmod go-w");
  });

  test.skipIf(!ROOT)("a .skep owned by another user is refused", () => {
    const base = tempDir("skep-own-");
    const repo = initRepo(join(base, "repo"), { "a.go": "package a\n" });
    mkdirSync(join(repo, ".skep"), { mode: 0o700 });
    chownSync(join(repo, ".skep"), NOBODY, NOBODY);
    const r = skep(repo, ["init", "--no-daemon"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`owned by uid ${NOBODY}`);
  });
});

describe.skipIf(!ROOT)("a workspace planted by another user in a shared parent", () => {
  test("init does not register into it and says why; peer lookups refuse it", () => {
    const shared = tempDir("skep-shared-");
    chmodSync(shared, 0o1777); // a team scratch dir, or /tmp itself
    const ws = join(shared, ".skep-workspace");
    mkdirSync(ws, { mode: 0o755 });
    const registry = JSON.stringify({ agents: { shop: { path: join(shared, "shop"), llm: "claude" } } });
    writeFileSync(join(ws, "registry.json"), registry, { mode: 0o644 });
    chownSync(ws, NOBODY, NOBODY);
    chownSync(join(ws, "registry.json"), NOBODY, NOBODY);
    const victim = initRepo(join(shared, "victim"), { "a.go": "package a\n" });
    const r = skep(victim, ["init", "--no-daemon"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Workspace:  not registered: refusing ${ws}: it is owned by uid ${NOBODY}`);
    expect(readFileSync(join(ws, "registry.json"), "utf8")).toBe(registry);
    const peer = resolvePeer(victim, "shop");
    expect(peer.ok).toBe(false);
    expect(!peer.ok && peer.reason).toContain(`owned by uid ${NOBODY}`);

    // Root-owned and closed to others (an administrator's shared workspace) is fine; a registry
    // file in it that another user owns is not.
    chownSync(ws, 0, 0);
    chownSync(join(ws, "registry.json"), 0, 0);
    expect(resolvePeer(victim, "shop").ok).toBe(true);
    chownSync(join(ws, "registry.json"), NOBODY, NOBODY);
    expect(resolvePeer(victim, "shop").ok).toBe(false);
  });
});

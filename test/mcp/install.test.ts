// `skep mcp install`: registers skep with Claude Code in the project's .mcp.json or the user's
// ~/.claude.json (a temp HOME here), by absolute path, idempotently, keeping every other server and
// setting; prints the Cursor and Codex equivalents.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { BUN, childEnv, cleanupAll, MAIN, makeRepo, PROJECT, SAMPLE, tempDir } from "./support.ts";

// Real child processes (servers, git, daemons) on a shared, busy machine: be generous.
setDefaultTimeout(60_000);

afterAll(cleanupAll);

function skep(args: string[], env: Record<string, string>, cwd = PROJECT) {
  const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd, env: childEnv(env), stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

const EXPECTED_ENTRY = { type: "stdio", command: BUN, args: [MAIN, "mcp"], env: {} };

describe("project scope", () => {
  test("writes .mcp.json with the absolute command; a second run changes nothing", async () => {
    const home = tempDir("skep-home-");
    const repo = makeRepo(SAMPLE);
    const first = skep(["mcp", "install", "--repo", repo], { HOME: home });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Installed MCP server 'skep' in ${join(repo, ".mcp.json")}`);
    const file = join(repo, ".mcp.json");
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc).toEqual({ mcpServers: { skep: EXPECTED_ENTRY } });
    expect(isAbsolute(doc.mcpServers.skep.command)).toBe(true);
    const bytes = readFileSync(file, "utf8");
    const mtime = statSync(file).mtimeMs;

    const second = skep(["mcp", "install", "--repo", repo], { HOME: home });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Already installed:");
    expect(readFileSync(file, "utf8")).toBe(bytes);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(existsSync(join(home, ".claude.json"))).toBe(false);
  });

  test("keeps other servers and keys; updates only its own entry when the path moved", async () => {
    const repo = makeRepo(SAMPLE);
    const file = join(repo, ".mcp.json");
    const other = { type: "stdio", command: "/usr/bin/other", args: ["--x"], env: { K: "v" } };
    writeFileSync(file, JSON.stringify({ mcpServers: { other, skep: { type: "stdio", command: "/old/skep", args: ["mcp"] } }, extra: [1, 2] }));
    const r = skep(["mcp", "install", "--repo", repo], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Updated MCP server 'skep'");
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc.mcpServers.other).toEqual(other);
    expect(doc.mcpServers.skep).toEqual(EXPECTED_ENTRY);
    expect(doc.extra).toEqual([1, 2]);
  });

  test("a config that is not valid JSON is left alone", async () => {
    const repo = makeRepo(SAMPLE);
    const file = join(repo, ".mcp.json");
    writeFileSync(file, "{ not json");
    const r = skep(["mcp", "install", "--repo", repo], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is not valid JSON");
    expect(readFileSync(file, "utf8")).toBe("{ not json");
  });

  test("--name picks another key; bad scope and name are usage errors", async () => {
    const repo = makeRepo(SAMPLE);
    expect(skep(["mcp", "install", "--repo", repo, "--name", "skep-dev"], {}).code).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(join(repo, ".mcp.json"), "utf8")).mcpServers)).toEqual(["skep-dev"]);
    expect(skep(["mcp", "install", "--repo", repo, "--scope", "global"], {}).code).toBe(2);
    expect(skep(["mcp", "install", "--repo", repo, "--name", "a b"], {}).code).toBe(2);
  });
});

describe("user scope", () => {
  test("merges into ~/.claude.json, keeping its mode and everything else in it", async () => {
    const home = tempDir("skep-home-");
    const file = join(home, ".claude.json");
    const existing = { firstStartTime: "2026-01-01T00:00:00.000Z", projects: { "/x": { allowedTools: [] } }, mcpServers: { other: { type: "stdio", command: "/bin/other", args: [], env: {} } } };
    writeFileSync(file, JSON.stringify(existing, null, 2));
    chmodSync(file, 0o600);
    const r = skep(["mcp", "install", "--scope", "user"], { HOME: home });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Installed MCP server 'skep' in ${file}`);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc).toEqual({ ...existing, mcpServers: { ...existing.mcpServers, skep: EXPECTED_ENTRY } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = skep(["mcp", "install", "--scope", "user"], { HOME: home });
    expect(again.stdout).toContain("Already installed:");
  });

  test("creates ~/.claude.json (0600) when there is none; honours CLAUDE_CONFIG_DIR", async () => {
    const home = tempDir("skep-home-");
    expect(skep(["mcp", "install", "--scope", "user"], { HOME: home }).code).toBe(0);
    expect(statSync(join(home, ".claude.json")).mode & 0o777).toBe(0o600);
    const dir = tempDir("skep-cfg-");
    expect(skep(["mcp", "install", "--scope", "user"], { HOME: home, CLAUDE_CONFIG_DIR: dir }).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, ".claude.json"), "utf8")).mcpServers.skep).toEqual(EXPECTED_ENTRY);
  });
});

test("prints the Cursor and Codex snippets; --json gives the same facts", async () => {
  const repo = makeRepo(SAMPLE);
  const r = skep(["mcp", "install", "--repo", repo], {});
  expect(r.stdout).toContain("Cursor (.cursor/mcp.json");
  expect(r.stdout).toContain(`"command": "${BUN}"`);
  expect(r.stdout).toContain("[mcp_servers.skep]");
  expect(r.stdout).toContain(`command = "${BUN}"`);
  expect(r.stdout).toContain(`args = ["${MAIN}", "mcp"]`);
  const j = JSON.parse(skep(["mcp", "install", "--repo", repo, "--json"], {}).stdout);
  expect(j).toMatchObject({ status: "unchanged", name: "skep", entry: EXPECTED_ENTRY });
  expect(JSON.parse(j.cursor)).toEqual({ mcpServers: { skep: { command: BUN, args: [MAIN, "mcp"] } } });
  expect(j.codex).toContain("[mcp_servers.skep]");
});

// backendFor: which backend and model answer each purpose, from .skep/config.json; and the MCP
// config file the claude backend hands over.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ClaudeBackend } from "../../src/llm/claude.ts";
import { mcpConfigFor, writeMcpConfig } from "../../src/llm/mcp-config.ts";
import { ScriptBackend } from "../../src/llm/script.ts";
import { backendFor, claudeBinFor } from "../../src/llm/select.ts";
import { trustValues } from "../../src/trust/store.ts";
import { RepoConfig } from "../../src/protocol/config.ts";

const ROOT = "/repo/root";
const config = (raw: Record<string, unknown> = {}) => RepoConfig.parse(raw);
const savedBin = process.env.SKEP_CLAUDE_BIN;

afterEach(() => {
  if (savedBin === undefined) delete process.env.SKEP_CLAUDE_BIN;
  else process.env.SKEP_CLAUDE_BIN = savedBin;
});

describe("backendFor", () => {
  test("defaults: claude everywhere; haiku to classify and dedup, `model` (sonnet) to plan and step", () => {
    delete process.env.SKEP_CLAUDE_BIN;
    const models = (["classify", "dedup", "plan", "step"] as const).map((p) => {
      const { backend, model } = backendFor(p, config(), ROOT);
      expect(backend).toBeInstanceOf(ClaudeBackend);
      expect(backend.name).toBe("claude");
      expect((backend as ClaudeBackend).bin).toBe("claude");
      return model;
    });
    expect(models).toEqual(["haiku", "haiku", "sonnet", "sonnet"]);
  });

  test("per-purpose models: model_plan, model_classify (dedup falls back to it), model_dedup", () => {
    const c = config({ model: "opus", model_plan: "sonnet", model_classify: "claude-haiku-x" });
    expect(backendFor("plan", c, ROOT).model).toBe("sonnet");
    expect(backendFor("step", c, ROOT).model).toBe("opus");
    expect(backendFor("classify", c, ROOT).model).toBe("claude-haiku-x");
    expect(backendFor("dedup", c, ROOT).model).toBe("claude-haiku-x");
    expect(backendFor("dedup", config({ model_dedup: "d", model_classify: "c" }), ROOT).model).toBe("d");
  });

  test("llm_<purpose> beats llm; script reads llm_script relative to the root", () => {
    const c = config({ llm: "script", llm_script: "demo/answers.json", llm_step: "claude" });
    const classify = backendFor("classify", c, ROOT).backend;
    expect(classify).toBeInstanceOf(ScriptBackend);
    expect(classify.name).toBe("script");
    expect((classify as ScriptBackend).path).toBe("/repo/root/demo/answers.json");
    expect(backendFor("step", c, ROOT).backend).toBeInstanceOf(ClaudeBackend);
  });

  test("misconfigurations throw with the fix in the message", () => {
    expect(() => backendFor("plan", config({ llm_plan: "gpt" }), ROOT)).toThrow("unknown llm backend 'gpt' for plan (known: claude, codex, gemini, script)");
    expect(() => backendFor("step", config({ llm: "script" }), ROOT)).toThrow("llm backend 'script' for step needs llm_script in .skep/config.json");
  });

  test("the claude executable: SKEP_CLAUDE_BIN beats claude_bin; a relative claude_bin is from the root", () => {
    delete process.env.SKEP_CLAUDE_BIN;
    const bin = (raw: Record<string, unknown>) => claudeBinFor(config(raw), ROOT);
    expect(bin({ claude_bin: "/opt/claude" })).toBe("/opt/claude");
    expect(bin({ claude_bin: "tools/claude" })).toBe("/repo/root/tools/claude");
    expect(bin({ claude_bin: "claude-beta" })).toBe("claude-beta");
    expect(bin({})).toBe("claude");
    process.env.SKEP_CLAUDE_BIN = "/fake/claude";
    expect(bin({ claude_bin: "/opt/claude" })).toBe("/fake/claude");
    expect((backendFor("step", config({ claude_bin: "/opt/claude" }), ROOT).backend as ClaudeBackend).bin).toBe("/fake/claude");
  });

  test("a claude_bin from the repo's config runs only once trusted for that repo and value", () => {
    delete process.env.SKEP_CLAUDE_BIN;
    const savedHome = process.env.SKEP_HOME;
    const dir = mkdtempSync(join(tmpdir(), "skep-select-"));
    process.env.SKEP_HOME = join(dir, "home");
    try {
      expect(() => backendFor("step", config({ claude_bin: "/opt/claude" }), dir)).toThrow("claude_bin `/opt/claude` in .skep/config.json is not trusted on this machine");
      trustValues(dir, { claude_bin: "/opt/claude" });
      expect((backendFor("step", config({ claude_bin: "/opt/claude" }), dir).backend as ClaudeBackend).bin).toBe("/opt/claude");
      expect(() => backendFor("step", config({ claude_bin: "/opt/other" }), dir)).toThrow("changed since you trusted it");
      expect(() => backendFor("step", config({ claude_bin: "/opt/claude" }), join(dir, "home"))).toThrow("not trusted"); // another repo
      expect((backendFor("step", config({}), dir).backend as ClaudeBackend).bin).toBe("claude"); // the PATH's: the user's own
    } finally {
      if (savedHome === undefined) delete process.env.SKEP_HOME;
      else process.env.SKEP_HOME = savedHome;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("MCP config", () => {
  test("one stdio server named skep running `<skep> mcp --repo <repo>`", () => {
    expect(JSON.parse(mcpConfigFor("/r", ["/usr/bin/skep"]))).toEqual({ mcpServers: { skep: { type: "stdio", command: "/usr/bin/skep", args: ["mcp", "--repo", "/r"], env: { SKEP_MCP_TASKS: "read" } } } });
  });

  test("written 0600 in a private 0700 dir; dispose removes both", () => {
    const file = writeMcpConfig("/some/repo", ["/bin/skep"]);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file.path)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file.path, "utf8")).mcpServers.skep.args).toEqual(["mcp", "--repo", "/some/repo"]);
    file.dispose();
    file.dispose();
    expect(existsSync(dirname(file.path))).toBe(false);
    expect(existsSync(join(dirname(file.path), "mcp.json"))).toBe(false);
  });
});

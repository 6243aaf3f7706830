// What a start loads: the release binary is bundled in chunks (scripts/compile.ts), and a command
// loads the chunks its modules import statically, beside the ones it enters by import(). Bundled
// here with the release's own options, the modules each short command reaches must leave out the
// heavy ones (zod schemas, the index and tree-sitter, the task machinery, the MCP SDK): loading
// them is most of what `skep --version`, the tmux status line and a warm-daemon search would cost
// (docs/benchmarks.md, Start-up).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleOptions, CompressedGrammars } from "../../scripts/compile.ts";

setDefaultTimeout(120_000);

interface Output {
  inputs: Record<string, unknown>;
  imports: { path: string; kind: string }[];
}

let outputs: Map<string, Output>;
/** Each source module's own imports (the runtime's modules among them, marked external). */
let inputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
const outdir = mkdtempSync(join(tmpdir(), "skep-startup-graph-"));

beforeAll(async () => {
  const r = await Bun.build({ ...bundleOptions({ commit: "test", grammars: new CompressedGrammars(9) }), target: "bun", outdir, metafile: true });
  if (!r.success) throw new Error(r.logs.map(String).join("\n"));
  const meta = (typeof r.metafile === "string" ? JSON.parse(r.metafile) : r.metafile) as { outputs: Record<string, Output>; inputs: typeof inputs };
  inputs = meta.inputs;
  outputs = new Map(Object.entries(meta.outputs).map(([k, v]) => [k.replace(/^\.\//, ""), v]));
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The chunk holding source module `src`. */
function chunkOf(src: string): string {
  const hit = [...outputs].find(([, o]) => src in o.inputs);
  if (!hit) throw new Error(`no chunk holds ${src}`);
  return hit[0];
}

/** Every source module loaded once the modules in `entered` are (each one's chunk, and what they import statically). */
function reached(entered: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = entered.map(chunkOf);
  while (queue.length) {
    const c = queue.pop()!;
    if (seen.has(c)) continue;
    seen.add(c);
    for (const i of outputs.get(c)!.imports) if (i.kind === "import-statement") queue.push(i.path.replace(/^\.\//, ""));
  }
  return new Set([...seen].flatMap((c) => Object.keys(outputs.get(c)!.inputs)));
}

/** The runtime's own modules (node:crypto...) those modules import: some cost a start milliseconds to load. */
function builtinsReached(entered: string[]): Set<string> {
  const mods = reached(entered);
  return new Set([...mods].flatMap((m) => (inputs[m]?.imports ?? []).filter((i) => i.external && !/^[./]/.test(i.path)).map((i) => i.path.replace(/^node:/, ""))));
}

const HEAVY = [/node_modules\/zod\//, /@modelcontextprotocol/, /web-tree-sitter/, /^src\/(index|parser|graph|llm|search|mcp|daemon)\//, /^src\/tasks\/store\.ts$/, /^src\/protocol\//];
const heavyIn = (mods: Set<string>) => [...mods].filter((m) => HEAVY.some((h) => h.test(m)));

/** The modules a command enters by import() on its way, main.ts first. */
const CLI = ["src/main.ts", "src/cli/app.ts", "src/cli/dispatch.ts"];

describe("what a short command loads, in the release bundle", () => {
  test("--version: main.ts, the version and the plain argv readers, nothing of the command tree", () => {
    const mods = reached(["src/main.ts"]);
    expect([...mods].filter((m) => m.startsWith("src/")).sort()).toEqual(["src/cli/plain-argv.ts", "src/main.ts", "src/version.ts"]);
    expect(builtinsReached(["src/main.ts"]).size).toBe(0);
  });

  test("status --oneline: the counts reader and the scope, none of the task store, the index or a schema", () => {
    // The plain forms go from main.ts straight to status-oneline.ts: not even citty.
    const plain = reached(["src/main.ts", "src/cli/commands/status-oneline.ts"]);
    expect([...plain].filter((m) => m.startsWith("node_modules/"))).toEqual([]);
    // No bun:sqlite: a store's counts are read (tasks/counts.ts, by import()) only when the store
    // changed since they were kept. node:os is a require() for an unset HOME (trust/home.ts).
    expect([...builtinsReached(["src/main.ts", "src/cli/commands/status-oneline.ts"])].sort()).toEqual(["fs", "os", "path"]);
    expect(plain.has("src/tasks/counts-cache.ts")).toBe(true);
    expect(plain.has("src/tasks/counts.ts")).toBe(false);
    const mods = reached([...CLI, "src/cli/commands/status.ts", "src/cli/commands/status-oneline.ts"]);
    expect(mods.has("src/tasks/counts-cache.ts")).toBe(true);
    expect(mods.has("src/cockpit/scope.ts")).toBe(true);
    expect(heavyIn(mods)).toEqual([]);
    // Neither `skep status` without --oneline nor the dashboard comes along.
    expect(mods.has("src/cli/commands/status-index.ts")).toBe(false);
    expect(mods.has("src/cockpit/dashboard.ts")).toBe(false);
    expect(mods.has("src/coordinator/store.ts")).toBe(false);
    expect(mods.has("src/workspace/registry.ts")).toBe(false);
    expect([...builtinsReached([...CLI, "src/cli/commands/status.ts", "src/cli/commands/status-oneline.ts"])].sort()).toEqual(["fs", "os", "path", "util"]);
  });

  test("search through a daemon: the socket client, not the index code or the task machinery", () => {
    const mods = reached([...CLI, "src/cli/commands/search.ts"]);
    expect(mods.has("src/client/daemon-client.ts")).toBe(true);
    expect(heavyIn(mods)).toEqual([]);
    // A plain `search WORDS` goes from main.ts to search-run.ts: not citty, nor node:util.
    const plain = ["src/main.ts", "src/cli/commands/search-run.ts"];
    expect([...reached(plain)].filter((m) => m.startsWith("node_modules/"))).toEqual([]);
    expect(heavyIn(reached(plain))).toEqual([]);
    expect([...builtinsReached(plain)].sort()).toEqual(["fs", "path", "string_decoder"]);
    // node:crypto alone costs ~9 ms of CPU to load (daemon-paths.ts hashes with Bun.CryptoHasher).
    expect(builtinsReached([...CLI, "src/cli/commands/search.ts"]).has("crypto")).toBe(false);
    expect([...mods].filter((m) => m.startsWith("src/api/")).sort()).toEqual(["src/api/api.ts", "src/api/ask.ts", "src/api/fallback.ts", "src/api/remote.ts"]);
  });

  test("a build here (`skep index`): the index code, none of zod or the read verbs' schemas", () => {
    // local-refresh.ts, not local.ts: the reads reach answers.ts and every verb's schema
    // (protocol/socket.ts), ~30 ms of CPU a build does not need. `--json` imports its one schema.
    const mods = reached([...CLI, "src/cli/commands/index-cmd.ts", "src/api/api.ts", "src/api/local-refresh.ts"]);
    expect(mods.has("src/index/indexer.ts")).toBe(true);
    expect([...mods].filter((m) => /node_modules\/zod\/|^src\/protocol\/|^src\/api\/answers\.ts$/.test(m))).toEqual([]);
    // The plain form goes from main.ts to index-run.ts: not citty, nor node:util. Up to the re-exec
    // of a first build (cold-build.ts) it reaches none of the index code either.
    const plain = reached(["src/main.ts", "src/cli/commands/index-run.ts"]);
    // (The grammars are embedded files: languages.ts holds a path to each, read when a build needs it.)
    expect([...plain].filter((m) => m.startsWith("node_modules/") && !m.endsWith(".wasm"))).toEqual([]);
    expect(heavyIn(plain).filter((m) => !/^src\/index\/(cold-estimate|schedule)\.ts$|^src\/parser\/(languages|cpp-header)\.ts$/.test(m))).toEqual([]);
    expect(builtinsReached(["src/main.ts", "src/cli/commands/index-run.ts"]).has("util")).toBe(false);
  });

  test("the check can fail: `skep status` (the index's) reaches the schemas and the index code", () => {
    const mods = reached([...CLI, "src/cli/commands/status.ts", "src/cli/commands/status-index.ts", "src/api/local.ts"]);
    expect(heavyIn(mods)).toContain("src/protocol/index-answers.ts");
    expect(heavyIn(mods).some((m) => m.startsWith("src/index/"))).toBe(true);
  });
});

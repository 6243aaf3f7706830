// The folders of src/ form layers: a folder may import only folders in layers below its own, so
// no import cycle between folders can form. LAYERS is the one place the allowed direction is
// written (docs/architecture.md draws the same picture). dependency-cruiser reads the imports
// (type-only ones included: they tie folders together as much as value imports do) and checks
// one rule per folder generated from LAYERS. A new folder must be given a layer here.
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cruise, type IForbiddenRuleType } from "dependency-cruiser";

const PROJECT = join(import.meta.dir, "../..");

/** Top to bottom. Folders in one layer do not import each other. */
const LAYERS: string[][] = [
  ["cli"], // argv and printing
  ["mcp", "doctor"], // the other faces: the MCP server, `skep doctor`
  ["daemon"], // the daemon process
  ["cockpit"], // the tmux cockpit and dashboard: above the api it reads tasks through, below the daemon that opens task panes
  ["api", "coordinator"], // what a front end talks to; cross-repo runs
  ["tasks", "contracts"], // the task queue; HTTP contracts
  ["workspace", "search"], // workspace registry and peer links; symbol search
  ["client", "index"], // the daemon's socket client and control; the index
  ["config", "repo"], // per-repo config; where a repo and its .skep/ live
  ["llm", "git", "graph"], // LLM backends and prompts; git facts; the call graph
  ["trust", "parser"], // the trust store; tree-sitter extraction
  ["protocol", "util"], // the vocabulary (zod shapes); small helpers
];

/** Files at the top of src/: entry points import anything; the rest are leaves anyone may import. */
const ENTRY_FILES = ["src/main.ts", "src/daemon-worker.ts"];

const folders = LAYERS.flat();
const rank = new Map(LAYERS.flatMap((layer, i) => layer.map((f) => [f, i] as const)));
const alt = (names: string[]) => `^src/(${names.join("|")})/`;

function rules(): IForbiddenRuleType[] {
  return folders.map((f) => {
    const notBelow = folders.filter((g) => g !== f && rank.get(g)! <= rank.get(f)!);
    return {
      name: `${f}-imports-downward`,
      comment: `src/${f}/ may import only folders in layers below it (test/layout/layers.test.ts)`,
      severity: "error",
      from: { path: `^src/${f}/` },
      to: { path: notBelow.length ? alt(notBelow) : "^$", pathNot: "^$" },
    } as IForbiddenRuleType;
  });
}

describe("layers of src/", () => {
  test("every folder of src/ has a layer", () => {
    const actual = readdirSync(join(PROJECT, "src"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(actual).toEqual([...folders].sort());
  });

  test("every import goes to a lower layer (so no folder cycle), entry points excepted", async () => {
    const result = await cruise(
      ["src"],
      {
        baseDir: PROJECT,
        tsPreCompilationDeps: true,
        validate: true,
        ruleSet: { forbidden: [...rules(), { name: "nothing-imports-an-entry-point", severity: "error", from: {}, to: { path: `^(${ENTRY_FILES.join("|")})$` } }] },
        exclude: { path: "node_modules" },
      },
      { extensions: [".ts", ".js", ".json", ".md"] },
    );
    const output = result.output as { summary: { violations: { from: string; to: string; rule: { name: string } }[]; totalCruised: number } };
    const violations = output.summary.violations.map((v) => `${v.from} -> ${v.to} (${v.rule.name})`);
    expect(violations).toEqual([]);
    // The cruise saw the code (a broken resolver would pass with nothing to check).
    expect(output.summary.totalCruised).toBeGreaterThan(200);
  }, 120_000);

  test("an upward import is reported: a tree where tasks/ imports api/", async () => {
    const root = mkdtempSync(join(tmpdir(), "skep-layers-"));
    try {
      mkdirSync(join(root, "src/tasks"), { recursive: true });
      mkdirSync(join(root, "src/api"), { recursive: true });
      writeFileSync(join(root, "src/api/b.ts"), "export const b = 1;\n");
      writeFileSync(join(root, "src/tasks/a.ts"), 'import { b } from "../api/b.ts";\nexport const a = b;\n');
      const result = await cruise(["src"], { baseDir: root, tsPreCompilationDeps: true, validate: true, ruleSet: { forbidden: rules() } }, { extensions: [".ts"] });
      const output = result.output as { summary: { violations: { from: string; to: string; rule: { name: string } }[] } };
      expect(output.summary.violations.map((v) => `${v.from} -> ${v.to} (${v.rule.name})`)).toEqual(["src/tasks/a.ts -> src/api/b.ts (tasks-imports-downward)"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("one place chooses between the daemon and this process", () => {
  // api/fallback.ts holds the rule; every front end (CLI, MCP server, cockpit) gets it by holding a
  // SkepApi. Another DaemonLink or withFallback outside src/api/ would be a second chooser.
  test("DaemonLink and withFallback appear only in src/api/", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path);
        else if (e.name.endsWith(".ts") && /\b(DaemonLink|withFallback)\b/.test(readFileSync(path, "utf8"))) offenders.push(path.slice(PROJECT.length + 1));
      }
    };
    walk(join(PROJECT, "src"));
    expect(offenders.filter((p) => !p.startsWith("src/api/"))).toEqual([]);
    // The check sees the files that do hold them.
    expect(offenders).toContain("src/api/fallback.ts");
  });
});

// action.yml: a composite action whose Index step, run as the runner would run it, builds and
// exports the index on a cold cache, and imports it (parsing nothing unchanged) on a warm one.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, initRepo, tempDir } from "../helpers/git-repo.ts";

setDefaultTimeout(120_000);

const PROJECT = join(import.meta.dir, "../..");
const tmp = tempDir("skep-action-");
afterAll(tmp.cleanup);

interface Step {
  name: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
const action = Bun.YAML.parse(await Bun.file(join(PROJECT, "action.yml")).text()) as { runs: { using: string; steps: Step[] } };

// `skep` on the PATH is this checkout run by bun: the step's shell is what is under test.
const bin = join(tmp.dir, "bin");
mkdirSync(bin);
writeFileSync(join(bin, "skep"), `#!/bin/sh\nexec "${process.execPath}" "${join(PROJECT, "src/main.ts")}" "$@"\n`);
chmodSync(join(bin, "skep"), 0o755);
const exported = join(tmp.dir, "runner", "skep", "index.zst");
mkdirSync(join(tmp.dir, "runner", "skep"), { recursive: true });

function runIndexStep(cwd: string, cacheHit: string): { code: number; out: string } {
  const step = action.runs.steps.find((s) => s.name === "Index")!;
  const p = Bun.spawnSync(["bash", "-c", step.run!], {
    cwd,
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: tmp.dir, SKEP_NO_DAEMON: "1", CACHE_HIT: cacheHit, EXPORT: exported },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode ?? -1, out: p.stdout.toString() + p.stderr.toString() };
}

describe("action.yml", () => {
  test("is a composite action that installs with install.sh and caches the index by commit", () => {
    expect(action.runs.using).toBe("composite");
    for (const s of action.runs.steps) if (s.run) expect(s.shell).toBe("bash");
    expect(action.runs.steps[0]!.run).toContain('sh "$ACTION_PATH/install.sh"');
    const cache = action.runs.steps.find((s) => s.uses?.startsWith("actions/cache@")) as Step & { with: Record<string, string> };
    expect(cache.with.key).toContain("${{ github.sha }}");
  });

  const files: Record<string, string> = {};
  for (let i = 0; i < 6; i++) files[`f${i}.go`] = `package p\n\nfunc F${i}() int { return ${i} }\n`;
  const origin = initRepo(join(tmp.dir, "origin"), files);

  test("a cold cache: the step indexes and exports", () => {
    const r = runIndexStep(origin, "");
    expect(r.code).toBe(0);
    expect(r.out).toContain("(6 parsed, 0 unchanged");
    expect(r.out).toContain("Exported 6 files");
    expect(existsSync(exported)).toBe(true);
  });

  test("a later job in a fresh clone imports, parses nothing unchanged, and exports for its commit", () => {
    const clone = join(tmp.dir, "clone");
    git(tmp.dir, "clone", "-q", origin, clone);
    const r = runIndexStep(clone, "false");
    expect(r.code).toBe(0);
    expect(r.out).toContain("(0 parsed, 6 unchanged");
    expect(r.out).toContain("Exported 6 files");
  });

  test("an exact cache hit imports and writes nothing", () => {
    const before = statSync(exported).mtimeMs;
    const clone = join(tmp.dir, "clone2");
    git(tmp.dir, "clone", "-q", origin, clone);
    const r = runIndexStep(clone, "true");
    expect(r.code).toBe(0);
    expect(r.out).toContain("(0 parsed, 6 unchanged");
    expect(r.out).not.toContain("Exported");
    expect(statSync(exported).mtimeMs).toBe(before);
  });
});

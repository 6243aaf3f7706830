// One binary: build dist/skep the way `bun run build` does, copy it alone into an empty directory,
// and run it with a bare PATH (no bun, no node_modules, no source tree) against a git repo holding
// every language skep parses, enough files to start the parse workers.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import { estimateTokens } from "../../src/graph/repomap.ts";
import { LANGUAGES } from "../../src/parser/languages.ts";
import { IndexAnswer, RepoMapAnswer, SearchAnswer, StatusAnswer } from "../../src/protocol/index-answers.ts";
import pkg from "../../package.json" with { type: "json" };
import { initRepo, tempDir } from "../helpers/git-repo.ts";

// Each test runs skep several times as a subprocess (a compile, for the binary): well over bun's
// 5 s default on a busy machine. bunfig.toml has no per-project test timeout, so set it here.
setDefaultTimeout(120_000);

const PROJECT = join(import.meta.dir, "../..");
const FIXTURES = join(PROJECT, "test/fixtures/languages");
const BARE_PATH = "/usr/bin:/bin";
/** More changed files than the indexer parses in-process, so the compiled binary must start workers. */
const GENERATED = 40;

const tmp = tempDir("skep-e2e-");
const bin = join(tmp.dir, "alone", "skep");
const home = join(tmp.dir, "home");
let repo: string;
let fixtureFiles = 0;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd = repo, extraEnv: Record<string, string> = {}): Run {
  const p = Bun.spawnSync([bin, ...args], { cwd, env: { PATH: BARE_PATH, HOME: home, ...extraEnv }, stdout: "pipe", stderr: "pipe" });
  const r = { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  expect(r.stdout).not.toMatch(/[\r\x1b]/);
  expect(r.stderr).not.toMatch(/[\r\x1b]/);
  return r;
}

function json<S extends z.ZodType>(schema: S, r: Run): z.infer<S> {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return schema.parse(JSON.parse(r.stdout));
}

beforeAll(() => {
  const outfile = join(tmp.dir, "build", "skep");
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts", "--outfile", outfile], { cwd: PROJECT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}${build.stdout.toString()}`);
  Bun.spawnSync(["mkdir", "-p", join(tmp.dir, "alone"), home]);
  copyFileSync(outfile, bin); // the binary only: no source maps, no node_modules beside it
  Bun.spawnSync(["chmod", "+x", bin]);

  const files: Record<string, string> = {};
  for (const lang of readdirSync(FIXTURES)) {
    for (const f of readdirSync(join(FIXTURES, lang))) {
      if (f === "expected.txt") continue;
      files[`${lang}/${f}`] = readFileSync(join(FIXTURES, lang, f), "utf8");
      fixtureFiles++;
    }
  }
  for (let i = 0; i < GENERATED; i++) files[`gen/g${i}.go`] = `package gen\n\n// G${i} is generated.\nfunc G${i}() int {\n\treturn G${(i + 1) % GENERATED}()\n}\n`;
  repo = initRepo(join(tmp.dir, "repo"), files);
});

afterAll(tmp.cleanup);

describe("dist/skep, alone", () => {
  test("the directory holds nothing but the binary, and the PATH has no bun", () => {
    expect(readdirSync(join(tmp.dir, "alone"))).toEqual(["skep"]);
    expect(Bun.which("bun", { PATH: BARE_PATH })).toBeNull();
  });

  test("--version and --help", () => {
    const v = run(["--version"], tmp.dir);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(new RegExp(`^skep ${pkg.version.replace(/\./g, "\\.")} \\([0-9a-f]{12}(-dirty)?\\)$`));
    const h = run(["--help"], tmp.dir);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("USAGE skep ");
  });

  test("an unknown command exits 2 with a suggestion", () => {
    const r = run(["serach", "x"], tmp.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'serach'");
    expect(r.stderr).toContain("did you mean 'search'?");
  });

  test("a search before any index exits 1", () => {
    const r = run(["search", "OrderService"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("run `skep init` or `skep index`");
  });

  test("init indexes every language, on worker threads", () => {
    // Two workers even on a one-CPU machine: starting them is what a compiled binary can get wrong.
    const init = run(["init", "--no-daemon"], repo, { SKEP_WORKERS: "2" });
    expect(init.code).toBe(0);
    const total = fixtureFiles + GENERATED;
    expect(init.stdout).toContain(`Indexed ${total} files`);
    expect(init.stdout).toContain(`(${total} parsed, 0 unchanged, 0 removed)`);
    const s = json(StatusAnswer, run(["status", "--json"]));
    expect(s.skipped).toEqual([]);
    expect(s.languages.map((l) => l.lang).sort()).toEqual(Object.keys(LANGUAGES).sort());
    for (const l of s.languages) expect(l.symbols).toBeGreaterThan(0);
    expect(s.edges).toBeGreaterThan(GENERATED - 1);
    expect(s.freshness.stale).toBe(false);
  });

  test("search finds the same name across languages", () => {
    const a = json(SearchAnswer, run(["search", "OrderService", "--json", "--limit", "50"]));
    const langs = new Set(a.hits.filter((h) => h.name === "OrderService").map((h) => h.lang));
    for (const l of ["java", "kotlin", "csharp", "php", "swift", "rust"]) expect(langs.has(l)).toBe(true);
    const human = run(["search", "InventoryService", "--lang", "python"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^class +InventoryService {2}python\/inventory\.py:\d+$/m);
    expect(json(SearchAnswer, run(["search", "G7", "--json", "--path", "gen"])).hits[0]).toMatchObject({ name: "G7", path: "gen/g7.go" });
  });

  test("the call graph and the map work", () => {
    const callers = run(["callers", "G8"]);
    expect(callers.code).toBe(0);
    expect(callers.stdout).toContain("function  G7  gen/g7.go:4");
    const m = json(RepoMapAnswer, run(["map", "--tokens", "200", "--json"]));
    expect(m.files.length).toBeGreaterThan(0);
    expect(estimateTokens(m.text)).toBeLessThanOrEqual(200);
  });

  test("a second index parses nothing", () => {
    const a = json(IndexAnswer, run(["index", "--json"]));
    expect(a.parsed).toBe(0);
    expect(a.unchanged).toBe(fixtureFiles + GENERATED);
    expect(basename(a.root)).toBe("repo");
  });
});

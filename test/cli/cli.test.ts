// The CLI as a user and a script see it: a subprocess against real temp git repos. Exit codes,
// suggestions, human output, `--json` validated against the protocol schemas, init's side effects
// (config, git exclude, workspace registry), status, and clean piped output.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { CallGraphAnswer, IndexAnswer, RepoMapAnswer, SearchAnswer, StatusAnswer } from "../../src/protocol/index-answers.ts";
import { estimateTokens } from "../../src/graph/repomap.ts";
import pkg from "../../package.json" with { type: "json" };
import { git, initRepo, tempDir, writeFiles } from "../helpers/git-repo.ts";
import { damagePages, queryFailure } from "../support/damage.ts";

// Each test runs skep several times as a subprocess: well over bun's 5 s default on a busy
// machine. bunfig.toml has no per-project test timeout, so set it here.
setDefaultTimeout(120_000);

const PROJECT = join(import.meta.dir, "../..");
const MAIN = join(PROJECT, "src/main.ts");
const FIXTURES = join(PROJECT, "test/fixtures/languages");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment of a user's shell, minus what would change skep's or citty's behaviour. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const k of ["NO_COLOR", "FORCE_COLOR", "CI", "TEST", "SKEP_DIR", "SKEP_WORKERS", "SKEP_DEBUG"]) delete env[k];
  // A colour-capable terminal type: output must still be plain because it is piped.
  env.TERM = "xterm-256color";
  // No daemon: `init` would start one per repo, and its watcher would re-index the files these
  // tests change on purpose. Reads then open the database directly (the daemon has its own tests).
  env.SKEP_NO_DAEMON = "1";
  return { ...env, ...extra };
}

/** Run skep with piped stdio. Piped output must never carry \r or escape codes: checked on every run. */
function skep(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Run {
  const p = Bun.spawnSync([process.execPath, MAIN, ...args], { cwd: opts.cwd ?? PROJECT, env: baseEnv(opts.env), stdout: "pipe", stderr: "pipe" });
  const run = { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  expect(run.stdout).not.toMatch(/[\r\x1b]/);
  expect(run.stderr).not.toMatch(/[\r\x1b]/);
  return run;
}

function ok(args: string[], opts?: { cwd?: string; env?: Record<string, string> }): Run {
  const r = skep(args, opts);
  if (r.code !== 0) throw new Error(`skep ${args.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r;
}

/** Parse `--json` output against its schema; nothing undocumented may appear (parse strips unknown keys). */
function json<S extends z.ZodType>(schema: S, r: Run): z.infer<S> {
  expect(r.code).toBe(0);
  const raw = JSON.parse(r.stdout);
  const parsed = schema.parse(raw);
  expect(parsed).toEqual(raw);
  return parsed;
}

const tmp = tempDir("skep-cli-");
afterAll(tmp.cleanup);

// The main fixture: a small Go module with a known call chain, TypeScript, a binary file that
// must be skipped, and an ambiguous name.
const REPO_FILES = {
  "go.mod": "module example.com/shop\n\ngo 1.22\n",
  "README.md": "# shop\n",
  "app/app.go": `package app

import "example.com/shop/store"

// Run starts the app.
func Run() error {
	s := store.Open("db")
	return serve(s)
}

func serve(s *store.Store) error {
	return s.Save("x")
}
`,
  "store/store.go": `package store

// Store keeps records.
type Store struct {
	path string
}

// Open opens a store at path.
func Open(path string) *Store {
	return &Store{path: path}
}

// Save writes one record.
func (s *Store) Save(key string) error {
	return validate(key)
}

func validate(key string) error {
	return nil
}
`,
  // reset() is defined in two unrelated packages and called from a third: weight 1/2 each.
  "cache/reset.go": "package cache\n\nfunc reset() {}\n",
  "queue/reset.go": "package queue\n\nfunc reset() {}\n",
  "jobs/jobs.go": "package jobs\n\nfunc Nightly() {\n\treset()\n}\n",
  "web/orders.ts": readFileSync(join(FIXTURES, "typescript/orders.ts"), "utf8"),
  "assets/blob.go": new Uint8Array([0x70, 0x61, 0x63, 0x6b, 0, 1, 2, 3, 0, 0x0a]),
};

let repo: string;
let firstInit: Run;

beforeAll(() => {
  repo = initRepo(join(tmp.dir, "shop"), REPO_FILES);
  firstInit = ok(["init"], { cwd: join(repo, "store") }); // from a subdirectory: acts on the whole repo
});

describe("version, help and usage errors", () => {
  test("--version, -v and `version` print the package version", () => {
    for (const flag of ["--version", "-v", "version"]) {
      const r = ok([flag]);
      expect(r.stdout.trim()).toBe(`skep ${pkg.version} (source)`);
    }
  });

  test("--help lists every command; piped, it is plain text", () => {
    const r = ok(["--help"]);
    expect(r.stdout).toContain("USAGE skep ");
    for (const c of ["init", "index", "search", "callers", "callees", "map", "status"]) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\s{2,}\\S`, "m"));
    expect(ok(["help"]).stdout).toBe(r.stdout);
    expect(ok([]).stdout).toBe(r.stdout);
  });

  test("<command> --help describes the command and its flags", () => {
    const flags: Record<string, string[]> = {
      init: ["--workspace", "--repo"],
      search: ["--kind", "--lang", "--path", "--limit", "--repo", "--json", "QUERY"],
      callers: ["--depth", "--limit", "--repo", "--json", "SYMBOL"],
      callees: ["--depth", "--limit", "--repo", "--json", "SYMBOL"],
      map: ["--tokens", "--repo", "--json"],
      status: ["--repo", "--json"],
    };
    for (const [cmd, expected] of Object.entries(flags)) {
      for (const form of [[cmd, "--help"], [cmd, "-h"], ["help", cmd]]) {
        const r = ok(form);
        expect(r.stdout).toContain(`USAGE skep ${cmd}`);
        for (const f of expected) expect(r.stdout).toContain(f);
      }
    }
    // Every command the root help lists (whatever has been added since) has its own help.
    const listed = [...ok(["--help"]).stdout.matchAll(/^ {2,}(\w+) {2,}\S/gm)].map((m) => m[1]!);
    expect(listed).toEqual(expect.arrayContaining(["init", "index", "search", "callers", "callees", "map", "status"]));
    for (const cmd of listed) expect(ok([cmd, "--help"]).stdout).toContain(`USAGE skep ${cmd}`);
    const index = ok(["index", "--help"]).stdout;
    expect(index).toContain("USAGE skep index build|create|refresh|export|import|ask");
    const build = ok(["index", "build", "--help"]).stdout;
    expect(build).toContain("USAGE skep index build [OPTIONS]");
    expect(build).toContain("--json");
    const ask = ok(["index", "ask", "--help"]).stdout;
    expect(ask).toContain("USAGE skep index ask [OPTIONS] <QUERY>");
    expect(ask).toContain("--kind");
  });

  test("an unknown command exits 2 and names the nearest one", () => {
    const cases: [string[], string, string][] = [
      [["serch", "x"], "serch", "did you mean 'search'?"],
      [["calers", "x"], "calers", "did you mean 'callers'?"],
      [["stauts"], "stauts", "did you mean 'status'?"],
      [["--repo", tmp.dir, "mpa"], "mpa", "did you mean 'map'?"],
      [["index", "biuld"], "biuld", "did you mean 'build'?"],
    ];
    for (const [args, bad, hint] of cases) {
      const r = skep(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`unknown command '${bad}'`);
      expect(r.stderr).toContain(hint);
    }
    const far = skep(["xyzzy"]);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain("unknown command 'xyzzy'");
    expect(far.stderr).not.toContain("did you mean");
  });

  test("an unknown flag exits 2 and names the nearest one", () => {
    const cases: [string[], string, string][] = [
      [["search", "Open", "--limt", "3", "--repo", repo], "--limt", "--limit"],
      [["search", "Open", "--knd=function", "--repo", repo], "--knd", "--kind"],
      [["map", "--token", "50", "--repo", repo], "--token", "--tokens"],
      [["callers", "Open", "--dept", "2", "--repo", repo], "--dept", "--depth"],
      [["status", "--jsno", "--repo", repo], "--jsno", "--json"],
      [["init", "--worksapce", tmp.dir, "--repo", repo], "--worksapce", "--workspace"],
    ];
    for (const [args, bad, good] of cases) {
      const r = skep(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`unknown flag '${bad}'`);
      expect(r.stderr).toContain(`did you mean '${good}'?`);
    }
  });

  test("other usage mistakes exit 2 with a message", () => {
    const cases: [string[], RegExp][] = [
      [["search"], /QUERY/],
      [["callers", "--repo", repo], /SYMBOL/],
      [["search", "Open", "--limit"], /'--limit' needs a value/],
      [["search", "Open", "--limit", "0", "--repo", repo], /--limit must be a positive integer/],
      [["map", "--tokens", "lots", "--repo", repo], /--tokens must be a positive integer/],
      [["callers", "Open", "--depth", "9", "--repo", repo], /--depth must be 1 to 5/],
      [["status", "extra", "--repo", repo], /unexpected argument 'extra'/],
      [["status", "--repo", join(tmp.dir, "does-not-exist")], /not a directory/],
    ];
    for (const [args, message] of cases) {
      const r = skep(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.startsWith("skep: ")).toBe(true);
    }
  });
});

describe("without an index", () => {
  test("read commands exit 1 and say how to build one", () => {
    const bare = initRepo(join(tmp.dir, "bare"), { "main.go": "package main\n\nfunc main() {}\n" });
    for (const args of [["search", "main"], ["callers", "main"], ["map"], ["status"], ["search", "main", "--json"]]) {
      const r = skep([...args, "--repo", bare]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`no index at ${join(bare, ".skep", "index.db")}`);
      expect(r.stderr).toContain("run `skep init` or `skep index`");
    }
    expect(existsSync(join(bare, ".skep"))).toBe(false); // reading never creates anything
  });
});

describe("init", () => {
  test("creates .skep/ with a config holding the detected test command", () => {
    expect(existsSync(join(repo, ".skep", "index.db"))).toBe(true);
    const config = JSON.parse(readFileSync(join(repo, ".skep", "config.json"), "utf8"));
    expect(config.test_cmd).toBe("go test ./...");
    expect(firstInit.stdout).toContain("wrote .skep/config.json (test command: go test ./...)");
    expect(firstInit.stdout).toContain("added .skep/ to .git/info/exclude");
    expect(firstInit.stdout).toMatch(/Indexed 6 files, \d+ symbols .*\(6 parsed, 0 unchanged, 0 removed\)/);
    expect(firstInit.stdout).toContain("1 file skipped");
    expect(firstInit.stdout).toContain("none found above this repo");
  });

  test("detects npm test from package.json and says so when nothing is found", () => {
    const npm = initRepo(join(tmp.dir, "npm"), { "package.json": '{"scripts":{"test":"vitest"}}\n', "index.js": "function a() {}\n" });
    ok(["init", "--repo", npm]);
    expect(JSON.parse(readFileSync(join(npm, ".skep", "config.json"), "utf8")).test_cmd).toBe("npm test");
    const none = initRepo(join(tmp.dir, "none"), { "a.py": "def a():\n    pass\n" });
    expect(ok(["init", "--repo", none]).stdout).toContain("test command: none detected");
    expect(JSON.parse(readFileSync(join(none, ".skep", "config.json"), "utf8")).test_cmd).toBeNull();
  });

  test(".skep/ is git-excluded: git status shows nothing new", () => {
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(git(repo, "check-ignore", ".skep/index.db").trim()).toBe(".skep/index.db");
  });

  test("a config the user edited is kept", () => {
    const path = join(repo, ".skep", "config.json");
    const before = readFileSync(path, "utf8");
    const edited = before.replace('"go test ./..."', '"make check"');
    writeFileSync(path, edited);
    const r = ok(["init", "--repo", repo]);
    expect(r.stdout).toContain(".skep/config.json (kept; test command: make check)");
    expect(readFileSync(path, "utf8")).toBe(edited);
    writeFileSync(path, before);
  });

  test("a malformed config is reported, never replaced", () => {
    const r0 = initRepo(join(tmp.dir, "badcfg"), { "a.go": "package a\n" });
    writeFiles(r0, { ".skep/config.json": "{ not json" });
    const r = skep(["init", "--repo", r0]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("config.json is not valid JSON");
    expect(readFileSync(join(r0, ".skep/config.json"), "utf8")).toBe("{ not json");
  });

  test("is idempotent: one exclude line, one registry entry, nothing re-parsed", () => {
    const ws = join(tmp.dir, "ws-idem");
    const a = initRepo(join(ws, "a"), { "a.go": "package a\n\nfunc A() {}\n" });
    writeFiles(join(a, ".git", "info"), { exclude: "# git ls-files --others --exclude-from=.git/info/exclude\n*.log" }); // no final newline
    ok(["init", "--repo", a, "--workspace", ws]);
    const second = ok(["init", "--repo", a, "--workspace", ws]);
    ok(["init", "--repo", a]);
    const exclude = readFileSync(join(a, ".git", "info", "exclude"), "utf8");
    expect(exclude.split("\n").filter((l) => l.trim() === ".skep/").length).toBe(1);
    expect(exclude).toContain("*.log\n.skep/\n"); // appended on its own line
    expect(second.stdout).not.toContain("added .skep/");
    expect(second.stdout).toContain("(0 parsed, 1 unchanged, 0 removed)");
    const reg = JSON.parse(readFileSync(join(ws, ".skep-workspace", "registry.json"), "utf8"));
    expect(reg).toEqual({ agents: { a: { path: a, llm: "claude" } } });
  });

  test("--workspace creates a registry; a repo below the same directory finds it by walking up", () => {
    const ws = join(tmp.dir, "ws");
    const a = initRepo(join(ws, "a"), { "a.go": "package a\n" });
    const b = initRepo(join(ws, "group", "deeper", "b"), { "b.go": "package b\n" });
    const ra = ok(["init", "--workspace", ws], { cwd: a });
    expect(ra.stdout).toContain(`registered as 'a' in ${join(ws, ".skep-workspace", "registry.json")}`);
    const rb = ok(["init"], { cwd: b });
    expect(rb.stdout).toContain(`registered as 'b' in ${join(ws, ".skep-workspace", "registry.json")}`);
    const reg = JSON.parse(readFileSync(join(ws, ".skep-workspace", "registry.json"), "utf8"));
    expect(Object.keys(reg.agents).sort()).toEqual(["a", "b"]);
    expect(reg.agents.a.path).toBe(a);
    expect(reg.agents.b.path).toBe(b);
    // Neither repo grew its own registry.
    expect(existsSync(join(a, ".skep-workspace"))).toBe(false);
    expect(existsSync(join(b, ".skep-workspace"))).toBe(false);
  });

  test("two repos with the same directory name get distinct registry names", () => {
    const ws = join(tmp.dir, "ws-names");
    const one = initRepo(join(ws, "x", "api"), { "a.go": "package a\n" });
    const two = initRepo(join(ws, "y", "api"), { "b.go": "package b\n" });
    ok(["init", "--repo", one, "--workspace", ws]);
    ok(["init", "--repo", two]);
    ok(["init", "--repo", one]);
    const reg = JSON.parse(readFileSync(join(ws, ".skep-workspace", "registry.json"), "utf8"));
    expect(reg.agents).toEqual({ api: { path: one, llm: "claude" }, "api-2": { path: two, llm: "claude" } });
  });
});

describe("index", () => {
  test("a second run with nothing changed parses nothing", () => {
    const a = json(IndexAnswer, skep(["index", "--json", "--repo", repo]));
    expect(a).toMatchObject({ root: repo, files: 6, parsed: 0, unchanged: 6, deleted: 0 });
    expect(a.skipped).toEqual([{ path: "assets/blob.go", reason: "binary (contains NUL bytes)" }]);
    expect(a.symbols).toBeGreaterThan(10);
    const human = ok(["index", "--repo", repo]);
    expect(human.stdout).toMatch(/^Indexed 6 files, \d+ symbols in [\d.]+s \(0 parsed, 6 unchanged, 0 removed\)$/m);
    expect(human.stdout).toContain("1 file skipped: see `skep status`");
  });

  test("`index build`, `index refresh` and `--repo` before the verb all work", () => {
    for (const args of [["index", "build", "--json", "--repo", repo], ["index", "refresh", "--json", "--repo", repo], ["index", "--repo", repo, "--json"], ["index", "--repo", repo, "build", "--json"]]) {
      expect(json(IndexAnswer, skep(args)).parsed).toBe(0);
    }
  });

  test("a changed file is parsed again, a deleted one removed", () => {
    const r0 = initRepo(join(tmp.dir, "reindex"), { "a.go": "package a\n\nfunc A() {}\n", "b.go": "package a\n\nfunc B() {}\n" });
    json(IndexAnswer, skep(["index", "--json", "--repo", r0]));
    writeFiles(r0, { "a.go": "package a\n\nfunc A() {}\n\nfunc A2() {}\n" });
    rmSync(join(r0, "b.go"));
    const a = json(IndexAnswer, skep(["index", "--json", "--repo", r0]));
    expect(a).toMatchObject({ files: 1, symbols: 2, parsed: 1, unchanged: 0, deleted: 1 });
  });

  test("SKEP_DIR moves the index out of the repo", () => {
    const r0 = initRepo(join(tmp.dir, "skepdir"), { "a.go": "package a\n\nfunc Elsewhere() {}\n" });
    const dir = join(tmp.dir, "skepdir-index");
    const env = { SKEP_DIR: dir };
    json(IndexAnswer, skep(["index", "--json", "--repo", r0], { env }));
    expect(existsSync(join(dir, "index.db"))).toBe(true);
    expect(existsSync(join(r0, ".skep"))).toBe(false);
    expect(json(SearchAnswer, skep(["search", "Elsewhere", "--json", "--repo", r0], { env })).hits[0]?.name).toBe("Elsewhere");
    expect(skep(["search", "Elsewhere", "--repo", r0]).code).toBe(1);
  });

  test("a damaged index: reads exit 1 naming the file and `skep index`, which moves it aside, says so and rebuilds", () => {
    const r0 = initRepo(join(tmp.dir, "damaged"), { "a.go": "package a\n\nfunc A() { B() }\n", "b.go": "package a\n\nfunc B() {}\n" });
    ok(["index", "--repo", r0]);
    const dbPath = join(r0, ".skep", "index.db");
    damagePages(dbPath, ["symbols"]); // pages a run with nothing to do never reads
    expect(queryFailure(dbPath, "SELECT * FROM symbols")?.code).toBe("SQLITE_CORRUPT");
    for (const args of [["search", "B"], ["callers", "B"], ["map"], ["search", "B", "--json"]]) {
      const r = skep([...args, "--repo", r0]);
      expect([r.code, r.stdout, r.stderr]).toEqual([1, "", `skep: the index at ${dbPath} is damaged (database disk image is malformed): run \`skep index\` to rebuild it\n`]);
    }
    const idx = skep(["index", "--repo", r0]);
    expect(idx.code).toBe(0);
    const aside = readdirSync(join(r0, ".skep")).filter((f) => /^index\.db\.corrupt-\d+$/.test(f));
    expect(aside.length).toBe(1);
    expect(idx.stderr).toBe(`skep: ${dbPath} is damaged (database disk image is malformed); moved it aside as ${join(r0, ".skep", aside[0]!)} and rebuilding the index from scratch\n`);
    expect(idx.stdout).toMatch(/^Indexed 2 files, 2 symbols in [\d.]+s \(2 parsed, 0 unchanged, 0 removed\)$/m);
    expect(ok(["callers", "B", "--repo", r0]).stdout).toContain("A");
    expect(json(IndexAnswer, skep(["index", "--json", "--repo", r0]))).toMatchObject({ parsed: 0, unchanged: 2 });
  });

  test("SKEP_WORKERS=1 indexes the same as the default", () => {
    const r0 = initRepo(join(tmp.dir, "workers"), Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p/f${i}.go`, `package p\n\nfunc F${i}() { F${(i + 1) % 40}() }\n`])));
    const one = json(IndexAnswer, skep(["index", "--json", "--repo", r0], { env: { SKEP_WORKERS: "1" } }));
    expect(one).toMatchObject({ files: 40, symbols: 40, parsed: 40 });
    expect(json(StatusAnswer, skep(["status", "--json", "--repo", r0])).edges).toBe(40);
  });
});

describe("search", () => {
  test("human output: kind, Container.name, file:line, then the signature", () => {
    const r = ok(["search", "Save", "--repo", repo]);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("method    Store.Save  store/store.go:14");
    expect(lines[1]).toBe("          func (s *Store) Save(key string) error");
    expect(r.stderr).toBe("");
  });

  test("--json validates against SearchAnswer and carries freshness", () => {
    const a = json(SearchAnswer, skep(["search", "Open", "--json", "--repo", repo]));
    expect(a.query).toBe("Open");
    expect(a.hits[0]).toMatchObject({ name: "Open", kind: "function", container: null, path: "store/store.go", line: 9, lang: "go", match: "exact", doc: "Open opens a store at path." });
    expect(a.hits[0]!.signature).toBe("func Open(path string) *Store");
    expect(a.freshness).toMatchObject({ worktree: repo, head: git(repo, "rev-parse", "HEAD").trim(), pendingFiles: 0, stale: false });
    expect(a.freshness.indexedHead).toBe(a.freshness.head);
    expect(Number.isNaN(Date.parse(a.freshness.indexedAt!))).toBe(false);
  });

  test("a multi-word query is one query", () => {
    const a = json(SearchAnswer, skep(["search", "line", "item", "--json", "--repo", repo]));
    expect(a.query).toBe("line item");
    expect(a.hits[0]?.name).toBe("LineItem");
  });

  test("--kind, --lang, --path and --limit filter", () => {
    const q = (...extra: string[]) => json(SearchAnswer, skep(["search", "s", "--json", "--limit", "200", "--repo", repo, ...extra])).hits;
    const all = q();
    expect(new Set(all.map((h) => h.lang))).toEqual(new Set(["go", "typescript"]));
    const go = q("--lang", "go");
    expect(go.length).toBeGreaterThan(0);
    expect(go.every((h) => h.lang === "go")).toBe(true);
    const types = q("--kind", "struct,interface");
    expect(types.length).toBeGreaterThan(0);
    expect(types.every((h) => h.kind === "struct" || h.kind === "interface")).toBe(true);
    expect(types.some((h) => h.kind === "interface")).toBe(true);
    const store = q("--path", "store");
    expect(store.length).toBeGreaterThan(0);
    expect(store.every((h) => h.path.startsWith("store/"))).toBe(true);
    const glob = q("--path", "**/*.ts");
    expect(glob.length).toBeGreaterThan(0);
    expect(glob.every((h) => h.path.endsWith(".ts"))).toBe(true);
    expect(q("--limit", "2").length).toBe(2);
    expect(json(SearchAnswer, skep(["search", "s", "--json", "--limit", "2", "--repo", repo])).hits.length).toBe(2);
  });

  test("no matches is an answer, not an error", () => {
    const r = ok(["search", "qqqqzzzzxxxx", "--repo", repo]);
    expect(r.stdout.trim()).toBe("no matches");
    expect(json(SearchAnswer, skep(["search", "qqqqzzzzxxxx", "--json", "--repo", repo])).hits).toEqual([]);
  });

  test("`skep index ask` is `skep search`", () => {
    for (const args of [["Store"], ["s", "--kind", "function", "--limit", "3"]]) {
      const a = skep(["search", ...args, "--json", "--repo", repo]);
      const b = skep(["index", "ask", ...args, "--json", "--repo", repo]);
      expect(b.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
    }
  });

  test("runs from a subdirectory without --repo", () => {
    expect(json(SearchAnswer, skep(["search", "Nightly", "--json"], { cwd: join(repo, "web") })).hits[0]?.path).toBe("jobs/jobs.go");
  });
});

describe("callers and callees", () => {
  test("callers follow the chain to --depth", () => {
    const one = json(CallGraphAnswer, skep(["callers", "validate", "--json", "--repo", repo]));
    expect(one.direction).toBe("callers");
    expect(one.roots.length).toBe(1);
    expect(one.roots[0]!.symbol).toMatchObject({ name: "validate", path: "store/store.go" });
    expect(one.roots[0]!.neighbours.map((n) => [n.container, n.name, n.depth, n.weight])).toEqual([["Store", "Save", 1, 1]]);

    const three = json(CallGraphAnswer, skep(["callers", "validate", "--depth", "3", "--json", "--repo", repo]));
    const ns = three.roots[0]!.neighbours;
    expect(ns.map((n) => `${n.depth}:${n.name}`)).toEqual(["1:Save", "2:serve", "3:Run"]);
    expect(ns[1]!.via).toBe(ns[0]!.id);
    expect(ns[2]!.via).toBe(ns[1]!.id);
  });

  test("callees of Run: the functions it calls, across packages", () => {
    const a = json(CallGraphAnswer, skep(["callees", "Run", "--json", "--repo", repo]));
    expect(a.direction).toBe("callees");
    expect(a.roots[0]!.neighbours.map((n) => `${n.path}:${n.name}`).sort()).toEqual(["app/app.go:serve", "store/store.go:Open"]);
    const deeper = json(CallGraphAnswer, skep(["callees", "Run", "--depth", "2", "--json", "--repo", repo]));
    const names = deeper.roots[0]!.neighbours.filter((n) => n.depth === 2).map((n) => n.name);
    expect(names).toContain("Save");
    expect(names).toContain("Store");
  });

  test("human output, with ambiguous weights shown", () => {
    const r = ok(["callees", "Nightly", "--repo", repo]);
    expect(r.stdout).toContain("callees of function Nightly  jobs/jobs.go:3");
    expect(r.stdout).toContain("  function  reset  cache/reset.go:3  [by name]  (ambiguous, weight 0.50)");
    expect(r.stdout).toContain("  function  reset  queue/reset.go:3  [by name]  (ambiguous, weight 0.50)");
    const callers = ok(["callers", "Store.Save", "--repo", repo]);
    expect(callers.stdout.split("\n")[0]).toBe("callers of method Store.Save  store/store.go:14");
    expect(callers.stdout).toContain("  function  serve  app/app.go:11");
  });

  test("a name with several definitions answers for each; a leaf says so", () => {
    const a = json(CallGraphAnswer, skep(["callers", "reset", "--json", "--repo", repo]));
    expect(a.roots.map((r) => r.symbol.path).sort()).toEqual(["cache/reset.go", "queue/reset.go"]);
    for (const root of a.roots) expect(root.neighbours.map((n) => [n.name, n.weight])).toEqual([["Nightly", 0.5]]);
    expect(ok(["callers", "Run", "--repo", repo]).stdout).toContain("  (none found)");
  });

  test("path:line names the enclosing definition", () => {
    const a = json(CallGraphAnswer, skep(["callers", "store/store.go:20", "--json", "--repo", repo]));
    expect(a.roots.map((r) => r.symbol.name)).toEqual(["validate"]);
  });

  test("an unknown symbol exits 1 and suggests search", () => {
    const r = skep(["callers", "NoSuchThing", "--repo", repo]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no symbol named 'NoSuchThing'");
    expect(r.stderr).toContain("skep search NoSuchThing");
  });
});

describe("map", () => {
  test("the default budget is 1024 tokens", () => {
    const a = json(RepoMapAnswer, skep(["map", "--json", "--repo", repo]));
    expect(a.budget).toBe(1024);
    expect(a.tokens).toBe(estimateTokens(a.text));
    expect(a.tokens).toBeLessThanOrEqual(1024);
  });

  test("--tokens bounds the map; the human output is the map's text", () => {
    for (const budget of [10, 40, 120, 300]) {
      const a = json(RepoMapAnswer, skep(["map", "--tokens", String(budget), "--json", "--repo", repo]));
      expect(a.budget).toBe(budget);
      expect(estimateTokens(a.text)).toBeLessThanOrEqual(budget);
      const human = ok(["map", "--tokens", String(budget), "--repo", repo]);
      expect(human.stdout).toBe(a.text || "(the index has no symbols)\n");
    }
    const a = json(RepoMapAnswer, skep(["map", "--tokens", "300", "--json", "--repo", repo]));
    for (let i = 1; i < a.files.length; i++) expect(a.files[i - 1]!.rank).toBeGreaterThanOrEqual(a.files[i]!.rank);
    expect(a.files.length).toBeGreaterThan(1);
    expect(a.text.startsWith(`${a.files[0]!.path}:\n`)).toBe(true);
  });
});

describe("status", () => {
  test("a fresh index: files, symbols, languages, when it was built, HEAD, skipped files", () => {
    const s = json(StatusAnswer, skep(["status", "--json", "--repo", repo]));
    const head = git(repo, "rev-parse", "HEAD").trim();
    expect(s).toMatchObject({ root: repo, files: 6, changed: { added: [], modified: [], deleted: [] }, syntaxErrors: [] });
    expect(s.languages).toEqual([
      { lang: "go", name: "Go", files: 5, symbols: expect.any(Number) },
      { lang: "typescript", name: "TypeScript", files: 1, symbols: expect.any(Number) },
    ]);
    expect(s.symbols).toBe(s.languages.reduce((n, l) => n + l.symbols, 0));
    expect(s.edges).toBeGreaterThan(0);
    expect(s.otherFiles).toBe(2); // go.mod, README.md
    expect(s.skipped).toEqual([{ path: "assets/blob.go", reason: "binary (contains NUL bytes)" }]);
    expect(s.freshness).toMatchObject({ worktree: repo, head, indexedHead: head, pendingFiles: 0, stale: false });

    const r = ok(["status", "--repo", repo]);
    expect(r.stdout).toContain(`Repo:       ${repo}  (HEAD ${head.slice(0, 10)})`);
    expect(r.stdout).toMatch(new RegExp(`^Index: +6 files, ${s.symbols} symbols, ${s.refs} references, ${s.edges} edges$`, "m"));
    expect(r.stdout).toMatch(/^Languages: +Go 5 files \/ \d+ symbols, TypeScript 1 file \/ \d+ symbols$/m);
    expect(r.stdout).toContain(`Built:      ${s.freshness.indexedAt} (`);
    expect(r.stdout).toContain(`at HEAD ${head.slice(0, 10)}`);
    expect(r.stdout).toContain("Changed:    nothing since the index was built");
    expect(r.stdout).toContain("Skipped:    1 file\n");
    expect(r.stdout).toContain("Other:      2 files in languages skep does not parse");
    expect(r.stdout).toContain("            assets/blob.go: binary (contains NUL bytes)");
  });

  test("lists files modified, added and deleted since the index was built, until re-indexed", () => {
    const r0 = initRepo(join(tmp.dir, "changes"), {
      "a.go": "package a\n\nfunc A() {}\n",
      "b.go": "package a\n\nfunc B() {}\n",
      "c.go": "package a\n\nfunc C() {}\n",
      "bin.go": new Uint8Array([0, 1, 2]),
    });
    ok(["init", "--repo", r0]);
    writeFiles(r0, { "a.go": "package a\n\nfunc A() { B() }\n", "new.go": "package a\n\nfunc N() {}\n" });
    rmSync(join(r0, "c.go"));
    const s = json(StatusAnswer, skep(["status", "--json", "--repo", r0]));
    expect(s.changed).toEqual({ added: ["new.go"], modified: ["a.go"], deleted: ["c.go"] });
    expect(s.freshness).toMatchObject({ pendingFiles: 3, stale: true });
    expect(s.skipped).toEqual([{ path: "bin.go", reason: "binary (contains NUL bytes)" }]);
    const r = ok(["status", "--repo", r0]);
    expect(r.stdout).toContain("Changed:    1 modified, 1 added, 1 deleted since the index was built (run `skep index`)");
    expect(r.stdout).toMatch(/^ +M a\.go$/m);
    expect(r.stdout).toMatch(/^ +A new\.go$/m);
    expect(r.stdout).toMatch(/^ +D c\.go$/m);
    expect(r.stdout).toContain("bin.go: binary (contains NUL bytes)");

    // Answers from a stale index say so: a note on stderr for people, `stale` in JSON.
    const search = skep(["search", "A", "--repo", r0]);
    expect(search.stderr).toContain("note: the index is stale: 3 files changed since it was built; run `skep index`");
    const searchJson = skep(["search", "A", "--json", "--repo", r0]);
    expect(searchJson.stderr).toBe("");
    expect(json(SearchAnswer, searchJson).freshness.stale).toBe(true);

    ok(["index", "--repo", r0]);
    const after = json(StatusAnswer, skep(["status", "--json", "--repo", r0]));
    expect(after.changed).toEqual({ added: [], modified: [], deleted: [] });
    expect(after.freshness.stale).toBe(false);
  });

  test("a commit after indexing shows HEAD has moved", () => {
    const r0 = initRepo(join(tmp.dir, "moved"), { "a.go": "package a\n" });
    ok(["init", "--repo", r0]);
    const before = git(r0, "rev-parse", "HEAD").trim();
    git(r0, "commit", "-q", "--allow-empty", "-m", "y");
    const s = json(StatusAnswer, skep(["status", "--json", "--repo", r0]));
    expect(s.freshness.indexedHead).toBe(before);
    expect(s.freshness.head).not.toBe(before);
    expect(ok(["status", "--repo", r0]).stdout).toContain("HEAD has moved since the index was built");
  });

  test("outside git: indexed by walking, no HEAD", () => {
    const plain = join(tmp.dir, "plain");
    writeFiles(plain, { "x.py": "def x():\n    pass\n", "ignored/y.py": "def y():\n    pass\n", ".gitignore": "ignored/\n" });
    const init = ok(["init", "--repo", plain, "--allow-non-git"]);
    expect(init.stdout).not.toContain(".git/info/exclude");
    const s = json(StatusAnswer, skep(["status", "--json", "--repo", plain]));
    expect(s.files).toBe(1);
    expect(s.freshness).toMatchObject({ head: null, indexedHead: null, stale: false });
    expect(ok(["status", "--repo", plain]).stdout).toContain("(not a git repo)");
  });
});

describe("terminal output", () => {
  // util-linux `script` gives the command a pseudo-terminal (BSD `script` takes other arguments).
  const script = process.platform === "linux" ? Bun.which("script") : null;
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

  test.skipIf(!script)("on a terminal, indexing shows a progress line and clears it; --json stays clean", () => {
    const r0 = initRepo(join(tmp.dir, "tty"), Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}.go`, `package p\n\nfunc F${i}() {}\n`])));
    const run = (args: string[]) => {
      const cmd = [process.execPath, MAIN, ...args].map(quote).join(" ");
      const p = Bun.spawnSync([script!, "-qec", cmd, "/dev/null"], { cwd: PROJECT, env: baseEnv(), stdout: "pipe", stderr: "pipe" });
      expect(p.exitCode).toBe(0);
      return p.stdout.toString();
    };
    const out = run(["index", "--repo", r0]);
    expect(out).toMatch(/\r\x1b\[Kindexing \d+\/30 files/);
    expect(out).toContain("indexing 30/30 files");
    expect(out).toContain("Indexed 30 files");
    rmSync(join(r0, ".skep"), { recursive: true });
    const j = run(["index", "--json", "--repo", r0]);
    expect(j).not.toContain("indexing ");
    expect(j).not.toContain("\x1b");
    expect(JSON.parse(j.replaceAll("\r\n", "\n")).parsed).toBe(30);
  });
});

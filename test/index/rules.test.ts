// The index rules (src/index/rules.ts): vendored code, test data and generated files are left out
// by default and said so in `skep status`; `.skep/config.json` index.include / index.exclude
// change that, and an existing index follows a change on its next run (files newly left out are
// removed, files let in come back), through the full scan and the daemon's targeted re-index alike.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { writeKey } from "../../src/config/edit.ts";
import { CONFIG_KEYS, findKey, parseValue } from "../../src/config/keys.ts";
import { indexPaths } from "../../src/index/targeted.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { runParseJob } from "../../src/index/parse-job.ts";
import { defaultSkipReason, generatedReason, IndexRules } from "../../src/index/rules.ts";
import { indexStatus } from "../../src/index/status.ts";
import { openWritable } from "../../src/index/store.ts";

const TMP = realpathSync(tmpdir());
const dirs: string[] = [];
const savedCeiling = process.env.GIT_CEILING_DIRECTORIES;

beforeAll(() => {
  process.env.GIT_CEILING_DIRECTORIES = TMP; // a temp dir is never taken as part of a repo above it
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (savedCeiling === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
  else process.env.GIT_CEILING_DIRECTORIES = savedCeiling;
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(TMP, "skep-rules-"));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  mkdirSync(join(root, ".skep"), { recursive: true });
  return root;
}

function paths(db: Database): { indexed: string[]; skipped: Record<string, string> } {
  const rows = db.query("SELECT path, skip_reason AS reason FROM files ORDER BY path").all() as { path: string; reason: string | null }[];
  return {
    indexed: rows.filter((r) => r.reason === null).map((r) => r.path),
    skipped: Object.fromEntries(rows.filter((r) => r.reason !== null).map((r) => [r.path, r.reason!])),
  };
}

const symbolNames = (db: Database) => (db.query("SELECT name FROM symbols ORDER BY name").values() as [string][]).map((r) => r[0]);

describe("default rules by path", () => {
  test("vendored, third-party and test-data directories at any depth; protobuf outputs and minified bundles by name", () => {
    expect(defaultSkipReason("vendor/github.com/x/y.go")).toBe("vendored code (vendor/)");
    expect(defaultSkipReason("cmd/tool/vendor/a.go")).toBe("vendored code (vendor/)");
    expect(defaultSkipReason("third_party/lib/a.c")).toBe("third-party code (third_party/)");
    expect(defaultSkipReason("net/http/testdata/x.go")).toBe("test data (testdata/)");
    expect(defaultSkipReason("web/node_modules/a/index.js")).toBe("vendored code (node_modules/)");
    expect(defaultSkipReason("api/v1/user.pb.go")).toBe("generated protobuf/gRPC code (*.pb.go)");
    expect(defaultSkipReason("api/user_pb2_grpc.py")).toBe("generated protobuf/gRPC code (*_pb2_grpc.py)");
    expect(defaultSkipReason("static/app.min.js")).toBe("minified bundle (*.min.js)");
    // A file named like a directory rule, or a directory that only starts like one, is code.
    expect(defaultSkipReason("vendor.go")).toBeNull();
    expect(defaultSkipReason("vendored/a.go")).toBeNull();
    expect(defaultSkipReason("src/testdata.py")).toBeNull();
    expect(defaultSkipReason("pb.go")).toBeNull();
  });

  test("index.exclude wins over index.include, which wins over the defaults; .git and .skep are never candidates", () => {
    const rules = new IndexRules({ include: ["vendor/", "*.pb.go"], exclude: ["vendor/huge/", "scratch/**"] });
    expect(rules.verdict("vendor/a/b.go")).toEqual({ kind: "index", lang: "go", forced: true });
    expect(rules.verdict("vendor/huge/b.go")).toEqual({ kind: "skip", lang: "go", reason: "excluded by index.exclude" });
    expect(rules.verdict("api/x.pb.go")).toEqual({ kind: "index", lang: "go", forced: true });
    expect(rules.verdict("scratch/t.py")).toEqual({ kind: "skip", lang: "python", reason: "excluded by index.exclude" });
    expect(rules.verdict("testdata/t.go")).toEqual({ kind: "skip", lang: "go", reason: "test data (testdata/)" });
    expect(rules.verdict("main.go")).toEqual({ kind: "index", lang: "go", forced: false });
    expect(rules.verdict("README.md")).toEqual({ kind: "other" });
    expect(rules.verdict(".skep/x.go")).toEqual({ kind: "never" });
    // Different patterns, different fingerprint: that is what makes an index re-check its files.
    expect(rules.fingerprint).not.toBe(new IndexRules().fingerprint);
  });
});

describe("generated files by their header", () => {
  test("the standard markers, in the leading comments only", () => {
    expect(generatedReason("// Code generated by stringer; DO NOT EDIT.\n\npackage x\n")).toBe('generated ("Code generated … DO NOT EDIT")');
    expect(generatedReason("// Copyright 2020\n//\n//go:build linux\n\n// Code generated by mkerrors.sh; DO NOT EDIT.\npackage x\n")).toBe('generated ("Code generated … DO NOT EDIT")');
    expect(generatedReason("# @generated by tool\nimport os\n")).toBe("generated (@generated)");
    expect(generatedReason("/**\n * This file is @generated by relay-compiler\n */\nexport const a = 1;\n")).toBe("generated (@generated)");
    expect(generatedReason("<?php\n# Generated by the protocol buffer compiler.  DO NOT EDIT!\nnamespace A;\n")).toBe("generated (protocol buffer compiler)");
    expect(generatedReason("// <auto-generated>\n//   tool\n// </auto-generated>\nnamespace A {}\n")).toBe("generated (<auto-generated>)");
    // After the first line of code, a marker is text about generated code, not a marker.
    expect(generatedReason('package x\n\n// Code generated by the tool below; DO NOT EDIT.\nconst header = "// Code generated ... DO NOT EDIT."\n')).toBeNull();
    expect(generatedReason("package x\n/** @generated */\nfunc F() {}\n")).toBeNull();
    // Words close to a marker are not one.
    expect(generatedReason("// This code was generated once by hand and is edited freely.\npackage x\n")).toBeNull();
    expect(generatedReason("// see @generatedFiles\npackage x\n")).toBeNull();
  });

  test("the parse job skips a generated file with the reason, unless index.include forced it", async () => {
    const root = tree({ "gen.go": "// Code generated by stringer; DO NOT EDIT.\n\npackage x\n\nfunc Gen() {}\n" });
    const job = { abs: join(root, "gen.go"), path: "gen.go", knownHash: null };
    expect(await runParseJob(job)).toMatchObject({ kind: "skipped", reason: 'generated ("Code generated … DO NOT EDIT")' });
    expect(await runParseJob({ ...job, forced: true })).toMatchObject({ kind: "parsed", lang: "go" });
  });
});

const FILES: Record<string, string> = {
  "main.go": "package main\n\nfunc Main() {}\n",
  "strings.go": 'package main\n\n// Main text.\nconst doc = "// Code generated by x. DO NOT EDIT."\n\nfunc Helper() {}\n',
  "gen.go": "// Code generated by stringer; DO NOT EDIT.\n\npackage main\n\nfunc Generated() {}\n",
  "api/user.pb.go": "package api\n\nfunc ProtoUser() {}\n",
  "vendor/lib/lib.go": "package lib\n\nfunc Vendored() {}\n",
  "third_party/t.py": "def third(): pass\n",
  "pkg/testdata/case.go": "package testdata\n\nfunc FromTestdata() {}\n",
  "web/app.min.js": "function minified(){}\n",
  "README.md": "# not code\n",
};

describe("an index follows its rules", () => {
  test("defaults leave vendored, test data and generated code out, and status counts them per reason", async () => {
    const root = tree(FILES);
    const db = openWritable(join(root, ".skep", "index.db"));
    const report = await indexRepo(db, root);
    expect(paths(db)).toEqual({ indexed: ["main.go", "strings.go"], skipped: { "gen.go": 'generated ("Code generated … DO NOT EDIT")' } });
    expect(symbolNames(db)).toEqual(["Helper", "Main", "doc"]);
    expect(report.ruleSkips).toEqual({
      "generated protobuf/gRPC code (*.pb.go)": 1,
      "vendored code (vendor/)": 1,
      "third-party code (third_party/)": 1,
      "test data (testdata/)": 1,
      "minified bundle (*.min.js)": 1,
    });
    const status = indexStatus(db, root);
    expect(status.skippedByRule).toEqual([
      { reason: 'generated ("Code generated … DO NOT EDIT")', files: 1 },
      { reason: "generated protobuf/gRPC code (*.pb.go)", files: 1 },
      { reason: "minified bundle (*.min.js)", files: 1 },
      { reason: "test data (testdata/)", files: 1 },
      { reason: "third-party code (third_party/)", files: 1 },
      { reason: "vendored code (vendor/)", files: 1 },
    ]);
    db.close();
  });

  test("index.include brings files back and index.exclude leaves more out, on the next run, with no file touched", async () => {
    const root = tree(FILES);
    const skepDir = join(root, ".skep");
    const db = openWritable(join(skepDir, "index.db"));
    await indexRepo(db, root);

    writeKey(skepDir, "index.include", ["vendor/", "gen.go", "*.pb.go"]);
    const second = await indexRepo(db, root);
    expect(paths(db).indexed).toEqual(["api/user.pb.go", "gen.go", "main.go", "strings.go", "vendor/lib/lib.go"]);
    expect(symbolNames(db)).toEqual(["Generated", "Helper", "Main", "ProtoUser", "Vendored", "doc"]);
    expect(second.parsed).toBe(3); // the three let in; main.go and strings.go were read again, not parsed
    expect(indexStatus(db, root).skipped).toEqual([]);

    // Nothing changed since: a run with the same rules reads nothing.
    expect((await indexRepo(db, root)).parsed).toBe(0);

    writeKey(skepDir, "index.include", undefined);
    writeKey(skepDir, "index.exclude", ["strings.go"]);
    await indexRepo(db, root);
    expect(paths(db)).toEqual({ indexed: ["main.go"], skipped: { "gen.go": 'generated ("Code generated … DO NOT EDIT")' } });
    expect(symbolNames(db)).toEqual(["Main"]);
    expect(indexStatus(db, root).skippedByRule.find((r) => r.reason === "excluded by index.exclude")).toEqual({ reason: "excluded by index.exclude", files: 1 });
    // No edge or reference is left pointing into a file that went.
    expect((db.query("SELECT count(*) AS n FROM symbols WHERE file_id NOT IN (SELECT id FROM files)").get() as { n: number }).n).toBe(0);
    db.close();
  });

  test("an index written before the rules existed drops what they leave out on its next run", async () => {
    const root = tree(FILES);
    const db = openWritable(join(root, ".skep", "index.db"));
    await indexRepo(db, root, { rules: new IndexRules({ include: ["**"], exclude: [] }) }); // everything, as before
    expect(paths(db).indexed).toContain("gen.go");
    db.query("DELETE FROM meta WHERE key = 'index_rules'").run(); // as an older skep left it
    await indexRepo(db, root);
    expect(paths(db)).toEqual({ indexed: ["main.go", "strings.go"], skipped: { "gen.go": 'generated ("Code generated … DO NOT EDIT")' } });
    db.close();
  });

  test("the daemon's targeted re-index obeys the same rules", async () => {
    const root = tree(FILES);
    const git = Bun.spawnSync(["git", "init", "-q"], { cwd: root, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } });
    expect(git.exitCode).toBe(0); // targeted runs ask git which paths it ignores
    const skepDir = join(root, ".skep");
    const db = openWritable(join(skepDir, "index.db"));
    await indexRepo(db, root);
    writeFileSync(join(root, "vendor/lib/more.go"), "package lib\n\nfunc MoreVendored() {}\n");
    writeFileSync(join(root, "gen2.go"), "// Code generated by hand-rolled tool. DO NOT EDIT.\npackage main\n\nfunc Gen2() {}\n");
    writeFileSync(join(root, "new.go"), "package main\n\nfunc New() {}\n");
    const r = await indexPaths(db, root, ["vendor/lib/more.go", "gen2.go", "new.go"]);
    expect(r).not.toBeNull();
    expect(paths(db)).toEqual({
      indexed: ["main.go", "new.go", "strings.go"],
      skipped: { "gen.go": 'generated ("Code generated … DO NOT EDIT")', "gen2.go": 'generated ("Code generated … DO NOT EDIT")' },
    });

    writeKey(skepDir, "index.include", ["vendor/"]);
    await indexPaths(db, root, ["vendor/lib/more.go"]);
    expect(paths(db).indexed).toContain("vendor/lib/more.go");
    // Excluded after being indexed: a targeted run over it removes it.
    writeKey(skepDir, "index.exclude", ["new.go"]);
    await indexPaths(db, root, ["new.go"]);
    expect(paths(db).indexed).not.toContain("new.go");
    db.close();
  });
});

describe("skep config keys for the rules", () => {
  test("index.include and index.exclude are keys of their own, written inside the index object", () => {
    expect(CONFIG_KEYS.map((k) => k.key)).toEqual(expect.arrayContaining(["index.include", "index.exclude"]));
    expect(CONFIG_KEYS.map((k) => k.key)).not.toContain("index");
    const root = tree({});
    const skepDir = join(root, ".skep");
    writeFileSync(join(skepDir, "config.json"), `${JSON.stringify({ model: "opus", mine: 1 }, null, 2)}\n`);
    const k = findKey("INDEX.INCLUDE")!;
    const v = parseValue(k, '["vendor/", "gen/**"]');
    expect(v).toEqual({ ok: true, value: ["vendor/", "gen/**"] });
    writeKey(skepDir, k.key, (v as { value: unknown }).value);
    expect(JSON.parse(readFileSync(join(skepDir, "config.json"), "utf8"))).toEqual({ model: "opus", mine: 1, index: { include: ["vendor/", "gen/**"] } });
    // A wrong value is refused with the key named, and nothing is written.
    expect(parseValue(k, '"vendor/"')).toMatchObject({ ok: false });
    expect(parseValue(k, "[1]")).toMatchObject({ ok: false });
    // Removing the last key of the group removes the group.
    writeKey(skepDir, "index.include", undefined);
    expect(JSON.parse(readFileSync(join(skepDir, "config.json"), "utf8"))).toEqual({ model: "opus", mine: 1 });
  });
});

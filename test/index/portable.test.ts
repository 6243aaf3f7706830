// `skep index export` / `skep index import`: a CI job's index adopted by a fresh clone elsewhere,
// re-parsing only files whose content differs; anything that is not a sound export is refused.
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, initRepo, tempDir } from "../helpers/git-repo.ts";

setDefaultTimeout(120_000);

const MAIN = join(import.meta.dir, "../../src/main.ts");
const tmp = tempDir("skep-portable-");
afterAll(tmp.cleanup);

function skep(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync([process.execPath, MAIN, ...args], { cwd, env: { ...process.env, SKEP_NO_DAEMON: "1", SKEP_DIR: "" }, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

const files: Record<string, string> = {};
for (let i = 0; i < 12; i++) files[`pkg/f${i}.go`] = `package pkg\n\n// F${i} is here.\nfunc F${i}() int {\n\treturn F${(i + 1) % 12}()\n}\n`;
files["app/main.py"] = "def main():\n    return helper()\n\ndef helper():\n    return 1\n";
const origin = initRepo(join(tmp.dir, "origin"), files);
const exported = join(tmp.dir, "ci.skepidx");

describe("skep index export / import", () => {
  test("export writes a zstd file with repo-relative paths and no absolute root", () => {
    expect(skep(["index"], origin).code).toBe(0);
    const r = skep(["index", "export", exported], origin);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Exported 13 files");
    const raw = readFileSync(exported);
    expect([...raw.subarray(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    const text = Buffer.from(Bun.zstdDecompressSync(raw)).toString("latin1");
    expect(text).not.toContain(tmp.dir);
  });

  test("a fresh clone imports it and parses only the file that differs", () => {
    const clone = join(tmp.dir, "clone");
    git(tmp.dir, "clone", "-q", origin, clone);
    writeFileSync(join(clone, "pkg/f3.go"), "package pkg\n\n// F3 changed.\nfunc F3() int {\n\treturn Renamed()\n}\n\nfunc Renamed() int { return 3 }\n");
    const r = skep(["index", "import", exported, "--json"], clone);
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout) as { parsed: number; unchanged: number; files: number };
    expect(a).toMatchObject({ files: 13, parsed: 1, unchanged: 12 });
    expect(skep(["search", "Renamed"], clone).stdout).toContain("pkg/f3.go");
    expect(skep(["callers", "F5"], clone).stdout).toContain("F4");
    const meta = new Database(join(clone, ".skep/index.db"), { readonly: true });
    expect((meta.query("SELECT value FROM meta WHERE key = 'root'").get() as { value: string }).value).toBe(clone);
    meta.close();
  });

  test("what is not a sound export is refused with exit 1, and the index is left alone", () => {
    const clone = join(tmp.dir, "clone");
    const before = readFileSync(join(clone, ".skep/index.db"));
    const junk = join(tmp.dir, "junk");
    writeFileSync(junk, "not an index");
    let r = skep(["index", "import", junk], clone);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is not a skep index export");
    r = skep(["index", "import", join(tmp.dir, "missing")], clone);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no such file");

    // An export that names a path outside the repo is data from elsewhere, and refused.
    const evilDb = join(tmp.dir, "evil.db");
    writeFileSync(evilDb, Bun.zstdDecompressSync(readFileSync(exported)));
    const db = new Database(evilDb);
    db.exec("UPDATE files SET path = '../../etc/passwd' WHERE path = 'app/main.py'");
    db.close();
    const evil = join(tmp.dir, "evil.skepidx");
    writeFileSync(evil, Bun.zstdCompressSync(readFileSync(evilDb)));
    r = skep(["index", "import", evil], clone);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("names a path outside the repo ('../../etc/passwd')");
    expect(readFileSync(join(clone, ".skep/index.db")).equals(before)).toBe(true);
  });

  test("usage: the file is required", () => {
    const r = skep(["index", "export"], origin);
    expect(r.code).toBe(2);
  });
});

// Bad input never crashes indexing. Each case builds a small tree under the system temp directory,
// indexes it into a database kept outside that tree, and checks both that indexing completed and
// exactly what ended up in the index (which files, skipped why, which symbols).
import { Database } from "bun:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { answerRead, rescanFreshness } from "../../src/api/answers.ts";
import { answerLocally as answerDirect } from "../../src/api/local.ts";
import { daemonPaths } from "../../src/repo/daemon-paths.ts";
import { indexRepo, type IndexOptions, type IndexReport } from "../../src/index/indexer.ts";
import { MAX_FILE_BYTES } from "../../src/index/inspect.ts";
import { runParseJob, type ParseJob } from "../../src/index/parse-job.ts";
import { INDEX_SCHEMA_VERSION } from "../../src/index/schema.ts";
import { getMeta, indexFileReplaced, indexReadError, IndexUnavailable, openReadonly, openWritable } from "../../src/index/store.ts";
import { ParseTimeout } from "../../src/parser/extract.ts";
import { EXTRACTOR_VERSION } from "../../src/parser/version.ts";
import { RESOLVER_VERSION } from "../../src/graph/version.ts";
import { parseText } from "../../src/parser/parse-file.ts";
import { damagePages, queryFailure } from "../support/damage.ts";

// ---------------------------------------------------------------------------------------------
// Scaffolding

const TMP = realpathSync(tmpdir());
const cleanup: (() => void)[] = [];
const savedEnv: Record<string, string | undefined> = {};

beforeAll(() => {
  // Hermetic git: no user or system config, and a temp dir is never taken as part of a repo above it.
  const env = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_CEILING_DIRECTORIES: TMP };
  for (const [k, v] of Object.entries(env)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
});

afterAll(() => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
});

function tempDir(label: string): string {
  const dir = mkdtempSync(join(TMP, `skep-robust-${label}-`));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function write(root: string, rel: string, content: string | Uint8Array): string {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  return abs;
}

function git(cwd: string, ...args: string[]): string {
  const p = Bun.spawnSync(["git", "-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed: ${p.stderr.toString()}`);
  return p.stdout.toString().trim();
}

function gitInit(root: string): void {
  git(root, "init", "-q");
}

function gitCommitAll(root: string): string {
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "snapshot");
  return git(root, "rev-parse", "HEAD");
}

function mkfifo(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const p = Bun.spawnSync(["mkfifo", path]);
  if (p.exitCode !== 0) throw new Error(`mkfifo ${path} failed`);
}

/** A fresh index database in its own temp dir, never inside the tree being indexed. */
function newDbPath(): string {
  return join(tempDir("db"), "index.db");
}

function openDb(dbPath: string): Database {
  const db = openWritable(dbPath);
  cleanup.push(() => db.close());
  return db;
}

async function indexInto(root: string, opts: IndexOptions = {}): Promise<{ db: Database; report: IndexReport }> {
  const db = openDb(newDbPath());
  const report = await indexRepo(db, root, opts);
  return { db, report };
}

interface FileRow {
  id: number;
  path: string;
  hash: string | null;
  skip_reason: string | null;
  syntax_errors: number;
  symbol_count: number;
}

function fileRows(db: Database): FileRow[] {
  return db.query("SELECT id, path, hash, skip_reason, syntax_errors, symbol_count FROM files ORDER BY path").all() as FileRow[];
}

function fileRow(db: Database, path: string): FileRow {
  const row = fileRows(db).find((r) => r.path === path);
  if (!row) throw new Error(`${path} is not in the index: ${fileRows(db).map((r) => r.path).join(", ")}`);
  return row;
}

/** path -> "indexed" or its skip reason: the whole outcome of a run at a glance. */
function outcome(db: Database): Record<string, string> {
  return Object.fromEntries(fileRows(db).map((r) => [r.path, r.skip_reason ?? "indexed"]));
}

function symbolNames(db: Database, path: string): string[] {
  return (
    db
      .query("SELECT s.name FROM symbols s JOIN files f ON f.id = s.file_id WHERE f.path = ? ORDER BY s.line, s.col")
      .all(path) as { name: string }[]
  ).map((r) => r.name);
}

function symbol(db: Database, path: string, name: string) {
  const row = db
    .query(
      `SELECT s.name, s.kind, s.line, s.col, s.end_line AS endLine, s.end_col AS endCol, s.signature, s.doc
       FROM symbols s JOIN files f ON f.id = s.file_id WHERE f.path = ? AND s.name = ?`,
    )
    .get(path, name);
  if (!row) throw new Error(`no symbol ${name} in ${path}`);
  return row as { name: string; kind: string; line: number; col: number; endLine: number; endCol: number; signature: string; doc: string | null };
}

function job(abs: string): ParseJob {
  return { abs, path: abs, knownHash: null };
}

const SYMLINK = "symlink (not followed)";
const BINARY = "binary (contains NUL bytes)";

// ---------------------------------------------------------------------------------------------

describe("file contents", () => {
  test("invalid UTF-8 (a Latin-1 byte in a comment and a docstring) is decoded lossily and indexed", async () => {
    const root = tempDir("latin1");
    const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0)); // one byte per char: é is 0xE9
    write(root, "cafe.py", latin1(
      "# caf\xe9 au lait, na\xefve\n" +
      "def brew(cup):\n" +
      '    """Make caf\xe9."""\n' +
      "    return pour(cup)\n" +
      "\n" +
      "class Machine:\n" +
      "    def start(self):\n" +
      "        return brew(1)\n",
    ));
    const { db, report } = await indexInto(root);
    expect(report.skipped).toEqual([]);
    expect(fileRow(db, "cafe.py")).toMatchObject({ skip_reason: null, syntax_errors: 0, symbol_count: 3 });
    expect(symbolNames(db, "cafe.py")).toEqual(["brew", "Machine", "start"]);
    // Lossy: the stray byte became U+FFFD; positions after it are still right.
    expect(symbol(db, "cafe.py", "brew")).toMatchObject({ line: 2, col: 0, signature: "def brew(cup)", doc: "Make caf\uFFFD." });
    expect(symbol(db, "cafe.py", "start")).toMatchObject({ kind: "method", line: 7, col: 4 });
  });

  test("a binary file with a source extension is skipped as binary, after being read", async () => {
    const root = tempDir("binary");
    write(root, "blob.go", new Uint8Array([0x70, 0x61, 0x63, 0x6b, 0x00, 0x00, 0xff, 0x00, 0x01, 0x02, ...new TextEncoder().encode("func F() {}\n")]));
    // A UTF-16 source (as some Windows editors save it) has NUL bytes too: binary, by design.
    write(root, "utf16.ts", new Uint8Array([0xff, 0xfe, ...Array.from("export function f() {}\n", (c) => [c.charCodeAt(0), 0]).flat()]));
    write(root, "real.go", "package x\n\nfunc Real() {}\n");
    const { db, report } = await indexInto(root);
    expect(outcome(db)).toEqual({ "blob.go": BINARY, "real.go": "indexed", "utf16.ts": BINARY });
    expect(report.skipped).toEqual([
      { path: "blob.go", reason: BINARY },
      { path: "utf16.ts", reason: BINARY },
    ]);
    expect(fileRow(db, "blob.go").hash).not.toBeNull(); // read (to see the NULs), hashed, not parsed
    expect(symbolNames(db, "blob.go")).toEqual([]);
    expect(symbolNames(db, "real.go")).toEqual(["Real"]);
  });

  test("a 50 MB bundle is skipped as too large without being read; a 200 kB one-liner as minified (names that are not *.min.js, which a rule leaves out unread)", async () => {
    const root = tempDir("large");
    await Bun.write(join(root, "bundle.js"), "var a=1;".repeat((50 * 1024 * 1024) / 8));
    const oneLine = `function first(){return 1}${"var b=function(c){return c+1};".repeat(200_000 / 30)}function last(){}`;
    expect(oneLine.length).toBeGreaterThan(200_000);
    expect(oneLine).not.toContain("\n");
    write(root, "one-line.js", oneLine);
    write(root, "app.js", "function main() {\n  return first();\n}\n");

    // "Not read" is asserted by the missing hash below, not by a wall-clock bound (tests never time).
    const { db, report } = await indexInto(root);
    expect(outcome(db)).toEqual({
      "app.js": "indexed",
      "bundle.js": "too large (50.0 MB > 2.0 MB)",
      "one-line.js": "minified or generated (a line of 65536 characters)",
    });
    expect(report.parsed).toBe(1);
    expect(fileRow(db, "bundle.js").hash).toBeNull(); // never read: the hash comes from reading
    expect(fileRow(db, "one-line.js").hash).not.toBeNull(); // read, then judged
    expect(symbolNames(db, "one-line.js")).toEqual([]);
    expect(symbolNames(db, "app.js")).toEqual(["main"]);

    // A file that grew past the limit after the scan is still refused at read time, unread.
    expect(await runParseJob(job(join(root, "bundle.js")))).toEqual({
      kind: "skipped",
      hash: null,
      reason: "too large (50.0 MB > 2.0 MB)",
    });
  });

  test("a file just over the size limit is too large; one at the limit is read", async () => {
    const root = tempDir("limit");
    const line = "// padding padding padding padding padding padding padding padding\n";
    const body = (n: number) => `package x\n\nfunc F() {}\n${line.repeat(Math.ceil(n / line.length))}`.slice(0, n);
    write(root, "at.go", body(MAX_FILE_BYTES));
    write(root, "over.go", body(MAX_FILE_BYTES + 1));
    const { db } = await indexInto(root);
    expect(outcome(db)).toEqual({ "at.go": "indexed", "over.go": "too large (2.0 MB > 2.0 MB)" });
    expect(symbolNames(db, "at.go")).toEqual(["F"]);
  });

  test("a file with syntax errors is indexed: symbols before and after the error are found, errors counted", async () => {
    const root = tempDir("syntax");
    write(root, "broken.py", "def ok1():\n    pass\n\ndef broken():\n    x = = 1\n\ndef ok2():\n    return ok1()\n");
    write(root, "broken.ts", "export function ok1() {}\n\nfunction broken(a: number {\n  return a +;\n}\n\nexport class Ok2 {\n  m(): void {}\n}\n");
    write(root, "clean.py", "def fine():\n    pass\n");
    const { db, report } = await indexInto(root);
    expect(report.skipped).toEqual([]);
    expect(symbolNames(db, "broken.py")).toEqual(["ok1", "broken", "ok2"]);
    expect(symbolNames(db, "broken.ts")).toEqual(["ok1", "broken", "Ok2", "m"]);
    expect(fileRow(db, "broken.py").syntax_errors).toBeGreaterThan(0);
    expect(fileRow(db, "broken.ts").syntax_errors).toBeGreaterThan(0);
    expect(fileRow(db, "clean.py").syntax_errors).toBe(0);
    // The call after the error still resolves into the graph.
    const edge = db
      .query(
        `SELECT count(*) AS n FROM edges e JOIN symbols a ON a.id = e.from_symbol JOIN symbols b ON b.id = e.to_symbol
         WHERE a.name = 'ok2' AND b.name = 'ok1'`,
      )
      .get() as { n: number };
    expect(edge.n).toBe(1);
  });

  test("empty files, a BOM-only file, and a BOM before code", async () => {
    const root = tempDir("empty");
    write(root, "empty.go", "");
    write(root, "empty.py", "");
    write(root, "bom.ts", new Uint8Array([0xef, 0xbb, 0xbf]));
    write(root, "bomcode.py", new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("def first():\n    pass\n")]));
    const { db, report } = await indexInto(root);
    expect(report.skipped).toEqual([]);
    expect(report.parsed).toBe(4);
    for (const path of ["empty.go", "empty.py", "bom.ts"]) {
      expect(fileRow(db, path)).toMatchObject({ skip_reason: null, syntax_errors: 0, symbol_count: 0 });
    }
    // The BOM is not a character of line 1: the definition starts at column 0.
    expect(symbol(db, "bomcode.py", "first")).toMatchObject({ line: 1, col: 0, signature: "def first()" });
  });

  test("CRLF line endings: lines, columns, signatures and docs carry no \\r", async () => {
    const root = tempDir("crlf");
    const crlf = (s: string) => s.replace(/\n/g, "\r\n");
    write(root, "server.go", crlf("package srv\n\n// Serve answers requests.\n// It never returns.\nfunc Serve(addr string,\n\tport int) error {\n\treturn listen(addr)\n}\n"));
    write(root, "limits.c", crlf("#define MAX_CONN 10\nint limit(void) {\n  return MAX_CONN;\n}\n"));
    write(root, "tool.py", crlf('def run(a):\n    """Run it.\n\n    Twice.\n    """\n    return a\n'));
    const { db, report } = await indexInto(root);
    expect(report.skipped).toEqual([]);
    expect(symbol(db, "server.go", "Serve")).toEqual({
      name: "Serve", kind: "function", line: 5, col: 0, endLine: 8, endCol: 1,
      signature: "func Serve(addr string, port int) error", doc: "Serve answers requests.\nIt never returns.",
    });
    expect(symbol(db, "limits.c", "MAX_CONN")).toMatchObject({ line: 1, endLine: 1, endCol: "#define MAX_CONN 10".length, signature: "#define MAX_CONN 10" });
    expect(symbol(db, "limits.c", "limit")).toMatchObject({ line: 2, endLine: 4, signature: "int limit(void)" });
    expect(symbol(db, "tool.py", "run")).toMatchObject({ doc: "Run it.\n\nTwice.", signature: "def run(a)" });
    const withCr = db.query("SELECT count(*) AS n FROM symbols WHERE signature LIKE '%' || char(13) || '%' OR doc LIKE '%' || char(13) || '%'").get() as { n: number };
    expect(withCr.n).toBe(0);
    expect(fileRows(db).every((r) => r.syntax_errors === 0)).toBe(true);
  });

  test("parsing that runs out of time is skipped, and leaves the parser usable for the next file", async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `def f${i}(a):\n    return a + ${i}\n`).join("");
    await expect(parseText("python", big, 0)).rejects.toBeInstanceOf(ParseTimeout);
    // A cancelled parser that is not reset resumes the old parse over the next text (garbage symbols).
    const x = await parseText("python", "def only_me():\n    pass\n");
    expect(x.symbols.map((s) => [s.name, s.line, s.endLine])).toEqual([["only_me", 1, 2]]);
    expect(x.syntaxErrors).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe("file system oddities", () => {
  /** pkg/loop and pkg/loop.go point at their parent, self.py at itself, link.go at a real file. */
  function symlinkTree(root: string): void {
    write(root, "pkg/a.go", "package pkg\n\nfunc A() {}\n");
    symlinkSync("..", join(root, "pkg/loop"));
    symlinkSync("..", join(root, "pkg/loop.go"));
    symlinkSync("self.py", join(root, "self.py"));
    symlinkSync("pkg/a.go", join(root, "link.go"));
    mkdirSync(join(root, "sub"));
    symlinkSync(".gitignore", join(root, "sub/.gitignore")); // a looping ignore file
    write(root, "sub/b.py", "def b():\n    pass\n");
  }
  const symlinkOutcome = {
    "link.go": SYMLINK,
    "pkg/a.go": "indexed",
    "pkg/loop.go": SYMLINK,
    "self.py": SYMLINK,
    "sub/b.py": "indexed",
  };

  test("symlink loops in a git repo: listed by git, skipped as symlinks, never followed", async () => {
    const root = tempDir("symlink-git");
    gitInit(root);
    symlinkTree(root);
    gitCommitAll(root);
    expect(git(root, "ls-files", "-s", "self.py")).toStartWith("120000 "); // git stores it as a symlink
    const { db, report } = await indexInto(root);
    expect(getMeta(db, "discovery")).toBe("git");
    expect(outcome(db)).toEqual(symlinkOutcome);
    expect(report.skipped.map((s) => s.path)).toEqual(["link.go", "pkg/loop.go", "self.py"]);
    expect(fileRow(db, "self.py").hash).toBeNull();
    expect(symbolNames(db, "pkg/a.go")).toEqual(["A"]);
  });

  test("symlink loops in a directory that is not a git repo: the walk lists them, never follows them", async () => {
    const root = tempDir("symlink-walk");
    symlinkTree(root);
    const { db, report } = await indexInto(root);
    expect(getMeta(db, "discovery")).toBe("walk");
    expect(outcome(db)).toEqual(symlinkOutcome);
    expect(report.skipped.map((s) => s.path)).toEqual(["link.go", "pkg/loop.go", "self.py"]);
  });

  for (const mode of ["git", "walk"] as const) {
    test(`a FIFO and a directory named x.go (${mode}): no hang, the FIFO is left out, the directory's files are indexed`, async () => {
      const root = tempDir(`special-${mode}`);
      if (mode === "git") gitInit(root);
      mkfifo(join(root, "pipe.go"));
      write(root, "dir.go/inner.go", "package inner\n\nfunc Inner() {}\n");
      write(root, "ok.go", "package x\n\nfunc Ok() {}\n");
      const { db, report } = await indexInto(root);
      expect(getMeta(db, "discovery")).toBe(mode);
      expect(outcome(db)).toEqual({ "dir.go/inner.go": "indexed", "ok.go": "indexed" });
      expect(report.parsed).toBe(2);
    });
  }

  test("a file replaced by a FIFO between scan and read is skipped, not read (which would block forever)", async () => {
    const root = tempDir("fifo-race");
    write(root, "a.go", "package x\n\nfunc A() {}\n");
    write(root, "b.go", "package x\n\nfunc B() {}\n");
    const { report, db } = await indexInto(root, {
      onProgress: ({ done }) => {
        if (done !== 0) return; // called once the scan is done, before any file is read
        rmSync(join(root, "b.go"));
        mkfifo(join(root, "b.go"));
      },
    });
    expect(outcome(db)).toEqual({ "a.go": "indexed", "b.go": "not a regular file (named pipe)" });
    expect(report.parsed).toBe(1);
  });

  test("a non-git directory with a FIFO for a .gitignore: no hang, the rest is indexed", async () => {
    const root = tempDir("fifo-ignore");
    mkfifo(join(root, "sub/.gitignore"));
    write(root, "sub/f.py", "def f():\n    pass\n");
    const { db } = await indexInto(root);
    expect(outcome(db)).toEqual({ "sub/f.py": "indexed" });
  });

  test("file names with spaces, unicode, a backslash and a newline (git, committed)", async () => {
    const root = tempDir("names-git");
    gitInit(root);
    const names = writeOddNames(root);
    gitCommitAll(root);
    const { db } = await indexInto(root);
    expect(outcome(db)).toEqual(Object.fromEntries(names.map((n) => [n, "indexed"])));
    for (const n of names) expect(symbolNames(db, n)).toEqual(["hello"]);
  });

  test("file names with spaces, unicode, a backslash and a newline (walk), and one that is not UTF-8", async () => {
    const root = tempDir("names-walk");
    const names = writeOddNames(root);
    // A name that is not valid UTF-8 cannot be stored as text: listed as skipped with the reason, without disturbing the rest.
    writeFileSync(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from(".py")]), "def bad(): pass\n");
    const { db } = await indexInto(root);
    expect(outcome(db)).toEqual({ ...Object.fromEntries(names.map((n) => [n, "indexed"])), "bad-\uFFFD\uFFFD.py": "file name is not valid UTF-8 (not indexed)" });
    for (const n of names) expect(symbolNames(db, n)).toEqual(["hello"]);
  });

  test("a directory nested 100 levels deep (git, untracked, and walk)", async () => {
    const rel = `${Array.from({ length: 100 }, (_, i) => `level${i}`).join("/")}/deep.go`;
    for (const mode of ["git", "walk"] as const) {
      const root = tempDir(`deep-${mode}`);
      if (mode === "git") gitInit(root);
      write(root, rel, "package deep\n\nfunc Deepest() {}\n");
      write(root, "top.go", "package top\n\nfunc Top() { deep.Deepest() }\n");
      const { db } = await indexInto(root);
      expect(getMeta(db, "discovery")).toBe(mode);
      expect(outcome(db)).toEqual({ [rel]: "indexed", "top.go": "indexed" });
      expect(symbolNames(db, rel)).toEqual(["Deepest"]);
    }
  });
});

function writeOddNames(root: string): string[] {
  const names = ["my dir/ünïcødé 名前 file.py", "emoji 😀.py", "back\\slash.py", "new\nline.py", "-dash.py", "#hash.py"];
  for (const n of names) write(root, n, "def hello():\n    pass\n");
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------

describe("read errors", () => {
  test("a directory given as a file is skipped as not a regular file", async () => {
    const dir = tempDir("isdir");
    mkdirSync(join(dir, "x.go"));
    expect(await runParseJob(job(join(dir, "x.go")))).toEqual({ kind: "skipped", hash: null, reason: "not a regular file (directory)" });
  });

  test("a FIFO given as a file is skipped without blocking", async () => {
    const dir = tempDir("fifo");
    mkfifo(join(dir, "x.go"));
    expect(await runParseJob(job(join(dir, "x.go")))).toEqual({ kind: "skipped", hash: null, reason: "not a regular file (named pipe)" });
  });

  test("a symlink given as a file is not followed", async () => {
    const dir = tempDir("link");
    write(dir, "real.go", "package x\n");
    symlinkSync("real.go", join(dir, "x.go"));
    expect(await runParseJob(job(join(dir, "x.go")))).toEqual({ kind: "skipped", hash: null, reason: SYMLINK });
  });

  // Permission denied: a mode-000 file when not root; as root (chmod does not stop reads), a procfs
  // file that refuses even root, when there is one.
  const eacces = findPermissionDenied();
  test.skipIf(eacces === null)(`a file that cannot be opened (EACCES: ${eacces ?? "none found"}) is skipped with the error as reason`, async () => {
    expect(await runParseJob(job(eacces!))).toEqual({ kind: "skipped", hash: null, reason: "unreadable (EACCES)" });
  });

  test.skipIf(!existsSync("/proc/self/mem"))("a file that opens but fails to read (EIO) is skipped with the error as reason", async () => {
    expect(await runParseJob(job("/proc/self/mem"))).toEqual({ kind: "skipped", hash: null, reason: "unreadable (EIO)" });
  });
});

function findPermissionDenied(): string | null {
  if (process.getuid?.() !== 0) {
    const dir = mkdtempSync(join(TMP, "skep-robust-eacces-"));
    const path = write(dir, "locked.go", "package x\n");
    chmodSync(path, 0o000);
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    return path;
  }
  for (const path of ["/proc/sys/vm/compact_memory", "/proc/sys/vm/drop_caches"]) {
    try {
      closeSync(openSync(path, "r"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EACCES") return path;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

describe("files that disappear", () => {
  test("runParseJob on a path that no longer exists (or whose directory became a file) reports it gone", async () => {
    const dir = tempDir("gone");
    write(dir, "file", "not a directory\n");
    expect(await runParseJob(job(join(dir, "missing.go")))).toEqual({ kind: "gone" });
    expect(await runParseJob(job(join(dir, "file/inner.go")))).toEqual({ kind: "gone" });
  });

  test("a committed file deleted from the work tree leaves no trace after re-indexing", async () => {
    const root = tempDir("deleted");
    gitInit(root);
    write(root, "a.py", "import b\n\ndef foo():\n    return bar()\n");
    write(root, "b.py", "def bar():\n    return foo()\n\nclass Baz:\n    def qux(self):\n        return bar()\n");
    gitCommitAll(root);
    const db = openDb(newDbPath());
    await indexRepo(db, root);
    const b = fileRow(db, "b.py");
    const bSymbols = (db.query("SELECT id FROM symbols WHERE file_id = ?").all(b.id) as { id: number }[]).map((r) => r.id);
    expect(bSymbols.length).toBe(3);
    const count = (sql: string, ...args: number[]) => (db.query(sql).get(...args) as { n: number }).n;
    const ids = bSymbols.join(",");
    const edgesOfB = `SELECT count(*) AS n FROM edges WHERE from_symbol IN (${ids}) OR to_symbol IN (${ids})`;
    expect(count(edgesOfB)).toBeGreaterThan(0); // the test means something: b was wired into the graph
    expect(count("SELECT count(*) AS n FROM refs WHERE file_id = ?", b.id)).toBeGreaterThan(0);

    rmSync(join(root, "b.py")); // deleted on disk, still tracked: git ls-files still lists it
    const report = await indexRepo(db, root);
    expect(report.deleted).toBe(1);
    expect(outcome(db)).toEqual({ "a.py": "indexed" });
    expect(count("SELECT count(*) AS n FROM symbols WHERE file_id = ?", b.id)).toBe(0);
    expect(count("SELECT count(*) AS n FROM refs WHERE file_id = ?", b.id)).toBe(0);
    expect(count("SELECT count(*) AS n FROM imports WHERE file_id = ?", b.id)).toBe(0);
    expect(count(edgesOfB)).toBe(0);
    expect(count("SELECT count(*) AS n FROM symbols_tri WHERE symbols_tri MATCH 'bar' OR symbols_tri MATCH 'qux'")).toBe(0);
    expect(count("SELECT count(*) AS n FROM symbols_fts WHERE symbols_fts MATCH 'baz'")).toBe(0);
    expect(symbolNames(db, "a.py")).toEqual(["foo"]);
  });

  test("a file deleted while being indexed (after the scan, before its read) leaves no trace", async () => {
    const root = tempDir("deleted-midway");
    write(root, "a.py", "def a():\n    return c()\n");
    write(root, "c.py", "def c():\n    pass\n");
    const db = openDb(newDbPath());
    await indexRepo(db, root);
    expect(symbolNames(db, "c.py")).toEqual(["c"]);

    // c.py changes (so it must be read again), new.py appears; both vanish before they are read.
    write(root, "c.py", "def c():\n    return 2\n\ndef c2():\n    pass\n");
    utimesSync(join(root, "c.py"), new Date(), new Date(Date.now() + 5000));
    write(root, "new.py", "def fresh():\n    pass\n");
    let fired = false;
    await indexRepo(db, root, {
      onProgress: ({ done, total }) => {
        if (done !== 0) return;
        expect(total).toBe(2); // c.py and new.py were scanned as changed
        rmSync(join(root, "c.py"));
        rmSync(join(root, "new.py"));
        fired = true;
      },
    });
    expect(fired).toBe(true);
    expect(outcome(db)).toEqual({ "a.py": "indexed" });
    expect((db.query("SELECT count(*) AS n FROM symbols WHERE name IN ('c', 'c2', 'fresh')").get() as { n: number }).n).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe("repositories and roots", () => {
  test("a git repo with no commits: untracked files are indexed (ignored ones not), head is null", async () => {
    const root = tempDir("nocommit");
    gitInit(root);
    write(root, ".gitignore", "out/\n");
    write(root, "main.go", "package main\n\nfunc main() {}\n");
    write(root, "out/gen.go", "package out\n\nfunc Gen() {}\n");
    const db = openDb(newDbPath());
    const report = await indexRepo(db, root);
    expect(report.parsed).toBe(1);
    expect(getMeta(db, "discovery")).toBe("git");
    expect(getMeta(db, "head")).toBeNull();
    expect(outcome(db)).toEqual({ "main.go": "indexed" });
    // ...and once there is a commit, head is recorded.
    const sha = gitCommitAll(root);
    await indexRepo(db, root);
    expect(getMeta(db, "head")).toBe(sha);
  });

  test("a directory that is not a git repo honours .gitignore files at every level", async () => {
    const root = tempDir("walk-ignore");
    write(root, ".gitignore", "build/\n*.gen.ts\n");
    write(root, "src/main.ts", "export function main() {}\n");
    write(root, "src/types.gen.ts", "export function generated() {}\n");
    write(root, "build/out.ts", "export function built() {}\n");
    write(root, "src/build/deep.ts", "export function alsoBuilt() {}\n"); // `build/` matches at any depth
    write(root, "src/sub/.gitignore", "local.py\n");
    write(root, "src/sub/local.py", "def local():\n    pass\n");
    write(root, "src/sub/kept.py", "def kept():\n    pass\n");
    write(root, "node_modules/lib/index.js", "function lib() {}\n");
    const { db } = await indexInto(root);
    expect(getMeta(db, "discovery")).toBe("walk");
    expect(outcome(db)).toEqual({ "src/main.ts": "indexed", "src/sub/kept.py": "indexed" });
  });

  test("without git on PATH, a repo is walked instead and still indexed", async () => {
    const root = tempDir("nogit");
    gitInit(root);
    write(root, ".gitignore", "skip/\n");
    write(root, "a.go", "package a\n\nfunc A() {}\n");
    write(root, "skip/b.go", "package b\n\nfunc B() {}\n");
    gitCommitAll(root);
    const path = process.env.PATH;
    process.env.PATH = join(root, "no-such-bin");
    try {
      const { db } = await indexInto(root);
      expect(getMeta(db, "discovery")).toBe("walk");
      expect(getMeta(db, "head")).toBeNull();
      expect(outcome(db)).toEqual({ "a.go": "indexed" });
    } finally {
      process.env.PATH = path;
    }
  });

  test("a root that is gone fails loudly and does not empty the index", async () => {
    const parent = tempDir("moved");
    const root = join(parent, "repo");
    write(root, "a.go", "package a\n\nfunc A() {}\n");
    const db = openDb(newDbPath());
    await indexRepo(db, root);
    renameSync(root, join(parent, "elsewhere"));
    await expect(indexRepo(db, root)).rejects.toThrow(`cannot index ${root}: not a directory`);
    expect(outcome(db)).toEqual({ "a.go": "indexed" });
  });

  test("many bad files at once, parsed on worker threads", async () => {
    const root = tempDir("workers");
    gitInit(root);
    for (let i = 0; i < 30; i++) write(root, `ok/f${i}.py`, `def f${i}():\n    return f${i + 1}()\n`);
    write(root, "bad/latin1.py", new Uint8Array([0x23, 0xe9, 0x0a, ...new TextEncoder().encode("def latin():\n    pass\n")]));
    write(root, "bad/binary.go", new Uint8Array([0, 1, 2, 3, 0, 0]));
    write(root, "bad/minified.js", `var x=${"1+".repeat(6000)}1;`);
    write(root, "bad/syntax.py", "def before():\n    x = = 1\n\ndef after():\n    pass\n");
    write(root, "bad/empty.rs", "");
    write(root, "bad/bom.kt", new Uint8Array([0xef, 0xbb, 0xbf]));
    write(root, "bad/crlf.java", "class Crlf {\r\n  void m() {}\r\n}\r\n");
    mkfifo(join(root, "bad/pipe.go"));
    symlinkSync("latin1.py", join(root, "bad/link.py"));
    const { db, report } = await indexInto(root, { workers: 3 });
    expect(report.parsed).toBe(35);
    expect(report.skipped).toEqual([
      { path: "bad/binary.go", reason: BINARY },
      { path: "bad/link.py", reason: SYMLINK },
      { path: "bad/minified.js", reason: "minified or generated (a line of 12008 characters)" },
    ]);
    expect(symbolNames(db, "bad/latin1.py")).toEqual(["latin"]);
    expect(symbolNames(db, "bad/syntax.py")).toEqual(["before", "after"]);
    expect(symbolNames(db, "bad/crlf.java")).toEqual(["Crlf", "m"]);
    expect(symbolNames(db, "ok/f29.py")).toEqual(["f29"]);
    expect(fileRows(db).length).toBe(38);
  });
});

// ---------------------------------------------------------------------------------------------

describe("the index database itself", () => {
  function smallRepo(): string {
    const root = tempDir("repo");
    write(root, "a.go", "package a\n\nfunc A() { B() }\n");
    write(root, "b.go", "package a\n\nfunc B() {}\n");
    return root;
  }

  for (const [label, garbage] of [
    ["4 KiB of garbage", Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff)],
    ["a line of text", new TextEncoder().encode("this is not a database\n")],
  ] as const) {
    test(`a corrupt index.db (${label}) is moved aside and rebuilt`, async () => {
      const root = smallRepo();
      const dbPath = newDbPath();
      writeFileSync(dbPath, garbage);
      const { value: db, stderr } = await stderrOf(async () => openDb(dbPath));
      const report = await indexRepo(db, root);
      expect(report.parsed).toBe(2);
      expect(outcome(db)).toEqual({ "a.go": "indexed", "b.go": "indexed" });
      expect(getMeta(db, "index_schema")).toBe(String(INDEX_SCHEMA_VERSION));
      const aside = asideFiles(dbPath);
      expect(aside.length).toBe(1);
      expect(new Uint8Array(readFileSync(join(dirname(dbPath), aside[0]!)))).toEqual(new Uint8Array(garbage)); // kept as it was
      expect(stderr).toBe(`skep: ${dbPath} is damaged (file is not a database); moved it aside as ${join(dirname(dbPath), aside[0]!)} and rebuilding the index from scratch\n`);
    });
  }

  test("an index.db written with another index_schema is rebuilt, not read with the wrong shape", async () => {
    const root = smallRepo();
    const dbPath = newDbPath();
    {
      // What an older skep might have left: its own table shapes, and its schema number.
      const old = new Database(dbPath, { create: true });
      old.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
      old.exec("INSERT INTO meta VALUES ('index_schema', '0'), ('head', 'deadbeef'), ('tasks_seq', '7')");
      old.exec("CREATE TABLE files (path TEXT PRIMARY KEY, digest BLOB)");
      old.exec("INSERT INTO files VALUES ('a.go', x'00'), ('gone.go', x'01')");
      old.exec("CREATE TABLE symbols (name TEXT, file TEXT)");
      old.close();
    }
    const db = openDb(dbPath);
    expect(getMeta(db, "index_schema")).toBe(String(INDEX_SCHEMA_VERSION));
    expect(getMeta(db, "head")).toBeNull(); // index meta dropped with the tables...
    expect(getMeta(db, "tasks_seq")).toBe("7"); // ...other subsystems' meta kept
    expect(fileRows(db)).toEqual([]);
    const report = await indexRepo(db, root);
    expect(report.parsed).toBe(2);
    expect(outcome(db)).toEqual({ "a.go": "indexed", "b.go": "indexed" });
    expect(symbolNames(db, "a.go")).toEqual(["A"]);
  });

  test("an index of this schema whose version row was changed is rebuilt from scratch", async () => {
    const root = smallRepo();
    const dbPath = newDbPath();
    {
      const db = openWritable(dbPath);
      await indexRepo(db, root);
      db.query("UPDATE meta SET value = ? WHERE key = 'index_schema'").run(String(INDEX_SCHEMA_VERSION + 1));
      db.close();
    }
    const db = openDb(dbPath);
    expect(fileRows(db)).toEqual([]); // dropped, not trusted
    const report = await indexRepo(db, root);
    expect(report.parsed).toBe(2);
    expect(report.unchanged).toBe(0);
    expect(outcome(db)).toEqual({ "a.go": "indexed", "b.go": "indexed" });
  });

  test("an index built by another extractor version is rebuilt once, then patched as usual", async () => {
    const root = smallRepo();
    const dbPath = newDbPath();
    const db = openWritable(dbPath);
    await indexRepo(db, root);
    expect(getMeta(db, "extractor")).toBe(String(EXTRACTOR_VERSION));
    expect((await indexRepo(db, root)).parsed).toBe(0); // same extractor, nothing changed: nothing parsed
    // An index from before the stamp (or an older skep): its unchanged files are parsed again.
    db.query("DELETE FROM meta WHERE key = 'extractor'").run();
    const again = await indexRepo(db, root);
    expect(again.writeMode).toBe("cold");
    expect(again.parsed).toBe(2);
    expect(again.unchanged).toBe(0);
    expect(getMeta(db, "extractor")).toBe(String(EXTRACTOR_VERSION));
    expect(outcome(db)).toEqual({ "a.go": "indexed", "b.go": "indexed" });
    expect((await indexRepo(db, root)).parsed).toBe(0);
    db.close();
  });

  test("edges resolved by other rules are resolved again in full, without parsing anything", async () => {
    const root = smallRepo();
    const db = openWritable(newDbPath());
    await indexRepo(db, root);
    expect(getMeta(db, "resolver")).toBe(String(RESOLVER_VERSION));
    const edges = () => db.query("SELECT from_symbol, to_symbol, weight, kind FROM edges ORDER BY 1, 2").all();
    const good = edges();
    expect(good.length).toBeGreaterThan(0);
    // An older skep's edges (here: none at all, and no stamp): the next run rebuilds them.
    db.query("DELETE FROM edges").run();
    db.query("DELETE FROM meta WHERE key = 'resolver'").run();
    const r = await indexRepo(db, root);
    expect(r.parsed).toBe(0);
    expect(r.edgeMode).toBe("full");
    expect(edges()).toEqual(good);
    expect(getMeta(db, "resolver")).toBe(String(RESOLVER_VERSION));
    // Stamped: nothing changed means nothing to do.
    expect((await indexRepo(db, root)).edgeMode).toBe("none");
    db.close();
  });

  /** The index.db.corrupt-<ms> files beside `dbPath`. */
  function asideFiles(dbPath: string): string[] {
    return readdirSync(dirname(dbPath)).filter((f) => /^index\.db\.corrupt-\d+$/.test(f));
  }

  /** What skep writes to stderr while `fn` runs (and nothing reaches the terminal). */
  async function stderrOf<T>(fn: () => Promise<T>): Promise<{ value: T; stderr: string }> {
    const write = process.stderr.write;
    let stderr = "";
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      return { value: await fn(), stderr };
    } finally {
      process.stderr.write = write;
    }
  }

  /** Index `root` into a new index.db in its own directory, and close it. */
  async function builtIndex(root: string): Promise<string> {
    const dbPath = newDbPath();
    const db = openWritable(dbPath);
    await indexRepo(db, root);
    db.close();
    return dbPath;
  }

  test("an index.db with intact header but damaged data pages is moved aside and rebuilt", async () => {
    const root = smallRepo();
    const dbPath = await builtIndex(root);
    damagePages(dbPath, ["files", "symbols"]);
    // The damage is real, and behind what opening reads: openWritable accepts the file.
    expect(queryFailure(dbPath, "SELECT * FROM files")).toEqual({ code: "SQLITE_CORRUPT", errno: 11 });
    const db = openDb(dbPath);
    let fresh: Database | null = null;
    let aside = "";
    const { value: report, stderr } = await stderrOf(() =>
      indexRepo(db, root, {
        onRebuilt: (d, a) => {
          fresh = d;
          aside = a;
          cleanup.push(() => d.close());
        },
      }),
    );
    expect(asideFiles(dbPath)).toEqual([basename(aside)]);
    expect(stderr).toBe(`skep: ${dbPath} is damaged (database disk image is malformed); moved it aside as ${aside} and rebuilding the index from scratch\n`);
    expect(queryFailure(aside, "SELECT * FROM files")?.code).toBe("SQLITE_CORRUPT"); // kept as it was, for inspection
    expect(report.writeMode).toBe("cold");
    expect(report.parsed).toBe(2);
    const rebuilt = fresh! as Database;
    expect(outcome(rebuilt)).toEqual({ "a.go": "indexed", "b.go": "indexed" });
    expect(symbolNames(rebuilt, "a.go")).toEqual(["A"]);
    expect(() => db.query("SELECT 1").get()).toThrow(); // the damaged file's connection was closed
    // The next run is an ordinary incremental one on the new file: nothing parsed, nothing moved.
    const again = await indexRepo(rebuilt, root, { onRebuilt: () => expect.unreachable("rebuilt twice") });
    expect([again.writeMode, again.parsed, again.unchanged]).toEqual(["patch", 0, 2]);
    expect(asideFiles(dbPath)).toEqual([basename(aside)]);
  });

  test("damage only a read meets is reported by that read, and the next index run rebuilds the file", async () => {
    const root = smallRepo();
    const paths = daemonPaths(root, tempDir("skep"));
    {
      const db = openWritable(paths.dbPath);
      await indexRepo(db, root);
      db.close();
    }
    damagePages(paths.dbPath, ["symbols"]);
    expect(queryFailure(paths.dbPath, "SELECT * FROM symbols")).toEqual({ code: "SQLITE_CORRUPT", errno: 11 });
    let db = openDb(paths.dbPath);
    const adopt = (d: Database) => {
      db = d;
      cleanup.push(() => d.close());
    };
    // A run with nothing to do never reads these pages: on its own it cannot see the damage.
    expect((await indexRepo(db, root, { onRebuilt: () => expect.unreachable("nothing read was damaged") })).parsed).toBe(0);

    // Every read that meets it says which file and what to do, instead of a raw SQLite error or an empty answer.
    const damaged = `the index at ${paths.dbPath} is damaged (database disk image is malformed): run \`skep index\` to rebuild it`;
    const reads = [
      () => answerDirect(paths, "search", { query: "B" }),
      () => answerDirect(paths, "callers", { symbol: "B" }),
      () => answerDirect(paths, "map", {}),
      () => answerDirect(paths, "symbol.source", { symbol: "A" }),
    ];
    for (const read of reads) {
      let err: unknown = null;
      try {
        read();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IndexUnavailable);
      expect((err as Error).message).toBe(damaged);
    }

    // That `skep index` rebuilds: the read left a note the run acts on.
    const { value: report, stderr } = await stderrOf(() => indexRepo(db, root, { onRebuilt: (d) => adopt(d) }));
    expect(stderr).toContain(`skep: ${paths.dbPath} is damaged (database disk image is malformed); moved it aside as `);
    expect([report.writeMode, report.parsed]).toEqual(["cold", 2]);
    expect(asideFiles(paths.dbPath).length).toBe(1);
    expect(answerDirect(paths, "search", { query: "B" }).hits.map((h) => h.name)).toEqual(["B"]);
    // Acted on once: the next run is an ordinary one.
    expect((await indexRepo(db, root, { onRebuilt: () => expect.unreachable("rebuilt twice") })).parsed).toBe(0);
  });

  test("a reader still on a file since replaced leaves a note the next run drops, not acts on", async () => {
    const root = smallRepo();
    const paths = daemonPaths(root, tempDir("skep"));
    {
      const db = openWritable(paths.dbPath);
      await indexRepo(db, root);
      db.close();
    }
    damagePages(paths.dbPath, ["symbols"]);
    // A long-lived reader (the daemon, the MCP server) has the damaged file open...
    const reader = openReadonly(paths.dbPath);
    cleanup.push(() => reader.close());
    expect(() => answerDirect(paths, "search", { query: "B" })).toThrow(IndexUnavailable);
    let db = openDb(paths.dbPath);
    const adopt = (d: Database) => {
      db = d;
      cleanup.push(() => d.close());
    };
    expect(indexFileReplaced(reader)).toBe(false);
    await stderrOf(() => indexRepo(db, root, { onRebuilt: (d) => adopt(d) }));
    expect(indexFileReplaced(reader)).toBe(true); // what tells it to reopen
    // ...and meets the damage only now: its note names the old file, not the new one.
    let err: unknown = null;
    try {
      answerRead({ db: reader, root, fresh: rescanFreshness(root) }, "search", { query: "B" });
    } catch (e) {
      err = indexReadError(e, paths.dbPath, reader);
    }
    expect(err).toBeInstanceOf(IndexUnavailable);
    expect(existsSync(`${paths.dbPath}.damaged`)).toBe(true);
    expect((await indexRepo(db, root, { onRebuilt: () => expect.unreachable("a healthy file rebuilt") })).parsed).toBe(0);
    expect(existsSync(`${paths.dbPath}.damaged`)).toBe(false);
    expect(asideFiles(paths.dbPath).length).toBe(1);
  });
});

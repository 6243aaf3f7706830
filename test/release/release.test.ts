// `bun run release`, built once for the whole file (a release build is slow: four compiles, two
// per target, and four archives): the archives and SHA256SUMS, the linux-x64 binary alone in an
// empty directory running the index tour, linux-arm64 under qemu-aarch64, the darwin binaries'
// Mach-O headers, Formula/skep.rb, and install.sh end to end against the release served on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { LANGUAGES } from "../../src/parser/languages.ts";
import { SearchAnswer, StatusAnswer } from "../../src/protocol/index-answers.ts";
import { initRepo, tempDir } from "../helpers/git-repo.ts";

setDefaultTimeout(120_000);

const PROJECT = join(import.meta.dir, "../..");
const FIXTURES = join(PROJECT, "test/fixtures/languages");
const BARE_PATH = "/usr/bin:/bin";
/** Everything but linux-x64-musl: its binary cannot run on this glibc machine, and no test reads it. */
const BUILT = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"];
const V = pkg.version;

const tmp = tempDir("skep-release-");
const rel = join(tmp.dir, "release");
let commit = "";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function spawn(cmd: string[], cwd: string, env: Record<string, string | undefined> = {}): Run {
  const p = Bun.spawnSync(cmd, { cwd, env: { PATH: BARE_PATH, HOME: join(tmp.dir, "home"), ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

function ok(r: Run): Run {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r;
}

function sha256(path: string): string {
  return new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");
}

/** Unpack `archive` into a fresh empty directory; the path of the skep binary inside. */
function unpack(name: string): string {
  const dir = join(tmp.dir, "unpacked", name);
  mkdirSync(dir, { recursive: true });
  ok(spawn(["tar", "-xzf", join(rel, `skep-${V}-${name}.tar.gz`), "-C", dir], dir));
  return join(dir, `skep-${V}-${name}`, "skep");
}

function fixtureRepo(dir: string, langs?: string[]): { repo: string; files: number } {
  const files: Record<string, string> = {};
  for (const lang of langs ?? readdirSync(FIXTURES)) {
    for (const f of readdirSync(join(FIXTURES, lang))) if (f !== "expected.txt") files[`${lang}/${f}`] = readFileSync(join(FIXTURES, lang, f), "utf8");
  }
  return { repo: initRepo(dir, files), files: Object.keys(files).length };
}

// A release build runs several compiles: on a shared, busy machine it can take minutes.
beforeAll(async () => {
  mkdirSync(join(tmp.dir, "home"), { recursive: true });
  commit = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: PROJECT, stdout: "pipe" }).stdout.toString().trim();
  // gzip -1 and no gzip of the bare runtimes: the same archives, packed for a test's time budget.
  const args = ["--targets", BUILT.join(","), "--out", rel, "--gzip-level", "1", "--no-runtime-gzip", "--base-url", `https://releases.invalid/skep/v${V}`];
  const p = Bun.spawn([process.execPath, "scripts/release.ts", ...args], { cwd: PROJECT, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`release failed: ${err}${out}`);
}, 900_000);

afterAll(tmp.cleanup);

describe("bun run release", () => {
  test("one archive and one source-map archive per target, each listed in SHA256SUMS with its digest", () => {
    const names = readdirSync(rel).filter((f) => f.endsWith(".tar.gz")).sort();
    expect(names).toEqual(BUILT.flatMap((t) => [`skep-${V}-${t}.sourcemaps.tar.gz`, `skep-${V}-${t}.tar.gz`]).sort());
    const sums = readFileSync(join(rel, "SHA256SUMS"), "utf8").trim().split("\n");
    expect(sums.length).toBe(names.length + 1); // and install.sh
    for (const line of sums) {
      const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
      expect(m).not.toBeNull();
      expect(sha256(join(rel, m![2]!))).toBe(m![1]!);
    }
    // The file is in sha256sum's own format.
    expect(ok(spawn(["sha256sum", "-c", "SHA256SUMS"], rel)).stdout).toContain(`skep-${V}-linux-x64.tar.gz: OK`);
  });

  test("an archive holds the binary, README, the completions and the LICENSE the project has", () => {
    const listing = ok(spawn(["tar", "-tzf", join(rel, `skep-${V}-linux-x64.tar.gz`)], rel)).stdout.trim().split("\n").sort();
    const license = ["LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING"].filter((f) => existsSync(join(PROJECT, f)));
    const want = ["", "skep", "README.md", "completions/", "completions/_skep", "completions/skep.bash", "completions/skep.fish", ...license];
    expect(listing).toEqual(want.map((f) => `skep-${V}-linux-x64/${f}`).sort());
    const maps = ok(spawn(["tar", "-tzf", join(rel, `skep-${V}-linux-x64.sourcemaps.tar.gz`)], rel)).stdout;
    expect(maps).toContain("skep.map");
  });

  test("the linux-x64 binary, alone in an empty directory, prints its version and commit and runs the index tour", () => {
    const bin = unpack("linux-x64");
    expect(Bun.file(bin).size).toBeLessThanOrEqual(120 * 1024 * 1024);
    const v = ok(spawn([bin, "--version"], tmp.dir)).stdout.trim();
    expect(v).toMatch(new RegExp(`^skep ${V.replace(/\./g, "\\.")} \\(${commit}(-dirty)?\\)$`));

    const { repo, files } = fixtureRepo(join(tmp.dir, "tour"));
    // Two parse workers: each inflates the compressed grammars it needs on its own thread.
    const init = ok(spawn([bin, "init", "--no-daemon"], repo, { SKEP_WORKERS: "2" }));
    expect(init.stdout).toContain(`Indexed ${files} files`);
    const s = StatusAnswer.parse(JSON.parse(ok(spawn([bin, "status", "--json"], repo)).stdout));
    expect(s.skipped).toEqual([]);
    expect(s.languages.map((l) => l.lang).sort()).toEqual(Object.keys(LANGUAGES).sort());
    for (const l of s.languages) expect(l.symbols).toBeGreaterThan(0);
    const a = SearchAnswer.parse(JSON.parse(ok(spawn([bin, "search", "OrderService", "--json", "--limit", "50"], repo)).stdout));
    const langs = new Set(a.hits.filter((h) => h.name === "OrderService").map((h) => h.lang));
    for (const l of ["java", "kotlin", "csharp", "php", "swift", "rust"]) expect(langs.has(l)).toBe(true);
    expect(ok(spawn([bin, "map", "--tokens", "300"], repo)).stdout.length).toBeGreaterThan(0);
  });

  const qemu = Bun.which("qemu-aarch64");
  const sysroot = "/usr/aarch64-linux-gnu";
  const qemuMissing = !qemu ? "qemu-aarch64 is not installed (Debian: qemu-user)" : !existsSync(join(sysroot, "lib")) ? `${sysroot} is missing (Debian: libc6-arm64-cross)` : null;
  test.skipIf(qemuMissing !== null)(`the linux-arm64 binary runs --version and indexes a small repo under qemu-aarch64${qemuMissing ? ` [skipped: ${qemuMissing}]` : ""}`, () => {
    const bin = unpack("linux-arm64");
    const env = { QEMU_LD_PREFIX: sysroot };
    expect(ok(spawn([qemu!, bin, "--version"], tmp.dir, env)).stdout).toStartWith(`skep ${V} (`);
    // One small file: every process under emulation takes seconds of CPU, and more proves nothing more.
    const repo = initRepo(join(tmp.dir, "arm-repo"), { "server.go": "package server\n\n// NewServer makes one.\nfunc NewServer() int {\n\treturn 1\n}\n" });
    expect(ok(spawn([qemu!, bin, "index"], repo, env)).stdout).toContain("Indexed 1 files, 1 symbols");
    expect(ok(spawn([qemu!, bin, "search", "NewServer"], repo, env)).stdout).toMatch(/NewServer +server\.go:4/);
  }, 600_000);

  test("the darwin binaries are Mach-O executables for their architecture", () => {
    // mach_header_64: magic 0xfeedfacf, then cputype (CPU_TYPE_X86_64 0x01000007, CPU_TYPE_ARM64 0x0100000c).
    for (const [name, cpu] of [["darwin-x64", 0x01000007], ["darwin-arm64", 0x0100000c]] as const) {
      const head = new DataView(readFileSync(unpack(name)).buffer.slice(0, 16));
      expect(head.getUint32(0, true)).toBe(0xfeedfacf);
      expect(head.getUint32(4, true)).toBe(cpu);
      expect(head.getUint32(12, true)).toBe(2); // MH_EXECUTE
    }
  });

  const ruby = Bun.which("ruby");
  test.skipIf(!ruby)(`Formula/skep.rb is valid Ruby and its sha256s are the archives'${ruby ? "" : " [skipped: ruby is not installed]"}`, () => {
    const path = join(rel, "Formula", "skep.rb");
    expect(ok(spawn([ruby!, "-c", path], rel)).stdout).toContain("Syntax OK");
    const text = readFileSync(path, "utf8");
    const pairs = [...text.matchAll(/url "([^"]+)"\s+sha256 "([0-9a-f]{64})"/g)];
    expect(pairs.map((p) => p[1]!.split("/").pop()).sort()).toEqual(BUILT.map((t) => `skep-${V}-${t}.tar.gz`).sort());
    for (const [, url, digest] of pairs) {
      expect(url!).toStartWith(`https://releases.invalid/skep/v${V}/`);
      expect(sha256(join(rel, url!.split("/").pop()!))).toBe(digest!);
    }
    expect(text).toContain(`version "${V}"`);
    expect(text).toContain('generate_completions_from_executable(bin/"skep", "completion")');
  });
});

describe("install.sh, against the release served on 127.0.0.1", () => {
  const home = join(tmp.dir, "ihome");
  const binDir = join(home, ".local", "bin");
  const installed = join(binDir, "skep");
  const dataHome = join(home, ".local", "share");
  const receipt = join(dataHome, "skep", "install-receipt");
  const completions = [join(dataHome, "bash-completion/completions/skep"), join(home, ".config/fish/completions/skep.fish"), join(dataHome, "zsh/site-functions/_skep")];
  const releases: Record<string, string> = {};
  let server: ReturnType<typeof Bun.serve> | null = null;
  const base = (name: string) => `http://127.0.0.1:${server!.port}/${name}`;

  // Async, not spawnSync: the server answering install.sh runs on this same event loop.
  async function install(name: string | null, args: string[] = [], extra: Record<string, string> = {}): Promise<Run> {
    const env: Record<string, string> = { PATH: BARE_PATH, HOME: home, TMPDIR: tmp.dir, ...extra };
    if (name) env.SKEP_INSTALL_BASE = base(name);
    const p = Bun.spawn(["sh", join(PROJECT, "install.sh"), ...args], { cwd: tmp.dir, env, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, stdout, stderr };
  }

  async function runAsync(cmd: string[], cwd: string, extra: Record<string, string>): Promise<Run> {
    const p = Bun.spawn(cmd, { cwd, env: { PATH: BARE_PATH, ...extra }, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, stdout, stderr };
  }

  /** A copy of the release with linux-x64's archive repacked as `version`, and SHA256SUMS to match. */
  function repack(name: string, version: string, tamper = false): void {
    const dir = join(tmp.dir, "served", name);
    const work = join(tmp.dir, "repack", name);
    mkdirSync(dir, { recursive: true });
    mkdirSync(work, { recursive: true });
    ok(spawn(["tar", "-xzf", join(rel, `skep-${V}-linux-x64.tar.gz`), "-C", work], work));
    ok(spawn(["mv", `skep-${V}-linux-x64`, `skep-${version}-linux-x64`], work));
    const archive = `skep-${version}-linux-x64.tar.gz`;
    ok(spawn(["tar", "--use-compress-program=gzip -1", "-cf", join(dir, archive), `skep-${version}-linux-x64`], work));
    writeFileSync(join(dir, "SHA256SUMS"), `${sha256(join(dir, archive))}  ${archive}\n`);
    if (tamper) appendFileSync(join(dir, archive), "\0");
    releases[name] = dir;
  }

  beforeAll(() => {
    releases.v1 = rel;
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const [, name, file] = new URL(req.url).pathname.split("/");
        const dir = releases[name ?? ""];
        if (!dir || !file || file.includes("..") || !existsSync(join(dir, file))) return new Response("not found", { status: 404 });
        return new Response(Bun.file(join(dir, file)));
      },
    });
    // The same binary as 0.1.0 under another version's name: an upgrade swaps the file and records
    // the new version, whatever bytes the binary has (building a second release would double the time).
    repack("v2", "0.1.1-test");
    repack("tampered", "0.1.2-test", true);
  }, 600_000);

  afterAll(() => {
    server?.stop(true);
  });

  const shellcheck = Bun.which("shellcheck");
  test.skipIf(!shellcheck)(`is POSIX sh and shellcheck-clean${shellcheck ? "" : " [skipped: shellcheck is not installed]"}`, () => {
    const r = spawn([shellcheck!, "--shell=sh", join(PROJECT, "install.sh")], PROJECT);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  test("a fresh install: the binary, the completions, a receipt, and the PATH line to add", async () => {
    const r = await install("v1");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`installed skep ${V} (linux-x64) to ${installed}`);
    expect(r.stdout).toContain(`export PATH="${binDir}:$PATH"`);
    expect(ok(spawn([installed, "--version"], tmp.dir)).stdout).toStartWith(`skep ${V} (`);
    for (const f of completions) expect(existsSync(f)).toBe(true);
    expect(readFileSync(completions[0]!, "utf8")).toContain("complete -F");
    const text = readFileSync(receipt, "utf8");
    expect(text).toContain("method=install.sh\n");
    expect(text).toContain(`version=${V}\n`);
    for (const f of [installed, ...completions]) expect(text).toContain(`file=${f}\n`);
    // Nothing half-written left beside the binary.
    expect(readdirSync(binDir)).toEqual(["skep"]);
    // skep doctor knows how it was installed, and finds the completions where the shells look.
    const doc = JSON.parse((await runAsync([installed, "doctor", "--json"], tmp.dir, { HOME: home })).stdout) as { checks: { name: string; status: string; detail: string }[] };
    const get = (n: string) => doc.checks.find((c) => c.name === n)!;
    expect(get("install").detail).toStartWith(`install.sh: ${installed} (${V}, linux-x64, from ${base("v1")})`);
    expect(get("completions")).toMatchObject({ status: "ok" });
    for (const f of completions) expect(get("completions").detail).toContain(f);
  });

  test("an upgrade replaces the binary while the old one runs, and the old process goes on working", async () => {
    const { repo } = fixtureRepo(join(tmp.dir, "upgrade-repo"), ["go"]);
    ok(spawn([installed, "index"], repo));
    const before = statSync(installed).ino;
    const mcp = Bun.spawn([installed, "mcp"], { cwd: repo, env: { PATH: BARE_PATH, HOME: home }, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    try {
      const r = await install("v2");
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("installed skep 0.1.1-test (linux-x64)");
      expect(statSync(installed).ino).not.toBe(before);
      expect(readFileSync(receipt, "utf8")).toContain("version=0.1.1-test\n");
      expect(ok(spawn([installed, "--version"], tmp.dir)).stdout).toStartWith(`skep ${V} (`);
      // The process started from the replaced file still answers.
      expect(mcp.exitCode).toBeNull();
      mcp.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } })}\n`);
      await mcp.stdin.flush();
      const reader = mcp.stdout.getReader();
      const { value } = await reader.read();
      expect(new TextDecoder().decode(value)).toContain('"serverInfo"');
      reader.releaseLock();
    } finally {
      mcp.kill();
      await mcp.exited;
    }
  });

  test("a tampered archive is refused and the installed skep is left as it was", async () => {
    const before = statSync(installed).ino;
    const r = await install("tampered");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("checksum mismatch for skep-0.1.2-test-linux-x64.tar.gz");
    expect(r.stderr).toContain("refusing to install it");
    expect(statSync(installed).ino).toBe(before);
    expect(readFileSync(receipt, "utf8")).toContain("version=0.1.1-test\n");
    expect(readdirSync(binDir)).toEqual(["skep"]);
  });

  test("a release without this platform's archive, no base at all, and an unknown flag are clear errors", async () => {
    const none = await install("v2", [], { SKEP_INSTALL_TARGET: "darwin-arm64" });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`the release at ${base("v2")} has no archive for darwin-arm64`);
    const missing = await install(null);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("set SKEP_INSTALL_BASE");
    const bad = await install("v1", ["--frobnicate"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("usage: install.sh");
    // None of these touched the installed skep.
    expect(readFileSync(receipt, "utf8")).toContain("version=0.1.1-test\n");
  });

  test("--uninstall removes exactly what was installed", async () => {
    const r = await install(null, ["--uninstall"]);
    expect(r.code).toBe(0);
    for (const f of [installed, ...completions, receipt]) expect(existsSync(f)).toBe(false);
    const again = await install(null, ["--uninstall"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("no install receipt");
  });
});

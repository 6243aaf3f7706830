// `bun run release`: skep for every platform, from this one Linux machine, with nothing downloaded.
// For each target: compile against that platform's Bun runtime from node_modules (see
// release/targets.ts), pack dist/release/skep-<version>-<os>-<arch>.tar.gz (the binary, README,
// LICENSE, shell completions) and its source maps beside it, then write SHA256SUMS and
// Formula/skep.rb, and print each binary's size against the bare Bun runtime it carries.
//
// Usage: bun scripts/release.ts [--targets linux-x64,darwin-arm64] [--out dist/release]
//        [--base-url URL] [--version X.Y.Z] [--gzip-level 1-9] [--no-runtime-gzip]
// --base-url is where the archives will be downloadable (the formula's urls); default: file:// of --out.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { buildCommit, CompressedGrammars, compileSkep, PROJECT } from "./compile.ts";
import { type FormulaArchive, formula } from "./release/formula.ts";
import { runtimeFor, TARGETS, type Target, targetsNamed } from "./release/targets.ts";

const { values } = parseArgs({
  options: {
    targets: { type: "string" },
    out: { type: "string", default: "dist/release" },
    "base-url": { type: "string" },
    version: { type: "string" },
    "gzip-level": { type: "string", default: "9" },
    "no-runtime-gzip": { type: "boolean", default: false },
  },
});

function fail(message: string): never {
  console.error(`release: ${message}`);
  process.exit(1);
}

function sh(cmd: string[], cwd = PROJECT): string {
  const p = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) fail(`${cmd.join(" ")} failed: ${p.stderr.toString().trim()}`);
  return p.stdout.toString();
}

async function shAsync(cmd: string[], cwd = PROJECT): Promise<string> {
  const p = Bun.spawn(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) fail(`${cmd.join(" ")} failed: ${err.trim()}`);
  return out;
}

const version = values.version ?? pkg.version;
if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) fail(`version '${version}' is not semver`);
const gzipLevel = Number(values["gzip-level"]);
if (!Number.isInteger(gzipLevel) || gzipLevel < 1 || gzipLevel > 9) fail("--gzip-level takes 1 to 9");
let targets: Target[];
try {
  targets = values.targets ? targetsNamed(values.targets.split(",").filter(Boolean)) : [...TARGETS];
} catch (err) {
  fail((err as Error).message);
}
const out = resolve(PROJECT, values.out!);
const baseUrl = values["base-url"] ?? `file://${out}`;
const commit = buildCommit();
// Archives hold the commit's time, not the build's, so the same commit packs the same bytes.
const epoch = sh(["git", "log", "-1", "--format=%ct"]).trim() || "0";
const runtimes = new Map<Target, string>();
for (const t of targets) {
  try {
    runtimes.set(t, runtimeFor(t, PROJECT));
  } catch (err) {
    fail((err as Error).message);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const scratch = join(out, ".build");
const grammars = new CompressedGrammars(19);

// Completions come from the command tree, the same on every platform: generate them once here.
const completions: Record<string, string> = {};
for (const [shell, file] of [["bash", "skep.bash"], ["zsh", "_skep"], ["fish", "skep.fish"]] as const) {
  completions[file] = sh([process.execPath, join(PROJECT, "src/main.ts"), "completion", shell]);
}
const license = ["LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING"].find((f) => existsSync(join(PROJECT, f)));
if (!license) console.warn("release: warning: the project has no LICENSE file, so the archives carry none");

interface Built {
  target: Target;
  archive: string;
  maps: string;
  binaryBytes: number;
}

const tarFlags = (dir: string) => ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", `--mtime=@${epoch}`, "-C", dir];

async function pack(dir: string, entry: string, archive: string): Promise<void> {
  await shAsync(["tar", ...tarFlags(dir), `--use-compress-program=gzip -${gzipLevel} -n`, "-cf", archive, entry]);
}

const started = performance.now();
const packing: Promise<void>[] = [];
const built: Built[] = [];
for (const t of targets) {
  const base = `skep-${version}-${t.name}`;
  const stage = join(scratch, base);
  mkdirSync(join(stage, "completions"), { recursive: true });
  const common = { target: t.bunTarget, executablePath: runtimes.get(t)!, commit, grammars, bytecode: true };
  // Bun embeds a source map in any compiled binary built with one; the release binary has none,
  // and a second compile of the same code writes the maps that ship beside the archive.
  await compileSkep({ ...common, outfile: join(stage, "skep"), sourcemap: "none" });
  const mapDir = join(scratch, `${base}.sourcemaps`);
  for (const f of await compileSkep({ ...common, outfile: join(scratch, "maps", t.name, "skep"), sourcemap: "external" })) {
    if (f.endsWith(".map")) cpSync(f, join(mapDir, f.split("/").pop()!));
  }
  cpSync(join(PROJECT, "README.md"), join(stage, "README.md"));
  if (license) cpSync(join(PROJECT, license), join(stage, license));
  for (const [file, text] of Object.entries(completions)) writeFileSync(join(stage, "completions", file), text);
  const b: Built = { target: t, archive: `${base}.tar.gz`, maps: `${base}.sourcemaps.tar.gz`, binaryBytes: Bun.file(join(stage, "skep")).size };
  built.push(b);
  console.log(`compiled ${t.name} (${mb(b.binaryBytes)})`);
  packing.push(pack(scratch, base, join(out, b.archive)), pack(scratch, `${base}.sourcemaps`, join(out, b.maps)));
}
await Promise.all(packing);

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function sha256(path: string): Promise<string> {
  const h = new Bun.CryptoHasher("sha256");
  h.update(await Bun.file(path).arrayBuffer());
  return h.digest("hex");
}

// SHA256SUMS in `sha256sum -c` format; install.sh reads it to find and check its archive, and
// ships beside the archives so `curl <release>/install.sh | sh` fetches it from the same place.
cpSync(join(PROJECT, "install.sh"), join(out, "install.sh"));
const sums: string[] = [`${await sha256(join(out, "install.sh"))}  install.sh`];
const formulaArchives: FormulaArchive[] = [];
for (const b of built) {
  const digest = await sha256(join(out, b.archive));
  sums.push(`${digest}  ${b.archive}`, `${await sha256(join(out, b.maps))}  ${b.maps}`);
  if (!b.target.libc) formulaArchives.push({ target: b.target, file: b.archive, sha256: digest });
}
writeFileSync(join(out, "SHA256SUMS"), `${sums.sort((a, b) => a.slice(66).localeCompare(b.slice(66))).join("\n")}\n`);
mkdirSync(join(out, "Formula"), { recursive: true });
writeFileSync(
  join(out, "Formula", "skep.rb"),
  formula({ version, baseUrl, homepage: baseUrl, description: "Local code index and task agent for every git repo", archives: formulaArchives }),
);
rmSync(scratch, { recursive: true, force: true });

// The size table: each binary and archive beside the bare Bun runtime it embeds.
const rows: string[][] = [["target", "binary", ".tar.gz", "bare bun", "bare bun .gz"]];
for (const b of built) {
  const runtime = runtimes.get(b.target)!;
  const runtimeGz = values["no-runtime-gzip"] ? "-" : mb(Number((await shAsync(["sh", "-c", `gzip -${gzipLevel} -n -c "$1" | wc -c`, "sh", runtime])).trim()));
  rows.push([b.target.name, mb(b.binaryBytes), mb(Bun.file(join(out, b.archive)).size), mb(Bun.file(runtime).size), runtimeGz]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
console.log(`skep ${version} (${commit}): ${built.length} archive(s), SHA256SUMS and Formula/skep.rb in ${out} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
if (readdirSync(out).length === 0) fail("nothing was written");

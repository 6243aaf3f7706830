// Indexing benchmark: cold build, nothing-changed re-index, one changed file, search latency, with
// universal-ctags as the baseline. Every indexing phase runs in its own child process so its peak
// RSS is its own.
//
//   bun run bench:index [DIR] [--workers N] [--cold-runs 1] [--queries 300] [--rounds 5] [--edit rel/path.go] [--no-cold-env | --cold-env small|large] [--from-source] [--keep]
//
// Every phase runs skep's code as it ships: the child is this script compiled like the release
// (scripts/bench/compiled.ts: bytecode, the release's bundle options), and the CLI row runs a
// compiled skep. --from-source runs them with bun from the TypeScript instead (as before
// 2026-12-05), which adds the transpiling and parsing a compiled binary does not do.
//
// --cold-runs N builds the cold index N times (each into a fresh DB) and reports the fastest: on a
// shared machine one run can be slowed by neighbours. CPU time (all threads, and the main thread
// alone) is printed beside wall time; it moves less with the machine's load. The cold builds run
// with the JavaScriptCore settings `skep index` and `skep init` would start a cold build of the
// copied tree with (src/cli/cold-build.ts: chosen by the size of the work); --no-cold-env runs
// them without, --cold-env small|large with the one set named, for an A/B.
//
// "skep index (CLI), cold" runs the command itself once on a fresh copy, as a user would: start-up,
// the re-exec for a cold build and everything else included (CPU of the whole process tree).
//
// DIR defaults to the Go 1.19 standard library (/usr/share/go-1.19/src). DIR is never modified: the
// tree is copied to a temp dir first (the copy is not timed) and every skep phase indexes the copy;
// ctags reads DIR itself. The table goes to stdout, the full record to bench-results/index-<time>.json.
import { Database } from "bun:sqlite";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { indexRepo, type IndexReport } from "../../src/index/indexer.ts";
import { defaultWorkers } from "../../src/index/pool.ts";
import { exportIndex, importIndex } from "../../src/index/portable.ts";
import { openWritable } from "../../src/index/store.ts";
import { COLD_BUILD_ENV, COLD_REEXEC_MARK, coldBuildEnv, SMALL_COLD_BUILD_ENV } from "../../src/cli/cold-build.ts";
import { compileInChild } from "./compiled.ts";

const PROJECT = resolve(import.meta.dir, "../..");
const DEFAULT_DIR = "/usr/share/go-1.19/src";
const DEFAULT_EDIT = "net/http/server.go";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    child: { type: "string" },
    db: { type: "string" },
    root: { type: "string" },
    edit: { type: "string" },
    workers: { type: "string" },
    queries: { type: "string", default: "300" },
    rounds: { type: "string", default: "5" },
    "cold-runs": { type: "string", default: "1" },
    keep: { type: "boolean", default: false },
    "no-cold-env": { type: "boolean", default: false },
    "cold-env": { type: "string" },
    "from-source": { type: "boolean", default: false },
    file: { type: "string" },
  },
});
if (args["cold-env"] !== undefined && args["cold-env"] !== "small" && args["cold-env"] !== "large") {
  console.error(`bench:index: --cold-env takes small or large, not ${JSON.stringify(args["cold-env"])}`);
  process.exit(2);
}

// ---------------------------------------------------------------- child side

interface Counts {
  files: number;
  sourceBytes: number;
  symbols: number;
  refs: number;
  edges: number;
}

interface IndexChildResult {
  wallMs: number;
  /** User + system CPU of the whole child (all threads), a steadier figure than wall time on a busy machine. */
  cpuMs: number;
  /** The main (writing) thread's share of cpuMs, from /proc (Linux); NaN elsewhere. */
  mainCpuMs: number;
  maxRssKb: number;
  report: IndexReport;
  counts: Counts;
  dbBytes: number;
  tables?: Record<string, number>;
}

interface EditRound {
  file: string;
  symbol: string;
  searchableMs: number;
  fullMs: number;
  parsed: number;
  edgeMode: string;
  timings: IndexReport["timings"];
}

interface EditChildResult {
  maxRssKb: number;
  rounds: EditRound[];
  counts: Counts;
  dbBytes: number;
}

function counts(db: Database): Counts {
  const one = (sql: string) => (db.query(sql).get() as { n: number | null }).n ?? 0;
  return {
    files: one("SELECT count(*) AS n FROM files WHERE skip_reason IS NULL"),
    sourceBytes: one("SELECT sum(size) AS n FROM files WHERE skip_reason IS NULL"),
    symbols: one("SELECT count(*) AS n FROM symbols"),
    refs: one("SELECT count(*) AS n FROM refs"),
    edges: one("SELECT count(*) AS n FROM edges"),
  };
}

/** Checkpoint the WAL into the main file (untimed) so the file size is the whole index. */
function dbSize(db: Database, path: string): number {
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  let bytes = statSync(path).size;
  if (existsSync(`${path}-wal`)) bytes += statSync(`${path}-wal`).size;
  return bytes;
}

function tableSizes(db: Database): Record<string, number> {
  try {
    const rows = db.query("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all() as {
      name: string;
      bytes: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.bytes]));
  } catch {
    return {}; // SQLite built without dbstat
  }
}

async function childIndex(dbPath: string, root: string): Promise<IndexChildResult> {
  const t0 = performance.now();
  const db = openWritable(dbPath);
  const report = await indexRepo(db, root);
  const wallMs = performance.now() - t0;
  const usage = process.resourceUsage();
  const maxRssKb = peakRssKb();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  const mainCpuMs = mainThreadCpuMs();
  const c = counts(db);
  const dbBytes = dbSize(db, dbPath);
  const tables = report.parsed > 0 ? tableSizes(db) : undefined;
  db.close();
  return { wallMs, cpuMs, mainCpuMs, maxRssKb, report, counts: c, dbBytes, tables };
}

/**
 * This program's peak RSS since it started: VmHWM (Linux), not rusage's maxrss, which also holds
 * the high-water mark of the process image before exec (the parent's, for a spawned child).
 */
function peakRssKb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

function mainThreadCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

async function childEdit(dbPath: string, root: string, rel: string, rounds: number): Promise<EditChildResult> {
  const db = openWritable(dbPath);
  const reader = new Database(dbPath, { readonly: true });
  const find = reader.prepare("SELECT s.id FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.name = ? AND f.path = ?");
  const out: EditRound[] = [];
  const tag = Date.now().toString(36);
  for (let i = 0; i < rounds; i++) {
    const symbol = `SkepBenchProbe_${tag}_${i}`;
    // A new exported function that calls into its package, so the call graph has work to do too.
    appendFileSync(join(root, rel), `\n// ${symbol} was appended by the benchmark.\nfunc ${symbol}() int { return len(${JSON.stringify(symbol)}) }\n`);
    let searchableMs = -1;
    const t0 = performance.now();
    const report = await indexRepo(db, root, {
      onSearchable: () => {
        if (find.get(symbol, rel)) searchableMs = performance.now() - t0;
      },
    });
    const fullMs = performance.now() - t0;
    if (searchableMs < 0) {
      // The hook saw nothing: fall back to the first moment a reader finds it (after the full run).
      if (!find.get(symbol, rel)) throw new Error(`${symbol} is not searchable after re-indexing ${rel}`);
      searchableMs = fullMs;
    }
    out.push({ file: rel, symbol, searchableMs, fullMs, parsed: report.parsed, edgeMode: report.edgeMode, timings: report.timings });
  }
  const maxRssKb = peakRssKb();
  reader.close();
  const c = counts(db);
  const dbBytes = dbSize(db, dbPath);
  db.close();
  return { maxRssKb, rounds: out, counts: c, dbBytes };
}

/**
 * A fresh clone adopting an exported index (`skep index import`): the export is put in place, then
 * the indexer compares every file's content (the clone's mtimes are all new) and re-parses only
 * what differs. Timed from the import to a searchable, complete index.
 */
async function childImport(file: string, dbPath: string, root: string): Promise<IndexChildResult & { importMs: number }> {
  const t0 = performance.now();
  mkdirSync(join(dbPath, ".."), { recursive: true });
  importIndex(file, dbPath);
  const importMs = performance.now() - t0;
  const r = await childIndex(dbPath, root);
  return { ...r, wallMs: performance.now() - t0, importMs };
}

if (args.child) {
  const dbPath = args.db!;
  const root = args.root!;
  const result =
    args.child === "index"
      ? await childIndex(dbPath, root)
      : args.child === "import"
        ? await childImport(args.file!, dbPath, root)
        : await childEdit(dbPath, root, args.edit!, Number(args.rounds));
  process.stdout.write(`\n@@RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- parent side

/** How the parent starts the programs it measures: compiled (the default) or bun on the sources. */
interface Programs {
  child: string[];
  skep: string[];
}

function programs(tmp: string): Programs {
  if (args["from-source"]) return { child: [process.execPath, join(PROJECT, "scripts/bench/index.ts")], skep: [process.execPath, join(PROJECT, "src/main.ts")] };
  console.error("compiling the benchmark child and skep as the release does (not timed) ...");
  const child = compileInChild("script", join(tmp, "bin", "bench-child"), join(PROJECT, "scripts/bench/index.ts"));
  const skep = compileInChild("skep", join(tmp, "bin", "skep"));
  return { child: [child], skep: [skep] };
}

let run: Programs;

function runChild<T>(mode: string, extra: string[], extraEnv: Record<string, string> = {}): T {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...extraEnv };
  if (args.workers) env.SKEP_WORKERS = args.workers;
  const proc = Bun.spawnSync([...run.child, "--child", mode, ...extra], {
    cwd: PROJECT,
    env,
    stdout: "pipe",
    stderr: "inherit",
  });
  const text = proc.stdout.toString();
  const line = text.split("\n").find((l) => l.startsWith("@@RESULT "));
  if (proc.exitCode !== 0 || !line) throw new Error(`benchmark child (${mode}) failed with exit code ${proc.exitCode}:\n${text}`);
  return JSON.parse(line.slice("@@RESULT ".length)) as T;
}

function ctags(dir: string, out: string): { wallMs: number; cpuMs: number; maxRssKb: number; tags: number; bytes: number } {
  const t0 = performance.now();
  const proc = Bun.spawnSync(["/usr/bin/time", "-f", "@@TIME %e %M %U %S", "ctags", "-R", "-f", out, dir], { stdout: "pipe", stderr: "pipe" });
  const wallMs = performance.now() - t0;
  const err = proc.stderr.toString();
  if (proc.exitCode !== 0) throw new Error(`ctags failed: ${err}`);
  const m = /@@TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(err);
  const text = readFileSync(out, "utf8");
  let tags = 0;
  for (const line of text.split("\n")) if (line && !line.startsWith("!_")) tags++;
  return { wallMs, cpuMs: m ? (Number(m[3]) + Number(m[4])) * 1000 : NaN, maxRssKb: m ? Number(m[2]) : 0, tags, bytes: statSync(out).size };
}

interface SearchBench {
  engine: "src/search" | "sql";
  queries: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  byClass: Record<string, { n: number; p50Ms: number; p95Ms: number }>;
}

async function searchBench(dbPath: string, n: number): Promise<SearchBench> {
  const db = new Database(dbPath, { readonly: true });
  // Deterministic sample of real names, so runs compare.
  let seed = 7;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0), seed / 2 ** 32);
  const names = (db.query("SELECT name FROM symbols WHERE length(name) >= 4 ORDER BY id").values() as [string][]).map((r) => r[0]);
  const pick = () => names[Math.floor(rnd() * names.length)]!;
  const queries: { cls: string; q: string }[] = [];
  for (let i = 0; i < n; i++) {
    const name = pick();
    const r = i % 5;
    if (r === 0 || r === 1) queries.push({ cls: "exact", q: name });
    else if (r === 2) queries.push({ cls: "prefix", q: name.slice(0, Math.max(2, Math.min(name.length - 1, 2 + Math.floor(rnd() * 4)))) });
    else if (r === 3) queries.push({ cls: "words", q: name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[\s_]+/).slice(0, 2).join(" ") });
    else {
      const at = 1 + Math.floor(rnd() * (name.length - 2));
      queries.push({ cls: "typo", q: name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2) });
    }
  }

  let run: (q: string) => unknown;
  let engine: SearchBench["engine"] = "sql";
  try {
    const mod = (await import("../../src/search/search.ts")) as { search: (db: Database, q: string, o?: object) => unknown[] };
    if (!Array.isArray(mod.search(db, names[0]!, { limit: 20 }))) throw new Error("search() did not return a list");
    run = (q) => mod.search(db, q, { limit: 20 });
    engine = "src/search";
  } catch {
    const exact = db.prepare("SELECT id, name FROM symbols WHERE name = ? COLLATE NOCASE ORDER BY rank DESC LIMIT 20");
    const prefix = db.prepare("SELECT id, name FROM symbols WHERE name >= ?1 COLLATE NOCASE AND name < ?1 || char(1114111) COLLATE NOCASE LIMIT 20");
    run = (q) => {
      const hits = exact.all(q);
      return hits.length ? hits : prefix.all(q);
    };
  }
  for (const { q } of queries.slice(0, 20)) run(q); // warm the page cache and statement cache
  const times: number[] = [];
  const byClass = new Map<string, number[]>();
  for (const { cls, q } of queries) {
    const t0 = performance.now();
    run(q);
    const ms = performance.now() - t0;
    times.push(ms);
    if (!byClass.has(cls)) byClass.set(cls, []);
    byClass.get(cls)!.push(ms);
  }
  db.close();
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  };
  return {
    engine,
    queries: times.length,
    p50Ms: pct(times, 50),
    p95Ms: pct(times, 95),
    p99Ms: pct(times, 99),
    maxMs: Math.max(...times),
    byClass: Object.fromEntries([...byClass].map(([k, xs]) => [k, { n: xs.length, p50Ms: pct(xs, 50), p95Ms: pct(xs, 95) }])),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => bytes / 1024 / 1024;

async function main(): Promise<void> {
  const dir = resolve(positionals[0] ?? DEFAULT_DIR);
  if (!existsSync(dir)) throw new Error(`no such directory: ${dir}`);
  const tmp = mkdtempSync(join(tmpdir(), "skep-bench-"));
  const tree = join(tmp, "tree");
  const dbPath = join(tmp, "db", "index.db");
  const workers = args.workers ? Number(args.workers) : defaultWorkers();
  console.error(`skep index benchmark: ${dir} (temp ${tmp}, ${workers} workers)`);
  try {
    run = programs(tmp);
    const loadBefore = loadavg().map((x) => x.toFixed(2)).join(" ");
    console.error("ctags -R ...");
    const ct = ctags(dir, join(tmp, "tags"));

    console.error("copying the tree (not timed) ...");
    const tc = performance.now();
    const cp = Bun.spawnSync(["cp", "-a", dir, tree]);
    if (cp.exitCode !== 0) throw new Error(`cp -a failed: ${cp.stderr.toString()}`);
    const copyMs = performance.now() - tc;

    const coldEnv: Record<string, string> = args["no-cold-env"]
      ? {}
      : args["cold-env"] === "small"
        ? { ...SMALL_COLD_BUILD_ENV }
        : args["cold-env"] === "large"
          ? { ...COLD_BUILD_ENV }
          : { ...coldBuildEnv(tree) };
    const coldRuns: IndexChildResult[] = [];
    for (let i = 0; i < Number(args["cold-runs"]); i++) {
      console.error(`cold index${i ? ` (run ${i + 1})` : ""} ...`);
      if (i > 0) rmSync(join(tmp, "db"), { recursive: true, force: true });
      coldRuns.push(runChild<IndexChildResult>("index", ["--db", dbPath, "--root", tree], coldEnv));
    }
    const cold = coldRuns.reduce((best, r) => (r.wallMs < best.wallMs ? r : best));
    if (coldRuns.length > 1 && cold !== coldRuns[coldRuns.length - 1]) {
      // The later phases need the index on disk: rebuild it (untimed) when the fastest run was not the last.
      rmSync(join(tmp, "db"), { recursive: true, force: true });
      runChild<IndexChildResult>("index", ["--db", dbPath, "--root", tree], coldEnv);
    }
    console.error("skep index (CLI), cold, on a fresh copy ...");
    const cli = cliColdIndex(dir, tmp);
    // The portable export a CI job would publish (untimed), then a fresh clone adopting it: `cp -r`
    // (not -a), so every mtime is new, as in a clone, and the indexer must compare contents.
    console.error("export, fresh copy (not timed), import ...");
    const exportFile = join(tmp, "index.skep");
    exportIndex(dbPath, exportFile);
    const clone = join(tmp, "clone");
    const cpClone = Bun.spawnSync(["cp", "-r", dir, clone]);
    if (cpClone.exitCode !== 0) throw new Error(`cp -r failed: ${cpClone.stderr.toString()}`);
    const imported = runChild<IndexChildResult & { importMs: number }>("import", ["--file", exportFile, "--db", join(tmp, "clone-db", "index.db"), "--root", clone]);
    rmSync(clone, { recursive: true, force: true });

    console.error("nothing-changed re-index ...");
    const noop = runChild<IndexChildResult>("index", ["--db", dbPath, "--root", tree]);

    const editRel = args.edit ?? (existsSync(join(tree, DEFAULT_EDIT)) ? DEFAULT_EDIT : pickGoFile(dbPath));
    console.error(`one changed file (${editRel}), ${args.rounds} rounds ...`);
    const edit = runChild<EditChildResult>("edit", ["--db", dbPath, "--root", tree, "--edit", editRel, "--rounds", args.rounds!]);

    console.error(`search, ${args.queries} queries ...`);
    const sb = await searchBench(dbPath, Number(args.queries));

    const src = cold.counts.sourceBytes;
    const editFull = median(edit.rounds.map((r) => r.fullMs));
    const editSearchable = median(edit.rounds.map((r) => r.searchableMs));
    type Row = { phase: string; files: number; parsed: number | string; mb: number; symbols: number; refs: number | string; edges: number | string; wallMs: number; rssKb: number; dbBytes: number };
    const rows: Row[] = [
      { phase: "ctags -R (baseline)", files: NaN, parsed: "-", mb: NaN, symbols: ct.tags, refs: "-", edges: "-", wallMs: ct.wallMs, rssKb: ct.maxRssKb, dbBytes: ct.bytes },
      { phase: "cold index", files: cold.counts.files, parsed: cold.report.parsed, mb: mb(src), symbols: cold.counts.symbols, refs: cold.counts.refs, edges: cold.counts.edges, wallMs: cold.wallMs, rssKb: cold.maxRssKb, dbBytes: cold.dbBytes },
      { phase: "skep index (CLI), cold", files: cli.files, parsed: cli.parsed, mb: mb(src), symbols: cli.symbols, refs: "-", edges: "-", wallMs: cli.wallMs, rssKb: cli.maxRssKb, dbBytes: NaN },
      { phase: "fresh clone, imported index", files: imported.counts.files, parsed: imported.report.parsed, mb: mb(src), symbols: imported.counts.symbols, refs: imported.counts.refs, edges: imported.counts.edges, wallMs: imported.wallMs, rssKb: imported.maxRssKb, dbBytes: imported.dbBytes },
      { phase: "nothing changed", files: noop.counts.files, parsed: noop.report.parsed, mb: mb(src), symbols: noop.counts.symbols, refs: noop.counts.refs, edges: noop.counts.edges, wallMs: noop.wallMs, rssKb: noop.maxRssKb, dbBytes: noop.dbBytes },
      { phase: "1 file changed: searchable", files: 1, parsed: 1, mb: NaN, symbols: edit.counts.symbols, refs: "-", edges: "-", wallMs: editSearchable, rssKb: NaN, dbBytes: NaN },
      { phase: "1 file changed: full", files: edit.counts.files, parsed: edit.rounds[0]?.parsed ?? 0, mb: mb(src), symbols: edit.counts.symbols, refs: edit.counts.refs, edges: edit.counts.edges, wallMs: editFull, rssKb: edit.maxRssKb, dbBytes: edit.dbBytes },
    ];
    const table = renderTable(rows, ct.wallMs, src);
    const cpu = cpus()[0]?.model ?? "unknown CPU";
    const machine = `${cpu}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, bun ${Bun.version}, ${workers} parse workers`;
    const t = cold.report.timings;
    const lines = [
      `skep index benchmark: ${dir}`,
      `machine: ${machine}`,
      `programs: ${args["from-source"] ? "bun on the TypeScript sources (--from-source)" : "compiled like the release (bytecode)"}`,
      `source: ${cold.counts.files} files, ${mb(src).toFixed(1)} MB indexed (the tree copy took ${(copyMs / 1000).toFixed(1)} s, not counted)`,
      "",
      table,
      "",
      `CPU time (user+sys, all threads): ctags ${fmtMs(ct.cpuMs)}, cold ${fmtMs(cold.cpuMs)} (${(cold.cpuMs / ct.cpuMs).toFixed(1)}x; main thread ${fmtMs(cold.mainCpuMs)}), nothing changed ${fmtMs(noop.cpuMs)}; load average before/after: ${loadBefore} / ${loadavg().map((x) => x.toFixed(2)).join(" ")}`,
      // Per MiB indexed: comparable across runs whose rules index different parts of a tree.
      `skep index (CLI), cold: wall ${fmtMs(cli.wallMs)}, CPU ${fmtMs(cli.cpuMs)} (the whole process: start-up, the re-exec for a cold build, the index), ${(cli.cpuMs / 1000 / mb(src)).toFixed(2)} CPU-s/MiB; cold runs above ${Object.keys(coldEnv).length ? `with ${Object.entries(coldEnv).map(([k, v]) => `${k}=${v}`).join(" ")}` : "without the cold-build settings"}`,
      `cold CPU per MiB indexed: ${(cold.cpuMs / 1000 / mb(src)).toFixed(2)} CPU-s/MiB (${mb(src).toFixed(1)} MiB); parse plan: ${cold.report.parsePlan ? `${cold.report.parsePlan.workers} workers${cold.report.parsePlan.callerParses ? " + the calling thread" : ""} (estimate ${fmtMs(cold.report.parsePlan.estimateMs)})` : "-"}`,
      ...(coldRuns.length > 1 ? [`cold runs (fastest shown): ${coldRuns.map((r) => `${fmtMs(r.wallMs)} (${fmtMs(r.cpuMs)} CPU)`).join(", ")}`] : []),
      `cold breakdown: scan ${fmtMs(t.scan)}, parse+write ${fmtMs(t.parse)}, indexes+FTS ${fmtMs(t.finish ?? 0)} (overlapping the edge computation), edges ${fmtMs(t.edges)}, rank ${fmtMs(t.rank)} (${cold.report.edgeMode} edges)`,
      `one changed file (${editRel}, ${edit.rounds.length} rounds, median): searchable ${fmtMs(editSearchable)}, full ${fmtMs(editFull)}; ` +
        `each: ${edit.rounds.map((r) => `${fmtMs(r.searchableMs)}/${fmtMs(r.fullMs)}`).join(", ")}`,
      `search (${sb.engine}, ${sb.queries} queries): p50 ${sb.p50Ms.toFixed(2)} ms, p95 ${sb.p95Ms.toFixed(2)} ms, p99 ${sb.p99Ms.toFixed(2)} ms, max ${sb.maxMs.toFixed(1)} ms; ` +
        Object.entries(sb.byClass).map(([k, v]) => `${k} p50 ${v.p50Ms.toFixed(2)}/p95 ${v.p95Ms.toFixed(2)}`).join(", "),
      `fresh clone with an imported index: ${fmtMs(imported.wallMs)} to complete (import ${fmtMs(imported.importMs)}, then ${imported.report.parsed} files re-parsed), ${(imported.wallMs / ct.wallMs).toFixed(2)}x ctags, ${(imported.wallMs / cold.wallMs).toFixed(2)}x the cold index; CPU ${fmtMs(imported.cpuMs)}`,
      `DB size / source bytes: ${(cold.dbBytes / src).toFixed(2)}x`,
    ];
    if (cold.tables && Object.keys(cold.tables).length) {
      const top = Object.entries(cold.tables).slice(0, 12);
      lines.push(`DB by table/index (MB): ${top.map(([k, v]) => `${k} ${mb(v).toFixed(1)}`).join(", ")}`);
    }
    console.log(lines.join("\n"));

    const record = {
      date: new Date().toISOString(),
      dir,
      machine: { cpu, cores: availableParallelism(), memGb: totalmem() / 2 ** 30, bun: Bun.version, workers },
      git: Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: PROJECT }).stdout.toString().trim(),
      loadAverage: { before: loadBefore, after: loadavg() },
      ctags: ct,
      copyMs,
      cold,
      coldEnv,
      compiled: !args["from-source"],
      cli,
      coldRuns: coldRuns.map((r) => ({ wallMs: r.wallMs, cpuMs: r.cpuMs, mainCpuMs: r.mainCpuMs, timings: r.report.timings })),
      imported,
      noop,
      edit: { ...edit, medianSearchableMs: editSearchable, medianFullMs: editFull },
      search: sb,
      table,
    };
    mkdirSync(join(PROJECT, "bench-results"), { recursive: true });
    const out = join(PROJECT, "bench-results", `index-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
    console.error(`wrote ${out}`);
  } finally {
    if (args.keep) console.error(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * `skep index` on a fresh copy of `dir`, as a user runs it (no daemon; the index outside the tree).
 * Wall time from here; CPU from the kernel's account of the process (its re-exec for a cold
 * build included) and anything it waited for.
 */
function cliColdIndex(dir: string, tmp: string): { wallMs: number; cpuMs: number; maxRssKb: number; files: number; parsed: number; symbols: number } {
  const copy = join(tmp, "cli-tree");
  const cp = Bun.spawnSync(["cp", "-a", dir, copy]);
  if (cp.exitCode !== 0) throw new Error(`cp -a failed: ${cp.stderr.toString()}`);
  const env: Record<string, string> = { ...(process.env as Record<string, string>), SKEP_NO_DAEMON: "1", SKEP_DIR: join(tmp, "cli-skep") };
  if (args.workers) env.SKEP_WORKERS = args.workers;
  // Without the settings: the command believes it was re-executed already and builds as it is.
  if (args["no-cold-env"]) env[COLD_REEXEC_MARK] = "1";
  const t0 = performance.now();
  const proc = Bun.spawnSync([...run.skep, "index", "--json", "--repo", copy], { cwd: tmp, env, stdout: "pipe", stderr: "pipe" });
  const wallMs = performance.now() - t0;
  rmSync(copy, { recursive: true, force: true });
  rmSync(join(tmp, "cli-skep"), { recursive: true, force: true });
  if (proc.exitCode !== 0) throw new Error(`skep index failed (exit ${proc.exitCode}): ${proc.stderr.toString()}`);
  const a = JSON.parse(proc.stdout.toString()) as { files: number; parsed: number; symbols: number };
  const usage = proc.resourceUsage;
  return { wallMs, cpuMs: usage ? Number(usage.cpuTime.total) / 1000 : NaN, maxRssKb: usage ? usage.maxRSS / 1024 : NaN, files: a.files, parsed: a.parsed, symbols: a.symbols };
}

function pickGoFile(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true });
  const row = db.query("SELECT path FROM files WHERE lang = 'go' AND skip_reason IS NULL ORDER BY size DESC LIMIT 1 OFFSET (SELECT count(*) / 4 FROM files WHERE lang = 'go')").get() as { path: string } | null;
  db.close();
  if (!row) throw new Error("no .go file to edit: pass --edit <path>");
  return row.path;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

function renderTable(rows: { phase: string; files: number; parsed: number | string; mb: number; symbols: number; refs: number | string; edges: number | string; wallMs: number; rssKb: number; dbBytes: number }[], ctagsMs: number, src: number): string {
  const num = (x: number | string) => (typeof x === "string" ? x : Number.isNaN(x) ? "-" : x.toLocaleString("en-US"));
  const head = ["phase", "files", "parsed", "MB", "symbols", "refs", "edges", "wall", "files/s", "peak RSS", "DB size", "wall / ctags"];
  const body = rows.map((r) => [
    r.phase,
    num(r.files),
    num(r.parsed),
    Number.isNaN(r.mb) ? "-" : r.mb.toFixed(1),
    num(r.symbols),
    num(r.refs),
    num(r.edges),
    fmtMs(r.wallMs),
    Number.isNaN(r.files) ? "-" : Math.round(r.files / (r.wallMs / 1000)).toLocaleString("en-US"),
    Number.isNaN(r.rssKb) ? "-" : `${(r.rssKb / 1024).toFixed(0)} MB`,
    Number.isNaN(r.dbBytes) ? "-" : `${mb(r.dbBytes).toFixed(1)} MB${r.phase.startsWith("ctags") ? "" : ` (${(r.dbBytes / src).toFixed(2)}x src)`}`,
    `${(r.wallMs / ctagsMs).toFixed(r.wallMs / ctagsMs < 1 ? 3 : 1)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...body.map(line)].join("\n");
}

await main();

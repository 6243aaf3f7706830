// One cold build of DIR into a fresh temp database, for quick A/B runs: wall, CPU of the whole
// process, indexRepo's timings, and the CPU of each thread still alive at the end (the main thread
// "bun", JSC's JIT and GC helpers; parse workers have exited by then, their CPU is in the total).
//
//   bun scripts/bench/cold-once.ts [DIR] [--workers N] [--keep out.db]
//
// BUN_JSC_reportFTLCompileTimes=1 in the environment lists every FTL compile (how the JIT's share
// was found). bench:index is the full benchmark; this is one cold run, nothing else.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { workers: { type: "string" }, keep: { type: "string" } } });
const dir = positionals[0] ?? "/usr/share/go-1.19/src";
const tmp = mkdtempSync(join(tmpdir(), "skep-cold-"));
const db = openWritable(join(tmp, "index.db"));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const r = await indexRepo(db, dir, { workers: args.workers ? Number(args.workers) : undefined });
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
db.close();
const threads: string[] = [];
for (const t of readdirSync("/proc/self/task")) {
  try {
    const raw = readFileSync(`/proc/self/task/${t}/stat`, "utf8");
    const name = raw.slice(raw.indexOf("(") + 1, raw.lastIndexOf(")"));
    const f = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
    const ms = (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in 10 ms ticks
    if (ms >= 100) threads.push(`${name}:${(ms / 1000).toFixed(1)}`);
  } catch {
    // the thread exited meanwhile
  }
}
if (args.keep) copyFileSync(join(tmp, "index.db"), args.keep);
rmSync(tmp, { recursive: true, force: true });
const s = (n: number) => `${(n / 1000).toFixed(2)}s`;
console.log(
  `files ${r.files} symbols ${r.symbols} wall ${s(wall)} cpu ${s((cpu.user + cpu.system) / 1000)} ` +
    Object.entries(r.timings).map(([k, v]) => `${k} ${s(v)}`).join(" ") +
    ` | live threads ${threads.join(" ")}`,
);

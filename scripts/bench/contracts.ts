// HTTP contracts benchmark: what `skep contracts` costs on a tree, beside the cold index it reads
// (the baseline, measured in the same run). Phases: cold index; contracts with an empty cache
// (every candidate file read, the text test, the parse of those that pass); contracts again (the
// cache answers by the index's hashes, nothing read); contracts after one file changed.
//
//   bun run bench:contracts [DIR]     (default: the Go 1.19 standard library)
//
// DIR is never modified: it is copied to a temp dir first (not timed).
import { readFileSync, mkdtempSync, rmSync, appendFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CONTRACT_LANGUAGES, mayHoldContracts } from "../../src/contracts/extract.ts";
import { repoContracts } from "../../src/contracts/repo.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";
import type { LanguageId } from "../../src/parser/languages.ts";

const dir = resolve(process.argv[2] ?? "/usr/share/go-1.19/src");
if (!existsSync(dir)) {
  console.error(`no such directory: ${dir}`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), "skep-bench-contracts-"));
const root = join(work, "tree");
Bun.spawnSync(["cp", "-r", dir, root]);
Bun.spawnSync(["mkdir", "-p", join(root, ".skep")]);

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}

try {
  const db = openWritable(join(root, ".skep", "index.db"));
  const [report, indexMs] = await timed(() => indexRepo(db, root));
  const files = db.query("SELECT path, lang FROM files WHERE skip_reason IS NULL").all() as { path: string; lang: string }[];
  db.close();
  const candidates = files.filter((f) => CONTRACT_LANGUAGES.has(f.lang as LanguageId));
  const parsed = candidates.filter((f) => mayHoldContracts(f.lang as LanguageId, readFileSync(join(root, f.path), "utf8"))).length;
  const [cold, coldMs] = await timed(() => repoContracts("bench", root));
  const [, warmMs] = await timed(() => repoContracts("bench", root));
  const edited = cold.routes[0]?.file ?? cold.calls[0]?.file ?? candidates[0]?.path;
  if (edited) appendFileSync(join(root, edited), "\n");
  const [, editMs] = await timed(() => repoContracts("bench", root));
  const rows: [string, string][] = [
    ["tree", `${dir} (${report.files} files indexed)`],
    ["files in languages with an extractor", String(candidates.length)],
    ["files passing the text test (parsed)", `${parsed} (${((parsed / Math.max(1, candidates.length)) * 100).toFixed(1)} %)`],
    ["routes / calls found", `${cold.routes.length} / ${cold.calls.length}`],
    ["cold index (baseline)", `${indexMs.toFixed(0)} ms`],
    ["contracts, empty cache", `${coldMs.toFixed(0)} ms (${((coldMs / indexMs) * 100).toFixed(1)} % of the cold index)`],
    ["contracts, cache full", `${warmMs.toFixed(0)} ms`],
    [`contracts, one file changed (${edited})`, `${editMs.toFixed(0)} ms`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

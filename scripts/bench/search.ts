// Micro-benchmark for symbol search: builds a synthetic index of ~100k symbols shaped like the Go
// standard library (camelCase names, methods on types, Go signatures, docs, a skewed PageRank),
// runs 1000 mixed queries and prints latency percentiles per query class, plus the cost of each
// tier's SQL on its own. Names come from a vocabulary of ~300 words, so words and trigrams are far
// more common than in real code: broad queries here are harder than on a real index.
//
//   bun scripts/bench/search.ts [--symbols 100000] [--queries 1000] [--db path/to/keep.db] [--slowest 10]
//
// --db keeps the generated index at that path and reuses it on the next run; --slowest lists the
// slowest queries with the time each tier took on them; SHOW_MISSES=1 lists the typos not found.
import type { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { IndexWriter, openWritable } from "../../src/index/store.ts";
import type { ExtractedSymbol, SymbolKind } from "../../src/parser/types.ts";
import { buildFilter } from "../../src/search/filters.ts";
import { parseQuery } from "../../src/search/query.ts";
import { search } from "../../src/search/search.ts";
import { fuzzyTier } from "../../src/search/fuzzy.ts";
import { camelTier, exactTier, prefixTier, substringTier, wordsTier } from "../../src/search/tiers.ts";
import type { SearchOptions } from "../../src/search/types.ts";

const { values: args } = parseArgs({
  options: {
    symbols: { type: "string", default: "100000" },
    queries: { type: "string", default: "1000" },
    db: { type: "string" },
    slowest: { type: "string", default: "0" },
  },
});
const SYMBOLS = Number(args.symbols);
const QUERIES = Number(args.queries);

// Deterministic PRNG so runs are comparable.
let seed = 42;
function rnd(): number {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const VOCAB = `get set new read write server client request response handler buffer parse string int byte
error config file path url json encode decode marshal unmarshal token conn listen serve close open init print
format time duration context cancel value key map list node tree walk visit type func method field struct
interface header body cookie session user login view model controller service manager factory builder reader
writer scanner lexer parser compiler emit load store cache pool queue stack heap sort search find match replace
split join trim upper lower len cap copy append delete insert update select query exec rows tx commit rollback
lock unlock mutex wait group once signal notify watch poll dial accept bind route path mux serve proxy tls cert
key hash sum crypto cipher block stream reader flush sync async spawn run start stop reset clear flag option
arg env exit code status message event log trace span metric counter gauge sample rate limit retry backoff
timeout deadline tick timer clock zone date year month day hour minute second nano unix local utc float uint
rune char word line text html template xml csv zip gzip flate tar archive image color point rect draw font glyph
socket addr port host ip net dns mail smtp http ftp rpc grpc proto message schema table column index cursor
iterator range slice array vector matrix graph edge vertex weight rank score`
  .split(/\s+/)
  .filter(Boolean);
const ACRONYMS = ["HTTP", "URL", "ID", "JSON", "TLS", "IP", "TCP", "UDP", "XML", "API"];
const KINDS: [SymbolKind, number][] = [
  ["function", 0.34],
  ["method", 0.36],
  ["struct", 0.08],
  ["interface", 0.03],
  ["type", 0.05],
  ["constant", 0.14],
];
const LANGS = ["go", "go", "go", "go", "go", "go", "go", "go", "typescript", "python"];

const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
function makeName(exported: boolean): string {
  const n = 1 + Math.floor(rnd() ** 1.5 * 4);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.06) parts.push(pick(ACRONYMS));
    else if (r < 0.09) parts.push(`${cap(pick(VOCAB))}${pick(["8", "16", "32", "64"])}`);
    else parts.push(cap(pick(VOCAB)));
  }
  let name = parts.join("");
  if (!exported) name = name.replace(/^[A-Z]+?(?=[A-Z][a-z]|$)|^[A-Z]/, (m) => m.toLowerCase());
  return name;
}
function pickKind(): SymbolKind {
  let r = rnd();
  for (const [k, p] of KINDS) if ((r -= p) < 0) return k;
  return "function";
}

function build(db: Database): void {
  const writer = new IndexWriter(db);
  const dirs = Array.from({ length: 350 }, () => `src/${pick(VOCAB)}/${pick(VOCAB)}`);
  let made = 0;
  let file = 0;
  db.transaction(() => {
    while (made < SYMBOLS) {
      const lang = pick(LANGS);
      const ext = lang === "go" ? (rnd() < 0.2 ? "_test.go" : ".go") : lang === "python" ? ".py" : ".ts";
      const path = `${pick(dirs)}/${pick(VOCAB)}${file++}${ext}`;
      const count = Math.min(SYMBOLS - made, 4 + Math.floor(rnd() * 24));
      const types: string[] = [];
      const symbols: ExtractedSymbol[] = [];
      for (let i = 0; i < count; i++) {
        let kind = pickKind();
        if (kind === "method" && !types.length) kind = "struct";
        const name = makeName(rnd() < 0.6);
        if (kind === "struct" || kind === "interface" || kind === "type") types.push(name);
        const container = kind === "method" ? pick(types) : null;
        const line = 1 + i * 20;
        const signature =
          kind === "method"
            ? `func (r *${container}) ${name}(ctx context.Context, ${pick(VOCAB)} ${pick(VOCAB)}) error`
            : kind === "function"
              ? `func ${name}(${pick(VOCAB)} string) (${cap(pick(VOCAB))}, error)`
              : `${kind} ${name}`;
        const doc = rnd() < 0.5 ? `${name} ${pick(VOCAB)}s the ${pick(VOCAB)} ${pick(VOCAB)} of the ${pick(VOCAB)}.` : null;
        symbols.push({ name, kind, container, line, col: 0, endLine: line + 10, endCol: 1, signature, doc, typeRef: null, arity: null });
      }
      writer.writeParsed({ path, lang, size: 1000, mtimeUs: 1 }, "hash", { symbols, refs: [], imports: [], relations: [], syntaxErrors: 0 }, Date.now());
      made += count;
    }
  })();
  // Skewed PageRank with mean ~1, like the real thing: most symbols small, a few hubs.
  const ids = db.query("SELECT id FROM symbols").values() as [number][];
  const upd = db.prepare("UPDATE symbols SET rank = ? WHERE id = ?");
  db.transaction(() => {
    for (const [id] of ids) upd.run(0.25 / Math.max(rnd(), 1e-6) ** 0.75, id);
  })();
}

type QueryCase = { cls: string; text: string; opts?: SearchOptions; expect?: string };

function makeQueries(db: Database): QueryCase[] {
  const names = (db.query("SELECT name, container FROM symbols ORDER BY random() LIMIT 5000").all() as { name: string; container: string | null }[]).filter(
    (r) => r.name.length >= 3,
  );
  const multi = names.filter((r) => /[a-z][A-Z]/.test(r.name));
  const words = (n: string) => n.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/);
  const HOSTILE = ["ver1.1", '"', "*", "AND(", "NOT", "OR", "NEAR", "^", "-", ":", "", "   ", "日本語", "🚀", "'; DROP TABLE symbols; --", "x".repeat(10_000)];
  const out: QueryCase[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const r = pick(names);
    const m = pick(multi);
    const slot = i % 10;
    if (slot === 0) out.push({ cls: "exact", text: rnd() < 0.5 ? r.name : r.name.toLowerCase() });
    else if (slot === 1) out.push({ cls: "prefix", text: r.name.slice(0, 3 + Math.floor(rnd() * 4)) });
    else if (slot === 2) {
      const ws = words(m.name);
      out.push({ cls: "camel", text: rnd() < 0.5 ? ws.map((w) => w[0]).join("") : ws.map((w, j) => (j === 0 ? w.slice(0, 3) : w.slice(0, 1))).join("") });
    } else if (slot === 3) {
      const ws = words(m.name).map((w) => w.toLowerCase());
      out.push({ cls: "words", text: (rnd() < 0.5 ? ws.reverse() : ws).slice(0, 2).join(" ") });
    } else if (slot === 4) {
      const start = 1 + Math.floor(rnd() * Math.max(1, m.name.length - 6));
      out.push({ cls: "substring", text: m.name.slice(start, start + 5) });
    } else if (slot === 5) {
      const n = m.name;
      const at = Math.floor(rnd() * (n.length - 1));
      const letter = pick([..."abcdefghijklmnopqrstuvwxyz"]);
      const typo = pick([
        n.slice(0, at) + n[at + 1] + n[at] + n.slice(at + 2), // swap
        n.slice(0, at) + n.slice(at + 1), // drop
        n.slice(0, at) + letter + n.slice(at), // insert
        n.slice(0, at) + letter + n.slice(at + 1), // replace
      ]);
      out.push({ cls: "fuzzy", text: typo, expect: n });
    } else if (slot === 6) out.push({ cls: "garbage", text: Array.from({ length: 5 + Math.floor(rnd() * 6) }, () => pick([..."qzxjvkwy"])).join("") });
    else if (slot === 7) out.push({ cls: "short", text: r.name.slice(0, 1 + Math.floor(rnd() * 2)).toLowerCase() });
    else if (slot === 8) out.push({ cls: "hostile", text: HOSTILE[i % HOSTILE.length]! });
    else {
      const opts: SearchOptions = pick([{ kind: "method" }, { lang: "go", kind: ["struct", "interface"] }, { path: "src/**/*_test.go" }, { path: "*.py" }]);
      out.push({ cls: "filtered", text: pick([r.name.slice(0, 4), words(m.name).map((w) => w[0]).join(""), r.name]), opts });
    }
  }
  return out;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}
const fmt = (ms: number) => ms.toFixed(2).padStart(7);
function report(title: string, groups: Map<string, number[]>): void {
  console.log(`\n${title}\n${"".padEnd(12)}      n     p50     p95     p99     max  (ms)`);
  for (const [k, xs] of groups) {
    console.log(`${k.padEnd(12)} ${String(xs.length).padStart(6)} ${fmt(pct(xs, 50))} ${fmt(pct(xs, 95))} ${fmt(pct(xs, 99))} ${fmt(Math.max(...xs))}`);
  }
}

const dir = args.db ? null : mkdtempSync(join(tmpdir(), "skep-bench-search-"));
const dbPath = args.db ?? join(dir!, "index.db");
const fresh = !existsSync(dbPath);
const db = openWritable(dbPath);
try {
  if (fresh) {
    const t0 = performance.now();
    build(db);
    console.log(`built ${SYMBOLS} symbols in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const counts = db.query("SELECT (SELECT count(*) FROM symbols) AS symbols, (SELECT count(*) FROM files) AS files").get() as { symbols: number; files: number };
  console.log(`index: ${counts.symbols} symbols in ${counts.files} files (${dbPath})`);

  const queries = makeQueries(db);
  for (const q of queries.slice(0, 100)) search(db, q.text, q.opts); // warm: prepare statements, fill the page cache

  const byClass = new Map<string, number[]>([["all", []]]);
  const firstTier = new Map<string, Map<string, number>>();
  let typos = 0;
  let typosFound = 0;
  for (const q of queries) {
    const t0 = performance.now();
    const hits = search(db, q.text, q.opts);
    const ms = performance.now() - t0;
    byClass.get("all")!.push(ms);
    if (!byClass.has(q.cls)) byClass.set(q.cls, []);
    byClass.get(q.cls)!.push(ms);
    if (q.expect) {
      typos++;
      if (hits.some((h) => h.name === q.expect)) typosFound++;
      else if (process.env.SHOW_MISSES) console.log(`missed typo ${q.text} -> ${q.expect}: ${hits.slice(0, 5).map((h) => h.name).join(", ")}`);
    }
    const tiers = firstTier.get(q.cls) ?? new Map<string, number>();
    const t = hits[0]?.match ?? "(none)";
    tiers.set(t, (tiers.get(t) ?? 0) + 1);
    firstTier.set(q.cls, tiers);
  }
  report("search() end to end, by query class", byClass);
  console.log(`\nfuzzy class: the intended name is among the hits for ${typosFound} of ${typos} typos`);
  console.log("\nbest tier of the first hit, by query class");
  for (const [cls, tiers] of firstTier) console.log(`${cls.padEnd(12)} ${[...tiers].map(([t, n]) => `${t} ${n}`).join(", ")}`);

  // Each tier's SQL on its own, over every query (limit 20, no early stop): what a tier costs
  // when search() does reach it.
  const tierCost = new Map<string, number[]>();
  const perQuery: { q: QueryCase; total: number; parts: string }[] = [];
  const TIERS = { exact: exactTier, prefix: prefixTier, camel: camelTier, words: wordsTier, substring: substringTier, fuzzy: fuzzyTier };
  for (const q of queries) {
    const parsed = parseQuery(q.text);
    if (!parsed) continue;
    const input = { db, q: parsed, filter: buildFilter(db, q.opts ?? {}), limit: 20 };
    let total = 0;
    const parts: string[] = [];
    for (const [name, fn] of Object.entries(TIERS)) {
      const t0 = performance.now();
      const n = fn(input).length;
      const ms = performance.now() - t0;
      total += ms;
      parts.push(`${name} ${ms.toFixed(2)} (${n})`);
      if (!tierCost.has(name)) tierCost.set(name, []);
      tierCost.get(name)!.push(ms);
    }
    perQuery.push({ q, total, parts: parts.join(", ") });
  }
  report("each tier alone (all queries, limit 20)", tierCost);
  const slowest = Number(args.slowest);
  if (slowest > 0) {
    console.log("\nslowest queries, all tiers run (ms, hits)");
    for (const { q, total, parts } of perQuery.sort((a, b) => b.total - a.total).slice(0, slowest)) {
      console.log(`${total.toFixed(2).padStart(6)} ${q.cls.padEnd(9)} ${JSON.stringify(q.text.slice(0, 30))}${q.opts ? ` ${JSON.stringify(q.opts)}` : ""}: ${parts}`);
    }
  }
} finally {
  db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

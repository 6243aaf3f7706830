// Call-graph evaluation: precision and recall of skep's call edges against labelled call pairs from
// real code, per language, for the name rules alone ("before") and with receivers' types ("after").
//
//   bun run bench:callgraph [--lang go,python,...] [--label] [--misses FILE] [--db DIR]
//
// --misses writes the wrong and missed pairs (after) to FILE; --db keeps each index in DIR/<lang>.db
// and reuses it on the next run.
//
// The code is what Debian and npm packages install (never committed): the Go 1.19 standard library
// (golang-1.19-src), CPython 3.11's (python3.11), ajv's TypeScript sources (node_modules/ajv/lib),
// enhanced-resolve's JavaScript (node_modules/enhanced-resolve/lib).
// The labels are in test/fixtures/callgraph/<lang>.tsv, one call pair a line:
//   caller (path:line of its name)  callee (path:line)  right|wrong  how it was decided
// A sampled caller's right pairs are all its calls of functions or methods defined in the tree, as
// the language's own type checker sees them (the oracle named in the how column), so a predicted
// pair not labelled right is wrong. --label asks the oracles again and rewrites the labels.
//
// Each tree is indexed once into a temp dir; both edge sets are computed from that one index.
import type { Database } from "bun:sqlite";
import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { computeEdges, type GraphRef, type GraphSymbol } from "../../src/graph/edges.ts";
import type { GraphRelation } from "../../src/graph/receiver-types.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";

const PROJECT = resolve(import.meta.dir, "../..");
const LABELS = join(PROJECT, "test/fixtures/callgraph");

interface Corpus {
  lang: string;
  /** The tree indexed. */
  root: string;
  /** Install hint when root is missing. */
  pkg: string;
  /** Callers are sampled from files under this path (relative to root). */
  sample: string;
  /** Oracle: "callerPath:line\tcalleePath:line" lines for every call in the sample (paths relative to root). */
  oracle: () => string[];
  how: string;
  /** Callers to sample. */
  callers: number;
  /** Index a copy (a tree inside this repo's worktree would be read through git, which ignores node_modules). */
  copy?: boolean;
  /** Make the tree in `dir` from `root` (an archive) and return it; the oracle then reads that tree. */
  unpack?: (dir: string) => string;
}

/** Where an unpacked corpus lives while the bench runs (the oracle reads it too). */
let unpacked = "";

const GOROOT_SRC = "/usr/share/go-1.19/src";

const CORPORA: Corpus[] = [
  {
    lang: "go",
    root: GOROOT_SRC,
    pkg: "apt-get install golang-1.19-src golang-1.19-go",
    sample: "net/http/",
    how: "go/types 1.19 (scripts/bench/callgraph/oracle-go.go)",
    callers: 70,
    oracle: () => {
      const dir = mkdtempSync(join(tmpdir(), "skep-oracle-go-"));
      try {
        writeFileSync(join(dir, "go.mod"), "module oracle\n\ngo 1.19\n");
        writeFileSync(join(dir, "main.go"), readFileSync(join(import.meta.dir, "callgraph/oracle-go.go")));
        const env = { ...process.env, PATH: `/usr/lib/go-1.19/bin:${process.env.PATH}`, GOROOT: "/usr/lib/go-1.19", GOPROXY: "off", GOFLAGS: "-mod=mod", GOCACHE: join(dir, "cache") };
        const out = execFileSync("go", ["run", ".", GOROOT_SRC, "net/http"], { cwd: dir, env, maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "ignore"] }).toString();
        return out.split("\n").filter(Boolean).map((l) => l.split("\t").slice(0, 2).map((p) => p.replace(/^(\.\.\/)+lib\/go-1\.19\/src\//, "")).join("\t"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    lang: "java",
    root: "/usr/lib/jvm/openjdk-17/lib/src.zip",
    pkg: "apt-get install openjdk-17-source (and a JDK for the oracle)",
    sample: "java.base/java/util/",
    how: "javac 17 attribution, Trees.getElement (scripts/bench/callgraph/Oracle.java)",
    callers: 70,
    unpack: (dir) => {
      execFileSync("unzip", ["-q", "-o", "/usr/lib/jvm/openjdk-17/lib/src.zip", "java.base/java/util/*", "-d", dir]);
      return dir;
    },
    oracle: () => {
      const util = join(unpacked, "java.base/java/util");
      const files = readdirSync(util).filter((f) => f.endsWith(".java")).sort().map((f) => join(util, f));
      return execFileSync("java", [join(import.meta.dir, "callgraph/Oracle.java"), unpacked, "java.base", ...files], { maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t").slice(0, 2).join("\t"));
    },
  },
  {
    lang: "python",
    root: "/usr/lib/python3.11",
    pkg: "python3.11 (Debian's libpython3.11-stdlib) and python3-jedi",
    sample: "email/",
    how: "jedi goto (scripts/bench/callgraph/oracle-py.py)",
    callers: 70,
    oracle: () =>
      execFileSync("/usr/bin/python3", [join(import.meta.dir, "callgraph/oracle-py.py"), "/usr/lib/python3.11", "email"], { maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .split("\n")
        .filter(Boolean),
  },
  {
    lang: "typescript",
    root: join(PROJECT, "node_modules/ajv/lib"),
    pkg: "npm ci (ajv, a dependency of @modelcontextprotocol/sdk, ships its TypeScript sources)",
    sample: "",
    copy: true,
    how: "TypeScript checker getResolvedSignature (scripts/bench/callgraph/oracle-ts.ts)",
    callers: 70,
    oracle: () =>
      execFileSync(process.execPath, [join(import.meta.dir, "callgraph/oracle-ts.ts"), join(PROJECT, "node_modules/ajv/lib")], { maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .split("\n")
        .filter(Boolean),
  },
  {
    lang: "javascript",
    root: join(PROJECT, "node_modules/enhanced-resolve/lib"),
    pkg: "npm ci (enhanced-resolve 5, which webpack's resolver plugins depend on, ships plain JavaScript with JSDoc types)",
    sample: "",
    copy: true,
    how: "TypeScript checker getResolvedSignature over JavaScript, allowJs + checkJs (scripts/bench/callgraph/oracle-ts.ts)",
    callers: 70,
    oracle: () =>
      execFileSync(process.execPath, [join(import.meta.dir, "callgraph/oracle-ts.ts"), join(PROJECT, "node_modules/enhanced-resolve/lib"), "js"], { maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .split("\n")
        .filter(Boolean),
  },
];

const { values: args } = parseArgs({ options: { lang: { type: "string" }, label: { type: "boolean", default: false }, misses: { type: "string" }, db: { type: "string" } } });
const wanted = args.lang ? new Set(args.lang.split(",")) : null;

interface Sym {
  id: number;
  path: string;
  name: string;
  kind: string;
  line: number;
  endLine: number;
}

/** A symbol by "path:line" of a definition (the line its name is on lies within the symbol). */
function symbolIndex(db: Database): { at: (key: string) => Sym | null; byId: Map<number, Sym> } {
  const rows = db.query("SELECT s.id, f.path, s.name, s.kind, s.line, s.end_line AS endLine FROM symbols s JOIN files f ON f.id = s.file_id").all() as Sym[];
  const byPath = new Map<string, Sym[]>();
  const byId = new Map<number, Sym>();
  for (const s of rows) {
    byId.set(s.id, s);
    const list = byPath.get(s.path);
    if (list) list.push(s);
    else byPath.set(s.path, [s]);
  }
  return {
    byId,
    at: (key) => {
      const colon = key.lastIndexOf(":");
      const list = byPath.get(key.slice(0, colon)) ?? [];
      const line = Number(key.slice(colon + 1));
      // The innermost callable around the line.
      let best: Sym | null = null;
      for (const s of list) {
        if (s.kind !== "function" && s.kind !== "method") continue;
        if (s.line <= line && line <= s.endLine && (!best || s.line >= best.line)) best = s;
      }
      return best;
    },
  };
}

const CALLABLE = new Set(["function", "method"]);

function edgeSets(db: Database): { before: Map<number, Set<number>>; after: Map<number, Set<number>> } {
  const files = db.query("SELECT id, path, lang FROM files WHERE skip_reason IS NULL").all() as { id: number; path: string; lang: string }[];
  const symbols = db.query("SELECT * , file_id AS fileId, type_ref AS typeRef FROM symbols").all() as GraphSymbol[];
  const refs = db.query(`SELECT r.*, r.from_symbol AS "from", r.file_id AS fileId, n.name FROM refs r JOIN ref_names n ON n.id = r.name_id`).all() as (GraphRef & { arg_types?: string })[];
  for (const r of refs) r.argTypes = r.arg_types ?? "";
  const relations = db.query("SELECT file_id AS fileId, name AS type, base FROM supertypes").all() as GraphRelation[];
  const imports = new Map<number, string[]>();
  for (const { file_id, spec } of db.query("SELECT file_id, spec FROM imports").all() as { file_id: number; spec: string }[]) {
    const list = imports.get(file_id);
    if (list) list.push(spec);
    else imports.set(file_id, [spec]);
  }
  const kindOf = new Map(symbols.map((s) => [s.id, s.kind]));
  const asSets = (legacy: boolean) => {
    const { edges } = computeEdges({ files, symbols, refs, imports, relations }, { legacy });
    const out = new Map<number, Set<number>>();
    for (let i = 0; i < edges.count; i++) {
      if (edges.kind[i] === 1 || !CALLABLE.has(kindOf.get(edges.to[i]!)!)) continue;
      const from = edges.from[i]!;
      let set = out.get(from);
      if (!set) out.set(from, (set = new Set()));
      set.add(edges.to[i]!);
    }
    return out;
  };
  return { before: asSets(true), after: asSets(false) };
}

interface Label {
  caller: string;
  callee: string;
  right: boolean;
  how: string;
}

function readLabels(lang: string): Label[] {
  const path = join(LABELS, `${lang}.tsv`);
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [caller, callee, verdict, how] = l.split("\t");
      return { caller: caller!, callee: callee!, right: verdict === "right", how: how ?? "" };
    });
}

/** Deterministic sample of callers: every k-th function or method of the sample path that the oracle says calls something in the tree. */
function sampleCallers(truth: Map<string, Set<string>>, count: number): string[] {
  const keys = [...truth.keys()].sort();
  const step = Math.max(1, Math.floor(keys.length / count));
  return keys.filter((_, i) => i % step === 0).slice(0, count);
}

interface Score {
  tp: number;
  fp: number;
  fn: number;
}

const results: { lang: string; pairs: number; callers: number; before: Score; after: Score }[] = [];
for (const c of CORPORA) {
  if (wanted && !wanted.has(c.lang)) continue;
  if (!existsSync(c.root)) {
    console.error(`${c.lang}: ${c.root} is missing (${c.pkg}); skipped`);
    continue;
  }
  const dbDir = mkdtempSync(join(tmpdir(), `skep-callgraph-${c.lang}-`));
  try {
    const kept = args.db ? join(resolve(args.db), `${c.lang}.db`) : null;
    const reuse = kept !== null && existsSync(kept);
    const db = openWritable(kept ?? join(dbDir, "index.db"));
    const t0 = performance.now();
    if (c.unpack) unpacked = c.unpack(join(dbDir, "tree"));
    if (!reuse) {
      let tree = c.unpack ? unpacked : c.root;
      if (c.copy) {
        tree = join(dbDir, "tree");
        cpSync(c.root, tree, { recursive: true });
      }
      await indexRepo(db, tree);
    }
    const index = symbolIndex(db);
    const { before, after } = edgeSets(db);
    console.error(`${c.lang}: indexed ${c.root} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const key = (id: number) => {
      const s = index.byId.get(id)!;
      return `${s.path}:${s.line}`;
    };
    let labels = readLabels(c.lang);
    if (args.label || labels.length === 0) {
      // Oracle pairs, mapped onto the index's symbols (a callee outside the indexed tree is no pair).
      const truth = new Map<string, Set<string>>();
      for (const line of c.oracle()) {
        const [from, to] = line.split("\t");
        if (!from!.startsWith(c.sample)) continue;
        const a = index.at(from!);
        const b = index.at(to!);
        if (!a || !b || a.id === b.id) continue;
        const k = key(a.id);
        let set = truth.get(k);
        if (!set) truth.set(k, (set = new Set()));
        set.add(key(b.id));
      }
      const callers = sampleCallers(truth, c.callers);
      const idOf = new Map([...index.byId.values()].map((s) => [`${s.path}:${s.line}`, s.id]));
      labels = [];
      for (const caller of callers) {
        const right = truth.get(caller)!;
        for (const callee of [...right].sort()) labels.push({ caller, callee, right: true, how: c.how });
        const predicted = new Set<string>();
        for (const set of [before.get(idOf.get(caller)!), after.get(idOf.get(caller)!)]) for (const t of set ?? []) predicted.add(key(t));
        for (const callee of [...predicted].sort()) if (!right.has(callee)) labels.push({ caller, callee, right: false, how: `not a call of ${caller} per ${c.how}` });
      }
      const header = `# ${c.lang}: call pairs from ${c.root} (${c.pkg}); caller\tcallee\tright|wrong\thow decided. Regenerate: bun run bench:callgraph --label --lang ${c.lang}\n`;
      writeFileSync(join(LABELS, `${c.lang}.tsv`), header + labels.map((l) => `${l.caller}\t${l.callee}\t${l.right ? "right" : "wrong"}\t${l.how}`).join("\n") + "\n");
    }
    const rightBy = new Map<string, Set<string>>();
    for (const l of labels) {
      let set = rightBy.get(l.caller);
      if (!set) rightBy.set(l.caller, (set = new Set()));
      if (l.right) set.add(l.callee);
    }
    const idOf = new Map([...index.byId.values()].map((s) => [`${s.path}:${s.line}`, s.id]));
    const misses: string[] = [];
    const score = (edges: Map<number, Set<number>>): Score => {
      const s: Score = { tp: 0, fp: 0, fn: 0 };
      for (const [caller, right] of rightBy) {
        const id = idOf.get(caller);
        if (id === undefined) throw new Error(`${c.lang}: labelled caller ${caller} is not in the index (another package version?)`);
        const got = new Set([...(edges.get(id) ?? [])].map(key));
        for (const g of got) right.has(g) ? s.tp++ : (s.fp++, edges === after && misses.push(`wrong\t${caller}\t${g}`));
        for (const r of right) if (!got.has(r)) (s.fn++, edges === after && misses.push(`missed\t${caller}\t${r}`));
      }
      return s;
    };
    const scores = { before: score(before), after: score(after) };
    if (args.misses) appendFileSync(args.misses, misses.map((m) => `${c.lang}\t${m}\n`).join(""));
    results.push({ lang: c.lang, pairs: labels.length, callers: rightBy.size, ...scores });
    db.close();
  } finally {
    rmSync(dbDir, { recursive: true, force: true });
  }
}

const pct = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "-");
const p = (s: Score) => s.tp / (s.tp + s.fp);
const r = (s: Score) => s.tp / (s.tp + s.fn);
const total = (k: "before" | "after"): Score => results.reduce((a, x) => ({ tp: a.tp + x[k].tp, fp: a.fp + x[k].fp, fn: a.fn + x[k].fn }), { tp: 0, fp: 0, fn: 0 });
console.log("| language | callers | labelled pairs | precision before | recall before | precision after | recall after |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const x of results) console.log(`| ${x.lang} | ${x.callers} | ${x.pairs} | ${pct(p(x.before))} | ${pct(r(x.before))} | ${pct(p(x.after))} | ${pct(r(x.after))} |`);
const b = total("before");
const a = total("after");
console.log(`| all | ${results.reduce((s, x) => s + x.callers, 0)} | ${results.reduce((s, x) => s + x.pairs, 0)} | ${pct(p(b))} | ${pct(r(b))} | ${pct(p(a))} | ${pct(r(a))} |`);

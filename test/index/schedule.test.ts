// Who parses what (src/index/schedule.ts): small work stays on the calling thread, a grammar is set
// up in as few threads as possible, and every file is handed out exactly once.
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAll } from "../../src/index/pool.ts";
import { CALLER_PARSES_BELOW_MS, estimateMs, GRAMMAR_SETUP_MS, PARALLEL_FROM_MS, ParseQueue, planParse, type WorkItem } from "../../src/index/schedule.ts";
import { LANGUAGE_IDS, type LanguageId } from "../../src/parser/languages.ts";

const files = (lang: LanguageId, n: number, size = 4000): WorkItem[] => Array.from({ length: n }, () => ({ lang, size }));

describe("the plan", () => {
  test("a small repo stays on the calling thread: no worker starts", () => {
    const gin = files("go", 95, 5400); // about gin-gonic/gin: 95 Go files, 0.5 MB
    expect(estimateMs(gin)).toBeLessThan(PARALLEL_FROM_MS);
    expect(planParse(gin, 2)).toMatchObject({ workers: 0, callerParses: true });
    expect(planParse(files("go", 3), 8)).toMatchObject({ workers: 0, callerParses: true });
  });

  test("one file in each of the 14 languages is worth a second thread (grammar setup is most of the work), and the caller parses beside it", () => {
    const polyglot = LANGUAGE_IDS.map((lang) => ({ lang, size: 3000 }));
    expect(estimateMs(polyglot)).toBeGreaterThan(PARALLEL_FROM_MS);
    expect(planParse(polyglot, 2)).toMatchObject({ workers: 1, callerParses: true });
    expect(planParse(polyglot, 1)).toMatchObject({ workers: 0, callerParses: true });
  });

  test("a large tree gets every worker, and the calling thread only writes", () => {
    const stdlib = files("go", 4000, 8000);
    expect(estimateMs(stdlib)).toBeGreaterThan(CALLER_PARSES_BELOW_MS);
    expect(planParse(stdlib, 2)).toMatchObject({ workers: 2, callerParses: false });
    expect(planParse(stdlib, 8)).toMatchObject({ workers: 8, callerParses: false });
  });
});

describe("the queue", () => {
  test("a thread keeps to its grammars; the costliest unclaimed grammar goes first", () => {
    const q = new ParseQueue([...files("go", 3), ...files("swift", 2), ...files("python", 1)]);
    expect(q.next(0, 16).map((i) => i.lang)).toEqual(["swift", "swift"]); // Swift's setup dwarfs the rest
    expect(q.next(1, 16).map((i) => i.lang)).toEqual(["go", "go", "go"]);
    // Thread 0 has no Swift left: it takes the grammar nobody has, not a share of Go.
    expect(q.next(0, 16).map((i) => i.lang)).toEqual(["python"]);
    expect(q.next(0, 16)).toEqual([]);
    expect(q.remaining).toBe(0);
  });

  test("a thread helps with another's grammar only when enough of it is left to repay setting it up", () => {
    const small = new ParseQueue(files("swift", 4, 2000));
    expect(small.next(1, 2)).toHaveLength(2);
    expect(small.next(2, 2)).toEqual([]); // 2 small Swift files are not worth 0.45 s of setup
    expect(small.next(1, 2)).toHaveLength(2);

    const large = new ParseQueue(files("go", 400, 20_000));
    expect(large.next(1, 16)).toHaveLength(16);
    expect(large.next(2, 16)).toHaveLength(16); // 8 MB of Go is: both threads parse it
  });

  test("every item is handed out once, whatever the mix and the number of threads", () => {
    const items = LANGUAGE_IDS.flatMap((lang, i) => files(lang, 1 + ((i * 7) % 13), 1000 + i * 5000)).map((it, n) => ({ ...it, n }));
    for (const threads of [1, 2, 3, 5]) {
      const q = new ParseQueue(items);
      const seen: number[] = [];
      const active = new Set(Array.from({ length: threads }, (_, t) => t));
      while (active.size) {
        for (const t of [...active]) {
          const batch = q.next(t, 4);
          if (batch.length === 0) active.delete(t);
          for (const it of batch) seen.push(it.n);
        }
      }
      expect(seen.sort((a, b) => a - b)).toEqual(items.map((it) => it.n));
    }
  });

  test("the setup costs cover every language", () => {
    for (const l of LANGUAGE_IDS) expect(GRAMMAR_SETUP_MS[l]).toBeGreaterThan(0);
  });
});

describe("parseAll", () => {
  test("with workers beside the calling thread, every file gets its result, once", async () => {
    const dir = mkdtempSync(join(realpathSync(tmpdir()), "skep-schedule-"));
    try {
      const jobs = [];
      // Enough Swift, C++, C# and Kotlin to cross the threshold: the caller and one worker share the work.
      for (const [lang, ext, body] of [
        ["swift", "swift", "func f%() -> Int { return % }\n"],
        ["cpp", "cpp", "int f%() { return %; }\n"],
        ["csharp", "cs", "class C% { int F() { return %; } }\n"],
        ["go", "go", "package p\nfunc F%() int { return % }\n"],
        ["kotlin", "kt", "fun f%(): Int = %\n"],
      ] as const) {
        for (let i = 0; i < 6; i++) {
          const path = `${ext}${i}.${ext}`;
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, path), body.replaceAll("%", String(i)));
          jobs.push({ abs: join(dir, path), path, knownHash: null, lang, size: 40 });
        }
      }
      expect(estimateMs(jobs)).toBeGreaterThan(PARALLEL_FROM_MS);
      const got = new Map<string, string>();
      const plan = await parseAll(jobs, (job, r) => {
        expect(got.has(job.path)).toBe(false);
        got.set(job.path, r.kind === "parsed" ? r.lang : r.kind);
      }, 2);
      expect(plan).toMatchObject({ workers: 1, callerParses: true });
      expect(got.size).toBe(jobs.length);
      for (const j of jobs) expect(got.get(j.path)).toBe(j.lang);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

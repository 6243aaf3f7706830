// The cheap dedup path: each layer's score, the thresholds and their environment overrides, the
// guards, the chain's answer and trace, and the chain's precision on the labelled set.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TaskStatus } from "../../src/protocol/tasks.ts";
import { checkCheap, DEDUP_STATUSES, type DedupCandidate } from "../../src/tasks/dedup/cheap.ts";
import { guardPair } from "../../src/tasks/dedup/guards.ts";
import { backgroundCorpus, scorePair } from "../../src/tasks/dedup/layers.ts";
import { normalize } from "../../src/tasks/dedup/normalize.ts";
import { minhashScore, minhashSignature } from "../../src/tasks/dedup/similarity.ts";
import { CHEAP_LAYERS, DEFAULT_THRESHOLDS, thresholdsFromEnv } from "../../src/tasks/dedup/thresholds.ts";

const NO_ENV = {};
const task = (id: number, description: string, status: TaskStatus = "pending"): DedupCandidate => ({ id, description, status });
const check = (description: string, candidates: DedupCandidate[], opts = {}) => checkCheap(description, candidates, { env: NO_ENV, ...opts });

describe("layer scores", () => {
  test("exact: equal after normalisation, and only then", () => {
    expect(scorePair("exact", "add a health check endpoint to the API.", "Add a health-check endpoint to the API")).toBe(1);
    expect(scorePair("exact", "Adds health check endpoints", "add health check endpoint")).toBe(1);
    expect(scorePair("exact", "add health check endpoint", "add health check")).toBe(0);
    expect(scorePair("exact", "the", "the")).toBe(0); // nothing said, nothing matched
  });

  test("keyword: the share of the new description's terms, asymmetric", () => {
    expect(scorePair("keyword", "add GitHub OAuth login", "Add OAuth login with Google and GitHub")).toBe(1);
    expect(scorePair("keyword", "Add OAuth login with Google and GitHub", "add GitHub OAuth login")).toBe(0.8);
    expect(scorePair("keyword", "fix the login bug", "upgrade the kafka client")).toBe(0);
  });

  test("trigram: character 3-gram Jaccard, tolerant of a spelling the stemmer misses", () => {
    expect(scorePair("trigram", "fix the redirect loop on the login page", "Login page: fix the redirect loop")).toBeGreaterThan(0.9);
    expect(scorePair("trigram", "upgrade the kafka client", "translate onboarding screens")).toBeLessThan(0.2);
  });

  test("tfidf: a word common to the corpus weighs less than a rare one", () => {
    const bg = backgroundCorpus(["fix the crash", "fix the typo", "fix the build", "fix the docs", "fix flaky test"]);
    const sharedCommon = scorePair("tfidf", "fix kafka", "fix redis", { background: bg });
    const sharedRare = scorePair("tfidf", "fix kafka", "tune kafka", { background: bg });
    expect(sharedRare).toBeGreaterThan(sharedCommon);
    expect(scorePair("tfidf", "add rate limiting to the public API", "public API: add rate limiting")).toBeCloseTo(1, 5);
  });

  test("minhash: estimates the shingles' Jaccard; deterministic across calls", () => {
    const a = minhashSignature(normalize("add rate limiting to the public API"));
    const b = minhashSignature(normalize("add rate limiting to the public API"));
    expect(minhashScore(a, b)).toBe(1);
    expect(scorePair("minhash", "add rate limiting to the public API", "public API: add rate limiting")).toBeGreaterThan(0.7);
    expect(scorePair("minhash", "upgrade the kafka client library", "add kafka consumer lag metrics")).toBeLessThan(0.2);
    expect(minhashSignature(normalize("the"))).toBeNull();
    expect(minhashScore(null, a)).toBe(0);
  });
});

describe("thresholds", () => {
  test("defaults, with SKEP_DEDUP_<LAYER>_THRESHOLD overrides", () => {
    expect(thresholdsFromEnv({})).toEqual({ ...DEFAULT_THRESHOLDS });
    const t = thresholdsFromEnv({ SKEP_DEDUP_KEYWORD_THRESHOLD: "0.5", SKEP_DEDUP_MINHASH_THRESHOLD: "0.9" });
    expect(t.keyword).toBe(0.5);
    expect(t.minhash).toBe(0.9);
    expect(t.trigram).toBe(DEFAULT_THRESHOLDS.trigram);
  });

  test("the reference's BM25 name sets the keyword layer; the own name wins", () => {
    expect(thresholdsFromEnv({ SKEP_DEDUP_BM25_THRESHOLD: "0.6" }).keyword).toBe(0.6);
    expect(thresholdsFromEnv({ SKEP_DEDUP_BM25_THRESHOLD: "0.6", SKEP_DEDUP_KEYWORD_THRESHOLD: "0.7" }).keyword).toBe(0.7);
  });

  test("values that are not a number in (0, 1] are ignored", () => {
    for (const bad of ["", "abc", "0", "-1", "1.5", "NaN"]) expect(thresholdsFromEnv({ SKEP_DEDUP_TFIDF_THRESHOLD: bad }).tfidf).toBe(DEFAULT_THRESHOLDS.tfidf);
  });

  test("an override changes the chain's answer", () => {
    const cands = [task(1, "Add sorting to the users list endpoint")];
    const incoming = "Add pagination to the users list endpoint";
    expect(check(incoming, cands).duplicate).toBe(false);
    const loose = checkCheap(incoming, cands, { env: { SKEP_DEDUP_KEYWORD_THRESHOLD: "0.8" } });
    expect(loose).toMatchObject({ duplicate: true, layer: "keyword", taskId: 1, score: 0.8 });
  });
});

describe("guards", () => {
  const guard = (a: string, b: string) => guardPair(normalize(a), normalize(b))?.guard ?? null;

  test("opposite actions: add/remove, enable/disable, increase/decrease, show/hide, un- forms", () => {
    expect(guard("Add a health check endpoint to the API", "Remove the health check endpoint from the API")).toBe("opposite-action");
    expect(guard("Enable gzip compression", "Disable gzip compression")).toBe("opposite-action");
    expect(guard("Increase the pool size", "Decrease the pool size")).toBe("opposite-action");
    expect(guard("Show the tutorial", "Hide the tutorial")).toBe("opposite-action");
    expect(guard("Pin the chat", "Unpin the chat")).toBe("opposite-action");
    expect(guard("Create the flag", "Drop the flag")).toBe("opposite-action"); // through synonyms
  });

  test("a verb inside code is not an action: remove `addUser` is not the opposite of add", () => {
    expect(guard("Remove the deprecated `addUser` endpoint", "remove the deprecated addUser endpoint")).toBeNull();
    expect(guard("Delete unused flags", "Remove unused flags")).toBeNull();
  });

  test("different targets: identifiers, numbers, platforms, the phrase after the same preposition", () => {
    expect(guard("Add retries to `fetchUser`", "Add retries to `fetchOrders`")).toBe("different-identifier");
    expect(guard("Upgrade Node to 20 in CI", "Upgrade Node to 22 in CI")).toBe("different-number");
    expect(guard("Fix the login bug in the iOS app", "Fix the login bug in the backend")).toBe("different-target");
    expect(guard("Fix the memory leak in the image cache", "Fix the memory leak in the websocket reconnect loop")).toBe("different-phrase");
    expect(guard("Fix the crash when the config file is missing", "Fix the crash when the network is offline")).toBe("different-phrase");
  });

  test("naming a target on one side only, or the same one, is no difference", () => {
    expect(guard("Fix the login bug in the iOS app", "Fix the login bug on iOS")).toBeNull();
    expect(guard("Fix the login bug in the iOS app", "Fix the login bug")).toBeNull();
    expect(guard("Upgrade the Postgres driver in the billing service", "In the billing service, upgrade the Postgres driver")).toBeNull();
  });

  test("follow-up work: tests or docs for a thing are not the thing", () => {
    expect(guard("Add a health check endpoint", "Add tests for the health check endpoint")).toBe("follow-up-work");
    expect(guard("Add unit tests for the parser", "add tests for the parser")).toBeNull();
  });
});

describe("checkCheap", () => {
  test("reports the first layer that hits, with the task's state in the reason", () => {
    const r = check("add a health check endpoint to the API.", [task(3, "Add a health check endpoint to the API")]);
    expect(r).toMatchObject({ duplicate: true, layer: "exact", taskId: 3, score: 1, reason: "already queued as task #3 (status: pending)" });
    expect(r.layers.map((l) => l.layer)).toEqual(["exact"]);
  });

  test("reasons per state: executing is in progress, done is done", () => {
    const d = "Add a health check endpoint";
    expect(check(d, [task(4, d, "executing")]).reason).toBe("in progress as task #4");
    expect(check(d, [task(5, d, "done")]).reason).toBe("already done as task #5");
    expect(check(d, [task(6, d, "approved")]).reason).toBe("already queued as task #6 (status: approved)");
  });

  test("only tasks in DEDUP_STATUSES count: failed, interrupted and rejected ones may be asked for again", () => {
    const d = "Add a health check endpoint";
    for (const s of ["failed", "interrupted", "rejected"] as const) expect(check(d, [task(1, d, s)]).duplicate).toBe(false);
    expect(DEDUP_STATUSES).toContain("done");
    expect(check(d, [task(1, d, "failed")], { statuses: ["failed"] }).duplicate).toBe(true);
  });

  test("later layers run only when earlier ones miss; the trace has every layer run", () => {
    const r = check("fix the redirect loop on the login page", [task(1, "Login page: fix the redirect loop")]);
    expect(r).toMatchObject({ duplicate: true, layer: "keyword", taskId: 1 });
    expect(r.layers.map((l) => [l.layer, l.hit])).toEqual([
      ["exact", false],
      ["keyword", true],
    ]);
    const miss = check("upgrade the kafka client", [task(1, "Login page: fix the redirect loop")]);
    expect(miss.duplicate).toBe(false);
    expect(miss.layers.map((l) => l.layer)).toEqual([...CHEAP_LAYERS]);
    expect(miss.reason).toBe("no duplicate among 1 open or done task");
  });

  test("picks the best candidate of the layer that hits", () => {
    const r = check("Log slow database queries", [task(1, "Log all database queries"), task(2, "logging for slow database query"), task(3, "Fix the login page")]);
    expect(r).toMatchObject({ duplicate: true, taskId: 2 });
  });

  test("a guarded candidate is skipped by every layer and named in the reason", () => {
    const on = "Enable gzip compression on all API responses of the web client";
    const off = "Disable gzip compression on all API responses of the web client";
    const r = check(off, [task(7, on)]);
    expect(r.duplicate).toBe(false);
    expect(r.reason).toBe("no duplicate among 1 open or done task (task #7 reads alike but differs: opposite-action, enable vs disable)");
    expect(r.layers.find((l) => l.layer === "keyword")?.blocked).toMatchObject({ taskId: 7, guard: "opposite-action" });
    // ... while an unguarded candidate behind it still matches.
    expect(check(off, [task(7, on), task(8, "disable gzip compression on all API responses of the web client.")])).toMatchObject({ duplicate: true, taskId: 8 });
  });

  test("guards: false turns them off (the benchmark's comparison)", () => {
    const r = check("Disable gzip compression on all API responses of the web client", [task(7, "Enable gzip compression on all API responses of the web client")], { guards: false });
    expect(r).toMatchObject({ duplicate: true, layer: "keyword", taskId: 7 });
  });

  test("no candidates, or a description with no content, is never a duplicate", () => {
    expect(check("Add a health check endpoint", [])).toMatchObject({ duplicate: false, reason: "no duplicate among 0 open or done tasks" });
    expect(check("do it", [task(1, "do it now")]).duplicate).toBe(false);
  });

  test("layers: runs only the layers named", () => {
    const r = check("fix the redirect loop on the login page", [task(1, "Login page: fix the redirect loop")], { layers: ["minhash"] });
    expect(r.layers.map((l) => l.layer)).toEqual(["minhash"]);
    expect(r.layer).toBe("minhash");
  });
});

// ---------------------------------------------------------------------- the labelled set

interface Pair {
  existing: string;
  incoming: string;
  duplicate: boolean;
  category: string;
}
const fixture = JSON.parse(readFileSync(join(import.meta.dir, "../fixtures/dedup/pairs.json"), "utf8")) as { pairs: Pair[]; holdout?: Pair[] };

function confusion(pairs: Pair[], opts: Parameters<typeof checkCheap>[2] = {}) {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0, falsePositives: [] as string[] };
  for (const p of pairs) {
    const got = checkCheap(p.incoming, [task(1, p.existing)], { env: NO_ENV, ...opts }).duplicate;
    if (got && p.duplicate) c.tp++;
    else if (got) {
      c.fp++;
      c.falsePositives.push(`${p.existing} / ${p.incoming}`);
    } else if (p.duplicate) c.fn++;
    else c.tn++;
  }
  return c;
}

describe("labelled set (test/fixtures/dedup/pairs.json)", () => {
  test("is large enough, covers every category, and is roughly balanced", () => {
    const pairs = fixture.pairs;
    expect(pairs.length).toBeGreaterThanOrEqual(48);
    const categories = new Set(pairs.map((p) => p.category));
    for (const c of ["exact", "morphological", "reorder", "paraphrase", "synonym", "near-miss", "direction-reversed", "different-target", "shared-rare-word", "same-surface-different-fix", "report-vs-task"]) {
      expect(categories.has(c)).toBe(true);
    }
    const dups = pairs.filter((p) => p.duplicate).length;
    expect(Math.abs(dups - (pairs.length - dups))).toBeLessThanOrEqual(pairs.length * 0.2);
  });

  test("the chain: no false positive, and at least two thirds of the duplicates found", () => {
    const c = confusion(fixture.pairs);
    expect(c.falsePositives).toEqual([]);
    expect(c.tp / (c.tp + c.fn)).toBeGreaterThanOrEqual(2 / 3);
  });

  test("every direction-reversed and different-target pair is kept apart", () => {
    const hard = fixture.pairs.filter((p) => p.category === "direction-reversed" || p.category === "different-target");
    expect(hard.length).toBeGreaterThanOrEqual(10);
    expect(confusion(hard).fp).toBe(0);
  });

  test("the guards are what keeps precision: without them the same thresholds let several through", () => {
    expect(confusion(fixture.pairs, { guards: false }).fp).toBeGreaterThanOrEqual(3);
  });

  test("holdout pairs (written after tuning): at most one false positive", () => {
    if (!fixture.holdout?.length) return;
    expect(confusion(fixture.holdout).fp).toBeLessThanOrEqual(1);
  });
});

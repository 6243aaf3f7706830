// .skep/logs/dedup.log: one JSON line per layer a check consulted, written by the real gate.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dedupLogPath, type DedupLogLine } from "../../src/tasks/dedup/log.ts";
import { damagePages, queryFailure } from "../support/damage.ts";
import { makeBed } from "./support.ts";

function lines(skepDir: string): DedupLogLine[] {
  return readFileSync(dedupLogPath(skepDir), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as DedupLogLine);
}

describe("dedup log", () => {
  test("a miss logs every cheap layer and the index layer under one check id", async () => {
    const bed = await makeBed();
    await bed.service.create("add a retry limit to the payment webhook handler");
    await bed.service.create("rename the user profile screen to account settings");
    const all = lines(bed.skepDir);
    const checks = [...new Set(all.map((l) => l.check))];
    expect(checks).toHaveLength(2);
    const second = all.filter((l) => l.check === checks[1]);
    expect(second.map((l) => l.layer)).toEqual(["exact", "keyword", "trigram", "tfidf", "minhash", "index"]);
    expect(second.every((l) => l.hit === false)).toBe(true);
    expect(second[0]!.description).toBe("rename the user profile screen to account settings");
    // Against one earlier task, each cheap layer names its best candidate and its threshold.
    const trigram = second.find((l) => l.layer === "trigram")!;
    expect(trigram.threshold).toBeGreaterThan(0);
    expect((trigram.best as { taskId: number }).taskId).toBe(1);
    bed.service.close();
  });

  test("a hit stops at the layer that found it and says so", async () => {
    const bed = await makeBed();
    await bed.service.create("add a retry limit to the payment webhook handler");
    const again = await bed.service.create("add a retry limit to the payment webhook handler");
    expect(again.duplicate?.layer).toBe("exact");
    const last = lines(bed.skepDir).at(-1)!;
    expect(last).toMatchObject({ layer: "exact", hit: true, best: { taskId: 1, score: 1 } });
    bed.service.close();
  });

  test("the index layer's finding is logged with its reason", async () => {
    const bed = await makeBed();
    const r = await bed.service.create("add an `add` function");
    expect(r.duplicate?.layer).toBe("index");
    const last = lines(bed.skepDir).at(-1)!;
    expect(last.layer).toBe("index");
    expect(last.hit).toBe(true);
    expect(String(last.reason)).toContain("src/math.ts");
    bed.service.close();
  });

  test("the LLM layer's verdict is logged after the cheap and index layers missed", async () => {
    const verdict = '{"duplicate": true, "duplicate_of": 1, "reason": "Same retry cap."}';
    const bed = await makeBed({ config: { dedup_llm: true }, script: { answers: [{ purpose: "dedup", text: verdict }] } });
    await bed.service.create("add a retry limit to the payment webhook handler");
    const r = await bed.service.create("cap how often stripe callbacks are attempted again");
    expect(r.duplicate?.layer).toBe("llm");
    const check = lines(bed.skepDir).filter((l) => l.check === lines(bed.skepDir).at(-1)!.check);
    expect(check.map((l) => l.layer)).toEqual(["exact", "keyword", "trigram", "tfidf", "minhash", "index", "llm"]);
    expect(check.at(-1)).toMatchObject({ layer: "llm", hit: true, taskId: 1 });
    bed.service.close();
  });

  test("a damaged index: the index layer is skipped with the reason, the task is still created", async () => {
    const bed = await makeBed();
    const dbPath = join(bed.skepDir, "index.db");
    damagePages(dbPath, ["symbols"]);
    expect(queryFailure(dbPath, "SELECT * FROM symbols")?.code).toBe("SQLITE_CORRUPT");
    const r = await bed.service.create("add an `add` function");
    expect(r.duplicate).toBeNull();
    expect(r.task?.id).toBe(1);
    const index = lines(bed.skepDir).find((l) => l.layer === "index")!;
    expect(index.hit).toBe(false);
    expect(String(index.skipped)).toContain("is damaged");
    bed.service.close();
  });

  test("past 1 MiB the log moves to dedup.log.1 and starts again", async () => {
    const bed = await makeBed();
    const file = dedupLogPath(bed.skepDir);
    mkdirSync(join(bed.skepDir, "logs"), { recursive: true });
    writeFileSync(file, "x".repeat(1024 * 1024 + 1));
    await bed.service.create("add a retry limit to the payment webhook handler");
    expect(statSync(`${file}.1`).size).toBe(1024 * 1024 + 1);
    expect(lines(bed.skepDir)[0]!.layer).toBe("exact");
    bed.service.close();
  });

  test("a log that cannot be written does not stop the task from being created", async () => {
    const bed = await makeBed();
    // A file where the logs directory should be: no log can be written there (file modes would
    // not do, the suite may run as root).
    writeFileSync(join(bed.skepDir, "logs"), "not a directory\n");
    const r = await bed.service.create("add a retry limit to the payment webhook handler");
    expect(r.task?.id).toBe(1);
    expect(r.duplicate).toBeNull();
    expect(readFileSync(join(bed.skepDir, "logs"), "utf8")).toBe("not a directory\n");
    bed.service.close();
  });
});

// `.skep/logs/dedup.log`: one JSON line per dedup layer consulted, so "why was my task called a
// duplicate?" (or "why wasn't it?") can be answered after the fact: each cheap layer's best
// candidate, score and threshold, the guard that ruled a candidate out, the index layer's finding,
// the LLM layer's verdict. Lines of one check share a `check` id. The log is kept small: past
// MAX_BYTES it moves to dedup.log.1 (one generation), so a busy queue never fills the disk.
import { appendFileSync, mkdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { DedupResult } from "../../protocol/tasks.ts";
import type { LayerTrace } from "./cheap.ts";

const MAX_BYTES = 1024 * 1024;
const DESCRIPTION_CHARS = 160;

export interface DedupLogLine {
  at: string;
  check: string;
  layer: string;
  description: string;
  hit: boolean;
  [detail: string]: unknown;
}

export function dedupLogPath(skepDir: string): string {
  return join(skepDir, "logs", "dedup.log");
}

/** Collects one check's lines, written together when the check is over. */
export class DedupLog {
  private readonly lines: DedupLogLine[] = [];
  private readonly check = crypto.randomUUID().slice(0, 8);
  private readonly description: string;

  constructor(description: string) {
    const flat = description.replace(/\s+/g, " ").trim();
    this.description = flat.length > DESCRIPTION_CHARS ? `${flat.slice(0, DESCRIPTION_CHARS)}…` : flat;
  }

  cheap(traces: readonly LayerTrace[]): void {
    for (const t of traces) this.add(t.layer, t.hit, { threshold: t.threshold, best: t.best, blocked: t.blocked });
  }

  /** The index layer: a finding, nothing found (null), or why it could not look. */
  index(found: DedupResult | null | { skipped: string }): void {
    if (found && "skipped" in found) this.add("index", false, { skipped: found.skipped });
    else this.add("index", found?.duplicate ?? false, found ? { reason: found.reason } : {});
  }

  llm(result: DedupResult | { skipped: string }): void {
    if ("skipped" in result) this.add("llm", false, { skipped: result.skipped });
    else this.add("llm", result.duplicate, { taskId: result.taskId, reason: result.reason });
  }

  private add(layer: string, hit: boolean, detail: Record<string, unknown>): void {
    this.lines.push({ at: new Date().toISOString(), check: this.check, layer, description: this.description, hit, ...detail });
  }

  /**
   * Append the lines. A log that cannot be written (read-only .skep, full disk) must not stop a
   * task from being created: the check's answer does not depend on it, so the error is dropped.
   */
  write(skepDir: string): void {
    if (!this.lines.length) return;
    const file = dedupLogPath(skepDir);
    try {
      mkdirSync(join(skepDir, "logs"), { recursive: true });
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_BYTES) renameSync(file, `${file}.1`);
      appendFileSync(file, this.lines.map((l) => JSON.stringify(l)).join("\n") + "\n", { mode: 0o600 });
    } catch {
      // see above: best effort by design
    }
  }
}

// Per-layer thresholds of the cheap dedup layers: a layer reports a duplicate when a candidate's
// score reaches its threshold. Defaults were tuned on test/fixtures/dedup/pairs.json after the
// pairs were written (docs/benchmarks.md, "Task dedup"); SKEP_DEDUP_<LAYER>_THRESHOLD overrides one.
import type { DedupLayer } from "../../protocol/tasks.ts";

/** The cheap layers, in the order they run (cheapest and strictest first). */
export const CHEAP_LAYERS = ["exact", "keyword", "trigram", "tfidf", "minhash"] as const satisfies readonly DedupLayer[];
export type CheapLayer = (typeof CHEAP_LAYERS)[number];
export type Thresholds = Record<CheapLayer, number>;

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = {
  exact: 1,
  keyword: 0.83,
  trigram: 0.75,
  tfidf: 0.8,
  minhash: 0.7,
};

/** The reference tool's name for the keyword layer, accepted so its settings carry over. */
const ENV_ALIASES: Partial<Record<CheapLayer, string>> = { keyword: "SKEP_DEDUP_BM25_THRESHOLD" };

export const envName = (layer: CheapLayer) => `SKEP_DEDUP_${layer.toUpperCase()}_THRESHOLD`;

/**
 * Defaults with the environment's overrides applied. A value that is not a number in (0, 1] is
 * ignored (the default stays): a typo in a shell profile must not switch dedup off or make every
 * task a duplicate.
 */
export function thresholdsFromEnv(env: Record<string, string | undefined> = process.env): Thresholds {
  const out: Thresholds = { ...DEFAULT_THRESHOLDS };
  for (const layer of CHEAP_LAYERS) {
    const raw = env[envName(layer)] ?? (ENV_ALIASES[layer] ? env[ENV_ALIASES[layer]] : undefined);
    if (raw === undefined || raw.trim() === "") continue;
    const v = Number(raw);
    if (Number.isFinite(v) && v > 0 && v <= 1) out[layer] = v;
  }
  return out;
}

// The keys of `.skep/config.json` as `skep config` sees them, derived from the RepoConfig schema
// so a key added there is settable, listed and completed with no change here: its name (also
// accepted in kebab-case), how a command-line word becomes its value, and its effective value
// when the file does not set it (the zod default, or the key it follows, as src/llm/select.ts
// resolves it).
import { isDeepStrictEqual } from "node:util";
import type { z } from "zod";
import { backendNameFor, KNOWN_BACKENDS, modelFor } from "../llm/select.ts";
import { RepoConfig } from "../protocol/config.ts";

export type ValueKind = "string" | "int" | "boolean" | "enum" | "json";

export interface ConfigKey {
  key: string;
  kind: ValueKind;
  /** `null` is a value (test_cmd). */
  nullable: boolean;
  /** Enum values. */
  options: string[] | null;
  /** Integer bounds. */
  min: number | null;
  max: number | null;
  /** The field's schema: the source of every refusal message. */
  schema: z.ZodType;
}

/** Keys that, unset, take another key's value (what src/llm/select.ts does at call time). */
const FOLLOWS: Record<string, string> = {
  llm_classify: "llm",
  llm_plan: "llm",
  llm_step: "llm",
  llm_dedup: "llm",
  model_plan: "model",
  model_dedup: "model_classify",
};

/** Keys naming an LLM backend: only the known ones are accepted from the command line. */
const BACKEND_KEYS = new Set(["llm", "llm_classify", "llm_plan", "llm_step", "llm_dedup"]);

interface ZodInternals {
  def: { type: string; innerType?: ZodInternals };
  options?: string[];
  minValue?: number | null;
  maxValue?: number | null;
}

function describe(key: string, schema: z.ZodType): ConfigKey {
  let t = schema as unknown as ZodInternals;
  let nullable = false;
  // Peel default/optional/nullable to reach the value's own type.
  while ((t.def.type === "default" || t.def.type === "optional" || t.def.type === "nullable") && t.def.innerType) {
    if (t.def.type === "nullable") nullable = true;
    t = t.def.innerType;
  }
  const kind: ValueKind = t.def.type === "number" ? "int" : t.def.type === "boolean" ? "boolean" : t.def.type === "enum" ? "enum" : t.def.type === "string" ? "string" : "json";
  const bound = (v: number | null | undefined) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return { key, kind, nullable, options: kind === "enum" ? (t.options ?? []) : null, min: bound(t.minValue), max: bound(t.maxValue), schema };
}

/** Groups of keys (`index`): each of their fields is a key of its own, named with a dot (`index.include`). */
const GROUPS = new Set(["index"]);

export const CONFIG_KEYS: ConfigKey[] = Object.entries(RepoConfig.shape).flatMap(([key, schema]) => {
  if (!GROUPS.has(key)) return [describe(key, schema as z.ZodType)];
  let t = schema as unknown as { def: { type: string; innerType?: unknown; shape?: Record<string, z.ZodType> } };
  while (t.def.type === "default" && t.def.innerType) t = t.def.innerType as typeof t;
  return Object.entries(t.def.shape ?? {}).map(([field, s]) => describe(`${key}.${field}`, s));
});

/** `test-cmd`, `TEST_CMD`, `test_cmd`: one key. */
export function canonicalKey(input: string): string {
  return input.trim().toLowerCase().replace(/-/g, "_");
}

/** A key's place in the file: `index.include` is `{"index": {"include": …}}`. */
export function keyPath(key: string): string[] {
  return key.split(".");
}

/** Does the file's object hold `key` (a dotted key inside its group)? */
export function hasKey(raw: Record<string, unknown>, key: string): boolean {
  let o: unknown = raw;
  for (const part of keyPath(key)) {
    if (!o || typeof o !== "object" || Array.isArray(o) || !Object.hasOwn(o, part)) return false;
    o = (o as Record<string, unknown>)[part];
  }
  return true;
}

/** The value at `key` in a (parsed or raw) config object, undefined when absent. */
export function valueAt(obj: unknown, key: string): unknown {
  let o = obj;
  for (const part of keyPath(key)) {
    if (!o || typeof o !== "object") return undefined;
    o = (o as Record<string, unknown>)[part];
  }
  return o;
}

export function findKey(input: string): ConfigKey | null {
  const key = canonicalKey(input);
  return CONFIG_KEYS.find((k) => k.key === key) ?? null;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/** A command-line word as the key's value, checked against the key's schema (its message on refusal). */
export function parseValue(k: ConfigKey, word: string): Parsed {
  let value: unknown;
  if (k.nullable && word === "null") value = null;
  else if (k.kind === "boolean") {
    const w = word.toLowerCase();
    if (["true", "yes", "on"].includes(w)) value = true;
    else if (["false", "no", "off"].includes(w)) value = false;
    else return { ok: false, message: `expected true or false, not '${word}'` };
  } else if (k.kind === "int") {
    if (!/^[+-]?\d+$/.test(word.trim())) return { ok: false, message: `expected a whole number${bounds(k)}, not '${word}'` };
    value = Number(word.trim());
  } else if (k.kind === "json") {
    try {
      value = JSON.parse(word);
    } catch (err) {
      return { ok: false, message: `expected JSON (e.g. '{"test": "haiku"}'): ${(err as Error).message}` };
    }
  } else value = word;
  const checked = k.schema.safeParse(value);
  if (!checked.success) return { ok: false, message: issuesText(checked.error.issues) };
  if (BACKEND_KEYS.has(k.key) && !(KNOWN_BACKENDS as readonly string[]).includes(value as string)) {
    return { ok: false, message: `unknown llm backend '${String(value)}' (known: ${KNOWN_BACKENDS.join(", ")})` };
  }
  return { ok: true, value: checked.data };
}

function bounds(k: ConfigKey): string {
  return k.min !== null && k.max !== null ? ` from ${k.min} to ${k.max}` : "";
}

/** zod issues as one line: "Too big: expected number to be <=3600", with the path inside the value when there is one. */
export function issuesText(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message)).join("; ");
}

export interface Effective {
  value: unknown;
  /** The file does not set the key, or sets it to its built-in default. */
  isDefault: boolean;
  /** The key whose value this one takes while it is unset. */
  follows: string | null;
}

const DEFAULTS = RepoConfig.parse({});

/** What skep uses for `k`, given the file's raw object and its parsed form. */
export function effective(k: ConfigKey, raw: Record<string, unknown>, config: RepoConfig): Effective {
  const set = hasKey(raw, k.key);
  const follows = set ? null : (FOLLOWS[k.key] ?? null);
  const own = valueAt(config, k.key);
  let value: unknown = own === undefined ? null : own;
  if (!set) {
    // Unset keys without a zod default resolve the way the code that reads them does.
    if (BACKEND_KEYS.has(k.key) && k.key !== "llm") value = backendNameFor(k.key.slice(4) as "classify", config);
    else if (k.key === "model_classify") value = modelFor("classify", config);
    else if (k.key === "model_plan") value = modelFor("plan", config);
    else if (k.key === "model_dedup") value = modelFor("dedup", config);
    else if (k.key === "claude_bin" || k.key === "codex_bin" || k.key === "gemini_bin") value = k.key.slice(0, -4);
  }
  const builtIn = valueAt(DEFAULTS, k.key);
  return { value, isDefault: !set || (builtIn !== undefined && isDeepStrictEqual(own, builtIn)), follows };
}

/** A value for a person: strings bare, everything else as JSON. */
export function showValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

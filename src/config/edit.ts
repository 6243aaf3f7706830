// Changing one key of `.skep/config.json` the way a person would by hand, and no more: the file's
// other keys (unknown ones included) and their order are kept, the result must pass the RepoConfig
// schema before anything is written, and the write is atomic. A file that is not a JSON object is
// reported and left alone: it may hold work its owner wants back.
import { existsSync, readFileSync, statSync } from "node:fs";
import { RepoConfig } from "../protocol/config.ts";
import { writeFileAtomic } from "../util/fs.ts";
import { configPath } from "./config.ts";
import { issuesText, keyPath } from "./keys.ts";

/** The file cannot be edited as it is (not JSON, not an object, or invalid in keys not being changed). */
export class ConfigFileError extends Error {}

/** The value given for the key being changed is what the schema refuses. */
export class ConfigValueError extends Error {}

export interface RawConfig {
  path: string;
  exists: boolean;
  raw: Record<string, unknown>;
}

export function readRawConfig(skepDir: string): RawConfig {
  const path = configPath(skepDir);
  if (!existsSync(path)) return { path, exists: false, raw: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigFileError(`${path} is not valid JSON (${(err as Error).message}); fix or delete it`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new ConfigFileError(`${path} does not hold a JSON object; fix or delete it`);
  return { path, exists: true, raw: raw as Record<string, unknown> };
}

/** The raw object through the schema; a failure names every bad key. */
export function parseRaw(file: RawConfig): RepoConfig {
  const parsed = RepoConfig.safeParse(file.raw);
  if (!parsed.success) throw new ConfigFileError(`${file.path} is invalid: ${issuesText(parsed.error.issues)}`);
  return parsed.data;
}

/**
 * Set `key` to `value`, or remove it (`undefined`), and write the file. Refused with
 * ConfigValueError when the schema rejects the new value, with ConfigFileError when other keys
 * already make the file invalid (changing the bad key itself is how one repairs it, so that is allowed).
 */
export function writeKey(skepDir: string, key: string, value: unknown): RepoConfig {
  const file = readRawConfig(skepDir);
  const next = withKey(file.raw, keyPath(key), value);
  const parsed = RepoConfig.safeParse(next);
  if (!parsed.success) {
    const parts = keyPath(key);
    const mine = parsed.error.issues.filter((i) => parts.every((p, n) => i.path[n] === p));
    if (mine.length) throw new ConfigValueError(`${key}: ${issuesText(mine.map((i) => ({ ...i, path: i.path.slice(parts.length) })))}`);
    throw new ConfigFileError(`${file.path} is invalid: ${issuesText(parsed.error.issues)}; nothing was changed`);
  }
  // Keep the file's permissions (init makes it 0644; a user may have tightened them).
  const mode = file.exists ? statSync(file.path).mode & 0o777 : 0o644;
  writeFileAtomic(file.path, `${JSON.stringify(next, null, 2)}\n`, mode);
  return parsed.data;
}

/**
 * `obj` with the value at `path` set, or removed (`undefined`), copying only the objects on the
 * way: an existing key keeps its place in its object, so in the file. A group left empty by a
 * removal goes too. A group that is not an object is replaced (the schema refused it anyway).
 */
function withKey(obj: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path as [string, ...string[]];
  const next: Record<string, unknown> = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete next[head];
    else next[head] = value;
    return next;
  }
  const inner = next[head];
  const child = withKey(inner && typeof inner === "object" && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {}, rest, value);
  if (Object.keys(child).length === 0 && value === undefined) delete next[head];
  else next[head] = child;
  return next;
}

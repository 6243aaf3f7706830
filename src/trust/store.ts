// The trust store: which values from a repo's .skep/config.json that name something to execute
// (the test command, the LLM CLI executables, a provider's URL) this user agreed to run, per repo. It lives outside
// every repo (~/.skep/trusted-repos.json, or $SKEP_HOME) because the values come from
// .skep/config.json, which a teammate can commit: a cloned config alone must never make skep
// execute anything (as direnv's `allow`). An entry holds each value's hash, so a changed value
// needs trusting again.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../util/fs.ts";
import { skepHome } from "./home.ts";

/**
 * The config keys whose value names something skep would execute (the test command, an LLM CLI), or
 * where an LLM CLI would send the code and the user's key (a provider's base URL).
 */
export const TRUSTED_KEYS = ["test_cmd", "claude_bin", "codex_bin", "gemini_bin", "codex_base_url", "gemini_base_url"] as const;
export type TrustKey = (typeof TRUSTED_KEYS)[number];

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Entry = z.object({
  path: z.string().min(1),
  /** One hash per trusted key; a key without one is untrusted. */
  test_cmd_sha256: Sha256.optional(),
  claude_bin_sha256: Sha256.optional(),
  codex_bin_sha256: Sha256.optional(),
  gemini_bin_sha256: Sha256.optional(),
  codex_base_url_sha256: Sha256.optional(),
  gemini_base_url_sha256: Sha256.optional(),
  trusted_at: z.string(),
});
type Entry = z.infer<typeof Entry>;
const Store = z.object({ entries: z.array(Entry) });

export type TrustState = "trusted" | "untrusted" | "changed";

export interface TrustResult {
  /** The repo path as recorded (symlinks resolved). */
  path: string;
  /** Set when the store had to be moved aside; the caller should show it. */
  warning: string | null;
}

export { skepHome };

export function trustStorePath(): string {
  return join(skepHome(), "trusted-repos.json");
}

/** The test command's state (see valueTrustState). */
export function trustState(root: string, testCmd: string): TrustState {
  return valueTrustState(root, "test_cmd", testCmd);
}

/**
 * Whether this user trusted exactly this value (its fingerprint: see fingerprint()) of `key` for
 * the repo at `root`: "changed" when another value of the key was trusted.
 */
export function valueTrustState(root: string, key: TrustKey, value: string): TrustState {
  const path = canonicalRoot(root);
  const entry = readStore().entries.find((e) => e.path === path);
  const stored = entry?.[`${key}_sha256`];
  if (!stored) return "untrusted";
  return stored === fingerprint(path, key, value) ? "trusted" : "changed";
}

export function isTrusted(root: string, testCmd: string): boolean {
  return trustState(root, testCmd) === "trusted";
}

/** Record that this user allows `testCmd` to run for the repo at `root` (replacing any earlier command). */
export function trust(root: string, testCmd: string): TrustResult {
  return trustValues(root, { test_cmd: testCmd });
}

/** Record these values as trusted for the repo at `root`, replacing earlier values of the same keys and keeping the others. */
export function trustValues(root: string, values: Partial<Record<TrustKey, string>>): TrustResult {
  const path = canonicalRoot(root);
  const store = readStore();
  const warning = store.corrupt ? moveAside(store.corrupt) : null;
  const before = store.entries.find((e) => e.path === path);
  const entries = store.entries.filter((e) => e.path !== path);
  const entry: Entry = { ...before, path, trusted_at: new Date().toISOString() };
  for (const key of TRUSTED_KEYS) {
    const value = values[key];
    if (value !== undefined) entry[`${key}_sha256`] = fingerprint(path, key, value);
  }
  entries.push(entry);
  writeStore(entries);
  return { path, warning };
}

/**
 * Forget the repo at `root`. A corrupt store is left where it is (it trusts nothing as it is, and
 * the user may want to look at it); the warning says so.
 */
export function untrust(root: string): TrustResult & { removed: boolean } {
  const path = canonicalRoot(root);
  const store = readStore();
  if (store.corrupt) return { path, removed: false, warning: `${trustStorePath()} is unreadable (${store.corrupt}); it trusts nothing and was left as is` };
  const entries = store.entries.filter((e) => e.path !== path);
  if (entries.length === store.entries.length) return { path, removed: false, warning: null };
  writeStore(entries);
  return { path, removed: true, warning: null };
}

export function hashCommand(testCmd: string): string {
  return createHash("sha256").update(testCmd, "utf8").digest("hex");
}

/**
 * What trusting a value pins: its text, and for an executable path that lies inside the repo, the
 * file's bytes too (a later pull that swaps `tools/claude` must not inherit the trust). A test
 * command runs the repo's own code by design, so only its text is pinned.
 */
function fingerprint(root: string, key: TrustKey, value: string): string {
  if (!key.endsWith("_bin") || !value.includes("/")) return hashCommand(value);
  const file = resolve(root, value);
  if (!isInside(root, file)) return hashCommand(value);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return hashCommand(value); // missing now: trusting it pins the text; running it will fail anyway
  }
  return createHash("sha256").update(value, "utf8").update("\0").update(bytes).digest("hex");
}

function isInside(root: string, file: string): boolean {
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    // keep the path as given
  }
  const rel = relative(root, real);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The same repo reached through a symlink is the same repo; a missing path is kept as given. */
function canonicalRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return resolve(root);
  }
}

/** Entries, or none plus the reason when the file cannot be believed (corrupt means untrusted). */
function readStore(): { entries: Entry[]; corrupt: string | null } {
  const file = trustStorePath();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], corrupt: null };
    return { entries: [], corrupt: `unreadable: ${(err as Error).message}` };
  }
  // Anyone else able to write the store could make skep run commands as this user.
  const mode = statSync(file).mode;
  if (mode & 0o022) return { entries: [], corrupt: `writable by others (mode ${(mode & 0o777).toString(8)})` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { entries: [], corrupt: `not JSON: ${(err as Error).message}` };
  }
  const parsed = Store.safeParse(json);
  if (!parsed.success) return { entries: [], corrupt: `unexpected shape: ${parsed.error.issues[0]?.message ?? "invalid"}` };
  return { entries: parsed.data.entries, corrupt: null };
}

function writeStore(entries: Entry[]): void {
  const dir = skepHome();
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  // An existing directory others can enter or write would let them swap the file: close it.
  const st = statSync(dir);
  if (st.mode & 0o077 && st.uid === process.getuid?.()) chmodSync(dir, 0o700);
  writeFileAtomic(trustStorePath(), `${JSON.stringify({ entries }, null, 2)}\n`, 0o600);
}

/** Keep a corrupt store for the user to inspect instead of overwriting it. */
function moveAside(reason: string): string {
  const file = trustStorePath();
  const aside = `${file}.corrupt-${Date.now()}`;
  renameSync(file, aside);
  return `${file} was unreadable (${reason}); moved it to ${aside} and started a new one (repos trusted before must be trusted again)`;
}

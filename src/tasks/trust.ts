// The test-command trust store: which repos' test commands this user agreed to run. It lives
// outside every repo (~/.skep/trusted-repos.json, or $SKEP_HOME) because the command itself comes
// from .skep/config.json, which a teammate can commit: a cloned config alone must never make skep
// execute anything. An entry holds the command's hash, so a changed command needs trusting again.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../util/fs.ts";

const Entry = z.object({
  path: z.string().min(1),
  test_cmd_sha256: z.string().regex(/^[0-9a-f]{64}$/),
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

/** The directory holding skep's per-user files: $SKEP_HOME, else ~/.skep. */
export function skepHome(): string {
  const env = process.env.SKEP_HOME;
  return env ? resolve(env) : join(homedir(), ".skep");
}

export function trustStorePath(): string {
  return join(skepHome(), "trusted-repos.json");
}

export function trustState(root: string, testCmd: string): TrustState {
  const path = canonicalRoot(root);
  const entry = readStore().entries.find((e) => e.path === path);
  if (!entry) return "untrusted";
  return entry.test_cmd_sha256 === hashCommand(testCmd) ? "trusted" : "changed";
}

export function isTrusted(root: string, testCmd: string): boolean {
  return trustState(root, testCmd) === "trusted";
}

/** Record that this user allows `testCmd` to run for the repo at `root` (replacing any earlier command). */
export function trust(root: string, testCmd: string): TrustResult {
  const path = canonicalRoot(root);
  const store = readStore();
  const warning = store.corrupt ? moveAside(store.corrupt) : null;
  const entries = store.entries.filter((e) => e.path !== path);
  entries.push({ path, test_cmd_sha256: hashCommand(testCmd), trusted_at: new Date().toISOString() });
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

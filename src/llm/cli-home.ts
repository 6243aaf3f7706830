// A private, per-call home for an LLM CLI that keeps its state in a directory of its own (Codex's
// CODEX_HOME, Gemini's GEMINI_CLI_HOME). Each call gets a fresh one under skep's own directory
// (~/.skep/llm-homes, or $SKEP_HOME), seeded with copies of the user's files that carry their
// login and settings, and removed after the call: whatever the CLI writes (sessions, logs,
// databases, refreshed tokens) lands in the copy, never in the user's ~/.codex or ~/.gemini, and
// nothing is left behind. Not the system temp dir: Codex refuses to set up its helpers there.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { skepHome } from "../trust/store.ts";

export interface CliHome {
  /** The per-call directory (0700). */
  dir: string;
  /** Remove it (idempotent). */
  dispose(): void;
}

/** A fresh directory for one call of `backend`. */
export function makeCliHome(backend: string, root = join(skepHome(), "llm-homes")): CliHome {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(root, `${backend}-`)); // created 0700
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }) };
}

/** Copy these regular files (when present) from the user's directory into the per-call one; returns the names copied. */
export function seedFrom(userDir: string, intoDir: string, names: readonly string[]): string[] {
  const copied: string[] = [];
  mkdirSync(intoDir, { recursive: true, mode: 0o700 });
  for (const name of names) {
    const from = join(userDir, name);
    try {
      if (!existsSync(from) || !statSync(from).isFile()) continue;
      copyFileSync(from, join(intoDir, name));
      copied.push(name);
    } catch {
      // unreadable: the CLI then runs without it, as it would for a user who lacks it
    }
  }
  return copied;
}

/** A TOML basic string: JSON's string escapes are all valid TOML escapes. */
export function tomlString(s: string): string {
  return JSON.stringify(s);
}

// The real Codex and Gemini CLIs (pinned devDependencies) for tests: where they are, and what keeps
// them offline and isolated (notes: ../shared/notes/agent-clis-offline.md). Codex talks to the
// provider skep names (the fake's base URL), Gemini to GOOGLE_GEMINI_BASE_URL; skep's backends add
// the per-call homes, no retries come from `maxRetries: 0` / `llm_max_retries: 0`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { PROJECT } from "./temp.ts";

function binOf(pkg: string, bin: string): string {
  const dir = dirname(require.resolve(`${pkg}/package.json`, { paths: [PROJECT] }));
  const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { bin: Record<string, string> };
  return join(dir, json.bin[bin]!);
}

/** The package's launcher (bin/codex.js): it starts the native binary of the platform package. */
export const CODEX = binOf("@openai/codex", "codex");
/** The bundled CLI (bundle/gemini.js). */
export const GEMINI = binOf("@google/gemini-cli", "gemini");

/** The env variable the tests' codex provider reads its key from. */
export const FAKE_KEY_VAR = "OPENAI_API_KEY";

/** Variables for a gemini run against the fake at `apiUrl`. */
export function offlineGeminiEnv(apiUrl: string): Record<string, string> {
  return { GEMINI_API_KEY: "dummy", GOOGLE_GEMINI_BASE_URL: apiUrl };
}

/** Every file under `dir` with its contents: to show a directory was left as it was. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

/** Processes whose command line mentions `needle` (other than ps itself). */
export function processesWith(needle: string): string[] {
  const ps = Bun.spawnSync(["ps", "-eo", "pid,args"], { stdout: "pipe" }).stdout.toString();
  return ps.split("\n").filter((l) => l.includes(needle) && !l.includes("ps -eo"));
}

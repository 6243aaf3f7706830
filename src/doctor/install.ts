// `skep doctor`'s install and completions checks: how the running skep got here (install.sh's
// receipt, Homebrew's Cellar, a clone run by bun, or a binary put somewhere by hand) and which
// shells find its completions in the places they look without configuration.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { homeDir } from "../trust/home.ts";
import { dirname, join } from "node:path";
import type { DoctorCheck } from "../protocol/doctor.ts";
import { fail, ok } from "./check.ts";

export interface InstallEnv {
  /** What runs skep: [binary] when compiled, [bun, main.ts] from source. */
  self: string[];
  env: NodeJS.ProcessEnv;
  home: string;
}

function currentEnv(self: string[]): InstallEnv {
  return { self, env: process.env, home: homeDir() };
}

const dataHome = (e: InstallEnv) => e.env.XDG_DATA_HOME || join(e.home, ".local", "share");
const configHome = (e: InstallEnv) => e.env.XDG_CONFIG_HOME || join(e.home, ".config");
export const receiptPath = (e: InstallEnv) => join(dataHome(e), "skep", "install-receipt");

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** key=value lines of install.sh's receipt; `file` repeats. */
function readReceipt(path: string): { fields: Record<string, string>; files: string[] } | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  const fields: Record<string, string> = {};
  const files: string[] = [];
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at <= 0) continue;
    const [k, v] = [line.slice(0, at), line.slice(at + 1)];
    if (k === "file") files.push(v);
    else fields[k] = v;
  }
  return { fields, files };
}

export function checkInstall(self: string[], e: InstallEnv = currentEnv(self)): DoctorCheck {
  if (e.self.length > 1) return ok("install", "info", `from source: ${e.self[1]} run by bun ${Bun.version}`);
  const bin = real(e.self[0]!);
  const receipt = readReceipt(receiptPath(e));
  if (receipt?.files.some((f) => real(f) === bin)) {
    const { version, target, base } = receipt.fields;
    return ok("install", "info", `install.sh: ${bin} (${version ?? "?"}, ${target ?? "?"}, from ${base ?? "?"}); \`sh install.sh --uninstall\` removes it`);
  }
  if (/\/Cellar\/skep\//.test(bin)) return ok("install", "info", `Homebrew: ${bin} (\`brew upgrade skep\` upgrades it)`);
  return ok("install", "info", `a binary at ${bin}, not installed by install.sh or Homebrew (upgrade by replacing it)`);
}

/** Where bash-completion, zsh (on the default fpath) and fish look, for this skep's prefix and the user. */
function completionPlaces(e: InstallEnv): Record<"bash" | "zsh" | "fish", string[]> {
  const prefix = e.self.length === 1 ? dirname(dirname(real(e.self[0]!))) : null;
  const shares = [...(prefix ? [join(prefix, "share")] : []), "/usr/local/share", "/usr/share", "/opt/homebrew/share"];
  const bashUser = e.env.BASH_COMPLETION_USER_DIR || join(dataHome(e), "bash-completion");
  return {
    bash: [join(bashUser, "completions", "skep"), ...shares.map((s) => join(s, "bash-completion", "completions", "skep")), ...(prefix ? [join(prefix, "etc", "bash_completion.d", "skep")] : [])],
    zsh: [join(dataHome(e), "zsh", "site-functions", "_skep"), ...shares.map((s) => join(s, "zsh", "site-functions", "_skep"))],
    fish: [join(configHome(e), "fish", "completions", "skep.fish"), ...shares.map((s) => join(s, "fish", "vendor_completions.d", "skep.fish"))],
  };
}

export function checkCompletions(self: string[], e: InstallEnv = currentEnv(self)): DoctorCheck {
  const found: string[] = [];
  const missing: string[] = [];
  for (const [shell, places] of Object.entries(completionPlaces(e))) {
    const at = places.find((p) => existsSync(p));
    if (at) found.push(`${shell} (${at})`);
    else missing.push(shell);
  }
  if (missing.length === 0) return ok("completions", "info", `installed for ${found.join(", ")}`);
  const detail = found.length ? `installed for ${found.join(", ")}; none for ${missing.join(", ")}` : `none installed for ${missing.join(", ")}`;
  return fail("completions", "info", `${detail} (a \`source <(skep completion bash)\` in a shell's rc file also works, and is not seen here)`, "skep completion bash|zsh|fish (docs/cli.md)");
}

// Keep `.skep/` out of git without touching a tracked file: a line in `.git/info/exclude` (shared
// by every worktree of the repo), never `.gitignore`.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gitCommonDir } from "./repo.ts";

/** Add `.skep/` to the repo's info/exclude unless it is there; true when the line was added. */
export function excludeSkepDir(root: string): boolean {
  const common = gitCommonDir(root);
  if (!common) return false;
  const exclude = join(common, "info", "exclude");
  mkdirSync(join(common, "info"), { recursive: true });
  const current = existsSync(exclude) ? readFileSync(exclude, "utf8") : "";
  if (current.split("\n").some((l) => l.trim() === ".skep/" || l.trim() === "/.skep/")) return false;
  appendFileSync(exclude, `${current && !current.endsWith("\n") ? "\n" : ""}.skep/\n`);
  return true;
}

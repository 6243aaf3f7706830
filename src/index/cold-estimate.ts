// How much one thread's work a first build of a tree would be, found cheaply before anything
// heavy is loaded: git's listing, each path's language by its name, and a stat per file until the
// estimate passes the limit the caller cares about. src/cli/cold-build.ts asks it to choose the
// JavaScriptCore settings of the process that will build (a small tree wants the cheapest first
// pass, a large one the fastest steady state).
//
// An upper bound: the index rules (vendor/, testdata/, generated files, .skep/config.json) are not
// applied here (loading them costs more than this whole estimate), so a tree with a large vendored
// part counts as large.
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { gitRaw } from "../git/exec.ts";
import { languageForPath } from "../parser/languages.ts";
import { WorkTally } from "./schedule.ts";

/**
 * schedule.ts's single-thread estimate (ms) for the files git lists under `root` (tracked, and
 * untracked but not ignored), or `Infinity` as soon as it passes `limitMs` (the rest is not
 * looked at); null when git gives no listing (not a git work tree, no git).
 */
export function estimateTreeMs(root: string, limitMs: number): number | null {
  let out: Uint8Array;
  try {
    const p = gitRaw(root, ["ls-files", "-co", "--exclude-standard", "-z"]);
    if (p.exitCode !== 0) return null;
    out = p.stdout;
  } catch {
    return null; // git could not run: no listing
  }
  const tally = new WorkTally();
  for (const path of new TextDecoder().decode(out).split("\0")) {
    const lang = path ? languageForPath(path) : null;
    if (!lang) continue;
    tally.add({ lang, size: sizeOf(join(root, path)) });
    if (tally.ms > limitMs) return Infinity;
  }
  return tally.ms;
}

/** A listed path's size as the scan will see it (lstat: a symlink is skipped, never followed); 0 when it cannot be read. */
function sizeOf(path: string): number {
  try {
    const st = lstatSync(path, { throwIfNoEntry: false });
    return st?.isFile() ? st.size : 0;
  } catch {
    return 0; // EACCES, a name too long...: the build will say so, the estimate need not
  }
}

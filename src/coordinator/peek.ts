// A look at a workspace's coordinator runs without the run store (store.ts, with its schemas and
// everything around it): the status line asks every few seconds whether a run is in flight, and
// in the common case (none is) nothing more needs to load.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { WORKSPACE_DIR } from "../workspace/find.ts";

export function runsDir(workspace: string): string {
  return join(workspace, WORKSPACE_DIR, "runs");
}

/**
 * Whether some run's record says, as written, one of `statuses`. Records are not validated here:
 * false means RunStore.list() holds no run in those statuses (it skips what does not parse);
 * true means it may, and the caller asks the run store.
 */
export function anyRunRecordIn(workspace: string, statuses: readonly string[]): boolean {
  const root = runsDir(workspace);
  if (!existsSync(root)) return false;
  for (const name of readdirSync(root)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = (JSON.parse(readFileSync(join(root, name, "run.json"), "utf8")) as { status?: unknown } | null)?.status;
      if (typeof status === "string" && statuses.includes(status)) return true;
    } catch {
      // no record, or a damaged one: the run store skips it as well
    }
  }
  return false;
}

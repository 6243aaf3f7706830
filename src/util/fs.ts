// File helpers shared across subsystems.
import { renameSync, writeFileSync } from "node:fs";

/** Write via a temp file and rename, so readers never see half a file. */
export function writeFileAtomic(path: string, content: string, mode = 0o644): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

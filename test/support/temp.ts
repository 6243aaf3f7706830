// Temp dirs and teardown shared by the test suites that start real processes: everything a test
// registers is torn down, newest first, by cleanupAll() (call it in afterEach/afterAll).
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const PROJECT = resolve(import.meta.dir, "../..");
export const BUN = process.execPath;
export const MAIN = join(PROJECT, "src/main.ts");
/** Symlinks resolved, as git reports paths. */
export const TMP = realpathSync(tmpdir());

const cleanups: (() => void | Promise<void>)[] = [];

export function onCleanup(f: () => void | Promise<void>): void {
  cleanups.push(f);
}

export async function cleanupAll(): Promise<void> {
  for (const f of cleanups.splice(0).reverse()) {
    try {
      await f();
    } catch {
      // keep cleaning
    }
  }
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(TMP, prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  return dir;
}

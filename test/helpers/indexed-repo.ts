// Small repos indexed into their own database, for call-graph tests: each call of `indexed` makes
// a git repo from the files and a cold index of it; `cleanup()` removes them all.
import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";
import { type Files, initRepo, tempDir } from "./git-repo.ts";

export function indexedRepos(prefix: string): { indexed: (files: Files) => Promise<Database>; cleanup: () => void } {
  const tmp = tempDir(prefix);
  let n = 0;
  return {
    indexed: async (files) => {
      const base = join(tmp.dir, String(n++));
      const root = initRepo(join(base, "repo"), files);
      const db = openWritable(join(base, "index.db"));
      await indexRepo(db, root);
      return db;
    },
    cleanup: tmp.cleanup,
  };
}

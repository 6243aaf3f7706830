// Red-team attack 15: a file whose name is not valid UTF-8 cannot be indexed by name; it is listed
// under skipped with the reason instead of disappearing, and it does not leave the index stale.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { indexRepo } from "../../src/index/indexer.ts";
import { pendingChanges } from "../../src/index/freshness.ts";
import { BAD_NAME } from "../../src/index/apply.ts";
import { openWritable } from "../../src/index/store.ts";
import { git, initRepo } from "../helpers/git-repo.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

test("a non-UTF-8 file name is listed under skipped with the reason, once", async () => {
  const root = initRepo(join(tempDir("skep-badname-"), "repo"), { "ok.go": "package main\nfunc Ok() {}\n" });
  writeFileSync(Buffer.concat([Buffer.from(`${root}/bad`), Buffer.from([0xff, 0xfe]), Buffer.from(".go")]), "package main\nfunc Bad() {}\n");
  git(root, "add", "-A");
  git(root, "commit", "-qm", "bad name");
  const db = openWritable(join(root, ".skep-index.db"));
  try {
    const first = await indexRepo(db, root);
    expect(first.skipped).toEqual([{ path: "bad\uFFFD\uFFFD.go", reason: BAD_NAME }]);
    expect(pendingChanges(db, root).pending.added.length + pendingChanges(db, root).pending.modified.length).toBe(0);
    const again = await indexRepo(db, root);
    expect(again.skipped).toEqual(first.skipped);
  } finally {
    db.close();
  }
});

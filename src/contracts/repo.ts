// One repo's HTTP routes and client calls, from the files its index lists. Results are cached by
// content hash (cache.ts): a file the index saw unchanged is looked up by the index's hash without
// being read; a file changed since is read and hashed here, so the answer follows the disk.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scan } from "../index/scan.ts";
import { contentHash, decodeText, looksBinary, minifiedReason } from "../index/inspect.ts";
import { loadFileStates, openReadonly } from "../index/store.ts";
import type { LanguageId } from "../parser/languages.ts";
import type { HttpCall, HttpRoute } from "../protocol/contracts.ts";
import { cacheKey, ContractCache } from "./cache.ts";
import { CONTRACT_LANGUAGES, extractContracts } from "./extract.ts";
import { applyMounts } from "./mounts.ts";
import { joinPath } from "./path.ts";
import { emptyContracts, type FileContracts } from "./types.ts";

export interface RepoContracts {
  name: string;
  root: string;
  files: number;
  routes: HttpRoute[];
  calls: HttpCall[];
}

interface Listed {
  path: string;
  lang: LanguageId;
  /** The index's hash when the file is unchanged since it was indexed, else null (read it). */
  hash: string | null;
}

/** The files to look at: the index's list, corrected by a (size, mtime) scan of the disk. */
function listFiles(root: string, skepDir: string): Listed[] {
  const db = openReadonly(join(skepDir, "index.db"));
  let rows: { path: string; lang: string; hash: string | null; skipReason: string | null }[];
  let known;
  try {
    rows = db.query("SELECT path, lang, hash, skip_reason AS skipReason FROM files").all() as typeof rows;
    known = loadFileStates(db);
  } finally {
    db.close();
  }
  const s = scan(root, known);
  const changed = new Map(s.changed.map((f) => [f.path, f.lang]));
  const gone = new Set([...s.deleted, ...s.skipped.map((f) => f.path)]);
  const out: Listed[] = [];
  for (const r of rows) {
    if (gone.has(r.path) || changed.has(r.path) || r.skipReason !== null || !CONTRACT_LANGUAGES.has(r.lang as LanguageId)) continue;
    out.push({ path: r.path, lang: r.lang as LanguageId, hash: r.hash });
  }
  for (const [path, lang] of changed) if (CONTRACT_LANGUAGES.has(lang)) out.push({ path, lang, hash: null });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Throws IndexUnavailable (src/index/store.ts) when the repo has no readable index. */
export async function repoContracts(name: string, root: string, skepDir = join(root, ".skep")): Promise<RepoContracts> {
  const files = listFiles(root, skepDir);
  const cache = ContractCache.open(skepDir);
  const fresh: [string, FileContracts][] = [];
  const found: { path: string; c: FileContracts }[] = [];
  try {
    for (const f of files) {
      let c = f.hash ? cache.get(cacheKey(f.lang, f.hash)) : null;
      if (!c) {
        let bytes: Uint8Array;
        try {
          bytes = readFileSync(join(root, f.path));
        } catch {
          continue; // gone since the scan
        }
        const hash = contentHash(bytes);
        c = cache.get(cacheKey(f.lang, hash));
        if (!c) {
          const text = looksBinary(bytes) ? null : decodeText(bytes);
          c = text === null || minifiedReason(text) ? emptyContracts() : await extractContracts(f.lang, text).catch(() => (emptyContracts()));
          fresh.push([cacheKey(f.lang, hash), c]);
        }
      }
      if (c.routes.length || c.calls.length || c.retrofitBases.length || c.mounts.length) found.push({ path: f.path, c });
    }
    cache.putAll(fresh);
  } finally {
    cache.close();
  }
  // One literal Retrofit base URL in the repo: its path prefixes the Retrofit calls written
  // relative to it (several bases: which interface uses which is not read, so they stay relative).
  const bases = new Set(found.flatMap((f) => f.c.retrofitBases));
  const base = bases.size === 1 ? [...bases][0]! : null;
  const routes: HttpRoute[] = [];
  const calls: HttpCall[] = [];
  const mounted = applyMounts(found, files.map((f) => f.path));
  for (const { path, c } of found) {
    for (const r of mounted.get(path) ?? []) routes.push({ repo: name, file: path, method: r.method, path: r.path, line: r.line, framework: r.framework });
    for (const call of c.calls) {
      const rebased = call.framework === "retrofit" && call.relative && base !== null;
      const { method, line, framework } = call;
      calls.push({ repo: name, file: path, method, line, framework, ...(rebased ? { path: joinPath(base, call.path), relative: false } : { path: call.path, relative: call.relative }) });
    }
  }
  return { name, root, files: files.length, routes, calls };
}

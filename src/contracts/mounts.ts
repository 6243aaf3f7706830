// The repo pass over per-file results: routers mounted from another file. Each file is extracted on
// its own (its result is cached by content), so a mount naming an import is resolved here: the
// import specifier becomes candidate files (relative JS/TS paths, Python modules, Go packages by
// directory), and the routes there whose owner the mount names get its prefix, through any chain
// of such mounts (a routes module mounted by one mounted by the app).
import { dirname, posix } from "node:path";
import { joinPath, normalisePath } from "./path.ts";
import type { FileContracts, FoundRoute, Mount } from "./types.ts";

export interface FileResult {
  path: string;
  c: FileContracts;
}

const JS_EXTENSIONS = [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs"];

/** The repo files an import specifier can name, among `known`. */
export function resolveModule(mount: Mount, from: string, known: Set<string>, dirs: Map<string, string[]>): string[] {
  const here = dirname(from) === "." ? "" : dirname(from);
  if (mount.kind === "js") {
    if (!mount.module?.startsWith(".")) return [];
    const base = posix.normalize(posix.join(here, mount.module));
    const stem = base.replace(/\.(m|c)?js$|\.jsx$/, "");
    const tries = [base, ...JS_EXTENSIONS.map((e) => stem + e), ...JS_EXTENSIONS.map((e) => `${stem}/index${e}`)];
    const hit = tries.find((t) => known.has(t));
    return hit ? [hit] : [];
  }
  if (mount.kind === "python") {
    const spec = mount.module ?? "";
    const dots = /^\.*/.exec(spec)![0].length;
    const rest = spec.slice(dots).split(".").filter(Boolean).join("/");
    if (dots > 0) {
      let dir = here;
      for (let i = 1; i < dots; i++) dir = dirname(dir) === "." ? "" : dirname(dir);
      const stem = posix.join(dir, rest);
      return [`${stem}.py`, `${stem}/__init__.py`].filter((t) => known.has(t));
    }
    const suffixes = [`${rest}.py`, `${rest}/__init__.py`];
    return [...known].filter((p) => suffixes.some((s) => p === s || p.endsWith(`/${s}`)));
  }
  // Go: the package's directory, the one sharing the most trailing path elements with the import
  // path (at least two, or the whole of a one-element path): a go.mod may sit below the repo root.
  if (mount.module === null) return dirs.get(here) ?? [];
  const want = mount.module.split("/");
  let best: string[] = [];
  let bestScore = 0;
  for (const [dir, files] of dirs) {
    const have = dir ? dir.split("/") : [];
    let n = 0;
    while (n < want.length && n < have.length && want[want.length - 1 - n] === have[have.length - 1 - n]) n++;
    if (n > bestScore) [best, bestScore] = [files, n];
    else if (n === bestScore && n > 0) best = [...best, ...files];
  }
  return bestScore >= Math.min(2, want.length) ? best.filter((f) => f.endsWith(".go")) : [];
}

/** Every file's routes with the prefixes mounts in other files give them. */
export function applyMounts(results: FileResult[], allFiles: string[]): Map<string, FoundRoute[]> {
  const known = new Set(allFiles);
  const dirs = new Map<string, string[]>();
  for (const f of allFiles) {
    const d = dirname(f) === "." ? "" : dirname(f);
    dirs.set(d, [...(dirs.get(d) ?? []), f]);
  }
  // (target file, owner name) → the mounts reaching it.
  const incoming = new Map<string, { from: string; mount: Mount }[]>();
  for (const r of results)
    for (const mount of r.c.mounts)
      for (const target of resolveModule(mount, r.path, known, dirs)) {
        const key = `${target}\0${mount.name}`;
        incoming.set(key, [...(incoming.get(key) ?? []), { from: r.path, mount }]);
      }
  const memo = new Map<string, { prefix: string; replaces: boolean }[]>();
  const prefixes = (file: string, owner: string | undefined, seen: Set<string>): { prefix: string; replaces: boolean }[] => {
    if (!owner) return [{ prefix: "", replaces: false }];
    const key = `${file}\0${owner}`;
    const cached = memo.get(key);
    if (cached) return cached;
    if (seen.has(key)) return [{ prefix: "", replaces: false }]; // a cycle of mounts: stop
    seen.add(key);
    // A default import names whatever the file's routes hang from.
    const via = [...(incoming.get(key) ?? [])];
    if (owner !== "default") via.push(...(incoming.get(`${file}\0default`) ?? []));
    const out = via.length
      ? via.flatMap(({ from, mount }) =>
          prefixes(from, mount.owner ?? undefined, seen).map((p) => ({ prefix: joinPath(p.prefix, mount.prefix), replaces: !!mount.replaces })),
        )
      : [{ prefix: "", replaces: false }];
    seen.delete(key);
    memo.set(key, out);
    return out;
  };
  const routes = new Map<string, FoundRoute[]>();
  for (const r of results) {
    const list: FoundRoute[] = [];
    for (const route of r.c.routes) {
      for (const p of prefixes(r.path, route.owner, new Set())) {
        let path = route.path;
        // Flask: register_blueprint(url_prefix=) replaces the Blueprint's own prefix.
        if (p.replaces && route.ownPrefix && (path === route.ownPrefix || path.startsWith(`${route.ownPrefix}/`))) path = path.slice(route.ownPrefix.length) || "/";
        list.push({ ...route, path: normalisePath(joinPath(p.prefix, path)) });
      }
    }
    routes.set(r.path, list);
  }
  return routes;
}

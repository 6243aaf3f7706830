// Resolve import specs ("net/http", "./util", "a.b.c", "crate::x::y", "foo.h") to indexed files by
// path suffix. Languages spell imports differently, but nearly all of them name a path: a file
// (without extension) or a directory (Go packages, Python packages). Unresolvable specs (the
// standard library, third-party packages outside the repo) simply match nothing.
import { posix } from "node:path";
import { importPath } from "../parser/extract.ts";

export interface FileRef {
  id: number;
  path: string;
}

export class ImportResolver {
  /** Every "/"-suffix of a file's path without extension -> file ids (a/b/c.go gives c, b/c, a/b/c). */
  private readonly byStem = new Map<string, number[]>();
  /** Every "/"-suffix of each directory -> ids of the files directly in it. */
  private readonly byDir = new Map<string, number[]>();
  /** Full path with extension -> id, for includes like "util/log.h". */
  private readonly byPathSuffix = new Map<string, number[]>();
  /** Directory path (exact) -> ids of the files directly in it: Go imports name packages. */
  private readonly inDir = new Map<string, number[]>();
  private readonly cache = new Map<string, number[]>();

  constructor(files: FileRef[]) {
    for (const f of files) {
      const dot = f.path.lastIndexOf(".");
      const stem = dot > f.path.lastIndexOf("/") ? f.path.slice(0, dot) : f.path;
      addSuffixes(this.byStem, stem, f.id);
      addSuffixes(this.byPathSuffix, f.path, f.id);
      const dir = posix.dirname(f.path);
      if (dir !== ".") addSuffixes(this.byDir, dir, f.id);
      const here = this.inDir.get(dir);
      if (here) here.push(f.id);
      else this.inDir.set(dir, [f.id]);
      // index.ts / __init__.py / mod.rs stand for their directory.
      const base = posix.basename(stem);
      if (base === "index" || base === "__init__" || base === "mod") {
        if (dir !== ".") addSuffixes(this.byStem, dir, f.id);
      }
    }
  }

  /** Files an import in `fromPath` refers to. */
  resolve(fromPath: string, written: string): number[] {
    const spec = importPath(written);
    const go = fromPath.endsWith(".go");
    const key = spec.startsWith(".") ? `${posix.dirname(fromPath)}\0${spec}` : go ? `go\0${spec}` : spec;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = go ? this.goPackage(spec) : this.lookup(fromPath, spec);
      this.cache.set(key, hit);
    }
    return hit;
  }

  /**
   * A Go import names a package, that is a directory, never a file: "strings" is the directory
   * strings/ (not every strings.go in the repo), "github.com/acme/shop/internal/store" the repo's
   * internal/store/ (the module path's tail). A path without a domain that names no directory of
   * the repo is the standard library's or a GOPATH package's: nothing here. A module path whose
   * tail names no directory exactly (the module lives in a subdirectory) falls back to the suffix
   * rules of other languages.
   */
  private goPackage(spec: string): number[] {
    const exact = this.inDir.get(spec);
    if (exact) return exact;
    const segs = spec.split("/");
    if (!/^[\w-]+(\.[\w-]+)+$/.test(segs[0]!)) return [];
    for (let i = 1; i < segs.length; i++) {
      const tail = this.inDir.get(segs.slice(i).join("/"));
      if (tail) return tail;
    }
    return this.lookup("", spec);
  }

  private lookup(fromPath: string, spec: string): number[] {
    if (!spec) return [];
    // Relative specs ("./util", "../x") resolve against the importing file.
    if (spec.startsWith("./") || spec.startsWith("../")) {
      const joined = posix.normalize(posix.join(posix.dirname(fromPath), spec));
      return this.byPathSuffix.get(joined) ?? this.byStem.get(joined) ?? [];
    }
    if (/\.[a-z+]{1,4}$/i.test(spec) && spec.includes("/") !== spec.includes("::") && !spec.includes("\\")) {
      const direct = this.byPathSuffix.get(spec);
      if (direct) return direct;
    }
    let parts = spec
      .replace(/^(crate|self|super)::/, "")
      .replace(/^@/, "")
      .split(/::|\\|\/|\./)
      .filter(Boolean);
    if (spec.startsWith(".")) parts = parts.slice(0); // Python relative ".x": the leading dots are gone
    // Try the whole path, then drop trailing parts: `from a.b import c`, `import a.b.Thing`, `use a::b::item`.
    for (let n = parts.length; n > 0 && n >= parts.length - 2; n--) {
      const p = parts.slice(0, n).join("/");
      const found = this.byStem.get(p) ?? this.byDir.get(p);
      if (found) return found;
    }
    // A Go import names its module first ("github.com/acme/shop/internal/store"); the repo holds
    // only the tail, so when the first element looks like a domain try ever shorter suffixes.
    if (/^[\w-]+(\.[\w-]+)+\//.test(spec)) {
      const segs = spec.split("/").slice(1).filter(Boolean);
      for (let i = 0; i < segs.length; i++) {
        const p = segs.slice(i).join("/");
        const found = this.byDir.get(p) ?? this.byStem.get(p);
        if (found) return found;
      }
    }
    return [];
  }
}

function addSuffixes(map: Map<string, number[]>, path: string, id: number): void {
  const parts = path.split("/");
  for (let i = parts.length - 1; i >= 0; i--) {
    const key = parts.slice(i).join("/");
    const list = map.get(key);
    if (list) list.push(id);
    else map.set(key, [id]);
  }
}

// HTTP routes and calls in Python. Servers: FastAPI (`@app.get`, `APIRouter(prefix=)`,
// `app.include_router(router, prefix=)`, `@router.api_route(methods=)`) and Flask (`@app.route(methods=)`,
// Flask 2's `@app.get`, `Blueprint(url_prefix=)`, `register_blueprint(bp, url_prefix=)`), prefixes
// followed within a file. Clients: requests, httpx and session/client objects (`client.get(url)`).
import type { Node } from "web-tree-sitter";
import type { HttpMethod } from "../protocol/contracts.ts";
import { kids, lineOf, literalString, nodesAt, urlPieces } from "./ast.ts";
import { joinPath, normalisePath, piecesToPath } from "./path.ts";
import { emptyContracts, methodOf, type FileContracts } from "./types.ts";

const CLIENTS = /^(requests|httpx|session|client|self\.session|self\.client|http|self\.http)$/;

interface Router {
  framework: "fastapi" | "flask";
  own: string;
  /** The prefix `include_router`/`register_blueprint` adds (Flask's replaces the blueprint's own). */
  mounted: string | null;
  /** The router this one is mounted on in this file. */
  parent?: string;
}

export function extractPython(root: Node, text: string): FileContracts {
  const out = emptyContracts();
  const routers = new Map<string, Router>();
  for (const a of nodesAt(root, text, /^\s*([\w.]+)\s*=\s*(?:[\w.]*\.)?(?:FastAPI|APIRouter|Flask|Blueprint)\s*\(/gm, "assignment", 2)) {
    const name = a?.childForFieldName("left")?.text;
    const value = a?.childForFieldName("right");
    if (!name || value?.type !== "call") continue;
    const fn = value.childForFieldName("function")?.text.replace(/^.*\./, "");
    const args = value.childForFieldName("arguments");
    if (fn === "FastAPI" || fn === "APIRouter") routers.set(name, { framework: "fastapi", own: keyword(args, "prefix") ?? "", mounted: null });
    else if (fn === "Flask") routers.set(name, { framework: "flask", own: "", mounted: null });
    else if (fn === "Blueprint") routers.set(name, { framework: "flask", own: keyword(args, "url_prefix") ?? "", mounted: null });
  }
  const prefixOf = (name: string, depth = 0): string => {
    const r = routers.get(name);
    if (!r || depth > 8) return "";
    if (r.framework === "flask") return r.mounted ?? r.own;
    return joinPath(r.mounted ?? "", r.own);
  };
  const rootOf = (name: string, depth = 0): string => {
    const parent = routers.get(name)?.parent;
    return parent && depth < 8 ? rootOf(parent, depth + 1) : name;
  };
  const imports = importedNames(text);
  // Only the calls the text says may matter (see nodesAt): decorators, mounts, client requests.
  const calls = nodesAt(root, text, /\.\s*(get|post|put|patch|delete|head|options|route|api_route|include_router|register_blueprint)\s*\(/g, "call");
  for (const call of calls) {
    const fn = call.childForFieldName("function");
    if (fn?.type !== "attribute") continue;
    const method = fn.childForFieldName("attribute")?.text;
    const args = call.childForFieldName("arguments");
    const target = kids(args)[0];
    if ((method === "include_router" || method === "register_blueprint") && target) {
      const r = routers.get(target.text);
      const receiver = fn.childForFieldName("object")?.text ?? "";
      const parent = prefixOf(receiver);
      const given = keyword(args, method === "include_router" ? "prefix" : "url_prefix");
      if (r) {
        r.mounted = joinPath(parent, given ?? (r.framework === "flask" ? r.own : ""));
        r.parent = receiver;
        continue;
      }
      // A router from another module: `users.router`, or a name imported from one.
      const ref = importedRef(target.text, imports);
      if (ref)
        out.mounts.push({
          kind: "python",
          ...ref,
          prefix: joinPath(parent, given ?? ""),
          owner: rootOf(receiver),
          ...(method === "register_blueprint" && given !== null ? { replaces: true } : {}),
        });
    }
  }
  for (const call of calls) {
    const fn = call.childForFieldName("function");
    if (fn?.type !== "attribute") continue;
    const object = fn.childForFieldName("object")?.text ?? "";
    const attr = fn.childForFieldName("attribute")?.text ?? "";
    const args = call.childForFieldName("arguments");
    const positional = kids(args).filter((a) => a.type !== "keyword_argument");
    if (call.parent?.type === "decorator") {
      const path = literalString(positional[0]) ?? keyword(args, "path") ?? keyword(args, "rule");
      if (path === null || (path !== "" && !path.startsWith("/"))) continue;
      const r = routers.get(object);
      const framework = r?.framework ?? (attr === "route" ? "flask" : "fastapi");
      let methods: HttpMethod[];
      if (attr === "route" || attr === "api_route") {
        const list = keywordNode(args, "methods");
        methods = list ? kids(list).flatMap((n) => [methodOf(literalString(n) ?? "")].filter((m): m is HttpMethod => m !== null)) : [];
        if (methods.length === 0) methods = [attr === "route" ? "GET" : "ANY"];
      } else {
        const m = methodOf(attr);
        if (!m) continue;
        methods = [m];
      }
      const own = r?.framework === "flask" && r.mounted === null && r.own ? { ownPrefix: normalisePath(r.own) } : {};
      for (const m of methods)
        out.routes.push({ method: m, path: normalisePath(joinPath(prefixOf(object), path)), line: lineOf(call), framework, owner: rootOf(object), ...own });
    } else if (CLIENTS.test(object) && positional[0]) {
      const m = methodOf(attr);
      if (!m) continue;
      const built = piecesToPath(urlPieces(positional[0]));
      if (built) out.calls.push({ method: m, path: built.path, relative: built.relative, line: lineOf(call), framework: object.replace(/^self\./, "") });
    }
  }
  return out;
}

function keywordNode(args: Node | null, name: string): Node | null {
  for (const a of kids(args)) if (a.type === "keyword_argument" && a.childForFieldName("name")?.text === name) return a.childForFieldName("value");
  return null;
}

function keyword(args: Node | null, name: string): string | null {
  return literalString(keywordNode(args, name));
}

/** `from M import a as b` → b: (M, a); `import M as X` → X: (M, null). Relative modules keep their dots. */
function importedNames(text: string): Map<string, { module: string; name: string | null }> {
  const out = new Map<string, { module: string; name: string | null }>();
  for (const m of text.matchAll(/^from\s+(\.*[\w.]*)\s+import\s+(\([^)]*\)|[^\n]+)/gm)) {
    for (const part of m[2]!.replace(/[()]/g, "").split(",")) {
      const n = /^\s*(\w+)(?:\s+as\s+(\w+))?\s*$/.exec(part.replace(/#.*$/, ""));
      if (n) out.set(n[2] ?? n[1]!, { module: m[1]!, name: n[1]! });
    }
  }
  for (const m of text.matchAll(/^import\s+([\w.]+)(?:\s+as\s+(\w+))?\s*$/gm)) out.set(m[2] ?? m[1]!, { module: m[1]!, name: null });
  return out;
}

/** The module and router name a mounted expression (`users.router`, `users_router`) refers to. */
function importedRef(expr: string, imports: Map<string, { module: string; name: string | null }>): { module: string; name: string } | null {
  const direct = imports.get(expr);
  if (direct?.name) return { module: direct.module, name: direct.name };
  const dot = expr.lastIndexOf(".");
  if (dot < 0) return null;
  const base = imports.get(expr.slice(0, dot)) ?? (imports.has(expr.split(".")[0]!) ? { module: expr.slice(0, dot), name: null } : undefined);
  if (!base) return null;
  const module = base.name ? `${base.module}${base.module.endsWith(".") ? "" : "."}${base.name}` : base.module;
  return { module, name: expr.slice(dot + 1) };
}

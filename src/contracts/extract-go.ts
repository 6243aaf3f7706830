// HTTP routes and calls in Go. Servers: net/http's `HandleFunc`/`Handle` (Go 1.22 patterns such as
// "GET /items/{id}" included), gin (`r.GET`, `r.Handle`, `g := r.Group("/v1")`, nested groups) and chi
// (`r.Get`, `r.Method`, `r.Route("/x", func(r chi.Router) {...})`, `r.Group(func(r chi.Router))`,
// `r.Mount("/x", sub)` with a router variable or a function building one). Clients: `http.Get`,
// `http.Post`, `client.Get`, `http.NewRequest(WithContext)` with literal, concatenated or
// `fmt.Sprintf` URLs.
import type { Node } from "web-tree-sitter";
import type { HttpMethod } from "../protocol/contracts.ts";
import { kids, lineOf, literalString, nodesAt, urlPieces } from "./ast.ts";
import { joinPath, normalisePath, piecesToPath } from "./path.ts";
import { emptyContracts, methodOf, type FileContracts } from "./types.ts";

const GIN_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "Any"]);
const CHI_METHODS = new Set(["Get", "Post", "Put", "Patch", "Delete", "Head", "Options"]);

/** The selector calls worth reading: route registrations, groups and mounts, client requests. */
const SELECTOR_NAMES = new RegExp(
  `\\.\\s*(${["HandleFunc", "Handle", "Method", "MethodFunc", "Group", "Mount", "Route", "NewRequest", "NewRequestWithContext", "PostForm", "Any", ...GIN_METHODS, ...CHI_METHODS].join("|")})\\s*\\(`,
  "g",
);

interface Selector {
  call: Node;
  operand: Node;
  name: string;
  args: Node[];
}

function selector(call: Node): Selector | null {
  const fn = call.childForFieldName("function");
  if (fn?.type !== "selector_expression") return null;
  const operand = fn.childForFieldName("operand");
  const name = fn.childForFieldName("field")?.text;
  if (!operand || !name) return null;
  return { call, operand, name, args: kids(call.childForFieldName("arguments")) };
}

export function extractGo(root: Node, text: string): FileContracts {
  const out = emptyContracts();
  const framework = /"github\.com\/gin-gonic\/gin"/.test(text) ? "gin" : /"github\.com\/go-chi\/chi/.test(text) ? "chi" : "net/http";
  const sels = nodesAt(root, text, SELECTOR_NAMES, "call_expression").flatMap((c) => [selector(c)].filter((s): s is Selector => s !== null));
  // Router variables given a prefix: `v1 := r.Group("/v1")`, `r.Mount("/admin", admin)`.
  const varPrefix = new Map<string, { prefix: string; of: Node }>();
  // Functions whose routers are mounted: `r.Mount("/admin", adminRouter())`.
  const funcPrefix = new Map<string, string>();

  const prefixOf = (receiver: string, at: Node, depth = 0): string => {
    if (depth > 16) return "";
    for (let p = at.parent; p; p = p.parent) {
      if (p.type === "func_literal") {
        const params = p.childForFieldName("parameters");
        const names = params?.descendantsOfType("identifier").map((n) => n?.text) ?? [];
        const outer = p.parent?.parent?.type === "call_expression" ? selector(p.parent.parent) : null;
        if (outer && names.includes(receiver)) {
          if (outer.name === "Route") return joinPath(prefixOf(outer.operand.text, outer.call, depth + 1), literalString(outer.args[0]) ?? "");
          if (outer.name === "Group") return prefixOf(outer.operand.text, outer.call, depth + 1);
        }
      }
      if (p.type === "function_declaration" || p.type === "method_declaration") {
        const own = varPrefix.get(receiver);
        if (own) return own.prefix;
        return funcPrefix.get(p.childForFieldName("name")?.text ?? "") ?? "";
      }
    }
    return varPrefix.get(receiver)?.prefix ?? "";
  };

  for (let round = 0; round < 3; round++) {
    for (const s of sels) {
      if (s.name === "Group" && s.args[0]) {
        const path = literalString(s.args[0]);
        const target = assignedTo(s.call);
        if (path !== null && target) varPrefix.set(target, { prefix: joinPath(prefixOf(s.operand.text, s.call), path), of: s.call });
      } else if (s.name === "Mount" && s.args.length === 2) {
        const path = literalString(s.args[0]);
        if (path === null) continue;
        const full = joinPath(prefixOf(s.operand.text, s.call), path);
        const sub = s.args[1]!;
        if (sub.type === "identifier") varPrefix.set(sub.text, { prefix: full, of: s.call });
        else if (sub.type === "call_expression" && sub.childForFieldName("function")?.type === "identifier")
          funcPrefix.set(sub.childForFieldName("function")!.text, full);
      }
    }
  }

  goMounts(root, text, sels, varPrefix, prefixOf, out);

  for (const s of sels) {
    const route = (method: HttpMethod, pathNode: Node | undefined, fw: string) => {
      const path = literalString(pathNode);
      if (path === null || !path.startsWith("/")) return;
      out.routes.push({ method, path: normalisePath(joinPath(prefixOf(s.operand.text, s.call), path)), line: lineOf(s.call), framework: fw, owner: enclosingFunc(s.call) });
    };
    if (GIN_METHODS.has(s.name) && s.args.length >= 2) route(s.name === "Any" ? "ANY" : (s.name as HttpMethod), s.args[0], "gin");
    else if (CHI_METHODS.has(s.name) && s.args.length >= 2 && s.operand.text !== "http") route(methodOf(s.name)!, s.args[0], "chi");
    else if ((s.name === "Method" || s.name === "MethodFunc") && s.args.length >= 3) route(methodOf(literalString(s.args[0]) ?? "") ?? "ANY", s.args[1], "chi");
    else if (s.name === "Handle" && s.args.length >= 3 && framework === "gin") route(methodOf(literalString(s.args[0]) ?? "") ?? "ANY", s.args[1], "gin");
    else if ((s.name === "HandleFunc" || s.name === "Handle") && s.args.length === 2) {
      const pattern = literalString(s.args[0]);
      if (pattern === null) continue;
      // net/http (Go 1.22): "[METHOD ][HOST]/PATH", `{$}` anchors the end.
      const m = /^(?:([A-Z]+)\s+)?([^/\s]*)(\/.*)$/.exec(pattern.trim());
      if (!m) continue;
      const method = m[1] ? (methodOf(m[1]) ?? "ANY") : "ANY";
      // A pattern ending in `/` (and not `{$}`) is a subtree: it serves every path below it.
      const anchored = /\{\$\}$/.test(m[3]!);
      const path = anchored ? m[3]!.replace(/\/?\{\$\}$/, "") || "/" : m[3]!.endsWith("/") ? `${m[3]}{...}` : m[3]!;
      out.routes.push({
        method,
        path: normalisePath(joinPath(prefixOf(s.operand.text, s.call), path)),
        line: lineOf(s.call),
        framework: framework === "gin" ? "net/http" : framework,
        owner: enclosingFunc(s.call),
      });
    } else clientCall(out, s);
  }
  return out;
}

/** `http.Get(url)`, `client.Post(url, type, body)`, `http.NewRequest("GET", url, body)`. */
function clientCall(out: FileContracts, s: Selector): void {
  let method: HttpMethod | null = null;
  let url: Node | undefined;
  if ((s.name === "Get" || s.name === "Head") && s.args.length === 1) [method, url] = [methodOf(s.name), s.args[0]];
  else if (s.name === "Post" && s.args.length === 3) [method, url] = ["POST", s.args[0]];
  else if (s.name === "PostForm" && s.args.length === 2) [method, url] = ["POST", s.args[0]];
  else if (s.name === "NewRequest" && s.args.length === 3) [method, url] = [requestMethod(s.args[0]!), s.args[1]];
  else if (s.name === "NewRequestWithContext" && s.args.length === 4) [method, url] = [requestMethod(s.args[1]!), s.args[2]];
  if (!method || !url) return;
  const built = piecesToPath(urlPieces(url));
  if (built) out.calls.push({ method, path: built.path, relative: built.relative, line: lineOf(s.call), framework: "net/http" });
}

/** `"GET"`, `http.MethodGet`; "ANY" when the method is a variable. */
function requestMethod(node: Node): HttpMethod {
  const lit = literalString(node);
  if (lit !== null) return methodOf(lit) ?? "ANY";
  const m = /Method([A-Z][a-z]+)$/.exec(node.text);
  return (m && methodOf(m[1]!)) || "ANY";
}

/** The variable a call's value is assigned to (`v1 := r.Group(...)`, `v1 = ...`, `var v1 = ...`). */
function assignedTo(call: Node): string | null {
  const list = call.parent;
  const stmt = list?.parent;
  if (!stmt || list?.type !== "expression_list") {
    if (call.parent?.type === "var_spec") return call.parent.childForFieldName("name")?.text ?? null;
    return null;
  }
  if (stmt.type === "short_var_declaration" || stmt.type === "assignment_statement") {
    const left = stmt.childForFieldName("left");
    const index = kids(list).findIndex((n) => n.equals(call));
    return kids(left)[index]?.text ?? null;
  }
  if (stmt.type === "var_spec") return stmt.childForFieldName("name")?.text ?? null;
  return null;
}

/** The top-level function or method a node is in: the owner other files' mounts name. */
function enclosingFunc(n: Node): string | undefined {
  for (let p = n.parent; p; p = p.parent)
    if (p.type === "function_declaration" || p.type === "method_declaration") return p.childForFieldName("name")?.text;
  return undefined;
}

/** Import path by the name the file uses for it (its alias, else its last element). */
function goImports(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const blocks = [...text.matchAll(/^import\s*\(([\s\S]*?)\)/gm)].map((m) => m[1]!);
  blocks.push(...[...text.matchAll(/^import\s+((?:\w+\s+)?"[^"]+")/gm)].map((m) => m[1]!));
  for (const block of blocks)
    for (const m of block.matchAll(/^\s*(?:([\w.]+)\s+)?"([^"]+)"/gm)) {
      const alias = m[1] ?? m[2]!.split("/").at(-1)!.replace(/^go-|\.go$|\/v\d+$/g, "");
      out.set(alias, m[2]!);
    }
  return out;
}

/**
 * Routers handed to functions of other files: `users.Register(api)` with `api := r.Group("/api")`,
 * or `r.Mount("/admin", admin.Routes())`. The routes those functions register get the prefix in
 * the repo pass. Functions of this file are handled here already (funcPrefix).
 */
function goMounts(
  root: Node,
  text: string,
  sels: Selector[],
  varPrefix: Map<string, { prefix: string }>,
  prefixOf: (receiver: string, at: Node) => string,
  out: FileContracts,
): void {
  const local = new Set([...text.matchAll(/^func\s+(\w+)/gm)].map((m) => m[1]));
  const imports = goImports(text);
  const target = (fn: Node | null): { module: string | null; name: string } | null => {
    if (fn?.type === "identifier") return local.has(fn.text) ? null : { module: null, name: fn.text };
    if (fn?.type === "selector_expression") {
      const pkg = fn.childForFieldName("operand")?.text ?? "";
      const module = imports.get(pkg);
      const name = fn.childForFieldName("field")?.text;
      return module && name ? { module, name } : null;
    }
    return null;
  };
  // Calls handing on a router with a prefix: a grouped variable, a Route/Group closure's parameter, or a `.Group(...)` call.
  const names = new Set(varPrefix.keys());
  for (const s of sels)
    if (s.name === "Route" || s.name === "Group")
      for (const f of s.args) if (f.type === "func_literal") for (const n of f.childForFieldName("parameters")?.descendantsOfType("identifier") ?? []) if (n) names.add(n.text);
  const escaped = [...names].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const candidates = [
    ...(names.size ? nodesAt(root, text, new RegExp(`[(,]\\s*(${escaped.join("|")})\\s*[,)]`), "call_expression", 3) : []),
    ...sels.filter((s) => s.name === "Group" && s.call.parent?.type === "argument_list").map((s) => s.call.parent!.parent!),
  ];
  for (const s of sels) {
    // `r.Route("/users", users.Routes)`: a function of another file given the sub-router.
    if (s.name !== "Route" || s.args.length !== 2) continue;
    const path = literalString(s.args[0]);
    const t = path === null ? null : target(s.args[1]!);
    if (t) out.mounts.push({ kind: "go", ...t, prefix: joinPath(prefixOf(s.operand.text, s.call), path!), owner: enclosingFunc(s.call) ?? null });
  }
  for (const call of candidates) {
    const args = kids(call.childForFieldName("arguments"));
    const t = target(call.childForFieldName("function"));
    if (!t) continue;
    for (const a of args) {
      let prefix = "";
      if (a.type === "identifier") prefix = varPrefix.has(a.text) ? varPrefix.get(a.text)!.prefix : prefixOf(a.text, call);
      else if (a.type === "call_expression") {
        // `users.Register(api.Group("/v1"))`
        const g = selector(a);
        const path = g?.name === "Group" ? literalString(g.args[0]) : null;
        if (g && path !== null) prefix = joinPath(prefixOf(g.operand.text, a), path);
      }
      if (prefix) out.mounts.push({ kind: "go", ...t, prefix, owner: enclosingFunc(call) ?? null });
    }
  }
  for (const s of sels) {
    if (s.name !== "Mount" || s.args.length !== 2 || s.args[1]!.type !== "call_expression") continue;
    const path = literalString(s.args[0]);
    const t = target(s.args[1]!.childForFieldName("function"));
    if (path !== null && t) out.mounts.push({ kind: "go", ...t, prefix: joinPath(prefixOf(s.operand.text, s.call), path), owner: enclosingFunc(s.call) ?? null });
  }
}

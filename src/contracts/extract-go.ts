// HTTP routes and calls in Go. Servers: net/http's `HandleFunc`/`Handle` (Go 1.22 patterns such as
// "GET /items/{id}" included), gin (`r.GET`, `r.Handle`, `g := r.Group("/v1")`, nested groups) and chi
// (`r.Get`, `r.Method`, `r.Route("/x", func(r chi.Router) {...})`, `r.Group(func(r chi.Router))`,
// `r.Mount("/x", sub)` with a router variable or a function building one). Clients: `http.Get`,
// `http.Post`, `client.Get`, `http.NewRequest(WithContext)` with literal, concatenated or
// `fmt.Sprintf` URLs.
import type { Node } from "web-tree-sitter";
import type { HttpMethod } from "../protocol/contracts.ts";
import { kids, lineOf, literalString, urlPieces } from "./ast.ts";
import { joinPath, normalisePath, piecesToPath } from "./path.ts";
import { emptyContracts, methodOf, type FileContracts } from "./types.ts";

const GIN_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "Any"]);
const CHI_METHODS = new Set(["Get", "Post", "Put", "Patch", "Delete", "Head", "Options"]);

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
  const sels = root.descendantsOfType("call_expression").flatMap((c) => (c ? [selector(c)].filter((s): s is Selector => s !== null) : []));
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

  for (const s of sels) {
    const route = (method: HttpMethod, pathNode: Node | undefined, fw: string) => {
      const path = literalString(pathNode);
      if (path === null || !path.startsWith("/")) return;
      out.routes.push({ method, path: normalisePath(joinPath(prefixOf(s.operand.text, s.call), path)), line: lineOf(s.call), framework: fw });
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
      const path = m[3]!.replace(/\/?\{\$\}$/, "") || "/";
      out.routes.push({
        method,
        path: normalisePath(joinPath(prefixOf(s.operand.text, s.call), path)),
        line: lineOf(s.call),
        framework: framework === "gin" ? "net/http" : framework,
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

// HTTP routes and calls in JavaScript and TypeScript. Servers: Express (`app.get`, routers mounted
// with `app.use("/api", router)`, `app.route("/x").get(...)`), Fastify (`fastify.get`,
// `fastify.route({method, url})`, `register(plugin, {prefix})`), Hono (`app.get`, `basePath`,
// `app.route("/x", sub)`). Clients: fetch, axios (and `axios.create({baseURL})` instances), Angular's
// HttpClient, and OpenAPI Generator's typescript-fetch (`this.request({path, method})`) and
// typescript-axios (`localVarPath` + `localVarRequestOptions`) clients.
import type { Node } from "web-tree-sitter";
import type { HttpMethod } from "../protocol/contracts.ts";
import { kids, lineOf, literalString, nodesAt, urlPieces } from "./ast.ts";
import { joinPath, normalisePath, piecesToPath, type BuiltPath } from "./path.ts";
import { emptyContracts, methodOf, type FileContracts } from "./types.ts";

type ServerKind = "express" | "fastify" | "hono";

const CLIENT_RECEIVERS = /^(axios|http|this\.http|this\.httpClient|httpClient|this\.\$http|\$http|ky|got|superagent|request)$/;
const ROUTE_METHODS = new Set(["get", "post", "put", "patch", "delete", "head", "options", "all"]);

interface Router {
  kind: ServerKind;
  /** Prefix given by basePath or a mount in this file. */
  prefix: string;
  /** The router at the root of this file's mounts (itself when nothing here mounts it). */
  root?: string;
}

const CALL_NAMES = /\.\s*(get|post|put|patch|delete|head|options|all|use|route|register|request)\s*\(|\b(fetch|axios)\s*\(/g;
const ROUTER_DECLARATIONS = /\b(?:const|let|var)\s+([\w$]+)\s*=\s*(?:new\s+Hono|express\s*[.(]|Router\s*\(|new\s+Router|Fastify|fastify\s*\(|axios\.create)/g;

/** Receivers taken as a server even in a file that imports no framework (a routes module, a Fastify plugin). */
const SERVER_RECEIVERS = /^(app|router|server|fastify|instance|api|routes)$/i;

export function extractJs(root: Node, text: string): FileContracts {
  const out = emptyContracts();
  const fileKind = importedServer(text);
  const routers = new Map<string, Router>();
  const axiosBases = new Map<string, BuiltPath | null>();
  const pluginPrefixes = new Map<string, string>();
  // Only the calls and declarations the text says may matter (see nodesAt).
  const calls = nodesAt(root, text, CALL_NAMES, "call_expression");
  const declarators = nodesAt(root, text, ROUTER_DECLARATIONS, "variable_declarator");

  for (const d of declarators) {
    const name = d.childForFieldName("name")?.text;
    const value = d.childForFieldName("value");
    if (!name || !value) continue;
    const made = routerMade(value, fileKind);
    if (made) routers.set(name, made);
    const base = axiosCreate(value);
    if (base !== undefined) axiosBases.set(name, base);
  }
  const imports = importedNames(text);
  // Mounts: `app.use("/api", router)`, Hono's `app.route("/books", books)`, Fastify's
  // `app.register(plugin, { prefix: "/v1" })`. Chains of mounts settle in a few rounds. A router
  // or plugin imported from another file becomes a Mount for the repo pass.
  const rootOf = (name: string, depth = 0): string => {
    const r = routers.get(name);
    return r?.root && r.root !== name && depth < 8 ? rootOf(r.root, depth + 1) : name;
  };
  for (let round = 0; round < 4; round++) {
    for (const call of calls) {
      const m = member(call);
      if (!m) continue;
      const args = kids(call.childForFieldName("arguments"));
      const parent = routers.get(m.object.text)?.prefix ?? "";
      if ((m.property === "use" || m.property === "route") && args.length === 2 && args[1]!.type === "identifier") {
        const prefix = literalString(args[0]);
        const child = routers.get(args[1]!.text);
        if (prefix !== null && child) {
          child.prefix = joinPath(parent, prefix);
          child.root = m.object.text;
        }
      } else if (m.property === "register" && args[0]?.type === "identifier") {
        const prefix = objectString(args[1], "prefix");
        if (prefix !== null) pluginPrefixes.set(args[0].text, joinPath(parent, prefix));
      }
    }
  }
  for (const call of calls) {
    const m = member(call);
    if (!m) continue;
    const args = kids(call.childForFieldName("arguments"));
    let prefix: string | null = null;
    let target: Node | undefined;
    if ((m.property === "use" || m.property === "route") && args.length === 2) [prefix, target] = [literalString(args[0]), args[1]];
    else if (m.property === "register" && args[0]) [prefix, target] = [objectString(args[1], "prefix"), args[0]];
    if (prefix === null || !target) continue;
    const ref = importedRef(target, imports);
    if (!ref) continue;
    const receiverRoot = rootOf(m.object.text);
    out.mounts.push({
      kind: "js",
      ...ref,
      prefix: joinPath(routers.get(m.object.text)?.prefix ?? "", prefix),
      owner: receiverRoot,
    });
  }

  for (const call of calls) {
    const fn = call.childForFieldName("function");
    const args = kids(call.childForFieldName("arguments"));
    if (!fn) continue;
    if (fn.type === "identifier" && fn.text === "fetch") {
      addCall(out, args[0], methodFromOptions(args[1]) ?? "GET", "fetch", call);
      continue;
    }
    if (fn.type === "identifier" && fn.text === "axios") {
      axiosConfigCall(out, args, undefined, call);
      continue;
    }
    const m = member(call);
    if (!m) continue;
    const receiver = m.object.text;
    const isAxios = receiver === "axios" || axiosBases.has(receiver);
    if (m.property === "request" && args[0]?.type === "object") {
      const path = objectNode(args[0], "path");
      const method = objectString(args[0], "method");
      if (path && method && !isAxios) {
        // OpenAPI Generator's typescript-fetch runtime: this.request({ path: `/pet/{petId}`.replace(...), method: 'GET' }).
        addCall(out, templateOfReplace(path), methodOf(method) ?? "ANY", "openapi", call, true);
        continue;
      }
      if (isAxios) axiosConfigCall(out, args, axiosBases.get(receiver), call);
      continue;
    }
    if (ROUTE_METHODS.has(m.property) && (isAxios || CLIENT_RECEIVERS.test(receiver))) {
      const base = axiosBases.get(receiver);
      addCall(out, args[0], methodOf(m.property) ?? "ANY", isAxios ? "axios" : receiver.replace(/^this\./, ""), call, false, base);
      continue;
    }
    if (ROUTE_METHODS.has(m.property)) {
      const method: HttpMethod = m.property === "all" ? "ANY" : methodOf(m.property)!;
      // `app.route("/book").get(h)`: Express's chained route.
      if (m.object.type === "call_expression") {
        // Walk back along `.get(h).post(h)` to the `.route(path)` that starts the chain.
        let routeCall: Node = m.object;
        let inner = member(routeCall);
        while (inner && ROUTE_METHODS.has(inner.property) && inner.object.type === "call_expression") {
          routeCall = inner.object;
          inner = member(routeCall);
        }
        const path = inner?.property === "route" ? literalString(kids(routeCall.childForFieldName("arguments"))[0]) : null;
        if (inner && path !== null && args.length >= 1) {
          const r = routers.get(inner.object.text);
          addRoute(out, method, joinPath(r?.prefix ?? enclosingPluginPrefix(call), path), r?.kind ?? fileKind ?? "express", call, ownerOf(inner.object.text, call));
        }
        continue;
      }
      const path = literalString(args[0]);
      if (path === null || !path.startsWith("/") || args.length < 2) continue;
      const r = routers.get(receiver);
      if (!r && !fileKind && !SERVER_RECEIVERS.test(receiver)) continue;
      const kind = r?.kind ?? fileKind ?? (/fastify/i.test(receiver) ? "fastify" : "express");
      addRoute(out, method, joinPath(r?.prefix ?? enclosingPluginPrefix(call), path), kind, call, ownerOf(receiver, call));
      continue;
    }
    if (m.property === "route" && args[0]?.type === "object" && (routers.get(receiver)?.kind ?? fileKind ?? (/fastify/i.test(receiver) ? "fastify" : null)) === "fastify") {
      const url = objectString(args[0], "url") ?? objectString(args[0], "path");
      const methodNode = objectNode(args[0], "method");
      if (url === null || !methodNode) continue;
      const methods = methodNode.type === "array" ? kids(methodNode).map((n) => literalString(n)) : [literalString(methodNode)];
      for (const m2 of methods)
        addRoute(out, (m2 ? methodOf(m2) : null) ?? "ANY", joinPath(routers.get(receiver)?.prefix ?? enclosingPluginPrefix(call), url), "fastify", call, ownerOf(receiver, call));
    }
  }
  openApiAxios(root, text, out);
  return out;

  /**
   * The owner other files' mounts name: the root router of this file's chain, or, inside a
   * Fastify plugin function, that function (a default-exported one is `default`).
   */
  function ownerOf(receiver: string, at: Node): string {
    if (routers.has(receiver)) return rootOf(receiver);
    for (let p = at.parent; p; p = p.parent) {
      if (p.type === "function_declaration" || p.type === "function_expression" || p.type === "arrow_function") {
        const named = p.childForFieldName("name")?.text ?? (p.parent?.type === "variable_declarator" ? p.parent.childForFieldName("name")?.text : undefined);
        const exportedDefault = p.parent?.type === "export_statement" && /^export\s+default/.test(p.parent.text);
        if (exportedDefault) return "default";
        if (named) return named;
      }
    }
    return receiver;
  }

  // Fastify plugins: routes registered inside `async function users(app) {...}` get the prefix
  // `register(users, { prefix })` gives it.
  function enclosingPluginPrefix(node: Node): string {
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === "function_declaration") return pluginPrefixes.get(p.childForFieldName("name")?.text ?? "") ?? "";
      if (p.type === "variable_declarator") {
        const v = p.childForFieldName("value");
        if (v && /function|arrow_function/.test(v.type)) return pluginPrefixes.get(p.childForFieldName("name")?.text ?? "") ?? "";
      }
    }
    return "";
  }
}


/** Which server framework the file imports, if one. */
function importedServer(text: string): ServerKind | null {
  if (/from\s+["']hono["']|require\(["']hono["']\)/.test(text)) return "hono";
  if (/from\s+["']fastify["']|require\(["']fastify["']\)/.test(text)) return "fastify";
  if (/from\s+["']express["']|require\(["']express["']\)/.test(text)) return "express";
  return null;
}

/** `express()`, `express.Router()`, `Router()`, `new Hono()`, `new Hono().basePath("/api")`, `Fastify()`. */
function routerMade(value: Node, fileKind: ServerKind | null): Router | null {
  const t = value.text;
  const base = /^new\s+Hono\b[\s\S]*?\.basePath\(\s*["'`]([^"'`]*)["'`]\s*\)\s*$/.exec(t);
  if (base) return { kind: "hono", prefix: normalisePath(base[1]!) };
  if (/^new\s+Hono\b/.test(t)) return { kind: "hono", prefix: "" };
  if (/^(express\s*\(|express\.Router\s*\(|Router\s*\()/.test(t)) return { kind: "express", prefix: "" };
  if (/^(Fastify|fastify)\s*\(/.test(t)) return { kind: "fastify", prefix: "" };
  if (/^new\s+Router\s*\(/.test(t) && fileKind) return { kind: fileKind, prefix: "" };
  return null;
}

/** `axios.create({ baseURL })`: the instance's base (null: none or not a literal), or undefined when not axios.create. */
function axiosCreate(value: Node): BuiltPath | null | undefined {
  if (value.type !== "call_expression" || value.childForFieldName("function")?.text !== "axios.create") return undefined;
  const cfg = kids(value.childForFieldName("arguments"))[0];
  const base = cfg ? objectNode(cfg, "baseURL") : null;
  return base ? piecesToPath(urlPieces(base), { bareIsRelative: true }) : null;
}

function member(call: Node): { object: Node; property: string } | null {
  const fn = call.childForFieldName("function");
  if (fn?.type !== "member_expression") return null;
  const object = fn.childForFieldName("object");
  const property = fn.childForFieldName("property")?.text;
  return object && property ? { object, property } : null;
}

/** The value node of `key: value` in an object literal. */
function objectNode(obj: Node | undefined, key: string): Node | null {
  if (obj?.type !== "object") return null;
  for (const pair of kids(obj)) {
    if (pair.type !== "pair") continue;
    const k = pair.childForFieldName("key");
    const name = k ? (literalString(k) ?? k.text) : null;
    if (name === key) return pair.childForFieldName("value");
  }
  return null;
}

function objectString(obj: Node | undefined, key: string): string | null {
  return literalString(objectNode(obj, key));
}

function methodFromOptions(opts: Node | undefined): HttpMethod | null {
  const m = objectString(opts, "method");
  return m ? methodOf(m) : null;
}

/** `axios({ url, method })`, `axios(url, { method })`, `instance.request({ url, method })`. */
function axiosConfigCall(out: FileContracts, args: Node[], base: BuiltPath | null | undefined, call: Node): void {
  const first = args[0];
  if (!first) return;
  if (first.type === "object") {
    const url = objectNode(first, "url");
    addCall(out, url ?? undefined, methodFromOptions(first) ?? "GET", "axios", call, false, base);
  } else addCall(out, first, methodFromOptions(args[1]) ?? "GET", "axios", call, false, base);
}

/** `` `/pet/{petId}`.replace(...) `` → the template. */
function templateOfReplace(node: Node): Node {
  let n = node;
  while (n.type === "call_expression") {
    const fn = n.childForFieldName("function");
    if (fn?.type !== "member_expression" || fn.childForFieldName("property")?.text !== "replace") break;
    n = fn.childForFieldName("object")!;
  }
  return n;
}

function addCall(out: FileContracts, url: Node | undefined, method: HttpMethod, framework: string, at: Node, relative = false, base?: BuiltPath | null): void {
  if (!url) return;
  const built = piecesToPath(urlPieces(url), { bareIsRelative: relative });
  if (!built) return;
  let { path } = built;
  let rel = built.relative || relative;
  if (base !== undefined && (rel || !url.text.match(/^["'`]https?:/))) {
    // An axios instance: its baseURL prefixes relative paths (a literal base makes them absolute).
    if (base) {
      path = joinPath(base.path === "/" ? "" : base.path, path);
      rel = base.relative;
    } else rel = true;
  }
  out.calls.push({ method, path: normalisePath(path), relative: rel, line: lineOf(at), framework });
}

function addRoute(out: FileContracts, method: HttpMethod, path: string, framework: string, at: Node, owner?: string): void {
  out.routes.push({ method, path: normalisePath(path), line: lineOf(at), framework, ...(owner ? { owner } : {}) });
}

/** Names bound by imports and requires: local name → (module specifier, exported name; `default` for a default import). */
function importedNames(text: string): Map<string, { module: string; name: string }> {
  const out = new Map<string, { module: string; name: string }>();
  const named = (list: string, module: string) => {
    for (const part of list.split(",")) {
      const m = /^\s*(?:type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(part) ?? /^\s*([\w$]+)\s*:\s*([\w$]+)\s*$/.exec(part);
      if (m) out.set(m[2] ?? m[1]!, { module, name: m[1]! });
    }
  };
  for (const m of text.matchAll(/import\s+([\w$]+)\s*(?:,\s*\{([^}]*)\})?\s*from\s*["']([^"']+)["']/g)) {
    out.set(m[1]!, { module: m[3]!, name: "default" });
    if (m[2]) named(m[2], m[3]!);
  }
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)) named(m[1]!, m[2]!);
  for (const m of text.matchAll(/import\s*\*\s*as\s+([\w$]+)\s+from\s*["']([^"']+)["']/g)) out.set(m[1]!, { module: m[2]!, name: "*" });
  for (const m of text.matchAll(/(?:const|let|var)\s+([\w$]+)\s*=\s*require\(\s*["']([^"']+)["']\s*\)/g)) out.set(m[1]!, { module: m[2]!, name: "default" });
  for (const m of text.matchAll(/(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*["']([^"']+)["']\s*\)/g)) named(m[1]!, m[2]!);
  return out;
}

/** What a mounted expression refers to in another file: an imported name, `ns.router`, `require("./x")`, `import("./x")`. */
function importedRef(node: Node, imports: Map<string, { module: string; name: string }>): { module: string; name: string } | null {
  if (node.type === "identifier") {
    const ref = imports.get(node.text);
    return ref && ref.name !== "*" ? ref : null;
  }
  if (node.type === "member_expression") {
    const ns = imports.get(node.childForFieldName("object")?.text ?? "");
    const prop = node.childForFieldName("property")?.text;
    if (ns && prop) return { module: ns.module, name: ns.name === "*" ? prop : prop === "default" ? ns.name : prop };
  }
  if (node.type === "call_expression" && /^(require|import)$/.test(node.childForFieldName("function")?.text ?? "")) {
    const spec = literalString(kids(node.childForFieldName("arguments"))[0]);
    if (spec) return { module: spec, name: "default" };
  }
  if (node.type === "await_expression" && node.namedChildren[0]) return importedRef(node.namedChildren[0], imports);
  return null;
}

/**
 * typescript-axios: `const localVarPath = \`/pet/{petId}\`.replace(...)` and, in the same function,
 * `const localVarRequestOptions = { method: 'GET', ...baseOptions, ...options }`.
 */
function openApiAxios(root: Node, text: string, out: FileContracts): void {
  if (!text.includes("localVarPath")) return;
  for (const d of nodesAt(root, text, /\b(localVarPath)\s*=/g, "variable_declarator")) {
    const value = d.childForFieldName("value");
    if (!value) continue;
    let body: Node | null = d.parent;
    while (body && body.type !== "statement_block") body = body.parent;
    const m = /\blocalVarRequestOptions\s*=\s*\{[^}]*?\bmethod\s*:\s*["'`](\w+)["'`]/.exec(body?.text ?? "");
    addCall(out, templateOfReplace(value), (m && methodOf(m[1]!)) || "ANY", "openapi", d, true);
  }
}

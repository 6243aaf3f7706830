// HTTP routes and calls in Kotlin: Spring controllers, Retrofit interfaces and OkHttp requests (see
// jvm.ts), Ktor server routing (`routing { route("/api") { get("{id}") { } } }`, and extension
// functions on Route) and the Ktor client (`client.get("…")`, `client.post(urlString = "…")`).
import type { Node } from "web-tree-sitter";
import type { HttpMethod } from "../protocol/contracts.ts";
import { kids, lineOf, literalString, nodesAt, urlPieces } from "./ast.ts";
import { MAPPING_ANNOTATIONS } from "./extract-java.ts";
import { mappingPaths, methodMappings, okHttpCall, retrofitBase, type Annotation, type ChainCall } from "./jvm.ts";
import { joinPath, normalisePath, piecesToPath } from "./path.ts";
import { emptyContracts, methodOf, type FileContracts } from "./types.ts";

const KTOR_VERBS = new Set(["get", "post", "put", "patch", "delete", "head", "options"]);

function annotation(a: Node): Annotation | null {
  const ctor = kids(a).find((c) => c.type === "constructor_invocation");
  const type = ctor ? kids(ctor).find((c) => c.type === "user_type") : kids(a).find((c) => c.type === "user_type");
  if (!type) return null;
  const positional: Node[] = [];
  const named = new Map<string, Node>();
  for (const arg of kids(kids(ctor).find((c) => c.type === "value_arguments"))) {
    const parts = kids(arg);
    if (parts.length === 2 && parts[0]!.type === "simple_identifier") named.set(parts[0]!.text, parts[1]!);
    else if (parts[0]) positional.push(parts[0]);
  }
  return { name: type.text.replace(/^.*\./, ""), positional, named };
}

/**
 * A class's `@RequestMapping` prefix. tree-sitter-kotlin 0.3.1 reads annotations with arguments
 * before a top-level class as a separate expression, so the node before the class is read too.
 */
function classPrefixes(cls: Node | null): string[] {
  if (!cls) return [""];
  const own = kids(kids(cls).find((c) => c.type === "modifiers")).flatMap((a) => (a.type === "annotation" ? [annotation(a)] : []));
  const mapping = own.find((a) => a?.name === "RequestMapping");
  if (mapping) return mappingPaths(mapping);
  const before = cls.previousNamedSibling;
  if (before && before.endPosition.row >= cls.startPosition.row - 1) {
    const m = /@RequestMapping\s*\(\s*(?:(?:value|path)\s*=\s*)?\[?\s*"([^"]*)"/.exec(before.text);
    if (m) return [m[1]!];
  }
  return [""];
}

/** A call's callee name, receiver, arguments and trailing lambda, over the grammar's nesting (`get("x") { }` is a call of a call). */
interface KtCall extends ChainCall {
  lambda: boolean;
}

function ktCall(n: Node): KtCall | null {
  if (n.type !== "call_expression") return null;
  const [callee, suffix] = kids(n);
  if (!callee || suffix?.type !== "call_suffix") return null;
  const args = kids(kids(suffix).find((c) => c.type === "value_arguments")).map((a) => kids(a).at(-1)!).filter(Boolean);
  const lambda = kids(suffix).some((c) => c.type === "annotated_lambda");
  if (callee.type === "simple_identifier") return { name: callee.text, args, node: n, receiver: null, lambda };
  if (callee.type === "navigation_expression") {
    const [receiver, nav] = kids(callee);
    const name = kids(nav).find((c) => c.type === "simple_identifier")?.text;
    return name && receiver ? { name, args, node: n, receiver, lambda } : null;
  }
  if (callee.type === "call_expression" && lambda) {
    // `get("{id}") { ... }`: the inner call has the arguments, the outer one the lambda.
    const inner = ktCall(callee);
    return inner ? { ...inner, node: n, lambda: true } : null;
  }
  return null;
}

function outer(n: Node): ChainCall | null {
  // n is a call; `n.post(body)` is call_expression(navigation_expression(n, navigation_suffix), call_suffix).
  const nav = n.parent;
  if (nav?.type !== "navigation_expression" || !kids(nav)[0]?.equals(n)) return null;
  return nav.parent ? ktCall(nav.parent) : null;
}

export function extractKotlin(root: Node, text: string): FileContracts {
  const out = emptyContracts();
  // Only the functions and calls the text says may matter (see nodesAt).
  for (const fn of nodesAt(root, text, MAPPING_ANNOTATIONS, "function_declaration", 6)) {
    const annotations = kids(kids(fn).find((c) => c.type === "modifiers")).flatMap((a) => (a.type === "annotation" ? [annotation(a)] : [])).filter((a): a is Annotation => a !== null);
    if (annotations.length === 0) continue;
    const cls = fn.parent?.type === "class_body" ? fn.parent.parent : null;
    methodMappings(out, annotations, classPrefixes(cls), lineOf(fn));
  }
  const seen = new Set<number>();
  for (const found of nodesAt(root, text, /\b(get|post|put|patch|delete|head|options|route|url|baseUrl)\s*[({]/g, "call_expression", 5)) {
    // The inner call of `get("x") { }` is read through its outer node, which has the lambda.
    const n = found.parent?.type === "call_expression" && kids(found.parent)[0]?.equals(found) ? found.parent : found;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    const call = ktCall(n);
    if (!call) continue;
    if (call.receiver === null && (KTOR_VERBS.has(call.name) || call.name === "route") && call.lambda && insideRouting(n)) {
      if (call.name === "route") {
        if (call.args.length >= 2) addKtorRoute(out, call, methodOf(call.args[1]!.text) ?? "ANY");
        continue;
      }
      addKtorRoute(out, call, methodOf(call.name)!);
    } else if (call.receiver && KTOR_VERBS.has(call.name) && call.args[0]) {
      const url = call.args[0];
      const built = piecesToPath(urlPieces(url));
      if (!built) continue;
      if (!/client|http|api/i.test(call.receiver.text) && !/^"(https?:\/\/|\/)/.test(url.text)) continue;
      out.calls.push({ method: methodOf(call.name)!, path: built.path, relative: built.relative, line: lineOf(n), framework: "ktor-client" });
    } else if (call.name === "url" && call.receiver) okHttpCall(out, call, outer);
    else retrofitBase(out, call);
  }
  return out;
}

/** Inside `routing { }`, `route(...) { }`, or a function declared on Route/Routing/Application. */
function insideRouting(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === "call_expression") {
      const c = ktCall(p);
      if (c && c.receiver === null && (c.name === "routing" || c.name === "route")) return true;
    }
    if (p.type === "function_declaration") {
      const receiverType = kids(p).find((c) => c.type === "user_type")?.text;
      return receiverType === "Route" || receiverType === "Routing" || receiverType === "Application";
    }
  }
  return false;
}

function addKtorRoute(out: FileContracts, call: KtCall, method: HttpMethod): void {
  const own = call.args[0] ? literalString(call.args[0]) : "";
  if (own === null) return;
  let path = own;
  for (let p = call.node.parent; p; p = p.parent) {
    if (p.type !== "call_expression") continue;
    const c = ktCall(p);
    if (c && c.receiver === null && c.name === "route" && c.lambda && c.args[0]) path = joinPath(literalString(c.args[0]) ?? "", path);
  }
  out.routes.push({ method, path: normalisePath(path), line: lineOf(call.node), framework: "ktor" });
}

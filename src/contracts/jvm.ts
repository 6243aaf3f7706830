// What Java and Kotlin share: Spring's mapping annotations (class-level `@RequestMapping` prefix +
// `@GetMapping`...), Retrofit's (`@GET("users/{id}")`, `@HTTP(method, path)`), and OkHttp's
// `Request.Builder().url(...).post(...)` chains. The two grammars spell annotations and calls
// differently; the extractors turn them into these shapes first.
import type { Node } from "web-tree-sitter";
import type { HttpMethod } from "../protocol/contracts.ts";
import { kids, lineOf, literalString, urlPieces } from "./ast.ts";
import { joinPath, normalisePath, piecesToPath } from "./path.ts";
import { methodOf, type FileContracts } from "./types.ts";

export interface Annotation {
  name: string;
  positional: Node[];
  named: Map<string, Node>;
}

const SPRING: Record<string, HttpMethod | null> = {
  GetMapping: "GET",
  PostMapping: "POST",
  PutMapping: "PUT",
  PatchMapping: "PATCH",
  DeleteMapping: "DELETE",
  RequestMapping: null,
};
const RETROFIT = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "HTTP"]);

/** Strings of an annotation value: one literal, or an array of them (`{"/a", "/b"}`, `["/a"]`). */
function strings(node: Node | undefined): string[] {
  if (!node) return [];
  const one = literalString(node);
  if (one !== null) return [one];
  if (/array_initializer|collection_literal/.test(node.type)) return kids(node).flatMap((n) => strings(n));
  return [];
}

function methods(node: Node | undefined): HttpMethod[] {
  if (!node) return [];
  if (/array_initializer|collection_literal/.test(node.type)) return kids(node).flatMap((n) => methods(n));
  const m = methodOf(literalString(node) ?? node.text);
  return m ? [m] : [];
}

/** The paths a mapping annotation names (`value`, `path`, or its first argument); [""] for none. */
export function mappingPaths(a: Annotation): string[] {
  const found = strings(a.named.get("value") ?? a.named.get("path") ?? a.positional[0]);
  return found.length ? found : [""];
}

/** Spring routes and Retrofit calls a method's annotations declare. */
export function methodMappings(out: FileContracts, annotations: Annotation[], classPrefixes: string[], line: number): void {
  for (const a of annotations) {
    if (a.name in SPRING) {
      const fixed = SPRING[a.name];
      const ms = fixed ? [fixed] : methods(a.named.get("method"));
      for (const prefix of classPrefixes)
        for (const path of mappingPaths(a))
          for (const m of ms.length ? ms : (["ANY"] as HttpMethod[]))
            out.routes.push({ method: m, path: normalisePath(joinPath(prefix, path)), line, framework: "spring" });
    } else if (RETROFIT.has(a.name)) {
      const path = a.name === "HTTP" ? literalString(a.named.get("path")) : literalString(a.positional[0] ?? a.named.get("value"));
      const method = a.name === "HTTP" ? methodOf(literalString(a.named.get("method")) ?? "") : methodOf(a.name);
      // `@GET` without a path is JAX-RS, or Retrofit's `@Url` parameter: nothing literal to match.
      if (path === null || !method) continue;
      const scheme = /^[a-z]+:\/\//i.test(path);
      out.calls.push({ method, path: normalisePath(path), relative: !scheme && !path.startsWith("/"), line, framework: "retrofit" });
    }
  }
}

/** A call in a builder chain: its name, arguments, and the call it was made on. */
export interface ChainCall {
  name: string;
  args: Node[];
  node: Node;
  receiver: Node | null;
}

/**
 * OkHttp: `Request.Builder().url(u).post(body).build()`. `url` is the call found; the method is
 * the verb the chain goes on to call (GET when none).
 */
export function okHttpCall(out: FileContracts, url: ChainCall, outer: (n: Node) => ChainCall | null): void {
  if (!/Builder\s*\(/.test(url.receiver?.text ?? "") || !url.args[0]) return;
  let method: HttpMethod = "GET";
  for (let up = outer(url.node); up; up = outer(up.node)) {
    if (up.name === "method") method = methodOf(literalString(up.args[0]) ?? "") ?? "ANY";
    else if (up.name !== "build") method = methodOf(up.name) ?? method;
  }
  const built = piecesToPath(urlPieces(url.args[0]));
  if (built) out.calls.push({ method, path: built.path, relative: built.relative, line: lineOf(url.node), framework: "okhttp" });
}

/** `.baseUrl("https://host/v1/")`: the base's path, for the repo's Retrofit calls. */
export function retrofitBase(out: FileContracts, call: ChainCall): void {
  if (call.name !== "baseUrl" || !call.args[0]) return;
  const url = literalString(call.args[0]);
  if (url !== null && /^[a-z]+:\/\//i.test(url)) out.retrofitBases.push(normalisePath(url));
}

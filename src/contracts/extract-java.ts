// HTTP routes and calls in Java: Spring controllers, Retrofit interfaces and OkHttp requests (see jvm.ts).
import type { Node } from "web-tree-sitter";
import { kids, lineOf, nodesAt } from "./ast.ts";
import { mappingPaths, methodMappings, okHttpCall, retrofitBase, type Annotation, type ChainCall } from "./jvm.ts";
import { emptyContracts, type FileContracts } from "./types.ts";

/** Spring's and Retrofit's method annotations, by name. */
export const MAPPING_ANNOTATIONS = /@((?:Get|Post|Put|Patch|Delete|Request)Mapping|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|HTTP)\b/g;

function annotationsOf(modifiers: Node | null | undefined): Annotation[] {
  const out: Annotation[] = [];
  for (const a of kids(modifiers)) {
    if (a.type !== "annotation" && a.type !== "marker_annotation") continue;
    const name = a.childForFieldName("name")?.text.replace(/^.*\./, "") ?? "";
    const positional: Node[] = [];
    const named = new Map<string, Node>();
    for (const arg of kids(a.childForFieldName("arguments"))) {
      if (arg.type === "element_value_pair") {
        const key = arg.childForFieldName("key")?.text;
        const value = arg.childForFieldName("value");
        if (key && value) named.set(key, value);
      } else positional.push(arg);
    }
    out.push({ name, positional, named });
  }
  return out;
}

function chainCall(n: Node): ChainCall | null {
  if (n.type !== "method_invocation") return null;
  return { name: n.childForFieldName("name")?.text ?? "", args: kids(n.childForFieldName("arguments")), node: n, receiver: n.childForFieldName("object") };
}

/** The call made on `n`'s result (`n.post(body)`), if any. */
function outer(n: Node): ChainCall | null {
  const p = n.parent;
  return p?.type === "method_invocation" && p.childForFieldName("object")?.equals(n) ? chainCall(p) : null;
}

export function extractJava(root: Node, text: string): FileContracts {
  const out = emptyContracts();
  // Only the methods and calls the text says may matter (see nodesAt).
  for (const method of nodesAt(root, text, MAPPING_ANNOTATIONS, "method_declaration", 5)) {
    const annotations = annotationsOf(method.children.find((c) => c?.type === "modifiers"));
    if (annotations.length === 0) continue;
    const cls = method.parent?.parent;
    const classMapping = annotationsOf(cls?.children.find((c) => c?.type === "modifiers")).find((a) => a.name === "RequestMapping");
    methodMappings(out, annotations, classMapping ? mappingPaths(classMapping) : [""], lineOf(method));
  }
  for (const n of nodesAt(root, text, /\.\s*(url|baseUrl)\s*\(/g, "method_invocation", 2)) {
    const call = chainCall(n);
    if (!call) continue;
    if (call.name === "url") okHttpCall(out, call, outer);
    else retrofitBase(out, call);
  }
  return out;
}

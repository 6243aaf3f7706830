// Keeps JavaScriptCore's top tier (FTL) off the few functions that walk syntax trees.
//
// docFor, bodyOf, outerNode and signatureFor call web-tree-sitter's node getters, and JSC inlines
// their whole marshalling chain (setValue/getValue and the WASM export stubs) into each: every FTL
// compile of one took 100–280 ms, several were recompiled after deoptimisations, and each worker
// compiles its own. On the Go standard library that was ~3 s of JIT thread time per cold build
// (~10 % of its CPU), for code that runs no faster in FTL than in DFG (measured: the workers' own
// CPU was the same with FTL off altogether).
import { noFTL } from "bun:jsc";
import { Node } from "web-tree-sitter";

export function withoutFTL(...fns: ((...args: never[]) => unknown)[]): void {
  for (const fn of fns) noFTL(fn);
}

// The node getters those functions call, FTL-compiled on their own, cost 60–120 ms each per worker.
for (const name of ["parent", "namedChild", "childForFieldId", "childForFieldName", "previousNamedSibling", "endPosition", "endIndex", "type", "typeId", "firstNamedChild", "lastNamedChild", "children", "namedChildCount"]) {
  const d = Object.getOwnPropertyDescriptor(Node.prototype, name);
  const fn = d?.get ?? d?.value;
  if (typeof fn === "function") noFTL(fn);
}

// Runs a query and reads its matches straight from WebAssembly memory.
//
// web-tree-sitter's Query.matches() turns every capture into a Node object (six reads of WASM
// memory and an allocation each) and reading a node's text or end re-enters WASM with the node
// marshalled again. On the Go standard library that is 2.3 million captures, nearly all of them
// references whose name and position are all extraction needs. Here the matches come back as one
// Int32Array copy of the runtime's result buffer; a capture is an offset into it, and a Node is made
// only where tree navigation is needed (definitions, and patterns with text predicates).
//
// This uses the runtime's internals as web-tree-sitter 0.25.8 lays them out (package.json pins that
// exact version): the Emscripten module object (the options object given to Parser.init becomes it),
// ts_query_matches_wasm's result layout, and the handles Query, Tree and Node keep at index 0.
// bindModule() fails loudly if another version lays them out differently; test/parser covers it.
import { Node, type Query, type QueryCapture, type Tree } from "web-tree-sitter";

interface WasmModule {
  HEAP32: Int32Array;
  _ts_init(): number;
  _free(ptr: number): void;
  _ts_query_matches_wasm(
    query: number,
    tree: number,
    startRow: number,
    startColumn: number,
    endRow: number,
    endColumn: number,
    startIndex: number,
    endIndex: number,
    matchLimit: number,
    maxStartDepth: number,
    timeoutMicros: number,
  ): void;
  _ts_node_end_index_wasm(tree: number): number;
}

/** Ints per capture in a match buffer: capture index, then a node (id, start index, row, column, other). */
export const CAPTURE_INTS = 6;
/** Offsets within a capture. */
export const C_INDEX = 0;
export const C_START = 2;
export const C_ROW = 3;
export const C_COL = 4;

let M: WasmModule | null = null;
let transfer = 0; // the runtime's TRANSFER_BUFFER, in 32-bit words

type Handle = { [0]: number };

/** Called once per thread after Parser.init(moduleObject). */
export function bindModule(module: unknown): void {
  const m = module as Partial<WasmModule>;
  if (typeof m._ts_query_matches_wasm !== "function" || typeof m._ts_node_end_index_wasm !== "function" || typeof m._ts_init !== "function" || !(m.HEAP32 instanceof Int32Array)) {
    throw new Error("web-tree-sitter's runtime does not expose what raw-query.ts reads (is web-tree-sitter still 0.25.8?)");
  }
  M = m as WasmModule;
  // ts_init() returns the transfer buffer's address (and writes the language versions into it).
  transfer = M._ts_init() >> 2;
}

/**
 * All matches of `query` over the tree, as [pattern, captureCount, (CAPTURE_INTS ints per capture)…]
 * repeated. Predicates are not applied: see passesPredicates().
 */
export function rawMatches(query: Query, tree: Tree): Int32Array {
  const m = M!;
  const root = tree.rootNode;
  let heap = m.HEAP32;
  heap[transfer] = root.id;
  heap[transfer + 1] = root.startIndex;
  heap[transfer + 2] = root.startPosition.row;
  heap[transfer + 3] = root.startPosition.column;
  heap[transfer + 4] = (root as unknown as Handle)[0];
  m._ts_query_matches_wasm((query as unknown as Handle)[0], (tree as unknown as Handle)[0], 0, 0, 0, 0, 0, 0, 0xffffffff, 0xffffffff, 0);
  heap = m.HEAP32; // memory may have grown
  const count = heap[transfer]!;
  const address = heap[transfer + 1]!;
  if (count === 0) {
    if (address) m._free(address);
    return new Int32Array(0);
  }
  const start = address >> 2;
  let at = start;
  for (let i = 0; i < count; i++) at += 2 + heap[at + 1]! * CAPTURE_INTS;
  const out = heap.slice(start, at);
  m._free(address);
  return out;
}

/** End index (UTF-16 code units) of the node at `off` (a capture's offset) in a rawMatches buffer. */
export function nodeEnd(buf: Int32Array, off: number, tree: Tree): number {
  const m = M!;
  const heap = m.HEAP32;
  heap[transfer] = buf[off + 1]!;
  heap[transfer + 1] = buf[off + 2]!;
  heap[transfer + 2] = buf[off + 3]!;
  heap[transfer + 3] = buf[off + 4]!;
  heap[transfer + 4] = buf[off + 5]!;
  return m._ts_node_end_index_wasm((tree as unknown as Handle)[0]);
}

/** A web-tree-sitter Node for the capture at `off`, as Query.matches() would have made it. */
export function nodeAt(buf: Int32Array, off: number, tree: Tree): Node {
  const node = Object.create(Node.prototype) as Node & Handle;
  node[0] = buf[off + 5]!;
  node.id = buf[off + 1]!;
  node.tree = tree;
  node.startIndex = buf[off + 2]!;
  node.startPosition = { row: buf[off + 3]!, column: buf[off + 4]! };
  return node;
}

/** Whether a match (at `at`, the offset of its pattern index) satisfies its pattern's text predicates. */
export function passesPredicates(query: Query, buf: Int32Array, at: number, tree: Tree): boolean {
  const pattern = buf[at]!;
  const predicates = (query as unknown as { textPredicates: ((captures: QueryCapture[]) => boolean)[][] }).textPredicates[pattern]!;
  if (predicates.length === 0) return true;
  const n = buf[at + 1]!;
  const captures: QueryCapture[] = new Array(n);
  for (let i = 0, off = at + 2; i < n; i++, off += CAPTURE_INTS) {
    captures[i] = { patternIndex: pattern, name: query.captureNames[buf[off]!]!, node: nodeAt(buf, off, tree) };
  }
  return predicates.every((p) => p(captures));
}

// What a parse worker hands the writing thread: an Extraction packed into typed-array columns and
// two strings (PackedExtraction), with what the writer needs beyond the extraction (search forms
// of names, references aggregated per enclosing symbol) computed on the worker; and the cursor the
// writer reads it back with (SymbolReader), one symbol at a time without an object per symbol.
import { REF_KIND_BITS, refKindCode } from "../parser/ref-kinds.ts";
import type { Extraction } from "../parser/types.ts";
import { splitWords } from "./names.ts";

/** How a symbol name is indexed for search: its words, and their initials (humps). */
function formsOf(name: string): { words: string; humps: string } {
  const words = splitWords(name);
  return { words: words.join(" "), humps: words.map((w) => w[0]).join("") };
}

/**
 * An extraction as the writer takes it, with what it needs beyond the extraction computed where the
 * file was parsed (a worker) rather than on the writing thread: search forms of each name, and the
 * references aggregated per (enclosing symbol, name, kind). Columns and two strings rather than
 * objects: a worker's results reach the writing thread by structured clone, which for 256k symbol
 * objects and 2 million strings (the Go standard library) cost about a second of CPU, both sides.
 */
export interface PackedExtraction {
  packed: true;
  /** Symbols, in extraction order. */
  count: number;
  /** Per symbol: line, col, endLine, endCol. */
  positions: Int32Array;
  /** Symbol names, then reference names, back to back; their lengths in nameLengths. */
  names: string;
  nameLengths: Int32Array;
  /** Per symbol: kind, container, signature, doc, words, humps, typeRef, arity (length -1: null). */
  text: string;
  textLengths: Int32Array;
  /** Per aggregated reference, ordered by referring symbol: that symbol's index, and count << REF_KIND_BITS | kind. */
  refEnclosing: Int32Array;
  refKindCount: Int32Array;
  /** Per aggregated reference, its receiver hint ("" for none). */
  refReceivers: string[];
  /** Per aggregated reference, the arguments its calls pass (-1: not known). */
  refArgs: Int32Array;
  /** Per aggregated reference, its arguments' types (Java; "" for none). */
  refArgTypes: string[];
  imports: string[];
  /** Supertype relations, flat: type, base, type, base… */
  relations: string[];
  syntaxErrors: number;
}

const TEXT_FIELDS = 8;

export function packExtraction(x: Extraction): PackedExtraction {
  const n = x.symbols.length;
  const positions = new Int32Array(n * 4);
  const names: string[] = [];
  const text: string[] = [];
  const textLengths = new Int32Array(n * TEXT_FIELDS);
  const put = (i: number, v: string | null) => {
    textLengths[i] = v === null ? -1 : v.length;
    if (v) text.push(v);
  };
  x.symbols.forEach((s, i) => {
    positions[i * 4] = s.line;
    positions[i * 4 + 1] = s.col;
    positions[i * 4 + 2] = s.endLine;
    positions[i * 4 + 3] = s.endCol;
    names.push(s.name);
    const f = formsOf(s.name);
    const t = i * TEXT_FIELDS;
    put(t, s.kind);
    put(t + 1, s.container);
    put(t + 2, s.signature);
    put(t + 3, s.doc);
    put(t + 4, f.words);
    put(t + 5, f.humps);
    put(t + 6, s.typeRef);
    put(t + 7, s.arity);
  });
  const refs = packRefs(x);
  for (const name of refs.names) names.push(name);
  return {
    packed: true,
    count: n,
    positions,
    names: names.join(""),
    nameLengths: Int32Array.from(names, (s) => s.length),
    text: text.join(""),
    textLengths,
    refEnclosing: refs.enclosing,
    refKindCount: refs.kindCount,
    refReceivers: refs.receivers,
    refArgs: refs.args,
    refArgTypes: refs.argTypes,
    imports: x.imports,
    relations: x.relations.flatMap((r) => [r.type, r.base]),
    syntaxErrors: x.syntaxErrors,
  };
}

/** Reads a PackedExtraction's symbols in order, into itself (no object per symbol). */
export class SymbolReader {
  name = "";
  kind = "";
  container: string | null = null;
  signature = "";
  doc: string | null = null;
  words = "";
  humps = "";
  typeRef: string | null = null;
  arity: string | null = null;
  line = 0;
  col = 0;
  endLine = 0;
  endCol = 0;
  private i = -1;
  private namePos = 0;
  private textPos = 0;

  constructor(private readonly p: PackedExtraction) {}

  next(): boolean {
    const p = this.p;
    const i = ++this.i;
    if (i >= p.count) return false;
    const len = p.nameLengths[i]!;
    this.name = p.names.slice(this.namePos, (this.namePos += len));
    const t = i * TEXT_FIELDS;
    this.kind = this.field(t)!;
    this.container = this.field(t + 1);
    this.signature = this.field(t + 2)!;
    this.doc = this.field(t + 3);
    this.words = this.field(t + 4)!;
    this.humps = this.field(t + 5)!;
    this.typeRef = this.field(t + 6);
    this.arity = this.field(t + 7);
    this.line = p.positions[i * 4]!;
    this.col = p.positions[i * 4 + 1]!;
    this.endLine = p.positions[i * 4 + 2]!;
    this.endCol = p.positions[i * 4 + 3]!;
    return true;
  }

  /** After the symbols: the reference names, in refEnclosing's order. */
  refNames(): string[] {
    const p = this.p;
    const out: string[] = new Array(p.nameLengths.length - p.count);
    let pos = this.namePos;
    for (let i = p.count; i < p.nameLengths.length; i++) out[i - p.count] = p.names.slice(pos, (pos += p.nameLengths[i]!));
    return out;
  }

  private field(at: number): string | null {
    const len = this.p.textLengths[at]!;
    if (len < 0) return null;
    return this.p.text.slice(this.textPos, (this.textPos += len));
  }
}

/** A file's references aggregated per (enclosing symbol, name, kind, receiver, argument count and types); references outside any symbol are dropped. */
function packRefs(x: Extraction): { enclosing: Int32Array; kindCount: Int32Array; names: string[]; receivers: string[]; args: Int32Array; argTypes: string[] } {
  // One map of names per (enclosing symbol, kind), so no key string is built per reference.
  const byOwner = new Map<number, Map<string, number>>();
  const enclosing: number[] = [];
  const kindCount: number[] = [];
  const names: string[] = [];
  const receivers: string[] = [];
  const args: number[] = [];
  const argTypes: string[] = [];
  for (const r of x.refs) {
    if (r.enclosing === null) continue;
    const kind = refKindCode(r.kind);
    const owner = (r.enclosing << REF_KIND_BITS) | kind;
    let byName = byOwner.get(owner);
    if (!byName) byOwner.set(owner, (byName = new Map()));
    const key = r.args >= 0 ? `${r.name}\0${r.receiver}\0${r.args}\0${r.argTypes}` : r.receiver ? `${r.name}\0${r.receiver}` : r.name;
    const at = byName.get(key);
    if (at !== undefined) kindCount[at]! += 1 << REF_KIND_BITS;
    else {
      byName.set(key, enclosing.length);
      enclosing.push(r.enclosing);
      kindCount.push((1 << REF_KIND_BITS) | kind);
      names.push(r.name);
      receivers.push(r.receiver);
      args.push(r.args);
      argTypes.push(r.argTypes);
    }
  }
  // By referring symbol (the primary key's order within a file).
  const order = enclosing.map((_, i) => i).sort((a, b) => enclosing[a]! - enclosing[b]! || a - b);
  return {
    enclosing: Int32Array.from(order, (i) => enclosing[i]!),
    kindCount: Int32Array.from(order, (i) => kindCount[i]!),
    names: order.map((i) => names[i]!),
    receivers: order.map((i) => receivers[i]!),
    args: Int32Array.from(order, (i) => args[i]!),
    argTypes: order.map((i) => argTypes[i]!),
  };
}

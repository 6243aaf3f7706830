// One thread of bench:floor: does the first `mode` stages of a parse worker's job over its share of
// the files and reports how many bytes and captures it saw (so no stage can be optimised away).
import { dlopen, FFIType, ptr } from "bun:ffi";
import { readFileSync } from "node:fs";
import { extract, parseSource, ParseTimeout } from "../../src/parser/extract.ts";
import { LANGUAGES, type LanguageId } from "../../src/parser/languages.ts";
import { rawMatches } from "../../src/parser/raw-query.ts";
import { loadLanguage, newParser } from "../../src/parser/runtime.ts";
import { contentHash, decodeText, looksBinary, MAX_FILE_BYTES, minifiedReason } from "../../src/index/inspect.ts";
import { packExtraction } from "../../src/index/packed.ts";

export type FloorMode = "read" | "parse" | "query" | "extract" | "native-parse" | "native-query";
export interface FloorWork {
  mode: FloorMode;
  files: [path: string, lang: LanguageId][];
  /** For the native modes: the library scripts/bench/native/build.sh made (Go only). */
  nativeLib?: string;
}
export interface FloorTally {
  bytes: number;
  captures: number;
  symbols: number;
}

declare const self: Worker;

self.onmessage = async (event: MessageEvent<FloorWork>) => {
  const { mode, files, nativeLib } = event.data;
  if (mode === "native-parse" || mode === "native-query") return self.postMessage(runNative(files, nativeLib!, mode === "native-query"));
  const parser = await newParser();
  const tally: FloorTally = { bytes: 0, captures: 0, symbols: 0 };
  for (const [path, id] of files) {
    // The same files a cold index parses: what it skips (too large, binary, minified, parse
    // timeout) is skipped here too.
    const buf = readFileSync(path);
    if (buf.length > MAX_FILE_BYTES || looksBinary(buf)) continue;
    contentHash(buf);
    const text = decodeText(buf);
    if (minifiedReason(text)) continue;
    tally.bytes += buf.length;
    if (mode === "read") continue;
    const lang = await loadLanguage(id);
    let tree;
    try {
      tree = parseSource(parser, lang, text);
    } catch (err) {
      if (err instanceof ParseTimeout) continue;
      throw err;
    }
    if (mode === "query") tally.captures += rawMatches(lang.query, tree).length;
    if (mode === "extract") {
      const x = extract(LANGUAGES[id], lang, tree, text);
      tally.symbols += x.symbols.length;
      packExtraction(x);
    }
    tree.delete();
  }
  self.postMessage(tally);
};

function runNative(files: FloorWork["files"], lib: string, withQuery: boolean): FloorTally {
  const { symbols: ts } = dlopen(lib, {
    floor_init: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    floor_run: { args: [FFIType.ptr, FFIType.u32, FFIType.i32], returns: FFIType.i32 },
  });
  const query = Buffer.from(LANGUAGES.go.query);
  const status = ts.floor_init(ptr(query), query.length);
  if (status !== 0) throw new Error(`the Go tags query does not compile natively (offset ${-status - 1})`);
  const tally: FloorTally = { bytes: 0, captures: 0, symbols: 0 };
  for (const [path, id] of files) {
    if (id !== "go") continue;
    const buf = readFileSync(path);
    if (buf.length > MAX_FILE_BYTES || looksBinary(buf)) continue;
    contentHash(buf);
    if (minifiedReason(decodeText(buf))) continue;
    tally.bytes += buf.length;
    const captures = ts.floor_run(ptr(buf), buf.length, withQuery ? 1 : 0);
    if (captures < 0) throw new Error(`native parse failed on ${path}`);
    tally.captures += captures;
  }
  return tally;
}

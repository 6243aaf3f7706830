// One file through read, checks, hash and parse. Runs inside a worker (or in-process for small
// batches); everything it returns is plain data.
import { ParseTimeout } from "../parser/extract.ts";
import type { LanguageId } from "../parser/languages.ts";
import { parseText } from "../parser/parse-file.ts";
import type { Extraction } from "../parser/types.ts";
import { contentHash, decodeText, looksBinary, minifiedReason } from "./inspect.ts";

export interface ParseJob {
  abs: string;
  path: string;
  lang: LanguageId;
  /** The hash stored for this path, so an unchanged file is not parsed again. */
  knownHash: string | null;
}

export type ParseResult =
  | { kind: "parsed"; hash: string; size: number; extraction: Extraction }
  | { kind: "same"; hash: string; size: number }
  | { kind: "skipped"; hash: string | null; reason: string }
  | { kind: "gone" };

export async function runParseJob(job: ParseJob): Promise<ParseResult> {
  let bytes: Uint8Array;
  try {
    bytes = await Bun.file(job.abs).bytes();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "gone" };
    return { kind: "skipped", hash: null, reason: `unreadable (${code ?? (err as Error).message})` };
  }
  const hash = contentHash(bytes);
  if (hash === job.knownHash) return { kind: "same", hash, size: bytes.length };
  if (looksBinary(bytes)) return { kind: "skipped", hash, reason: "binary (contains NUL bytes)" };
  const text = decodeText(bytes);
  const minified = minifiedReason(text);
  if (minified) return { kind: "skipped", hash, reason: minified };
  try {
    const extraction = await parseText(job.lang, text);
    return { kind: "parsed", hash, size: bytes.length, extraction };
  } catch (err) {
    if (err instanceof ParseTimeout) return { kind: "skipped", hash, reason: `parse timeout (${err.message})` };
    return { kind: "skipped", hash, reason: `parser error: ${(err as Error).message}` };
  }
}

// One file through read, checks, hash and parse. Runs inside a worker (or in-process for small
// batches); everything it returns is plain data, and it never throws: whatever goes wrong with one
// file becomes that file's skip reason, so bad input cannot stop indexing.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { ParseTimeout } from "../parser/extract.ts";
import { languageForFile, type LanguageId } from "../parser/languages.ts";
import { parseText } from "../parser/parse-file.ts";
import type { Extraction } from "../parser/types.ts";
import { contentHash, decodeText, looksBinary, MAX_FILE_BYTES, minifiedReason, tooLargeReason } from "./inspect.ts";
import { generatedReason } from "./rules.ts";

export interface ParseJob {
  abs: string;
  /** Repo-relative; with the text read, it decides the language (languageForFile). */
  path: string;
  /** The hash stored for this path, so an unchanged file is not parsed again. */
  knownHash: string | null;
  /** index.include names it: the content rules (generated, minified) do not apply (rules.ts). */
  forced?: boolean;
  /**
   * The rules changed since this file was stored (`knownSkipped`: stored as skipped): with the
   * same hash, the file is parsed only when the rules now let in what they left out before.
   */
  recheck?: { knownSkipped: boolean };
}

export type ParseResult =
  // The language comes from the text read here, not the scan's guess by extension: a `.h` is C or
  // C++ by its content, and the language stored must be the one the symbols were parsed in.
  | { kind: "parsed"; lang: LanguageId; hash: string; size: number; extraction: Extraction }
  | { kind: "same"; hash: string; size: number }
  | { kind: "skipped"; hash: string | null; reason: string }
  | { kind: "gone" };

export async function runParseJob(job: ParseJob): Promise<ParseResult> {
  try {
    return await parseJob(job);
  } catch (err) {
    return { kind: "skipped", hash: null, reason: `internal error: ${(err as Error).message}` };
  }
}

async function parseJob(job: ParseJob): Promise<ParseResult> {
  const read = readSource(job.abs);
  if (!(read instanceof Uint8Array)) return read;
  const bytes = read;
  const hash = contentHash(bytes);
  const same = hash === job.knownHash;
  if (same && !job.recheck) return { kind: "same", hash, size: bytes.length };
  if (looksBinary(bytes)) return { kind: "skipped", hash, reason: "binary (contains NUL bytes)" };
  const text = decodeText(bytes);
  if (!job.forced) {
    const reason = minifiedReason(text) ?? generatedReason(text);
    if (reason) return { kind: "skipped", hash, reason };
  }
  // Still in under the new rules, and it was in before: nothing to parse.
  if (same && !job.recheck!.knownSkipped) return { kind: "same", hash, size: bytes.length };
  const lang = languageForFile(job.path, text);
  if (!lang) return { kind: "skipped", hash, reason: "no grammar for this file" };
  try {
    const extraction = await parseText(lang, text);
    return { kind: "parsed", lang, hash, size: bytes.length, extraction };
  } catch (err) {
    if (err instanceof ParseTimeout) return { kind: "skipped", hash, reason: `parse timeout (${err.message})` };
    return { kind: "skipped", hash, reason: `parser error: ${(err as Error).message}` };
  }
}

/**
 * Read a file the scan saw as a regular file without trusting that it still is one: it may have
 * been replaced since by a FIFO (a blocking open or read would hang the worker for good), a
 * symlink (never followed) or a directory, or have grown past the size limit.
 */
function readSource(abs: string): Uint8Array | ParseResult {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    return readFailure(err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { kind: "skipped", hash: null, reason: `not a regular file (${fileType(st)})` };
    if (st.size > MAX_FILE_BYTES) return { kind: "skipped", hash: null, reason: tooLargeReason(st.size) };
    // Read to end of file rather than st.size bytes: the file may be growing (or be a pseudo-file
    // that reports size 0). One spare byte tells a file that grew past the limit.
    let buf = Buffer.allocUnsafe(st.size + 1);
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len > MAX_FILE_BYTES) return { kind: "skipped", hash: null, reason: tooLargeReason(len) };
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_FILE_BYTES + 1));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    return buf.subarray(0, len);
  } catch (err) {
    return readFailure(err);
  } finally {
    closeSync(fd);
  }
}

function readFailure(err: unknown): ParseResult {
  const code = (err as NodeJS.ErrnoException).code;
  // Deleted (or its directory replaced by a file) between the scan and the read.
  if (code === "ENOENT" || code === "ENOTDIR") return { kind: "gone" };
  // O_NOFOLLOW met a symlink: it was replaced by one since the scan, which does not follow them either.
  if (code === "ELOOP") return { kind: "skipped", hash: null, reason: "symlink (not followed)" };
  return { kind: "skipped", hash: null, reason: `unreadable (${code ?? (err as Error).message})` };
}

function fileType(st: Stats): string {
  if (st.isDirectory()) return "directory";
  if (st.isFIFO()) return "named pipe";
  if (st.isSocket()) return "socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "device";
  return "special file";
}

// Cheap checks on a file's bytes before parsing: binary, minified or generated, content hash.

/** Files larger than this are listed as skipped, never read (a 50 MB bundle must not stall indexing). */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

const SNIFF_BYTES = 8192;

export function tooLargeReason(size: number): string {
  return `too large (${mb(size)} > ${mb(MAX_FILE_BYTES)})`;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function contentHash(bytes: Uint8Array): string {
  return Bun.hash.xxHash64(bytes).toString(16).padStart(16, "0");
}

/** A NUL byte in the first 8 KiB is what git and grep take as "binary"; so do we. */
export function looksBinary(bytes: Uint8Array): boolean {
  // indexOf is a native scan (memchr); a loop here ran in a cold build's unoptimised tiers.
  return bytes.subarray(0, SNIFF_BYTES).indexOf(0) !== -1;
}

/**
 * Minified or machine-generated text: a very long line near the top, or long lines on average.
 * Such files parse slowly and their "symbols" are noise.
 */
export function minifiedReason(text: string): string | null {
  const head = text.slice(0, 64 * 1024);
  let longest = 0;
  let lines = 0;
  let start = 0;
  for (;;) {
    const nl = head.indexOf("\n", start);
    const end = nl === -1 ? head.length : nl;
    longest = Math.max(longest, end - start);
    lines++;
    if (nl === -1) break;
    start = nl + 1;
  }
  if (longest > 5000) return `minified or generated (a line of ${longest} characters)`;
  if (head.length > 4096 && head.length / lines > 300) return `minified or generated (${Math.round(head.length / lines)} characters per line)`;
  return null;
}

const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

/** Decode as UTF-8; invalid sequences become U+FFFD so a stray Latin-1 byte never drops a file. */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

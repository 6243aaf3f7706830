// The cheap checks on a file's bytes before it is parsed (src/index/inspect.ts).
import { describe, expect, test } from "bun:test";
import { looksBinary } from "../../src/index/inspect.ts";

describe("looksBinary", () => {
  const withNulAt = (at: number, length = 10_000) => {
    const b = new Uint8Array(length).fill(0x61);
    b[at] = 0;
    return b;
  };

  test("a NUL byte in the first 8 KiB makes a file binary, as git and grep see it", () => {
    expect(looksBinary(withNulAt(0))).toBe(true);
    expect(looksBinary(withNulAt(8191))).toBe(true);
    expect(looksBinary(withNulAt(9, 10))).toBe(true);
  });

  test("text, and a NUL only past the first 8 KiB, are not", () => {
    expect(looksBinary(new Uint8Array(0))).toBe(false);
    expect(looksBinary(new TextEncoder().encode("package main\n\nfunc main() {}\n"))).toBe(false);
    expect(looksBinary(withNulAt(8192))).toBe(false);
    // A view into a larger buffer: only its own bytes count.
    const big = withNulAt(4);
    expect(looksBinary(big.subarray(5))).toBe(false);
  });
});

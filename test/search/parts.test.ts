// The pure pieces of search: query parsing, FTS quoting, globs, edit distance.
import { describe, expect, test } from "bun:test";
import { fuzzySimilarity, maxEdits, osaDistances } from "../../src/search/distance.ts";
import { globToRegExp, isGlob } from "../../src/search/glob.ts";
import { camelSegments, ftsAllPrefixes, ftsString, likeEscape, MAX_QUERY_CHARS, parseQuery } from "../../src/search/query.ts";

describe("query", () => {
  test("camel segments", () => {
    expect(camelSegments("LVM")).toEqual(["l", "v", "m"]);
    expect(camelSegments("lvm")).toEqual(["l", "v", "m"]);
    expect(camelSegments("LogVM")).toEqual(["log", "v", "m"]);
    expect(camelSegments("logViewMod")).toEqual(["log", "view", "mod"]);
    expect(camelSegments("view model")).toEqual(["view", "model"]);
    expect(camelSegments("parse_json")).toEqual(["parse", "json"]);
    expect(camelSegments("Base64Enc")).toEqual(["base64", "enc"]);
    expect(camelSegments("x")).toEqual([]);
    expect(camelSegments("🚀")).toEqual([]);
  });

  test("parse", () => {
    expect(parseQuery("  view\t\nmodel ")).toEqual({ text: "view model", words: ["view", "model"], segments: ["view", "model"] });
    expect(parseQuery("   ")).toBeNull();
    expect(parseQuery("x".repeat(10_000))!.text).toHaveLength(MAX_QUERY_CHARS);
    // Cutting never leaves half a surrogate pair.
    const cut = parseQuery(`${"a".repeat(MAX_QUERY_CHARS - 1)}🚀`)!.text;
    expect(cut).toBe("a".repeat(MAX_QUERY_CHARS - 1));
    expect(parseQuery("a a b A")!.words).toEqual(["a", "b"]);
  });

  test("FTS strings are always quoted", () => {
    expect(ftsString('say "hi"')).toBe('"say ""hi"""');
    expect(ftsAllPrefixes(["parse", "json"])).toBe('"parse"* AND "json"*');
    // Short words match whole tokens: as prefixes they would merge too many posting lists.
    expect(ftsAllPrefixes(["x", "io", "net"])).toBe('"x" AND "io" AND "net"*');
    expect(likeEscape("a%b_c\\d")).toBe("a\\%b\\_c\\\\d");
  });
});

describe("glob", () => {
  const matches = (glob: string, path: string) => globToRegExp(glob).test(path);
  test("syntax", () => {
    expect(isGlob("src/net")).toBe(false);
    expect(isGlob("src/*.go")).toBe(true);
    expect(isGlob("a?b")).toBe(true);
    expect(isGlob("[ab]")).toBe(true);
  });
  test("* and ? stay within a segment, ** spans segments", () => {
    expect(matches("src/*.go", "src/a.go")).toBe(true);
    expect(matches("src/*.go", "src/x/a.go")).toBe(false);
    expect(matches("src/**", "src/x/y/a.go")).toBe(true);
    expect(matches("src/**/a.go", "src/a.go")).toBe(true);
    expect(matches("src/**/a.go", "src/x/y/a.go")).toBe(true);
    expect(matches("src/a?.go", "src/ab.go")).toBe(true);
    expect(matches("src/a?.go", "src/a/.go")).toBe(false);
  });
  test("a glob without a slash matches the file name at any depth", () => {
    expect(matches("*_test.go", "server_test.go")).toBe(true);
    expect(matches("*_test.go", "src/net/http/server_test.go")).toBe(true);
    expect(matches("*_test.go", "src/net/http/server.go")).toBe(false);
    expect(matches("*.py", "lib/x.pyc")).toBe(false);
  });
  test("classes, and literal fallbacks", () => {
    expect(matches("src/[ab].go", "src/b.go")).toBe(true);
    expect(matches("src/[!ab].go", "src/b.go")).toBe(false);
    expect(matches("src/[!ab].go", "src/c.go")).toBe(true);
    expect(matches("a[", "a[")).toBe(true);
    expect(matches("[z-a]", "[z-a]")).toBe(true); // an invalid range is taken literally
    expect(matches("a.b(c)+", "a.b(c)+")).toBe(true);
    expect(matches("a.b", "axb")).toBe(false);
  });
});

describe("distance", () => {
  test("optimal string alignment", () => {
    expect(osaDistances("sprnitf", "sprintf", 2).full).toBe(1); // a swap is one edit
    expect(osaDistances("kitten", "sitting", 3).full).toBe(3);
    expect(osaDistances("loginveiw", "loginviewmodel", 2)).toEqual({ full: 3, prefix: 1 });
    expect(osaDistances("abcdef", "zzzzzzzzz", 1)).toEqual({ full: 2, prefix: 2 }); // capped at max + 1
  });
  test("similarity and the edit budget", () => {
    expect(maxEdits(3)).toBe(0);
    expect(fuzzySimilarity("abc", "abd")).toBe(0); // too short to guess
    expect(fuzzySimilarity("Sprnitf", "Sprintf")).toBeCloseTo(1 - 1 / 7);
    expect(fuzzySimilarity("qzxwv", "Sprintf")).toBe(0);
    expect(fuzzySimilarity("LoginVeiwModel", "LoginViewModel")).toBeGreaterThan(fuzzySimilarity("LoginVeiw", "LoginViewModel"));
  });
});

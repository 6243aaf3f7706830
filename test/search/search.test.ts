import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { IndexWriter } from "../../src/index/store.ts";
import { search } from "../../src/search/search.ts";
import { MATCH_TIERS, type SearchHit, type SearchOptions } from "../../src/search/types.ts";
import { buildFixture, GENERATED, writeFile, type Fixture } from "./fixture.ts";

let fx: Fixture;
beforeAll(() => {
  fx = buildFixture();
});
afterAll(() => fx.close());

const run = (query: string, opts?: SearchOptions) => search(fx.db, query, opts);
/** "Container.name" for hits with a container, else the name. */
const label = (h: SearchHit) => (h.container ? `${h.container}.${h.name}` : h.name);
const labels = (hits: SearchHit[]) => hits.map(label);
const find = (hits: SearchHit[], name: string) => hits.find((h) => label(h) === name || h.name === name);

/** Hits must come tier by tier, best first, with scores that never increase. */
function expectOrdered(hits: SearchHit[]): void {
  for (let i = 1; i < hits.length; i++) {
    const [a, b] = [hits[i - 1]!, hits[i]!];
    expect(MATCH_TIERS.indexOf(a.match)).toBeLessThanOrEqual(MATCH_TIERS.indexOf(b.match));
    expect(a.score).toBeGreaterThanOrEqual(b.score);
    if (a.score === b.score) expect(a.rank).toBeGreaterThanOrEqual(b.rank);
  }
  expect(new Set(hits.map((h) => h.id)).size).toBe(hits.length);
}

describe("hits", () => {
  test("carry the documented shape", () => {
    const [hit] = run("Unmarshal");
    expect(hit).toEqual({
      id: expect.any(Number),
      name: "Unmarshal",
      kind: "function",
      container: null,
      path: "src/encoding/json/decode.go",
      line: 10,
      endLine: 15,
      signature: "func Unmarshal(data []byte, v any) error",
      doc: "Unmarshal parses the JSON-encoded data and stores the result in the value pointed to by v.",
      lang: "go",
      rank: 7,
      match: "exact",
      score: 6.5,
    });
    const [decoder] = run("Decoder", { limit: 1 });
    expect(decoder!.doc).toBeNull();
  });

  test("empty and whitespace queries return nothing", () => {
    for (const q of ["", " ", "\t\n  ", "\u0000"]) expect(run(q)).toEqual([]);
  });
});

describe("tier 1: exact", () => {
  test("matches the whole name case-insensitively", () => {
    expect(run("Sprintf")[0]).toMatchObject({ name: "Sprintf", match: "exact", score: 6.5 });
    expect(run("sprintf")[0]).toMatchObject({ name: "Sprintf", match: "exact", score: 6 });
  });

  test("the case-exact spelling comes first, then PageRank", () => {
    expect(labels(run("close")).slice(0, 3)).toEqual(["close", "Conn.Close", "Server.Close"]);
    expect(labels(run("Close")).slice(0, 3)).toEqual(["Conn.Close", "Server.Close", "close"]);
  });

  test("equal rank and length fall back to the path", () => {
    const decodes = run("Decode").filter((h) => h.match === "exact");
    expect(decodes.map((h) => h.path)).toEqual(["src/encoding/json/decode.go", "src/encoding/xml/read.go"]);
  });
});

describe("tier 2: prefix", () => {
  test("follows the exact match, ordered by rank", () => {
    const hits = run("Sprint");
    expect(labels(hits).slice(0, 4)).toEqual(["Sprint", "Sprintf", "Sprintln", "SprintLimit"]);
    expect(hits.slice(1, 4).every((h) => h.match === "prefix")).toBe(true);
    expectOrdered(hits);
  });

  test("equal ranks put the shorter name first", () => {
    expect(labels(run("Fpr"))).toEqual(["Fprint", "Fprintf", "Fprintln"]);
  });

  test("is case-insensitive", () => {
    expect(run("loginviewmodelo")[0]).toMatchObject({ name: "LoginViewModelOptions", match: "prefix" });
  });
});

describe("tier 3: camel humps", () => {
  test("initials in either case find the name", () => {
    for (const q of ["LVM", "lvm"]) {
      const hits = run(q);
      expect(hits[0]).toMatchObject({ name: "LoginViewModel", match: "camel" });
      // Exactly the initials before longer names, even with a higher rank.
      expect(labels(hits).indexOf("LoginViewModel")).toBeLessThan(labels(hits).indexOf("LoginViewModelOptions"));
      expect(find(hits, "load_view_model")?.match).toBe("camel");
      expectOrdered(hits);
    }
  });

  test("a prefix of the humps", () => {
    expect(find(run("lv"), "LoginViewModel")?.match).toBe("camel");
  });

  test("mixed forms: each segment a prefix of a name word", () => {
    for (const q of ["LogVM", "logViewMod", "LoViMo"]) expect(run(q)[0]).toMatchObject({ name: "LoginViewModel", match: "camel" });
    expect(find(run("logViewMod"), "viewModelScope")).toBeUndefined();
  });
});

describe("tier 4: words", () => {
  test("every word in the name, in any order", () => {
    for (const q of ["view model", "model view", "VIEW model"]) {
      const hits = run(q);
      expect(find(hits, "LoginViewModel")?.match).toBe("words");
      expect(find(hits, "MAX_VIEW_MODELS")?.match).toBe("words");
      expectOrdered(hits);
    }
    // Where the words start the name, the camel tier gets there first.
    expect(find(run("model view"), "ModelView")?.match).toBe("camel");
  });

  test("words in the doc or signature count, after names", () => {
    const hits = run("parse json");
    expect(labels(hits).slice(0, 2)).toEqual(["parse_json", "parseJSONValue"]);
    expect(find(hits, "Unmarshal")).toMatchObject({ match: "words", score: 3 });
  });

  test("name matches come before doc-only matches whatever their rank", () => {
    const hits = run("listen serve");
    const names = labels(hits);
    expect(names.slice(0, 3)).toEqual(["ListenAndServe", "Server.ListenAndServe", "TestListenAndServe"]);
    // Serve has the highest rank but "listen" is only in its doc.
    expect(find(hits, "Serve")).toMatchObject({ match: "words", score: 3 });
    expect(names.indexOf("Serve")).toBeGreaterThan(2);
  });

  test("the container counts between name and doc", () => {
    const hits = run("server close");
    expect(labels(hits).slice(0, 2)).toEqual(["TestServerClose", "Server.Close"]);
    expect(hits[0]!.score).toBe(3.5);
    expect(hits[1]!.score).toBe(3.25);
  });

  test("each word matches as a prefix", () => {
    expect(find(run("serv mux"), "NewServeMux")?.match).toBe("words");
  });
});

describe("tier 5: substring", () => {
  test("three or more characters anywhere in the name", () => {
    const hits = run("ginView");
    expect(labels(hits)).toEqual(["LoginViewModelOptions", "LoginViewModel", "LoginViewModelTest", "testLoginViewModel"]);
    expect(hits.every((h) => h.match === "substring")).toBe(true);
  });

  test("one or two characters, by rank", () => {
    expect(labels(run("ux"))).toEqual(["ServeMux", "NewServeMux"]);
    expect(run("ux").every((h) => h.match === "substring")).toBe(true);
  });
});

describe("tier 6: fuzzy", () => {
  test("finds a name with a typo", () => {
    expect(run("LoginVeiwModel")[0]).toMatchObject({ name: "LoginViewModel", match: "fuzzy" });
    expect(run("Sprnitf")[0]).toMatchObject({ name: "Sprintf", match: "fuzzy" });
    expect(run("Unmarshla")[0]).toMatchObject({ name: "Unmarshal", match: "fuzzy" });
  });

  test("finds names starting with a mistyped prefix, equally close, by rank", () => {
    const hits = run("LoginVeiw");
    expect(labels(hits)).toEqual(["LoginViewModelOptions", "LoginViewModel", "LoginViewModelTest"]);
    expect(hits.every((h) => h.match === "fuzzy")).toBe(true);
    // A whole-name typo scores above a typo of the name's beginning.
    expect(run("LoginVeiwModel")[0]!.score).toBeGreaterThan(hits[0]!.score);
  });

  test("scores by similarity, below every other tier", () => {
    const hits = run("Sprnitf");
    expect(hits.every((h) => h.match === "fuzzy" && h.score > 1 && h.score < 2)).toBe(true);
    expectOrdered(hits);
  });

  test("returns nothing for garbage", () => {
    for (const q of ["qzxwv", "xkqzjv", "zzqqxxjj", "wqrtzpsdfgh", "jjjjjjj"]) expect(run(q)).toEqual([]);
  });

  test("only runs when earlier tiers leave room", () => {
    expect(run("Sprintf", { limit: 1 })).toHaveLength(1);
    expect(run("Sprintf").some((h) => h.match === "fuzzy")).toBe(true);
  });
});

describe("across tiers", () => {
  test("each tier's hits come before the next tier's, each symbol once", () => {
    const hits = run("LoginViewModel");
    expect(hits.slice(0, 3).map((h) => [h.name, h.match])).toEqual([
      ["LoginViewModel", "exact"],
      ["LoginViewModelOptions", "prefix"],
      ["LoginViewModelTest", "prefix"],
    ]);
    // testLoginViewModel also contains the query as a substring; it is reported at its best tier.
    expect(find(hits, "testLoginViewModel")?.match).toBe("words");
    for (const q of ["LoginViewModel", "view", "Sprint", "serve", "Close", "lvm", "model", "ViewMod", "Decode"]) expectOrdered(run(q));
  });
});

describe("filters", () => {
  test("kind, in every tier", () => {
    expect(labels(run("Close", { kind: "function" }))).toEqual(["close", "TestServerClose"]);
    expect(labels(run("LoginViewModel", { kind: "interface" }))).toEqual(["LoginViewModelOptions"]);
    expect(labels(run("lvm", { kind: "function" }))).toEqual(["load_view_model"]);
    expect(labels(run("view model", { kind: "constant" }))).toEqual(["MAX_VIEW_MODELS"]);
    expect(labels(run("ginView", { kind: "function" }))).toEqual(["testLoginViewModel"]);
    expect(labels(run("nV", { kind: "class" }))).toEqual(["LoginViewModel", "LoginViewModelTest"]);
    expect(labels(run("Sprnitf", { kind: "constant" }))).toEqual(["SprintLimit"]);
  });

  test("kind lists, strings with commas, any case", () => {
    const expected = ["LoginViewModelOptions", "LoginViewModel", "LoginViewModelTest"];
    expect(labels(run("LoginView", { kind: ["class", "interface"] }))).toEqual(expected);
    expect(labels(run("LoginView", { kind: "Class, INTERFACE" }))).toEqual(expected);
    expect(labels(run("LoginView", { kind: [] }))).toContain("testLoginViewModel"); // an empty list filters nothing
  });

  test("lang, in every tier", () => {
    expect(labels(run("Close", { lang: "python" }))).toEqual(["close"]);
    expect(labels(run("Sprint", { lang: "python" }))).toEqual([]);
    expect(labels(run("lvm", { lang: "python" }))).toEqual(["load_view_model"]);
    expect(labels(run("view model", { lang: ["kotlin"] }))).toEqual(["rememberProfileViewModel"]);
    expect(labels(run("ileScr", { lang: "kotlin" }))).toEqual(["ProfileScreen"]);
    expect(labels(run("LoginVeiwModel", { lang: "python" }))).toEqual([]);
    expect(run("LoginVeiwModel", { lang: "typescript" })[0]?.name).toBe("LoginViewModel");
  });

  test("path as a directory", () => {
    expect(labels(run("Close", { path: "src/net" }))).toEqual(["Conn.Close", "Server.Close", "TestServerClose"]);
    expect(labels(run("Close", { path: "src/net/http/" }))).toEqual(["Server.Close", "TestServerClose"]);
    expect(labels(run("Close", { path: "./src/net/conn.go" }))).toEqual(["Conn.Close"]);
    // A directory, not a string prefix: src/ne is not src/net.
    expect(run("Close", { path: "src/ne" })).toEqual([]);
  });

  test("path as a glob", () => {
    expect(labels(run("Test", { path: "*_test.go" }))).toEqual(["TestServerClose", "TestListenAndServe"]);
    expect(labels(run("Close", { path: "src/**" }))).toEqual(["Conn.Close", "Server.Close", "TestServerClose"]);
    // * stays within a directory; ** spans them.
    expect(labels(run("Close", { path: "src/*/*.go" }))).toEqual(["Conn.Close"]);
    expect(labels(run("Close", { path: "src/**/server*.go" }))).toEqual(["Server.Close", "TestServerClose"]);
    expect(labels(run("lvm", { path: "**/*.py" }))).toEqual(["load_view_model"]);
    expect(labels(run("LoginVeiwModel", { path: "test/**" }))).toEqual(["LoginViewModelTest"]);
    expect(run("Close", { path: "*.rs" })).toEqual([]);
  });

  test("apply before the limit, not after", () => {
    // Three higher-ranked Sprint* functions match first; the constant must still be found.
    expect(labels(run("Sprint", { kind: "constant", limit: 1 }))).toEqual(["SprintLimit"]);
    expect(labels(run("GenValue", { path: "src/net/**", limit: 5 }))).toEqual([]);
    expect(labels(run("value", { lang: "go", kind: "function", limit: 1 }))).toEqual(["parseJSONValue"]);
  });

  test("a glob sees files written after an earlier search", () => {
    const path = "src/late/late_test.go";
    expect(run("LateArrival", { path: "**/late_*.go" })).toEqual([]);
    writeFile(new IndexWriter(fx.db), path, "go", [{ name: "LateArrival", kind: "function" }]);
    expect(run("LateArrival", { path: "**/late_*.go" })[0]?.path).toBe(path);
  });
});

describe("limit", () => {
  test("defaults to 20, caps at 200, and holds in every tier", () => {
    expect(run("GenValue")).toHaveLength(20);
    expect(run("GenValue", { limit: 5 }).map((h) => h.name)).toEqual(["GenValue000", "GenValue001", "GenValue002", "GenValue003", "GenValue004"]);
    expect(run("GenValue", { limit: 1000 })).toHaveLength(200);
    expect(GENERATED.count).toBeGreaterThan(200);
    expect(run("enValue", { limit: 7 })).toHaveLength(7); // substring
    expect(run("gv", { limit: 3 })).toHaveLength(3); // camel
    expect(run("gen value", { limit: 4 })).toHaveLength(4); // words
    expect(run("GenVlaue", { limit: 2 })).toHaveLength(2); // fuzzy
  });

  test("odd values fall back to something sane", () => {
    expect(run("GenValue", { limit: 0 })).toHaveLength(1);
    expect(run("GenValue", { limit: -3 })).toHaveLength(1);
    expect(run("GenValue", { limit: 2.7 })).toHaveLength(2);
    expect(run("GenValue", { limit: Number.NaN })).toHaveLength(20);
  });
});

describe("hostile input", () => {
  const hostile = [
    "ver1.1", '"', '""', "*", "AND(", "NOT", "OR", "NEAR", "NEAR(a b)", "^", "-", ":", "a:b", "{words}: x", "words:view",
    "'; DROP TABLE symbols; --", "%", "_", "\\", "%_%", "[", "[a-", "*?", "a OR b", "a AND NOT b", "(", ")", "'", "`",
    "日本語", "🚀", "🚀🚀🚀🚀", "é", "Ⅻ", "\u{10FFFF}", "\uD800", "a\u0000b", "\u202Eabc", "x".repeat(10_000),
    "Login ".repeat(2_000), "🚀".repeat(5_000), "\"".repeat(300), "a b c d e f g h i j k l m n o p",
  ];
  test.each(hostile.map((q) => [JSON.stringify(q).slice(0, 40), q]))("%s", (_, q) => {
    const hits = run(q);
    expect(Array.isArray(hits)).toBe(true);
    expectOrdered(hits);
  });

  test("symbols survive the SQL-looking query", () => {
    run("'; DROP TABLE symbols; --");
    expect(run("Sprintf")[0]?.name).toBe("Sprintf");
  });

  test("hostile filters", () => {
    const opts: unknown[] = [
      { path: "[" }, { path: "[z-a]" }, { path: "**" }, { path: "/" }, { path: "." }, { path: "\\src\\net" }, { path: "'; --" },
      { kind: "'); DROP TABLE files; --" }, { lang: ["\"", null, 3] }, { kind: 42 }, { limit: "7" }, null, { path: "a".repeat(5000) },
    ];
    for (const o of opts) expect(Array.isArray(search(fx.db, "Close", o as SearchOptions))).toBe(true);
    expect(labels(search(fx.db, "Close", { path: "\\src\\net\\conn.go" }))).toEqual(["Conn.Close"]);
  });

  test("random strings never throw", () => {
    const alphabet = [...'abcXYZ019 _-."\'*^:()[]{}%\\/+~!@#$&|<>?,;=`', "é", "日", "🚀", "\u0000", "\n", "NEAR", "AND", "OR", "NOT"];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 1500; i++) {
      const len = 1 + Math.floor(rnd() * 24);
      let q = "";
      for (let j = 0; j < len; j++) q += alphabet[Math.floor(rnd() * alphabet.length)];
      expect(Array.isArray(run(q))).toBe(true);
    }
  });

  test("non-string queries", () => {
    for (const q of [undefined, null, 42, {}, []]) expect(search(fx.db, q as unknown as string)).toEqual([]);
  });
});

describe("prepared statements", () => {
  test("are cached per database, so two indexes never mix", () => {
    const other = buildFixture();
    try {
      writeFile(new IndexWriter(other.db), "only/here.go", "go", [{ name: "OnlyInOther", kind: "function" }]);
      expect(search(other.db, "OnlyInOther")[0]?.path).toBe("only/here.go");
      expect(run("OnlyInOther")).toEqual([]);
      expect(search(other.db, "OnlyInOther")).toHaveLength(1);
    } finally {
      other.close();
    }
  });
});

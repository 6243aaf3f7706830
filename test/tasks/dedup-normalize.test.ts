// Dedup normalisation: the stemmer folds inflections, code words split like the index splits
// names, identifiers and numbers are collected, function words dropped, phrases folded.
import { describe, expect, test } from "bun:test";
import { normalize, termOf } from "../../src/tasks/dedup/normalize.ts";
import { stem } from "../../src/tasks/dedup/stem.ts";

describe("stem", () => {
  test("folds the forms of one word onto one stem", () => {
    const groups = [
      ["add", "adds", "added", "adding"],
      ["endpoint", "endpoints"],
      ["cache", "caches", "cached", "caching"],
      ["validate", "validates", "validation", "validations"],
      ["query", "queries"],
      ["retry", "retries", "retried", "retrying"],
      ["log", "logs", "logged", "logging"],
      ["setting", "settings"],
      ["delete", "deletion"],
      ["connect", "connection"],
      ["paginate", "pagination"],
      ["crash", "crashes", "crashing"],
      ["use", "uses", "used"],
    ];
    for (const g of groups) expect(new Set(g.map(stem)).size).toBe(1);
  });

  test("leaves short words, words ending in -ss/-us/-is and non-letters alone", () => {
    for (const w of ["api", "status", "redis", "class", "process", "ios", "v2", "utf8"]) expect(stem(w)).toBe(w);
  });

  test("keeps different words apart", () => {
    expect(stem("parser")).not.toBe(stem("writer"));
    expect(stem("string")).not.toBe(stem("str"));
    expect(stem("sorting")).not.toBe(stem("pagination"));
  });
});

describe("normalize", () => {
  test("lowercases, strips punctuation and function words, stems", () => {
    expect(normalize("Adds a health-check endpoint to the API!").terms).toEqual(["add", "health", "check", "endpoint", "api"]);
  });

  test("splits camelCase, PascalCase and snake_case as the index does, and records them as identifiers", () => {
    const n = normalize("Remove the unused `legacyAuth` middleware from HTTPServer and parse_config");
    expect(n.terms).toEqual(["remov", "unus", "legacy", "auth", "middlewar", "http", "server", "pars", "config"]);
    expect([...n.idents].sort()).toEqual(["httpserver", "legacyauth", "parse_config"]);
    // Unquoted, the camelCase word reads the same as the backticked one.
    expect(normalize("Remove the unused legacyAuth middleware").text).toBe(normalize("remove the unused `legacyAuth` middleware").text);
  });

  test("paths, dotted names and flags are identifiers; versions are numbers", () => {
    const n = normalize("Fix test/daemon/socket.test.ts, orders.created_at and --verbose; bump zod to 4.1 and node to v20");
    expect(n.idents).toEqual(new Set(["test/daemon/socket.test.ts", "orders.created_at", "--verbose"]));
    expect(n.numbers).toEqual(new Set(["4.1", "20"]));
  });

  test("product names are words, not code (GitHub, iOS, OAuth)", () => {
    const n = normalize("Add GitHub OAuth login on iOS");
    expect(n.idents.size).toBe(0);
    expect(n.terms).toEqual(["add", "github", "oauth", "login", "ios"]);
  });

  test("synonyms fold onto one word; code words keep theirs", () => {
    expect(termOf("delete")).toBe(termOf("remove"));
    expect(termOf("create")).toBe(termOf("add"));
    expect(termOf("documentation")).toBe(termOf("docs"));
    expect(normalize("createUser").terms).toEqual(["creat", "user"]);
  });

  test("multi-word phrases fold to one word", () => {
    expect(normalize("Speed up the search query").terms).toEqual(normalize("optimize the search query").terms);
    expect(normalize("users get logged out").terms).toContain("logout");
    expect(normalize("get rid of the flag").terms).toEqual(["remov", "flag"]);
  });

  test("punctuation ends a phrase in the token stream; a period inside a file name does not", () => {
    const n = normalize("In the billing service, upgrade auth.ts.");
    expect(n.stream.map((t) => (t ? t.surface : "|"))).toEqual(["in", "the", "billing", "service", "|", "upgrade", "auth", "ts", "|"]);
  });

  test("an empty or all-function-word description has no terms", () => {
    expect(normalize("").terms).toEqual([]);
    expect(normalize("do it to the one").text).toBe("one");
    expect(normalize("...").terms).toEqual([]);
  });
});

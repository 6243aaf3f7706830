// Path normalisation and matching: every framework's parameter spelling compares alike; methods,
// relative calls, catch-alls and the reasons given for a call that matches nothing.
import { describe, expect, test } from "bun:test";
import { matchContracts } from "../../src/contracts/match.ts";
import { normalisePath, pathScore, piecesToPath, suffixScore } from "../../src/contracts/path.ts";
import type { RepoContracts } from "../../src/contracts/repo.ts";
import { contractsMarkdown } from "../../src/contracts/table.ts";
import type { HttpMethod } from "../../src/protocol/contracts.ts";

describe("normalisePath", () => {
  test("parameters in every spelling become {name}", () => {
    for (const raw of ["/users/:id", "/users/{id}", "/users/<id>", "/users/<int:id>", "/users/${id}", "/users/{id:[0-9]+}", "users/:id/", "//users//{id}"])
      expect(normalisePath(raw)).toBe("/users/{id}");
  });

  test("catch-alls, scheme, host and query", () => {
    expect(normalisePath("/files/*path")).toBe("/files/{path...}");
    expect(normalisePath("/files/<path:rest>")).toBe("/files/{rest...}");
    expect(normalisePath("https://api.example.com:8443/v1/users?active=1#top")).toBe("/v1/users");
    expect(normalisePath("")).toBe("/");
  });

  test("a base URL spliced in first makes the path relative; a bare variable is no path", () => {
    expect(piecesToPath([{ param: "API" }, { lit: "/users/" }, { param: "id" }])).toEqual({ path: "/users/{id}", relative: true });
    expect(piecesToPath([{ lit: "http://h/users/" }, { param: "id" }])).toEqual({ path: "/users/{id}", relative: false });
    expect(piecesToPath([{ param: "url" }])).toBeNull();
    expect(piecesToPath([{ lit: "application/json" }])).toEqual({ path: "/application/json", relative: true });
    expect(piecesToPath([{ lit: "env" }])).toBeNull();
  });
});

describe("scores", () => {
  test("literal beats parameter; lengths must agree unless the route has a catch-all", () => {
    expect(pathScore("/users/me", "/users/me")).toBe(2);
    expect(pathScore("/users/me", "/users/{id}")).toBe(1);
    expect(pathScore("/users/me/x", "/users/{id}")).toBe(-1);
    expect(pathScore("/static/a/b.css", "/static/{path...}")).toBe(1);
    expect(pathScore("/assets/app.js", "/assets/{...}")).toBe(1);
    expect(pathScore("/elsewhere", "/assets/{...}")).toBe(-1);
    expect(pathScore("/orders", "/users")).toBe(-1);
  });

  test("a relative call matches the end of a route, literals against literals only", () => {
    expect(suffixScore("/users/{id}", "/api/v1/users/{userId}")).toBe(1);
    expect(suffixScore("/stock/{id}", "/users/{id}/avatar")).toBe(-1);
    expect(suffixScore("/{id}", "/users/{id}")).toBe(-1);
  });
});

function repo(name: string, routes: [HttpMethod, string][], calls: [HttpMethod, string, boolean?][]): RepoContracts {
  return {
    name,
    root: `/r/${name}`,
    files: 1,
    routes: routes.map(([method, path], i) => ({ repo: name, file: "s.go", line: i + 1, method, path, framework: "gin" })),
    calls: calls.map(([method, path, relative], i) => ({ repo: name, file: "c.ts", line: i + 1, method, path, framework: "fetch", relative: relative ?? false })),
  };
}

describe("matchContracts", () => {
  const server = repo("api", [["GET", "/users/{id}"], ["GET", "/users/me"], ["ANY", "/healthz"], ["POST", "/api/v1/orders"]], []);
  const client = repo("web", [], [["GET", "/users/me"], ["GET", "/users/{uid}"], ["HEAD", "/healthz"], ["DELETE", "/users/{id}"], ["POST", "/orders", true], ["GET", "/nowhere"]]);
  const a = matchContracts([server, client]);

  test("the most literal route wins; ANY routes take every method", () => {
    const byLine = new Map(a.matched.map((m) => [m.call.line, m]));
    expect(byLine.get(1)!.routes.map((r) => r.path)).toEqual(["/users/me"]);
    // A parameter fits a literal as well as another parameter: both routes are reported.
    expect(byLine.get(2)!.routes.map((r) => r.path)).toEqual(["/users/{id}", "/users/me"]);
    expect(byLine.get(3)!.routes[0]!.path).toBe("/healthz");
    expect(byLine.get(5)!.how).toBe("suffix");
    expect(byLine.get(5)!.routes[0]!.path).toBe("/api/v1/orders");
  });

  test("a call that matches no route says why, and routes nobody calls are listed", () => {
    expect(a.unmatched.map((u) => [u.call.method, u.call.path, u.reason])).toEqual([
      ["DELETE", "/users/{id}", "GET /users/{id}, GET /users/me exist, not DELETE"],
      ["GET", "/nowhere", "no route has this path"],
    ]);
    expect(a.uncalledRoutes).toEqual([]);
    const lonely = matchContracts([repo("api", [["PUT", "/x"]], [])]);
    expect(lonely.uncalledRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(["PUT /x"]);
    expect(matchContracts([repo("web", [], [["GET", "/x"]])]).unmatched[0]!.reason).toBe("no server routes were found in these repos");
  });
});

test("contractsMarkdown: one row per call, file:line on both sides, the reason for a call with no route", () => {
  const a = matchContracts([repo("api", [["GET", "/users/{id}"], ["PUT", "/x"]], []), repo("web", [], [["GET", "/users/7"], ["POST", "/a|b"]])]);
  expect(contractsMarkdown(a)).toBe(
    [
      "| call | client | route | server |",
      "|---|---|---|---|",
      "| GET /users/7 | web:c.ts:1 (fetch) | GET /users/{id} | api:s.go:1 (gin) |",
      "| POST /a\\|b | web:c.ts:2 (fetch) | **none**: no route has this path | |",
      "",
      "Routes no client in these repos calls:",
      "",
      "- PUT /x at api:s.go:2 (gin)",
      "",
    ].join("\n"),
  );
});

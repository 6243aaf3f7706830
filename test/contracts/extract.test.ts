// Golden tests per framework: each fixture under test/fixtures/contracts/ is extracted and its
// routes and calls compared, line by line, with what a person reads in the source.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { extractContracts } from "../../src/contracts/extract.ts";
import type { LanguageId } from "../../src/parser/languages.ts";

const DIR = join(import.meta.dir, "../fixtures/contracts");

async function found(lang: LanguageId, file: string): Promise<{ routes: string[]; calls: string[]; bases: string[]; mounts: string[] }> {
  const c = await extractContracts(lang, await Bun.file(join(DIR, file)).text());
  return {
    routes: c.routes.map((r) => `${r.method} ${r.path} :${r.line} ${r.framework}`),
    mounts: c.mounts.map((m) => `${m.kind} ${m.module ?? "(same package)"} ${m.name} at ${m.prefix}${m.owner ? ` on ${m.owner}` : ""}${m.replaces ? " (replaces)" : ""}`),
    calls: c.calls.map((r) => `${r.method} ${r.relative ? "…" : ""}${r.path} :${r.line} ${r.framework}`),
    bases: c.retrofitBases,
  };
}

describe("Go servers", () => {
  test("net/http: Go 1.22 method patterns, host patterns, {path...}, {$}, and a trailing-slash subtree", async () => {
    const f = await found("go", "nethttp/main.go");
    expect(f.routes).toEqual([
      "GET /items/{id} :10 net/http",
      "POST /items :11 net/http",
      "ANY /healthz :12 net/http",
      "GET /static/{path...} :13 net/http",
      "GET / :14 net/http",
      "ANY /assets/{...} :26 net/http",
    ]);
  });

  test("net/http clients: http.Get, NewRequest with concatenation and fmt.Sprintf", async () => {
    expect((await found("go", "nethttp/main.go")).calls).toEqual(["GET /healthz :19 net/http", "GET …/items/{id} :20 net/http", "DELETE …/items/{id} :22 net/http"]);
  });

  test("gin: nested route groups, :params, *catch-all, Handle(method, path)", async () => {
    expect((await found("go", "gin/main.go")).routes).toEqual([
      "GET /ping :7 gin",
      "GET /api/v1/users/{id} :11 gin",
      "POST /api/v1/users :12 gin",
      "ANY /api/v1/echo/{rest...} :13 gin",
      "DELETE /sessions/{token} :15 gin",
    ]);
  });

  test("chi: nested Route closures, Group without prefix, Mount of a router-building function", async () => {
    expect((await found("go", "chi/main.go")).routes).toEqual([
      "GET / :11 chi",
      "POST /articles :13 chi",
      "GET /articles/{articleID} :15 chi",
      "PUT /articles/{articleID} :16 chi",
      "DELETE /sessions/{id} :20 chi",
      "GET /admin/stats :28 chi",
    ]);
  });
});

describe("JavaScript and TypeScript servers", () => {
  test("Express: a Router mounted with app.use, app.route chains, app.get('env') is not a route", async () => {
    expect((await found("javascript", "express/server.js")).routes).toEqual([
      "GET /api/users :6 express",
      "GET /api/users/{id} :7 express",
      "DELETE /api/users/{id} :8 express",
      "GET /health :11 express",
      "HEAD /health :11 express",
    ]);
  });

  test("Fastify: shorthand, route({method: [...], url}), a plugin registered with a prefix", async () => {
    expect((await found("typescript", "fastify/server.ts")).routes).toEqual([
      "GET /ping :5 fastify",
      "GET /products/{sku} :6 fastify",
      "HEAD /products/{sku} :6 fastify",
      "POST /cart/items :9 fastify",
      "DELETE /cart/items/{itemId} :10 fastify",
    ]);
  });

  test("Hono: basePath and a sub-app mounted with app.route", async () => {
    expect((await found("typescript", "hono/app.ts")).routes).toEqual([
      "GET /v2/books :6 hono",
      "GET /v2/books/{id} :7 hono",
      "POST /v2/books :8 hono",
      "GET /v2/health :11 hono",
    ]);
  });
});

describe("JavaScript and TypeScript clients", () => {
  test("axios instance with a literal baseURL, fetch with method options, template literals, axios(config)", async () => {
    const f = await found("typescript", "web/api.ts");
    expect(f.routes).toEqual([]);
    expect(f.calls).toEqual([
      "GET /v2/books/{id} :6 axios",
      "POST /v2/books :10 axios",
      "POST /cart/items :14 fetch",
      "DELETE …/cart/items/{sku} :15 fetch",
      "GET /products/{sku} :16 axios",
      "GET /v2/books/{id}/reviews :20 fetch",
    ]);
  });

  test("OpenAPI Generator clients: typescript-fetch request({path, method}) and typescript-axios localVarPath", async () => {
    expect((await found("typescript", "openapi/apis.ts")).calls).toEqual(["GET …/pet/{petId} :6 openapi", "DELETE …/store/order/{orderId} :19 openapi"]);
  });
});

describe("JVM", () => {
  test("Spring: class-level @RequestMapping prefix, bare @GetMapping, path arrays, method=", async () => {
    expect((await found("java", "spring/UserController.java")).routes).toEqual([
      "GET /api/users/{id} :8 spring",
      "GET /api/users :11 spring",
      "POST /api/users :14 spring",
      "PUT /api/users/{id}/avatar :17 spring",
      "PUT /api/users/{id}/photo :17 spring",
      "DELETE /api/users/{id} :20 spring",
    ]);
  });

  test("Retrofit: relative and absolute paths, @HTTP(method, path)", async () => {
    expect((await found("java", "retrofit/UserApi.java")).calls).toEqual([
      "GET …/users/{id} :7 retrofit",
      "POST …/users :10 retrofit",
      "DELETE …/users/{id} :13 retrofit",
      "GET /health :16 retrofit",
    ]);
  });

  test("OkHttp Request.Builder chains and a literal Retrofit baseUrl", async () => {
    const f = await found("java", "retrofit/Client.java");
    expect(f.calls).toEqual(["PUT …/api/users/{id}/avatar :13 okhttp", "GET /api/users/me/preferences :17 okhttp"]);
    expect(f.bases).toEqual(["/api"]);
  });

  test("Ktor routing: nested route blocks, get without a path, {params}, an extension on Route", async () => {
    expect((await found("kotlin", "ktor/Routes.kt")).routes).toEqual([
      "GET / :8 ktor",
      "GET /api/orders :10 ktor",
      "GET /api/orders/{id} :11 ktor",
      "POST /api/orders :12 ktor",
      "DELETE /api/orders/{id}/items/{itemId} :14 ktor",
      "GET /health :21 ktor",
    ]);
  });

  test("Kotlin clients: Retrofit, Ktor client with $templates and urlString =, OkHttp; map.get is no call", async () => {
    expect((await found("kotlin", "kotlin-client/OrdersClient.kt")).calls).toEqual([
      "GET …/api/orders/{id} :10 retrofit",
      "GET …/api/orders :15 ktor-client",
      "DELETE …/api/orders/{id}/items/{item} :17 ktor-client",
      "POST …/api/orders/{id}/refund :19 ktor-client",
      "GET /health :21 okhttp",
    ]);
  });
});

describe("Python", () => {
  test("FastAPI: APIRouter prefix plus include_router prefix, api_route methods", async () => {
    expect((await found("python", "fastapi/app.py")).routes).toEqual([
      "GET /api/v1/users/{user_id} :7 fastapi",
      "POST /api/v1/users :12 fastapi",
      "GET /ping :17 fastapi",
      "HEAD /ping :17 fastapi",
    ]);
  });

  test("Flask: register_blueprint's url_prefix replaces the Blueprint's, <int:id>, methods=, Flask 2 @app.get; requests with an f-string", async () => {
    const f = await found("python", "flask/app.py");
    expect(f.routes).toEqual([
      "GET /shop/orders/{order_id} :8 flask",
      "DELETE /shop/orders/{order_id} :8 flask",
      "GET /shop/orders :13 flask",
      "GET /status :18 flask",
    ]);
    expect(f.calls).toEqual(["GET …/stock/{order_id} :20 requests"]);
  });
});

test("a file that mentions no route or client is not parsed and yields nothing", async () => {
  const c = await extractContracts("go", "package x\n\nfunc Add(a, b int) int { return a + b }\n");
  expect(c).toEqual({ routes: [], calls: [], retrofitBases: [], mounts: [] });
});

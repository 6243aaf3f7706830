// `skep contracts` as a CI job runs it: two repos of a workspace (a Hono + Fastify server and a web
// client), the table in human and --json form, --check's exit codes, and a fix picked up from the
// disk without re-indexing.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ContractsAnswer } from "../../src/protocol/contracts.ts";
import { initRepo, tempDir } from "../helpers/git-repo.ts";

setDefaultTimeout(120_000);

const MAIN = join(import.meta.dir, "../../src/main.ts");
const FIX = join(import.meta.dir, "../fixtures/contracts");

function skep(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !["SKEP_DIR", "NO_COLOR", "FORCE_COLOR"].includes(k)) env[k] = v;
  env.SKEP_NO_DAEMON = "1";
  const p = Bun.spawnSync([process.execPath, MAIN, ...args], { cwd, env, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

let tmp: ReturnType<typeof tempDir>;
let ws: string;
let server: string;
let web: string;

beforeAll(() => {
  tmp = tempDir("skep-contracts-");
  ws = tmp.dir;
  const read = (p: string) => readFileSync(join(FIX, p), "utf8");
  server = initRepo(join(ws, "server"), { "src/app.ts": read("hono/app.ts"), "src/shop.ts": read("fastify/server.ts") });
  web = initRepo(join(ws, "web"), { "src/api.ts": read("web/api.ts") });
  for (const repo of [server, web]) {
    const r = skep(["init", "--workspace", ws, "--repo", repo], ws);
    if (r.code !== 0) throw new Error(r.stderr);
  }
});

afterAll(() => tmp.cleanup());

test("--workspace matches the web client's calls to the server's routes; the one with no route fails --check", () => {
  const r = skep(["contracts", "--workspace", "--json"], web);
  expect(r.code).toBe(0);
  const a = ContractsAnswer.parse(JSON.parse(r.stdout));
  expect(a.repos.map((x) => [x.name, x.routes, x.calls])).toEqual([
    ["server", 9, 0],
    ["web", 0, 6],
  ]);
  const pairs = a.matched.map((m) => `${m.call.method} ${m.call.file}:${m.call.line} -> ${m.routes.map((x) => `${x.repo}:${x.file}:${x.line}`).join(",")}`);
  expect(pairs).toEqual([
    "GET src/api.ts:6 -> server:src/app.ts:7",
    "POST src/api.ts:10 -> server:src/app.ts:8",
    "POST src/api.ts:14 -> server:src/shop.ts:9",
    "DELETE src/api.ts:15 -> server:src/shop.ts:10",
    "GET src/api.ts:16 -> server:src/shop.ts:6",
  ]);
  expect(a.unmatched.map((u) => `${u.call.method} ${u.call.path} ${u.call.file}:${u.call.line}: ${u.reason}`)).toEqual([
    "GET /v2/books/{id}/reviews src/api.ts:20: no route has this path",
  ]);
  expect(a.uncalledRoutes.map((x) => `${x.method} ${x.path}`)).toEqual(["GET /v2/books", "GET /v2/health", "GET /ping", "HEAD /products/{sku}"]);

  const check = skep(["contracts", "--workspace", "--check"], web);
  expect(check.code).toBe(1);
  expect(check.stderr).toBe("skep: 1 client call matches no server route\n");
  expect(check.stdout).toContain("unmatched (1)\n  GET /v2/books/{id}/reviews\n    call   web:src/api.ts:20  fetch\n    no route has this path\n");
  expect(check.stdout).toContain("  GET /v2/books/{id}\n    call   web:src/api.ts:6  axios\n    route  GET /v2/books/{id}  server:src/app.ts:7  hono\n");
  expect(existsSync(join(web, ".skep", "contracts.db"))).toBe(true);
});

test("the missing route, once written, is seen from the disk without re-indexing: --check passes", () => {
  appendFileSync(join(server, "src/app.ts"), 'app.get("/books/:id/reviews", (c) => c.json([]));\n');
  const r = skep(["contracts", "--workspace", "--check"], server);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("6 client calls (6 matched, 0 unmatched), 10 routes (server: 2 files, web: 1 file)");
});

test("one repo alone: calls without a server in the repo are unmatched; --check fails, without it the table is informational", () => {
  const r = skep(["contracts"], web);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("no server routes were found in these repos");
  expect(skep(["contracts", "--check"], web).code).toBe(1);
  const s = skep(["contracts", "--check", "--json"], server);
  expect(s.code).toBe(0);
  expect(ContractsAnswer.parse(JSON.parse(s.stdout)).uncalledRoutes.length).toBe(10);
});

test("errors: --workspace outside a workspace, a repo without an index, an unknown flag", () => {
  const alone = initRepo(join(tmp.dir, "..", `alone-${process.pid}-${Date.now()}`), { "a.ts": 'fetch("/x");\n' });
  try {
    const noIndex = skep(["contracts"], alone);
    expect(noIndex.code).toBe(1);
    expect(noIndex.stderr).toMatch(/^skep: no index at .*: run `skep init` or `skep index`\n$/);
    expect(skep(["index"], alone).code).toBe(0);
    const outside = skep(["contracts", "--workspace"], alone);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain("is in no skep workspace");
    const unknown = skep(["contracts", "--chek"], alone);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--check");
  } finally {
    Bun.spawnSync(["rm", "-rf", alone]);
  }
});

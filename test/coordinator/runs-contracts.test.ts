// The final review starts from the HTTP contract table found without an LLM (src/contracts/),
// read on the workers' branches: a server/client pair where the client's worker calls a route the
// server's worker did not add. The table (in the reviewer's prompt and at the top of report.md)
// shows the matched call with file:line on both sides and the new call as unmatched; the user's
// checkouts and the repos' worktree lists are as they were.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunShowAnswer } from "../../src/protocol/runs.ts";
import { cleanupAll, git } from "../daemon/support.ts";
import { classify, plan, scriptFile, skep, snapshot, workspace } from "./support.ts";

setDefaultTimeout(120_000);
afterEach(cleanupAll);

const SERVER = `import express from "express";

export const app = express();

app.get("/v1/status/:id", (req, res) => {
  res.json({ id: req.params.id, state: "up" });
});

app.post("/v1/reconnect", (_req, res) => {
  res.status(202).json({ accepted: true });
});

app.get("/v1/health", (_req, res) => {
  res.json({ ok: true });
});
`;
const CLIENT = `export async function fetchStatus(id: string) {
  const res = await fetch(\`http://127.0.0.1:8080/v1/status/\${id}\`);
  return res.json();
}

export async function healthy(): Promise<boolean> {
  const res = await fetch("http://127.0.0.1:8080/v1/healthz");
  return res.ok;
}
`;

const CONTRACT = JSON.stringify({
  contract: {
    summary: "The server adds GET /v1/health; the client calls it.",
    items: [{ id: "H1", kind: "route", name: "GET /v1/health", description: "health check answering {ok: true}", producer: "server", consumers: ["client"] }],
    expected_behaviour: "healthy() is true while the server runs",
  },
  specs: [
    { repo: "server", summary: "Add GET /v1/health.", owns: { paths: ["src/routes.ts"] }, implements: ["H1"], acceptance: ["GET /v1/health answers 200"], size: "small" },
    { repo: "client", summary: "Add healthy() calling GET /v1/health.", owns: { paths: ["src/api.ts"] }, consumes: ["H1"], acceptance: ["healthy() calls /v1/health"], size: "small" },
  ],
});
const REVIEW = JSON.stringify({
  summary: "The client calls /v1/healthz; the server serves /v1/health.",
  items: [{ id: "H1", verdict: "broken", sides: [{ repo: "server", file: "src/routes.ts", line: 13 }, { repo: "client", file: "src/api.ts", line: 7 }], note: "path differs: healthz vs health" }],
  look_at: ["the health path"],
});

const worker = (file: string, content: string) => [
  { purpose: "classify", text: classify("small") },
  { purpose: "plan", match: "PLANNER", text: plan([{ verb: "modify", target_file: file, description: `update ${file}` }]) },
  { purpose: "step", text: "done", writes: [{ path: file, content }] },
];

describe("the review starts from the contract table", () => {
  test("matched and unmatched calls on the branches, with file:line on both sides, in the prompt and the report", async () => {
    const server = scriptFile([
      { purpose: "plan", match: "COORDINATOR of a skep run", text: CONTRACT },
      { purpose: "plan", match: "REVIEWER of a skep", text: REVIEW },
      ...worker("src/routes.ts", SERVER),
    ]);
    const client = scriptFile(worker("src/api.ts", CLIENT));
    const bed = workspace(["server", "client"], (n) => ({ llm: "script", llm_script: n === "server" ? server : client }));
    const worktrees = Object.fromEntries(Object.entries(bed.repos).map(([n, r]) => [n, git(r, "worktree", "list")]));
    expect(skep(bed, ["coordinate", "Add a health check route to the server and call it from the client"], bed.repos.server!).code).toBe(0);
    const r = skep(bed, ["run", "approve", "1", "--json"], bed.repos.server!);
    expect(r.code, r.stderr).toBe(0);
    const done = JSON.parse(r.stdout) as RunShowAnswer;
    expect(done.run.status, done.run.reason ?? "").toBe("done");

    const report = readFileSync(done.files.report!, "utf8");
    const table = report.slice(report.indexOf("## HTTP routes and calls found without an LLM"), report.indexOf("## Contract items"));
    expect(table).toContain("| `GET /v1/status/{id}` | client (branch) `src/api.ts:2` | `GET /v1/status/{id}` server (branch) `src/routes.ts:5` | matched |");
    expect(table).toContain("| `GET /v1/healthz` | client (branch) `src/api.ts:7` | - | **unmatched**:");
    expect(table).toContain("`GET /v1/health` server (branch) `src/routes.ts:13`"); // the new route, which nothing calls
    const prompt = readFileSync(join(bed.ws, ".skep-workspace", "runs", "1", "prompts", "review.md"), "utf8");
    expect(prompt).toContain("| `GET /v1/healthz` | client (branch) `src/api.ts:7` | - | **unmatched**:");
    expect(report).toContain("| H1 | route | `GET /v1/health` | **broken** | server `src/routes.ts:13` | client `src/api.ts:7` |");
    // The branches were read in temporary worktrees, gone again; the checkouts are as they were.
    for (const [n, root] of Object.entries(bed.repos)) {
      expect(git(root, "worktree", "list")).toBe(worktrees[n]!);
      expect(snapshot(root)).toEqual(bed.checkouts[n]!);
    }
  });
});

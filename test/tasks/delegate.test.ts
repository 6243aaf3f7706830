// Which peer a delegate step names: the planner's "Delegate to <peer>: <what>", resolved among
// the workspace's other repos (case-insensitive; never the repo itself), with reasons that list
// the peers when the name, the workspace or the registry is wrong.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDelegation } from "../../src/tasks/delegate.ts";
import { registerRepo, registryPath, resolvePeer } from "../../src/workspace/registry.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

afterAll(cleanupAll);

function workspaceOf(...names: string[]): { ws: string; roots: Record<string, string> } {
  const ws = tempDir("skep-ws-");
  const roots: Record<string, string> = {};
  for (const name of names) {
    roots[name] = join(ws, name);
    mkdirSync(roots[name]!, { recursive: true });
    registerRepo(ws, roots[name]!);
  }
  return { ws, roots };
}

describe("parseDelegation", () => {
  test("the peer and the work, in the planner's format", () => {
    expect(parseDelegation("Delegate to mobile: add a ping screen")).toEqual({ peer: "mobile", what: "add a ping screen" });
    expect(parseDelegation("  delegate TO  Web App :  show the list\nwith paging  ")).toEqual({ peer: "Web App", what: "show the list\nwith paging" });
    expect(parseDelegation("Delegate to mobile: see https://example.com/x")).toEqual({ peer: "mobile", what: "see https://example.com/x" });
  });

  test("anything else is not a delegation", () => {
    expect(parseDelegation("Ask mobile to add a ping screen")).toBeNull();
    expect(parseDelegation("Delegate to mobile")).toBeNull();
    expect(parseDelegation("Delegate to mobile:   ")).toBeNull();
  });
});

describe("resolvePeer", () => {
  test("a peer by name, any case; this repo's own registry name travels as the source", () => {
    const { roots } = workspaceOf("backend", "mobile", "web");
    const r = resolvePeer(roots.backend!, "MOBILE");
    expect(r).toEqual({ ok: true, peer: { name: "mobile", path: roots.mobile! }, self: "backend" });
  });

  test("the repo itself is never a peer", () => {
    const { ws, roots } = workspaceOf("backend", "mobile");
    const r = resolvePeer(roots.backend!, "backend");
    expect(r).toEqual({ ok: false, reason: `no peer repo named 'backend' in the workspace ${ws} ('backend' is this repo itself); its peers are: mobile` });
  });

  test("an unknown name lists the peers that exist", () => {
    const { ws, roots } = workspaceOf("backend", "mobile", "web");
    expect(resolvePeer(roots.web!, "desktop")).toEqual({ ok: false, reason: `no peer repo named 'desktop' in the workspace ${ws}; its peers are: backend, mobile` });
    const alone = workspaceOf("solo");
    expect(resolvePeer(alone.roots.solo!, "mobile")).toMatchObject({ ok: false, reason: expect.stringContaining("it has no other repo registered") });
  });

  test("no workspace, or a registry that cannot be read, says so", () => {
    const outside = tempDir("skep-alone-");
    expect(resolvePeer(outside, "mobile")).toEqual({ ok: false, reason: `no peer repo named 'mobile': ${outside} is in no skep workspace (register the repos with \`skep init --workspace DIR\`)` });
    const { ws, roots } = workspaceOf("backend", "mobile");
    writeFileSync(registryPath(ws), "{ not json");
    const r = resolvePeer(roots.backend!, "mobile");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(`the workspace registry cannot be read: ${registryPath(ws)} is not valid JSON`);
  });
});

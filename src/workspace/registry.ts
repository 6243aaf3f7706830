// The workspace registry: `<ws>/.skep-workspace/registry.json` lists the repos that can delegate
// to each other. Found by walking up from a repo, the way git finds `.git`.
import { existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { WorkspaceRegistry } from "../protocol/config.ts";
import { writeFileAtomic } from "../util/fs.ts";
import { findWorkspace, registryPath, requireSafeWorkspace, WORKSPACE_DIR } from "./find.ts";

export { findWorkspace, registryPath, requireSafeWorkspace, WORKSPACE_DIR } from "./find.ts";

export function readRegistry(workspace: string): WorkspaceRegistry {
  const path = registryPath(workspace);
  requireSafeWorkspace(workspace);
  if (!existsSync(path)) return { agents: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); fix it or delete the bad entry`);
  }
  const parsed = WorkspaceRegistry.safeParse(raw);
  if (!parsed.success) throw new Error(`${path} is invalid: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** Add (or update) a repo under its directory name; a different repo already holding the name gets a suffix. */
export function registerRepo(workspace: string, repoRoot: string, llm = "claude"): string {
  mkdirSync(join(workspace, WORKSPACE_DIR), { recursive: true, mode: 0o755 }); // never group-writable: see requireSafeWorkspace
  const reg = readRegistry(workspace);
  const root = resolve(repoRoot);
  let name = Object.entries(reg.agents).find(([, a]) => resolve(a.path) === root)?.[0];
  if (!name) {
    const base = basename(root);
    name = base;
    for (let i = 2; reg.agents[name]; i++) name = `${base}-${i}`;
  }
  reg.agents[name] = { ...reg.agents[name], path: root, llm };
  writeFileAtomic(registryPath(workspace), `${JSON.stringify(reg, null, 2)}\n`);
  return name;
}

/** The repos registered in a workspace, by name. */
export function workspaceRepos(workspace: string): { name: string; path: string }[] {
  return Object.entries(readRegistry(workspace).agents).map(([name, a]) => ({ name, path: a.path }));
}

/**
 * `root`'s place in its workspace: the workspace directory, the name `root` is registered under
 * (null when it is not), and the other repos. Null outside any workspace; throws when the registry
 * cannot be read, for callers that must say why (a delegate step); peersOf() is the lenient form.
 */
export function workspaceOf(root: string): { workspace: string; self: string | null; peers: { name: string; path: string }[] } | null {
  const ws = findWorkspace(root);
  if (!ws) return null;
  const repos = workspaceRepos(ws);
  const self = repos.find((r) => samePath(r.path, root))?.name ?? null;
  return { workspace: ws, self, peers: repos.filter((r) => !samePath(r.path, root)) };
}

/** A repo of the workspace, by its registry name. */
export interface WorkspaceRepo {
  name: string;
  path: string;
}

/**
 * The peer named `name` (case-insensitive) among `root`'s workspace peers (the repo itself is
 * never one), and the name this repo is registered under (its directory name when unregistered).
 * One lookup for every way work crosses repos: the executor's delegate steps and the MCP server's
 * remote task tools, so both accept the same names and explain a wrong one alike.
 */
export function resolvePeer(root: string, name: string): { ok: true; peer: WorkspaceRepo; self: string } | { ok: false; reason: string } {
  let ws;
  try {
    ws = workspaceOf(root);
  } catch (err) {
    return { ok: false, reason: `the workspace registry cannot be read: ${(err as Error).message}` };
  }
  if (!ws) return { ok: false, reason: `no peer repo named '${name}': ${root} is in no skep workspace (register the repos with \`skep init --workspace DIR\`)` };
  const peer = ws.peers.find((p) => p.name.toLowerCase() === name.toLowerCase());
  // Unregistered (a workspace found above it, the repo not in it): its directory name, as `skep init` would register it.
  const self = ws.self ?? basename(root);
  if (peer) return { ok: true, peer, self };
  const known = ws.peers.length ? `its peers are: ${ws.peers.map((p) => p.name).join(", ")}` : "it has no other repo registered";
  const itself = ws.self && ws.self.toLowerCase() === name.toLowerCase() ? ` ('${name}' is this repo itself)` : "";
  return { ok: false, reason: `no peer repo named '${name}' in the workspace ${ws.workspace}${itself}; ${known}` };
}

/** The other repos of `root`'s workspace (none outside one, or when the registry cannot be read). */
export function peersOf(root: string): { name: string; path: string }[] {
  try {
    return workspaceOf(root)?.peers ?? [];
  } catch {
    return []; // a broken registry is reported by the commands that manage it
  }
}

/** The same directory, also when one spelling goes through a symlink (/tmp vs /private/tmp). */
function samePath(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false; // one of them does not exist: not the same repo
  }
}

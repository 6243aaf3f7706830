// Finding a workspace (`<ws>/.skep-workspace/`) above a repo, the way git finds `.git`, without
// reading its registry: the status line and the cockpit look for one every few seconds, and only
// load the registry (registry.ts, with its schema) when there is one.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { requireOwned } from "../trust/ownership.ts";

export const WORKSPACE_DIR = ".skep-workspace";

/**
 * The nearest workspace above `start`, or null. One found that another user owns or can write
 * (a registry planted in a shared parent such as /tmp) throws UnsafePath: registering into it, or
 * starting its peers' daemons, would let that user choose what runs as this one.
 */
export function findWorkspace(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, WORKSPACE_DIR, "registry.json")) || existsSync(join(dir, WORKSPACE_DIR))) {
      requireSafeWorkspace(dir);
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export function registryPath(workspace: string): string {
  return join(workspace, WORKSPACE_DIR, "registry.json");
}

/** A workspace's directory and registry must be this user's, or root's and not writable by others. */
export function requireSafeWorkspace(workspace: string): void {
  requireOwned(join(workspace, WORKSPACE_DIR), { allowRoot: true });
  requireOwned(registryPath(workspace), { allowRoot: true });
}

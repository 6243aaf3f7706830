// The repos a workspace registers, read without the registry's zod schema (registry.ts): the
// status line reads them every few seconds in every cockpit, and building its first zod schema
// costs a process more than everything else the line does. Only a registry that is plainly
// valid is answered here; anything else (missing, not JSON, an unexpected shape) is null, and the
// caller reads it through registry.ts, which validates and says what is wrong.
import { existsSync, readFileSync } from "node:fs";
import { registryPath, requireSafeWorkspace } from "./find.ts";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The registered repos in registry order, as registry.ts workspaceRepos() reads them; null when that must decide. */
export function peekRepos(workspace: string): { name: string; path: string }[] | null {
  try {
    requireSafeWorkspace(workspace);
    const path = registryPath(workspace);
    if (!existsSync(path)) return []; // as registry.ts: no registry yet, no repos
    const raw: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (!isRecord(raw)) return null;
    if (raw.agents === undefined) return [];
    if (!isRecord(raw.agents)) return null;
    const out: { name: string; path: string }[] = [];
    for (const [name, a] of Object.entries(raw.agents)) {
      if (name === "__proto__" || !isRecord(a) || typeof a.path !== "string" || (a.llm !== undefined && typeof a.llm !== "string")) return null;
      out.push({ name, path: a.path });
    }
    return out;
  } catch {
    return null;
  }
}

// What the classifier and planner are told about the repo: the ranked repo map from the index
// (the most important files with their most important symbols) and the peer repos of the workspace.
import { basename } from "node:path";
import { DEFAULT_MAP_TOKENS, repoMap } from "../graph/repomap.ts";
import { indexReadError, openReadonly } from "../index/store.ts";
import { peersOf } from "../workspace/registry.ts";

export interface PromptContext {
  repo: string;
  repoMap: string;
  peers: string[];
}

export function promptContext(root: string, dbPath: string, mapTokens = DEFAULT_MAP_TOKENS): PromptContext {
  return { repo: basename(root), repoMap: repoMapText(dbPath, mapTokens), peers: peerRepos(root) };
}

function repoMapText(dbPath: string, tokens: number): string {
  let db;
  try {
    db = openReadonly(dbPath);
  } catch (err) {
    return `(no index: ${(err as Error).message})`;
  }
  try {
    // The map alone: the planner has no use for the freshness a `map` verb answer would compute.
    const map = repoMap(db, tokens);
    return map.text.trim() ? `Ranked repo map (most important files and symbols first):\n${map.text}` : "(the index holds no symbols)";
  } catch (err) {
    // indexReadError turns damage into "run `skep index`" and leaves the note that makes it rebuild.
    return `(the index could not be read: ${(indexReadError(err, dbPath) as Error).message})`;
  } finally {
    db.close();
  }
}

/** Names of the other repos in this repo's workspace (none outside a workspace). */
export function peerRepos(root: string): string[] {
  return peersOf(root).map((p) => p.name);
}

export function peerBlock(peers: string[]): string {
  return peers.length ? `<peer_repos>\n${peers.join(", ")}\n</peer_repos>\n` : "";
}

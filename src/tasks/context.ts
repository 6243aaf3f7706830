// What the classifier and planner are told about the repo: the ranked repo map from the index
// (the most important files with their most important symbols) and the peer repos of the workspace.
import { basename } from "node:path";
import { answerRead } from "../daemon/ask.ts";
import { rescanFreshness } from "../daemon/answers.ts";
import { indexReadError, openReadonly } from "../index/store.ts";
import { peersOf } from "../workspace/registry.ts";

export interface PromptContext {
  repo: string;
  repoMap: string;
  peers: string[];
}

export function promptContext(root: string, dbPath: string, mapTokens = 1024): PromptContext {
  return { repo: basename(root), repoMap: repoMapText(root, dbPath, mapTokens), peers: peerRepos(root) };
}

function repoMapText(root: string, dbPath: string, tokens: number): string {
  let db;
  try {
    db = openReadonly(dbPath);
  } catch (err) {
    return `(no index: ${(err as Error).message})`;
  }
  try {
    const map = answerRead({ db, root, fresh: rescanFreshness(root) }, "map", { tokens });
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

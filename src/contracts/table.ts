// The contract table for a set of repos: what `skep contracts` prints, and what the coordinator's
// final review starts from.
import type { ContractsAnswer } from "../protocol/contracts.ts";
import { matchContracts } from "./match.ts";
import { repoContracts } from "./repo.ts";

export interface ContractRepoRef {
  name: string;
  /** The repo's work tree root. */
  path: string;
  /** Where its `.skep/` is (default `<path>/.skep`). */
  skepDir?: string;
}

/**
 * Every client call in `repos` with the route(s) it matches, the calls that match none, and the
 * routes nothing calls. Throws IndexUnavailable (src/index/store.ts) naming a repo without a
 * readable index.
 */
export async function contractTable(repos: ContractRepoRef[]): Promise<ContractsAnswer> {
  const found = [];
  for (const r of repos) found.push(await repoContracts(r.name, r.path, r.skepDir));
  return matchContracts(found);
}

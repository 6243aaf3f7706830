// Client calls against server routes: a call matches a route when the methods agree (a route or a
// call with "ANY" takes every method; HEAD is served by GET) and the paths agree segment by
// segment, a parameter on either side standing for any one segment. A relative call (its base is
// not in the code) may also match the end of a route's path. The most literal match wins; ties
// are all reported.
import type { ContractMatch, ContractsAnswer, HttpCall, HttpRoute, UnmatchedCall } from "../protocol/contracts.ts";
import { pathScore, suffixScore } from "./path.ts";
import type { RepoContracts } from "./repo.ts";

function methodsFit(call: HttpCall, route: HttpRoute): boolean {
  return route.method === "ANY" || call.method === "ANY" || route.method === call.method || (call.method === "HEAD" && route.method === "GET");
}

function best(call: HttpCall, routes: HttpRoute[], score: (c: string, r: string) => number): HttpRoute[] {
  let top = -1;
  let out: HttpRoute[] = [];
  for (const r of routes) {
    const s = score(call.path, r.path);
    if (s < 0) continue;
    if (s > top) [top, out] = [s, [r]];
    else if (s === top) out.push(r);
  }
  return out;
}

export function matchContracts(repos: RepoContracts[]): ContractsAnswer {
  const routes = repos.flatMap((r) => r.routes);
  const matched: ContractMatch[] = [];
  const unmatched: UnmatchedCall[] = [];
  const called = new Set<HttpRoute>();
  for (const call of repos.flatMap((r) => r.calls)) {
    const fitting = routes.filter((r) => methodsFit(call, r));
    let how: "exact" | "suffix" = "exact";
    let hits = best(call, fitting, pathScore);
    if (hits.length === 0 && call.relative) {
      hits = best(call, fitting, suffixScore);
      how = "suffix";
    }
    if (hits.length) {
      for (const r of hits) called.add(r);
      matched.push({ call, routes: hits, how });
      continue;
    }
    const samePath = routes.filter((r) => pathScore(call.path, r.path) >= 0 || (call.relative && suffixScore(call.path, r.path) >= 0));
    const reason = samePath.length
      ? `${[...new Set(samePath.map((r) => `${r.method} ${r.path}`))].join(", ")} ${samePath.length === 1 ? "exists" : "exist"}, not ${call.method}`
      : routes.length
        ? "no route has this path"
        : "no server routes were found in these repos";
    unmatched.push({ call, reason });
  }
  return {
    repos: repos.map(({ name, root, files, routes, calls }) => ({ name, root, files, routes: routes.length, calls: calls.length })),
    matched,
    unmatched,
    uncalledRoutes: routes.filter((r) => !called.has(r)),
  };
}

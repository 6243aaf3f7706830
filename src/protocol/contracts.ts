// The HTTP contract table (`skep contracts --json`, and the coordinator's final review, which starts
// from it): every client call found in the listed repos with the server route(s) it matches, the
// calls that match none, and the routes no client calls. Fields are only ever added.
import { z } from "zod";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"] as const;
export const HttpMethod = z.enum(HTTP_METHODS);
export type HttpMethod = z.infer<typeof HttpMethod>;

/** One side of a contract, where it is written. */
const Endpoint = z.object({
  /** The repo's workspace name (its directory name outside a workspace). */
  repo: z.string(),
  /** Repo-relative path, forward slashes. */
  file: z.string(),
  line: z.number().int(),
  /** "ANY" for a route that takes every method (Go's `mux.HandleFunc("/x")`, Flask without methods=). */
  method: HttpMethod,
  /** The normalised path: leading `/`, no trailing `/`, every parameter written `{name}` (`:id`, `<int:id>`, `${id}` alike). */
  path: z.string(),
  /** Which framework or client library the extractor recognised (`gin`, `express`, `retrofit`, `fetch`...). */
  framework: z.string(),
});

export const HttpRoute = Endpoint;
export type HttpRoute = z.infer<typeof HttpRoute>;

export const HttpCall = Endpoint.extend({
  /**
   * The path is relative to a base the code does not spell out (a Retrofit interface without a
   * literal baseUrl, `${API}/users`, a generated client's configurable base path): it matches a
   * route whose path ends with it.
   */
  relative: z.boolean(),
});
export type HttpCall = z.infer<typeof HttpCall>;

export const ContractMatch = z.object({
  call: HttpCall,
  /** Every route that fits equally well (more than one: the same route in several repos, or ambiguous parameters). */
  routes: z.array(HttpRoute).min(1),
  /** "exact": the whole path; "suffix": a relative call matched the end of the route's path. */
  how: z.enum(["exact", "suffix"]),
});
export type ContractMatch = z.infer<typeof ContractMatch>;

export const UnmatchedCall = z.object({
  call: HttpCall,
  /** Why nothing matched, e.g. "no route has this path" or "GET /users/{id} exists, not DELETE". */
  reason: z.string(),
});
export type UnmatchedCall = z.infer<typeof UnmatchedCall>;

export const ContractRepo = z.object({
  name: z.string(),
  root: z.string(),
  /** Source files read (or answered from the cache) in languages with an extractor. */
  files: z.number().int(),
  routes: z.number().int(),
  calls: z.number().int(),
});

export const ContractsAnswer = z.object({
  repos: z.array(ContractRepo),
  matched: z.array(ContractMatch),
  unmatched: z.array(UnmatchedCall),
  /** Routes no call in the listed repos reaches (informational: other clients may call them). */
  uncalledRoutes: z.array(HttpRoute),
});
export type ContractsAnswer = z.infer<typeof ContractsAnswer>;

/**
 * One file's extraction as `.skep/contracts.db` keeps it (src/contracts/cache.ts). The cache sits
 * in a repo's directory, so what is read back is checked like any data from disk: a row that does
 * not fit is a cache miss.
 */
const Found = z.object({ method: HttpMethod, path: z.string(), line: z.number().int(), framework: z.string() });
export const CachedFileContracts = z.object({
  routes: z.array(Found.extend({ owner: z.string().optional(), ownPrefix: z.string().optional() })),
  calls: z.array(Found.extend({ relative: z.boolean() })),
  retrofitBases: z.array(z.string()),
  mounts: z.array(
    z.object({
      kind: z.enum(["js", "python", "go"]),
      module: z.string().nullable(),
      name: z.string(),
      prefix: z.string(),
      owner: z.string().nullable(),
      replaces: z.boolean().optional(),
    }),
  ),
});

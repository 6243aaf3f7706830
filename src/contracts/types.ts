// What the extractors find in one file, before the repo and file name are attached. Stored in the
// cache by content hash (src/contracts/cache.ts), so nothing here may depend on the file's path.
import type { HttpMethod } from "../protocol/contracts.ts";

export interface FoundEndpoint {
  method: HttpMethod;
  path: string;
  line: number;
  framework: string;
}

export interface FoundRoute extends FoundEndpoint {
  /**
   * What the route hangs from, for mounts in other files (see Mount): the router variable at the
   * root of the file's own chain of mounts (JS, Python), or the enclosing function (Go).
   */
  owner?: string;
  /** A Flask Blueprint's own url_prefix, already in `path`: a `register_blueprint(url_prefix=)` elsewhere replaces it. */
  ownPrefix?: string;
}

export type FoundCall = FoundEndpoint & { relative: boolean };

/**
 * A router defined in another file, mounted here at a prefix: `app.use("/api", users)` with `users`
 * imported, `app.include_router(users.router, prefix="/v1")`, gin's `users.Register(api)` with
 * `api := r.Group("/api")`. The repo pass (src/contracts/mounts.ts) finds the file `module` names
 * and prefixes the routes whose owner is `name`.
 */
export interface Mount {
  kind: "js" | "python" | "go";
  /** The import specifier (`./routes/users`, `.routers.users`, `example.com/app/users`); null: this file's own package (Go). */
  module: string | null;
  /** The owner in that file: an exported router's name, `default` for a default export, a Go function's name. */
  name: string;
  prefix: string;
  /** The owner of the router this mount is made on, when that is itself mounted from elsewhere. */
  owner: string | null;
  /** Flask: the prefix given replaces the Blueprint's own. */
  replaces?: boolean;
}

export interface FileContracts {
  routes: FoundRoute[];
  calls: FoundCall[];
  /**
   * Literal base paths the file gives a Retrofit client (`baseUrl("https://host/v1/")` → `/v1`):
   * a repo with exactly one applies it to its Retrofit calls (src/contracts/repo.ts).
   */
  retrofitBases: string[];
  mounts: Mount[];
}

export function emptyContracts(): FileContracts {
  return { routes: [], calls: [], retrofitBases: [], mounts: [] };
}

export const METHOD_NAMES: Record<string, HttpMethod> = {
  get: "GET",
  post: "POST",
  put: "PUT",
  patch: "PATCH",
  delete: "DELETE",
  head: "HEAD",
  options: "OPTIONS",
};

/** `GET`, `get`, `Get`, `RequestMethod.GET`, `HttpMethod.Get` → "GET"; anything else null. */
export function methodOf(text: string): HttpMethod | null {
  const last = text.replace(/^.*\./, "").toLowerCase();
  return METHOD_NAMES[last] ?? null;
}

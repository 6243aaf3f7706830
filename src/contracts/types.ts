// What the extractors find in one file, before the repo and file name are attached. Stored in the
// cache by content hash (src/contracts/cache.ts), so nothing here may depend on the file's path.
import type { HttpMethod } from "../protocol/contracts.ts";

export interface FoundRoute {
  method: HttpMethod;
  path: string;
  line: number;
  framework: string;
}

export interface FoundCall extends FoundRoute {
  relative: boolean;
}

export interface FileContracts {
  routes: FoundRoute[];
  calls: FoundCall[];
  /**
   * Literal base paths the file gives a Retrofit client (`baseUrl("https://host/v1/")` → `/v1`):
   * a repo with exactly one applies it to its Retrofit calls (src/contracts/repo.ts).
   */
  retrofitBases: string[];
}

export function emptyContracts(): FileContracts {
  return { routes: [], calls: [], retrofitBases: [] };
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

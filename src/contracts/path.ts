// HTTP paths as the extractors read them and as matching compares them. Every framework spells a
// parameter its own way (`:id`, `{id}`, `<int:id>`, `${id}`, `$id`, `*rest`); normalised, each is
// `{name}`, a catch-all is `{name...}`, and two paths compare segment by segment.

/** A path as code builds it: literal text and the values spliced in (a parameter, or a base URL). */
export type Piece = { lit: string } | { param: string };

export interface BuiltPath {
  /** Normalised path (see normalisePath). */
  path: string;
  /** The path starts at a base the code does not spell out (see HttpCall.relative in src/protocol/contracts.ts). */
  relative: boolean;
}

/** The name a spliced expression gives its parameter: the last identifier in it (`user.id` → `id`). */
export function paramName(expr: string): string {
  const names = expr.match(/[A-Za-z_][A-Za-z0-9_]*/g);
  return names?.at(-1) ?? "param";
}

/**
 * A client's URL from its pieces, or null when it has no literal path part (a bare variable). A
 * value spliced in before the first `/` is a base URL (`${API}/users`), which makes the path
 * relative; so does a literal that starts neither with `/` nor with a scheme (Retrofit's
 * `users/{id}`).
 */
export function piecesToPath(pieces: Piece[], opts: { bareIsRelative?: boolean } = {}): BuiltPath | null {
  const merged = mergeLiterals(pieces);
  if (!merged.some((p) => "lit" in p && p.lit.length > 0)) return null;
  let relative = false;
  let start = 0;
  const first = merged[0]!;
  if ("param" in first) {
    const next = merged[1];
    // `${base}` followed by a path (`${base}/users`) or a query (`${base}?q=`): a base URL.
    if (next && "lit" in next && /^[/?]/.test(next.lit)) {
      relative = true;
      start = 1;
    }
  }
  let text = "";
  for (const p of merged.slice(start)) text += "lit" in p ? p.lit : `{${p.param}}`;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(text);
  if (scheme) text = text.slice(scheme[0].length);
  else if (start === 0 && !text.startsWith("/")) {
    if (!opts.bareIsRelative && !/^[\w{.-]+\//.test(text)) return null;
    relative = true;
  }
  return { path: normalisePath(text), relative };
}

function mergeLiterals(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out.at(-1);
    if ("lit" in p && last && "lit" in last) out[out.length - 1] = { lit: last.lit + p.lit };
    else out.push(p);
  }
  return out;
}

/** Joins a prefix (a route group, a class-level mapping, a base path) and a path, one `/` between them. */
export function joinPath(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return `${prefix.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/**
 * One spelling for every framework's path: scheme, host, query and fragment dropped, a leading
 * `/`, no trailing `/` (but `/` itself), `//` collapsed, parameters as `{name}`, catch-alls as
 * `{name...}`.
 */
export function normalisePath(raw: string): string {
  let p = raw.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(p);
  if (scheme) p = p.slice(scheme[0].length);
  p = p.replace(/[?#].*$/s, "");
  const segments = p.split("/").filter((s) => s.length > 0).map(normaliseSegment);
  return `/${segments.join("/")}`;
}

function normaliseSegment(s: string): string {
  // Express/gin/Ktor-less `:id`, `:id?`, `:id(\\d+)`; gin's catch-all `*path`; a bare `*`.
  let m = /^:([A-Za-z_][\w-]*)(\(.*\))?\??$/.exec(s);
  if (m) return `{${m[1]}}`;
  m = /^\*([A-Za-z_]\w*)?$/.exec(s);
  if (m) return `{${m[1] ?? ""}...}`;
  // Flask/Werkzeug `<id>`, `<int:id>`, `<path:rest>`.
  s = s.replace(/<(?:([A-Za-z_]\w*):)?([A-Za-z_]\w*)>/g, (_all, conv: string | undefined, name: string) => (conv === "path" ? `{${name}...}` : `{${name}}`));
  // `${expr}` left in a literal, then `{name:regex}` (gorilla, chi, Spring), `{name?}`, Ktor's `{name...}` kept.
  s = s.replace(/\$\{([^}]*)\}/g, (_all, expr: string) => `{${paramName(expr)}}`);
  s = s.replace(/\{([A-Za-z_][\w-]*)(\.\.\.)?(?::[^}]*)?\??\}/g, (_all, name: string, rest: string | undefined) => `{${name}${rest ?? ""}}`);
  return s;
}

const PARAM = /^\{[^}]*\}$/;
const REST = /^\{[^}]*\.\.\.\}$/;

function segmentsOf(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

/** How a segment compares: equal text, or a parameter on either side (a partly-parameter segment such as `v{n}` counts as one). */
function segmentFits(call: string, route: string): "literal" | "param" | null {
  if (call === route) return PARAM.test(route) ? "param" : "literal";
  if (route.includes("{") || call.includes("{")) return "param";
  return null;
}

/**
 * Whether a call's path reaches a route's path, and how specifically: the number of segments that
 * matched literally (higher is a better match), or -1. A route's catch-all takes the rest.
 */
export function pathScore(callPath: string, routePath: string): number {
  return segmentsScore(segmentsOf(callPath), segmentsOf(routePath));
}

function segmentsScore(call: string[], route: string[]): number {
  let score = 0;
  for (let i = 0; i < route.length; i++) {
    if (REST.test(route[i]!)) return i === route.length - 1 ? score : -1;
    if (i >= call.length) return -1;
    const fit = segmentFits(call[i]!, route[i]!);
    if (!fit) return -1;
    if (fit === "literal") score++;
  }
  return call.length === route.length ? score : -1;
}

/** A relative call against the end of a route's path (the route's leading segments are the call's unknown base). */
export function suffixScore(callPath: string, routePath: string): number {
  const call = segmentsOf(callPath);
  const route = segmentsOf(routePath);
  if (call.length === 0 || route.length < call.length) return -1;
  const tail = route.slice(route.length - call.length);
  // Stricter than a whole path: the call's literal segments must meet literal segments (a
  // relative `stock/{id}` must not fit `{userId}/avatar`), and at least one must.
  const literals = call.filter((s) => !s.includes("{")).length;
  if (literals === 0 || tail.some((s, i) => s.includes("{") && !call[i]!.includes("{"))) return -1;
  return segmentsScore(call, tail);
}

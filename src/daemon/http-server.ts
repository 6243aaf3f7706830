// The HTTP sidecar on 127.0.0.1 at a random port: the socket's verbs for clients that speak HTTP
// (the cockpit, editors, browsers' extensions). Every request needs `Authorization: Bearer <token>`
// (the 64-hex token in `.skep/http.json`, mode 0600, compared in constant time); without a token
// the sidecar does not start. The server itself listens on a Unix socket beside the daemon's
// (0600, in a directory only this user enters); the TCP port is http-gate.ts, which caps
// connections and evicts unauthenticated ones before they reach it.
//
//   POST /v1/<verb>     params as the JSON body (empty body: no params)
//   GET  /v1/<verb>     read verbs only, params from the query string (?query=...&limit=5)
//   GET  /v1/events     Server-Sent Events (?events=index.*,head.moved to filter)
import type { Server } from "bun";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, unlinkSync } from "node:fs";
import type { z } from "zod";
import { writeFileAtomic } from "../util/fs.ts";
import { isVerb, MAX_REQUEST_BYTES, VERBS, type ErrorCode, type HttpInfo } from "../protocol/socket.ts";
import type { EventBus } from "./bus.ts";
import { httpStatusOf, wireError } from "../api/errors.ts";
import { checkRequest, runVerb, type VerbHost } from "./verbs.ts";
import { SkepError } from "../errors.ts";
import { HttpGate } from "./http-gate.ts";

/** A request that takes longer than this is answered 504 (refresh waits up to its own timeoutMs). */
const REQUEST_TIMEOUT_MS = 30_000;
/** Seconds a connection may sit idle (slow or silent clients); SSE streams are exempt. */
const IDLE_TIMEOUT_S = 30;

export interface HttpLimits {
  /** Connections through the TCP gate in all (each costs three descriptors: two here, one the client's). */
  maxConnections: number;
  /** Connections not yet authenticated by a request carrying the token. */
  maxUnauthenticated: number;
}

export class HttpServer {
  private server: Server<undefined> | null = null;
  private gate: HttpGate | null = null;
  private token = "";
  private tokenDigest = Buffer.alloc(0);
  private inFlight = 0;
  /** Requests answered so far (errors included). */
  answered = 0;
  private readonly streams = new Set<() => void>();

  constructor(
    private readonly infoPath: string,
    /** The server's own Unix socket, behind the gate. */
    private readonly socketPath: string,
    private readonly host: VerbHost,
    private readonly bus: EventBus,
    private readonly limits: HttpLimits,
  ) {}

  get url(): string | null {
    return this.gate?.port ? `http://127.0.0.1:${this.gate.port}` : null;
  }

  /** Connections held at the gate, and how many it refused or evicted. */
  get connections(): { open: number; refused: number; evicted: number } {
    return { open: this.gate?.connections ?? 0, refused: this.gate?.refused ?? 0, evicted: this.gate?.evicted ?? 0 };
  }

  /** Start on a random loopback port and publish url + token in http.json (0600). */
  start(): HttpInfo {
    const token = randomBytes(32).toString("hex");
    if (!/^[0-9a-f]{64}$/.test(token)) throw new Error("could not generate an HTTP token; refusing to serve without one");
    this.token = token;
    this.tokenDigest = createHash("sha256").update(token).digest();
    // The caller holds the daemon lock: a socket file already there is stale.
    if (existsSync(this.socketPath)) unlinkSync(this.socketPath);
    // idleTimeout applies on a Unix socket too; Bun's types offer it only with a port.
    const options = {
      unix: this.socketPath,
      maxRequestBodySize: MAX_REQUEST_BYTES,
      idleTimeout: IDLE_TIMEOUT_S,
      fetch: (req: Request, server: Server<undefined>) => {
        this.answered++;
        return this.handle(req, server);
      },
      error: (err: Error) => json(500, { ok: false, error: { code: "internal", message: err.message } }),
    };
    this.server = Bun.serve(options as unknown as Bun.Serve.Options<undefined>);
    chmodSync(this.socketPath, 0o600);
    this.gate = new HttpGate({ upstream: this.socketPath, authorized: (value) => this.tokenMatches(value), ...this.limits });
    this.gate.start();
    const info: HttpInfo = { url: this.url!, token, pid: process.pid };
    try {
      writeFileAtomic(this.infoPath, `${JSON.stringify(info, null, 2)}\n`, 0o600);
      chmodSync(this.infoPath, 0o600);
    } catch (err) {
      this.server.stop(true);
      this.server = null;
      this.gate.stop();
      this.gate = null;
      throw new Error(`could not write ${this.infoPath} (${(err as Error).message}); refusing to serve HTTP without a published token`);
    }
    return info;
  }

  stopAccepting(): void {
    for (const close of [...this.streams]) close();
    this.gate?.stopAccepting();
    this.server?.stop(false);
    for (const path of [this.infoPath, this.socketPath]) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < until) await Bun.sleep(10);
  }

  closeAll(): void {
    this.gate?.stop();
    this.gate = null;
    this.server?.stop(true);
    this.server = null;
  }

  /** Why a request from outside this machine's own clients is refused, or null. */
  private foreign(req: Request): string | null {
    const host = (req.headers.get("host") ?? "").toLowerCase();
    const port = this.gate?.port;
    const loopback = ["127.0.0.1", "localhost", "[::1]"].flatMap((h) => [h, `${h}:${port}`]);
    if (!loopback.includes(host)) return `Host '${host}' is not this daemon's loopback address (http://127.0.0.1:${port})`;
    const origin = req.headers.get("origin");
    if (origin !== null) return `cross-origin requests are refused (Origin: ${origin})`;
    return null;
  }

  private authorized(req: Request): boolean {
    return this.tokenMatches(req.headers.get("authorization") ?? "");
  }

  private tokenMatches(h: string): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m) return false;
    // Hash both sides so the comparison takes the same time whatever the given token's length.
    const given = createHash("sha256").update(m[1]!).digest();
    return timingSafeEqual(given, this.tokenDigest);
  }

  private async handle(req: Request, server: Server<undefined>): Promise<Response> {
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 still sends its own Host and an
    // Origin. Only loopback names are served, and no browser page (even with a leaked token).
    const refused = this.foreign(req);
    if (refused) return json(403, { ok: false, error: { code: "bad_request", message: refused } }, { connection: "close" });
    if (!this.authorized(req)) {
      // Closed after the answer: an unauthenticated client (another local user) cannot hold
      // keep-alive connections, and with them this daemon's file descriptors.
      return json(401, { ok: false, error: { code: "bad_request", message: "missing or wrong bearer token (see .skep/http.json)" } }, { "www-authenticate": 'Bearer realm="skep"', connection: "close" });
    }
    const url = new URL(req.url);
    const m = /^\/v1\/([A-Za-z0-9._-]+)\/?$/.exec(url.pathname);
    if (!m) return fail(404, "not_found", `no such endpoint: ${url.pathname} (endpoints are /v1/<verb> and /v1/events)`);
    const name = m[1]!;
    if (name === "events") {
      if (req.method !== "GET") return methodNotAllowed("GET");
      server.timeout(req, 0); // an event stream may stay quiet for hours
      return this.events(url);
    }
    if (!isVerb(name) || name === "subscribe") {
      const hint = name === "subscribe" ? " (over HTTP, subscribe with GET /v1/events)" : "";
      return fail(404, "unknown_verb", `unknown verb '${name}'${hint}`);
    }
    const read = VERBS[name].read;
    let params: unknown;
    if (req.method === "POST") {
      const body = await readBody(req);
      if (body instanceof Response) return body;
      params = body;
    } else if (req.method === "GET" && read) {
      params = queryParams(url, VERBS[name].params);
    } else {
      return methodNotAllowed(read ? "GET, POST" : "POST");
    }
    this.inFlight++;
    try {
      const checked = checkRequest(name, params);
      const timeoutMs = longVerbTimeout(checked.verb, checked.params) ?? REQUEST_TIMEOUT_MS;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SkepError("timeout", `no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const result = await Promise.race([runVerb(this.host, checked), timeout]);
        return json(200, { ok: true, result });
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      const e = wireError(err);
      return json(httpStatusOf(e.code), { ok: false, error: e });
    } finally {
      this.inFlight--;
    }
  }

  private events(url: URL): Response {
    const filter = url.searchParams.getAll("events").flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
    let off: (() => void) | null = null;
    let close: (() => void) | null = null;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const enc = new TextEncoder();
        const send = (text: string) => {
          try {
            controller.enqueue(enc.encode(text));
          } catch {
            close?.();
          }
        };
        close = () => {
          off?.();
          off = null;
          if (close) this.streams.delete(close);
          try {
            controller.close();
          } catch {
            // already closed
          }
        };
        this.streams.add(close);
        send(`: skep events\nretry: 2000\n\n`);
        off = this.bus.subscribe((e) => send(`id: ${e.seq}\nevent: ${e.event}\ndata: ${JSON.stringify(e)}\n\n`), filter.length ? filter : undefined);
      },
      cancel: () => {
        off?.();
        off = null;
        if (close) this.streams.delete(close);
      },
    });
    return new Response(stream, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" },
    });
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

function fail(status: number, code: ErrorCode, message: string): Response {
  return json(status, { ok: false, error: { code, message } });
}

function methodNotAllowed(allow: string): Response {
  return json(405, { ok: false, error: { code: "bad_request", message: `method not allowed here (allowed: ${allow})` } }, { allow });
}

/** The body as JSON (an empty body is {}), or the error Response to send. */
async function readBody(req: Request): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_REQUEST_BYTES) return fail(413, "too_large", `request body exceeds ${MAX_REQUEST_BYTES} bytes`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await req.arrayBuffer());
  } catch {
    return fail(413, "too_large", `request body exceeds ${MAX_REQUEST_BYTES} bytes`);
  }
  if (bytes.length > MAX_REQUEST_BYTES) return fail(413, "too_large", `request body exceeds ${MAX_REQUEST_BYTES} bytes`);
  const text = new TextDecoder().decode(bytes).trim();
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== "object" || Array.isArray(v)) return fail(400, "bad_params", "the body must be a JSON object of params");
    return v;
  } catch {
    return fail(400, "bad_json", "the body is not valid JSON");
  }
}

/** Query string to params, typed by the verb's schema: numbers and booleans converted, repeats as arrays. */
function queryParams(url: URL, schema: z.ZodType): Record<string, unknown> {
  const shape = ((schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {}) as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    const field = key === "q" && !shape.q && shape.query ? "query" : key;
    const type = baseType(shape[field]);
    const convert = (v: string): unknown => {
      if (type === "number") return v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v;
      if (type === "boolean") return v === "true" || v === "1" ? true : v === "false" || v === "0" ? false : v;
      return v;
    };
    out[field] = values.length > 1 || type === "array" ? values.map(convert) : convert(values[0]!);
  }
  return out;
}

function baseType(t: z.ZodType | undefined): string | null {
  let cur = t as unknown as { _zod?: { def: { type: string; innerType?: unknown } } } | undefined;
  while (cur?._zod && (cur._zod.def.type === "optional" || cur._zod.def.type === "default")) cur = cur._zod.def.innerType as typeof cur;
  return cur?._zod?.def.type ?? null;
}

/** Verbs that wait by design (a re-index, a task's transition, an LLM pipeline) get their own time. */
function longVerbTimeout(verb: string, params: unknown): number | null {
  switch (verb) {
    case "refresh":
    case "task.wait":
      return (params as { timeoutMs: number }).timeoutMs + 5_000;
    case "task.create":
    case "task.clarify":
      return 3_600_000;
    case "task.interrupt":
      return 60_000;
    default:
      return null;
  }
}

// The Unix socket: newline-delimited JSON, many requests per connection, pipelined. Each line gets
// exactly one reply (or, when it is not a request at all, one error with id null); a bad line never
// closes the connection. Lines over MAX_REQUEST_BYTES are refused and skipped up to the next newline.
// Connections are capped (util/fds.ts keeps descriptors for the index and tasks); a connection with
// no request in flight and no subscription is idle, closed after IDLE_TIMEOUT_S, and the first to
// go (the longest idle) when a new one would exceed the cap: idle connections cannot lock out the
// owner's CLI.
import type { Socket, UnixSocketListener } from "bun";
import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { Request, MAX_REQUEST_BYTES, SubscribeParams, type ErrorBody, type ErrorCode, type RequestId } from "../protocol/socket.ts";
import { wireError } from "../api/errors.ts";
import type { EventBus } from "./bus.ts";
import { checkRequest, describeIssues, runVerb, type VerbHost } from "./verbs.ts";

interface Conn {
  chunks: Buffer[];
  length: number;
  /** Inside an oversized line: drop bytes until the next newline. */
  discarding: boolean;
  out: Buffer[];
  outBytes: number;
  closed: boolean;
  unsubscribe: (() => void) | null;
  /** Requests of this connection not answered yet. */
  pending: number;
  /** When it last sent a line or got an answer (for choosing whom to evict). */
  lastActive: number;
}

/** A client that does not read its replies or events gets cut off beyond this much backlog. */
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024;
/** Seconds a connection may sit idle (nothing in flight, not subscribed) before it is closed. */
export const IDLE_TIMEOUT_S = 300;

export interface SocketLimits {
  maxConnections: number;
}

export class SocketServer {
  private listener: UnixSocketListener<Conn> | null = null;
  private readonly sockets = new Set<Socket<Conn>>();
  private inFlight = 0;
  /** Lines answered so far (errors included). */
  answered = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(
    readonly path: string,
    private readonly host: VerbHost,
    private readonly bus: EventBus,
    private readonly log: (msg: string) => void,
    private readonly limits: SocketLimits = { maxConnections: 1024 },
  ) {}

  get connections(): number {
    return this.sockets.size;
  }

  /** Listen; the caller holds the daemon lock, so a socket file already there is stale. */
  start(): void {
    if (existsSync(this.path)) unlinkSync(this.path);
    this.listener = Bun.listen<Conn>({
      unix: this.path,
      socket: {
        open: (s) => {
          s.data = { chunks: [], length: 0, discarding: false, out: [], outBytes: 0, closed: false, unsubscribe: null, pending: 0, lastActive: Date.now() };
          if (this.sockets.size >= this.limits.maxConnections && !this.evictIdle()) {
            s.end(`${JSON.stringify({ id: null, ok: false, error: { code: "busy", message: "too many connections" } })}\n`);
            return;
          }
          this.sockets.add(s);
          s.timeout(IDLE_TIMEOUT_S);
        },
        timeout: (s) => {
          // Bun closes the socket after this; one that waits on an answer or streams events is not idle.
          if (this.busy(s.data)) s.timeout(IDLE_TIMEOUT_S);
          else {
            s.end();
            this.onClose(s);
          }
        },
        data: (s, chunk) => this.onData(s, chunk),
        drain: (s) => this.flush(s),
        close: (s) => this.onClose(s),
        error: (s, err) => {
          this.log(`socket connection error: ${err.message}`);
          this.onClose(s);
        },
      },
    });
    chmodSync(this.path, 0o600);
  }

  /** Stop accepting connections (in-flight requests continue). */
  stopAccepting(): void {
    this.listener?.stop(false);
    this.listener = null;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  /** Resolves when no request is being answered (or after timeoutMs). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return;
    await Promise.race([new Promise<void>((r) => this.drainWaiters.push(r)), Bun.sleep(timeoutMs)]);
  }

  /** End every connection once its pending replies are written (waits up to 2 s for slow readers). */
  async closeAll(): Promise<void> {
    const until = Date.now() + 2_000;
    while ([...this.sockets].some((s) => s.data.out.length) && Date.now() < until) await Bun.sleep(10);
    for (const s of this.sockets) s.end();
    this.sockets.clear();
  }

  private busy(c: Conn): boolean {
    return c.pending > 0 || c.unsubscribe !== null || c.out.length > 0;
  }

  /** Close the longest-idle connection to make room; false when every connection is busy. */
  private evictIdle(): boolean {
    let victim: Socket<Conn> | null = null;
    for (const s of this.sockets) if (!this.busy(s.data) && (!victim || s.data.lastActive < victim.data.lastActive)) victim = s;
    if (!victim) return false;
    this.log("closing the longest idle socket connection to make room for a new one");
    victim.end();
    this.onClose(victim);
    return true;
  }

  // ------------------------------------------------------------------ reading

  private onData(s: Socket<Conn>, chunk: Buffer): void {
    const c = s.data;
    c.lastActive = Date.now();
    s.timeout(IDLE_TIMEOUT_S);
    let start = 0;
    while (start < chunk.length && !c.closed) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        const rest = chunk.subarray(start);
        if (c.discarding) return;
        if (c.length + rest.length > MAX_REQUEST_BYTES) {
          this.tooLarge(s);
          c.discarding = true;
          c.chunks = [];
          c.length = 0;
          return;
        }
        // Copy: Bun may reuse the chunk's memory after this callback returns.
        c.chunks.push(Buffer.from(rest));
        c.length += rest.length;
        return;
      }
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (c.discarding) {
        c.discarding = false;
        continue;
      }
      if (c.length + piece.length > MAX_REQUEST_BYTES) {
        this.tooLarge(s);
        c.chunks = [];
        c.length = 0;
        continue;
      }
      const line = c.length ? Buffer.concat([...c.chunks, piece]) : piece;
      c.chunks = [];
      c.length = 0;
      this.onLine(s, line);
    }
  }

  private tooLarge(s: Socket<Conn>): void {
    this.replyError(s, null, wire("too_large", `request line exceeds ${MAX_REQUEST_BYTES} bytes`));
  }

  private onLine(s: Socket<Conn>, raw: Buffer): void {
    const text = raw.toString("utf8").trim();
    if (!text) return; // blank lines are allowed between requests
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.replyError(s, null, wire("bad_json", "the line is not valid JSON"));
      return;
    }
    const req = Request.safeParse(value);
    if (!req.success) {
      const id = readableId(value);
      this.replyError(s, id, wire("bad_request", `not a request {id, verb, params}: ${describeIssues(req.error)}`));
      return;
    }
    const { id, verb, params } = req.data;
    let checked;
    try {
      checked = checkRequest(verb, params);
    } catch (err) {
      this.replyError(s, id, wireError(err));
      return;
    }
    if (checked.verb === "subscribe") {
      const p = checked.params;
      s.data.unsubscribe?.();
      s.data.unsubscribe = this.bus.subscribe((e) => this.write(s, `${JSON.stringify(e)}\n`), p.events);
      this.write(s, `${JSON.stringify({ id, ok: true, result: { subscribed: true, seq: this.bus.lastSeq } })}\n`);
      return;
    }
    this.inFlight++;
    s.data.pending++;
    runVerb(this.host, checked)
      .then(
        (result) => {
          this.answered++;
          this.write(s, `${JSON.stringify({ id, ok: true, result })}\n`);
        },
        (err) => this.replyError(s, id, wireError(err)),
      )
      .finally(() => {
        s.data.pending--;
        s.data.lastActive = Date.now();
        if (--this.inFlight === 0) for (const r of this.drainWaiters.splice(0)) r();
      });
  }

  // ------------------------------------------------------------------ writing

  private replyError(s: Socket<Conn>, id: RequestId | null, error: ErrorBody): void {
    this.answered++;
    this.write(s, `${JSON.stringify({ id, ok: false, error })}\n`);
  }

  private write(s: Socket<Conn>, line: string): void {
    const c = s.data;
    if (c.closed) return;
    const buf = Buffer.from(line);
    if (c.out.length) {
      c.out.push(buf);
      c.outBytes += buf.length;
    } else {
      const n = s.write(buf);
      if (n < buf.length) {
        const rest = buf.subarray(Math.max(0, n));
        c.out.push(rest);
        c.outBytes += rest.length;
      }
    }
    if (c.outBytes > MAX_BACKLOG_BYTES) {
      this.log("closing a socket connection that does not read its replies");
      s.end();
      this.onClose(s);
    }
  }

  private flush(s: Socket<Conn>): void {
    const c = s.data;
    while (c.out.length && !c.closed) {
      const buf = c.out[0]!;
      const n = s.write(buf);
      if (n >= buf.length) {
        c.out.shift();
        c.outBytes -= buf.length;
      } else {
        if (n > 0) {
          c.out[0] = buf.subarray(n);
          c.outBytes -= n;
        }
        return;
      }
    }
  }

  private onClose(s: Socket<Conn>): void {
    const c = s.data;
    if (!c || c.closed) return;
    c.closed = true;
    c.unsubscribe?.();
    c.unsubscribe = null;
    c.out = [];
    c.chunks = [];
    this.sockets.delete(s);
  }
}

function readableId(value: unknown): RequestId | null {
  if (value && typeof value === "object" && "id" in value) {
    const id = (value as { id: unknown }).id;
    if ((typeof id === "string" && id.length <= 200) || (typeof id === "number" && Number.isFinite(id))) return id;
  }
  return null;
}

const wire = (code: ErrorCode, message: string): ErrorBody => ({ code, message });

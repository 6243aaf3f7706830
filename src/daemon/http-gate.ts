// The HTTP sidecar's front door on 127.0.0.1: a TCP listener that decides which connections the
// HTTP server (listening on a Unix socket inside the 0700 .skep/, unreachable to other users) gets
// to see. Bun.serve has no hook for connections, only for requests, so without this door any local
// user could hold thousands of connections without a token and exhaust the daemon's descriptors.
//
// - A connection is unauthenticated until its first request's head carries the right bearer token.
//   Beyond `maxUnauthenticated` of those, the oldest are closed once they had GRACE_MS to show a
//   token; and one that sends no complete head within HEAD_TIMEOUT_MS is closed.
// - At most `maxConnections` in all: a new connection beyond that evicts the oldest unauthenticated
//   one if it had MIN_AGE_MS to show a token, else it is closed at once. A flood of tokenless
//   connections thus evicts itself, while the owner's (authenticated milliseconds after
//   connecting) stay, even when the kernel hands over a burst of queued connections at once.
// - Bytes are piped both ways unchanged (the server still checks Host, Origin and the token on
//   every request); each direction's backlog is bounded.
import type { Socket, TCPSocketListener } from "bun";

const HEAD_TIMEOUT_MS = 5_000;
const GRACE_MS = 1_000;
const MIN_AGE_MS = 200;
/** Request heads larger than this are not looked into (the server refuses them anyway). */
const MAX_HEAD_BYTES = 16 * 1024;
/** A side that does not read gets cut off beyond this much backlog. */
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024;

export interface GateOptions {
  /** The HTTP server's Unix socket. */
  upstream: string;
  /** Whether a request head's Authorization value carries the daemon's token (constant time). */
  authorized: (authorization: string) => boolean;
  maxConnections: number;
  maxUnauthenticated: number;
}

interface Side {
  socket: Socket<unknown> | null;
  /** Bytes waiting for this side to accept them. */
  out: Buffer[];
  outBytes: number;
}

interface Conn {
  client: Side;
  server: Side;
  head: Buffer;
  authenticated: boolean;
  closed: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  opened: number;
}

export class HttpGate {
  private listener: TCPSocketListener<Conn> | null = null;
  private readonly conns = new Set<Socket<Conn>>();
  /** Unauthenticated connections, oldest first (a Set keeps insertion order). */
  private readonly unauthenticated = new Set<Socket<Conn>>();
  /** Connections closed at the door (over a cap) or evicted, for status and tests. */
  refused = 0;
  evicted = 0;

  constructor(private readonly o: GateOptions) {}

  get port(): number | null {
    return this.listener?.port ?? null;
  }

  get connections(): number {
    return this.conns.size;
  }

  start(): number {
    this.listener = Bun.listen<Conn>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (s) => this.onOpen(s),
        data: (s, chunk) => this.fromClient(s, chunk),
        drain: (s) => this.flush(s.data.client, s.data),
        close: (s) => this.close(s),
        error: (s) => this.close(s),
        end: (s) => this.close(s),
      },
    });
    return this.listener.port;
  }

  /** No new connections; the open ones go on. */
  stopAccepting(): void {
    this.listener?.stop(false);
  }

  stop(): void {
    if (this.sweeping) clearTimeout(this.sweeping);
    this.sweeping = null;
    this.listener?.stop(true);
    this.listener = null;
    for (const s of [...this.conns]) this.close(s);
  }

  private onOpen(s: Socket<Conn>): void {
    s.data = { client: { socket: s as Socket<unknown>, out: [], outBytes: 0 }, server: { socket: null, out: [], outBytes: 0 }, head: Buffer.alloc(0), authenticated: false, closed: false, timer: null, opened: Date.now() };
    if (this.conns.size >= this.o.maxConnections) {
      const oldest = this.unauthenticated.values().next().value;
      if (!oldest || Date.now() - oldest.data.opened < MIN_AGE_MS) {
        this.refused++;
        s.data.closed = true;
        s.end("HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
        return;
      }
      this.evicted++;
      this.close(oldest);
    }
    this.conns.add(s);
    this.unauthenticated.add(s);
    s.data.timer = setTimeout(() => !s.data.authenticated && this.close(s), HEAD_TIMEOUT_MS);
    this.sweepSoon();
    void this.connectUpstream(s);
  }

  private sweeping: ReturnType<typeof setTimeout> | null = null;

  /** Close the oldest unauthenticated connections beyond the cap once their grace is over. */
  private sweepSoon(): void {
    if (this.sweeping || this.unauthenticated.size <= this.o.maxUnauthenticated) return;
    this.sweeping = setTimeout(() => {
      this.sweeping = null;
      const now = Date.now();
      while (this.unauthenticated.size > this.o.maxUnauthenticated) {
        const oldest = this.unauthenticated.values().next().value!;
        if (now - oldest.data.opened < GRACE_MS) break;
        this.evicted++;
        this.close(oldest);
      }
      this.sweepSoon();
    }, GRACE_MS / 4);
  }

  private async connectUpstream(s: Socket<Conn>): Promise<void> {
    const c = s.data;
    try {
      const server = await Bun.connect<undefined>({
        unix: this.o.upstream,
        socket: {
          data: (_u, chunk) => this.send(c.client, c, s, chunk),
          drain: () => this.flush(c.server, c),
          close: () => this.close(s),
          error: () => this.close(s),
          end: () => this.close(s),
        },
      });
      if (c.closed) {
        server.end();
        return;
      }
      c.server.socket = server as Socket<unknown>;
      this.flush(c.server, c);
    } catch {
      this.close(s);
    }
  }

  private fromClient(s: Socket<Conn>, chunk: Buffer): void {
    const c = s.data;
    if (c.closed) return;
    if (!c.authenticated && c.head.length < MAX_HEAD_BYTES) {
      c.head = Buffer.concat([c.head, chunk]);
      const end = c.head.indexOf("\r\n\r\n");
      if (end !== -1) {
        const auth = /^authorization:[ \t]*(.*?)[ \t]*$/im.exec(c.head.subarray(0, end).toString("latin1"));
        if (auth && this.o.authorized(auth[1]!)) {
          c.authenticated = true;
          this.unauthenticated.delete(s);
          if (c.timer) clearTimeout(c.timer);
          c.head = Buffer.alloc(0);
        }
      }
    }
    this.send(c.server, c, s, chunk);
  }

  /** Queue `chunk` for `side` and write what it accepts; a side over its backlog closes the pair. */
  private send(side: Side, c: Conn, s: Socket<Conn>, chunk: Buffer): void {
    if (c.closed) return;
    side.out.push(Buffer.from(chunk));
    side.outBytes += chunk.length;
    if (side.outBytes > MAX_BACKLOG_BYTES) return this.close(s);
    this.flush(side, c);
  }

  private flush(side: Side, c: Conn): void {
    if (!side.socket || c.closed) return;
    while (side.out.length) {
      const buf = side.out[0]!;
      const n = side.socket.write(buf);
      if (n >= buf.length) {
        side.out.shift();
        side.outBytes -= buf.length;
        continue;
      }
      if (n > 0) {
        side.out[0] = buf.subarray(n);
        side.outBytes -= n;
      }
      return;
    }
  }

  private close(s: Socket<Conn>): void {
    const c = s.data;
    if (!c || c.closed) {
      this.conns.delete(s);
      this.unauthenticated.delete(s);
      return;
    }
    c.closed = true;
    if (c.timer) clearTimeout(c.timer);
    this.conns.delete(s);
    this.unauthenticated.delete(s);
    // What the server already answered (a 401, the last bytes of a stream) goes out first.
    const rest = c.client.out;
    c.client.out = [];
    for (const buf of rest) s.write(buf);
    s.end();
    c.server.socket?.end();
  }
}

// A client for a repo daemon's socket: pipelined requests matched to replies by id, and an event
// stream after `subscribe`. Every front end that reaches a daemon (CLI, MCP server, peer links, tests, benchmarks) uses it.
import type { Socket } from "bun";
import { lstatSync } from "node:fs";
import { dirname } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { ownershipProblem, UnsafePath } from "../trust/ownership.ts";
import type { ErrorCode, Event, ParamsOf, Reply, ResultOf, Verb } from "../protocol/socket.ts";
import { SkepError } from "../errors.ts";

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

const DEFAULT_TIMEOUT_MS = 120_000;

export class DaemonClient {
  private socket: Socket<undefined> | null = null;
  private buffer = "";
  private readonly decoder = new StringDecoder("utf8");
  private nextId = 1;
  private readonly pending = new Map<string | number, Pending>();
  private readonly listeners = new Set<(e: Event) => void>();
  private closed = false;
  /** Resolves when the connection closes, for whatever reason. */
  readonly closedPromise: Promise<void>;
  private markClosed!: () => void;

  private constructor() {
    this.closedPromise = new Promise((r) => (this.markClosed = r));
  }

  /** Connect, or reject (ENOENT, ECONNREFUSED...) when no daemon listens at `path`. */
  static async connect(path: string, timeoutMs = 2_000): Promise<DaemonClient> {
    // The socket must be this user's, in a directory only this user can write (the repo's checked
    // .skep/, or the private runtime dir): a stranger's socket is an error, never a source of answers.
    // (Bun exposes no SO_PEERCRED; the owner of the socket file and of its directory stand in for it.)
    requireOwnSocket(path);
    const c = new DaemonClient();
    const connecting = Bun.connect({
      unix: path,
      socket: {
        data: (_s, chunk) => c.onData(chunk),
        drain: () => c.flush(),
        close: () => c.onClose(),
        error: () => c.onClose(),
        end: () => c.onClose(),
      },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SkepError("client_timeout", `no connection to ${path} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      c.socket = await Promise.race([connecting, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return c;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  request<V extends Verb>(verb: V, params?: ParamsOf<V>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ResultOf<V>> {
    return this.send(verb, params ?? {}, timeoutMs) as Promise<ResultOf<V>>;
  }

  /** Send any line (for tests of malformed input) and get the raw reply object. */
  send(verb: string, params: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
    if (this.closed || !this.socket) return Promise.reject(new SkepError("disconnected", "the daemon connection is closed"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => {
        this.pending.delete(id);
        reject(new SkepError("client_timeout", `no reply to '${verb}' within ${timeoutMs} ms`));
      }, timeoutMs) : null;
      this.pending.set(id, { resolve, reject, timer });
      this.writeRaw(`${JSON.stringify({ id, verb, params })}\n`);
    });
  }

  /** Subscribe this connection to events; `onEvent` gets each one. Returns the seq at subscription. */
  async subscribe(onEvent: (e: Event) => void, events?: string[]): Promise<number> {
    this.listeners.add(onEvent);
    const r = await this.request("subscribe", events ? { events } : {});
    return r.seq;
  }

  /** The next event satisfying `pred` (the connection must be subscribed). */
  nextEvent(pred: (e: Event) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Event> {
    return new Promise((resolve, reject) => {
      const listener = (e: Event) => {
        if (!pred(e)) return;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new SkepError("client_timeout", `no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  private readonly queue: Buffer[] = [];

  /** Write, keeping what the socket does not take now for its next drain. */
  writeRaw(data: string | Uint8Array): void {
    if (!this.socket || this.closed) return;
    this.queue.push(Buffer.from(data));
    if (this.queue.length === 1) this.flush();
  }

  private flush(): void {
    while (this.queue.length && this.socket && !this.closed) {
      const b = this.queue[0]!;
      const n = this.socket.write(b);
      if (n >= b.length) this.queue.shift();
      else {
        this.queue[0] = b.subarray(Math.max(0, n));
        return;
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.socket?.end();
    this.onClose();
  }

  private onData(chunk: Buffer): void {
    this.buffer += this.decoder.write(chunk);
    let nl = this.buffer.indexOf("\n");
    while (nl !== -1) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      nl = this.buffer.indexOf("\n");
      if (!line.trim()) continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof msg.event === "string") {
        for (const l of [...this.listeners]) l(msg as unknown as Event);
        continue;
      }
      const reply = msg as unknown as Reply;
      const p = reply.id === null ? this.pending.values().next().value : this.pending.get(reply.id);
      if (!p) continue;
      this.pending.delete(reply.id ?? [...this.pending.keys()][0]!);
      if (p.timer) clearTimeout(p.timer);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new SkepError(reply.error.code, reply.error.message, reply.error.fix));
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new SkepError("disconnected", "the daemon closed the connection"));
    }
    this.pending.clear();
    this.markClosed();
  }
}

/**
 * Throws UnsafePath when the socket at `path` exists but is not this user's, or lies in a directory
 * someone else owns or can write. A missing socket is left to connect() to report (no daemon).
 */
export function requireOwnSocket(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  const me = process.getuid?.();
  if (me === undefined) return;
  if (!st.isSocket()) throw new UnsafePath(path, "it is not a socket; remove it (`skep daemon stop` cleans up)");
  if (st.uid !== me) throw new UnsafePath(path, `the daemon socket is owned by uid ${st.uid}, not by you (uid ${me}); it is not your daemon`);
  const dir = ownershipProblem(dirname(path));
  if (dir) throw new UnsafePath(path, `its directory ${dirname(path)} is not private to you: ${dir}`);
}

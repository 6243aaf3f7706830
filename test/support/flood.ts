// Connection floods for the trust-boundary tests and `bun run attack`: many idle connections to a
// daemon's HTTP port or Unix socket, held open until released, as another local client would.
import { readdirSync } from "node:fs";

export interface Flood {
  /** Connections that were accepted and are still open. */
  open(): number;
  /** Connections the other side closed (refused or evicted). */
  closedByPeer(): number;
  release(): void;
}

async function flood(n: number, dial: (handlers: { close(): void }) => Promise<{ end(): void; write(data: string): number }>, greeting?: string): Promise<Flood> {
  let closed = 0;
  let released = false;
  const sockets: { end(): void }[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    pending.push(
      dial({ close: () => void (released || closed++) })
        .then((s) => {
          sockets.push(s);
          if (greeting) s.write(greeting);
        })
        .catch(() => void closed++),
    );
    // A few at a time: the listen backlog is finite, and a refused connect is not the point here.
    if (i % 50 === 49) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return {
    open: () => sockets.length - closed,
    closedByPeer: () => closed,
    release() {
      released = true;
      for (const s of sockets) s.end();
    },
  };
}

/** `n` TCP connections to 127.0.0.1:`port`; with `head`, each sends that much of a request and stalls. */
export function floodHttp(port: number, n: number, head?: string): Promise<Flood> {
  return flood(n, (h) => Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {}, close: h.close, error: h.close } }), head);
}

/** `n` connections to a Unix socket, sending nothing. */
export function floodSocket(path: string, n: number): Promise<Flood> {
  return flood(n, (h) => Bun.connect({ unix: path, socket: { data() {}, close: h.close, error: h.close } }));
}

/** Open file descriptors of process `pid` (Linux), or null where /proc is missing. */
export function openFds(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

// The one rule for "through the repo's daemon, or in this process", used by every front end (the
// CLI's reads, `skep index`, task commands, the MCP server's index and task tools):
//
//   1. SKEP_NO_DAEMON=1 means this process, always (daemonWanted).
//   2. Else the daemon when its socket answers a connection within a second; a socket file that
//      does not answer is stale: this process answers, and the socket is not tried again for a
//      second. A socket another user owns (or in a directory others can write) is an error, never
//      a reason to fall back (UnsafePath).
//   3. When the daemon goes away during a call (src/errors.ts daemonGone: the one definition), a
//      read is asked again here; a change is not (it may have been made: the caller is told). A
//      front end pinned to its first choice (one CLI task command) never switches. A daemon that
//      did not answer a read in time (stopped, wedged) is not asked again for ten seconds: each
//      call of a long-lived front end would wait for it otherwise.
//   4. Anything else the daemon answers, an error included, is its answer.
import { existsSync } from "node:fs";
import { DaemonClient } from "../client/daemon-client.ts";
import { daemonGone } from "../errors.ts";
import { UnsafePath } from "../trust/ownership.ts";

export type Via = "daemon" | "local";
/** An answer, and who gave it (the daemon, or this process). */
export type Done<T> = { value: T; via: Via };

/** How long a connection to the daemon may take before this process answers instead. */
const CONNECT_TIMEOUT_MS = 1_000;
/** After a socket that did not answer: how long before it is tried again. */
const RETRY_AFTER_MS = 1_000;
/** After a read the daemon did not answer in time: how long before it is asked again. */
const SILENT_BACKOFF_MS = 10_000;

/** Rule 1: whether the daemon may be asked at all. */
export function daemonWanted(): boolean {
  return process.env.SKEP_NO_DAEMON !== "1";
}

/** A front end's connection to one repo's daemon, found again after it goes away (rule 2). */
export class DaemonLink {
  private client: DaemonClient | null = null;
  private retryAt = 0;

  constructor(private readonly socketPath: () => string) {}

  /** The daemon's connection when one serves the repo, else null. Throws UnsafePath for a stranger's socket. */
  async connect(): Promise<DaemonClient | null> {
    if (!daemonWanted()) return null;
    if (this.client && !this.client.isClosed) return this.client;
    this.client = null;
    if (Date.now() < this.retryAt) return null;
    const socket = this.socketPath();
    if (!existsSync(socket)) return null;
    try {
      this.client = await DaemonClient.connect(socket, CONNECT_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof UnsafePath) throw err;
      this.retryAt = Date.now() + RETRY_AFTER_MS;
      return null;
    }
    return this.client;
  }

  /** Connect no more for `ms` (a daemon that stopped answering: each call would wait for it). */
  backOff(ms: number): void {
    this.retryAt = Date.now() + ms;
  }

  /** Forget the connection (it went away, or the caller is done). */
  drop(): void {
    this.client?.close();
    this.client = null;
  }
}

/** A call's two ways: through the daemon, or the same thing here. */
export interface Op<T> {
  daemon: (c: DaemonClient) => Promise<T>;
  local: () => Promise<T> | T;
  /** A read: safe to ask again here when the daemon goes away mid-call (rule 3). */
  read?: boolean;
}

/**
 * Rules 2-4 for one call. `client` is the daemon's connection the caller holds (null: none);
 * `pinned`: the caller chose once and never switches.
 */
export async function withFallback<T>(client: DaemonClient | null, link: DaemonLink, op: Op<T>, opts: { pinned?: boolean; local?: (run: () => Promise<T> | T) => Promise<T> } = {}): Promise<Done<T>> {
  if (client) {
    try {
      return { value: await op.daemon(client), via: "daemon" };
    } catch (err) {
      if (!daemonGone(err)) throw err;
      link.drop();
      if (opts.pinned || !op.read) throw err;
      if (err.code === "client_timeout") link.backOff(SILENT_BACKOFF_MS);
    }
  }
  const value = opts.local ? await opts.local(op.local) : await op.local();
  return { value, via: "local" };
}

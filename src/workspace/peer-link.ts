// A connection to a peer repo's daemon, for a delegate step or the MCP server's remote task tools
// (src/mcp/remote-tools.ts): found through the peer's `.skep/`,
// started the way `skep daemon start` starts it when none answers (the peer is one of the user's
// own registered repos), subscribed to the peer's task events, and reconnected once if it drops.
// Aborting closes it, which ends any request in flight at once.
import { join } from "node:path";
import { DaemonClient } from "../client/daemon-client.ts";
import { startDaemon } from "../client/control.ts";
import { ownershipProblem } from "../trust/ownership.ts";
import { clientSocketPath, daemonPaths, type DaemonPaths } from "../repo/daemon-paths.ts";
import type { Event, ParamsOf, ResultOf, Verb } from "../protocol/socket.ts";
import type { TaskWaitAnswer } from "../protocol/tasks.ts";
import { daemonGone } from "../errors.ts";

export interface Peer {
  /** The name in the workspace registry. */
  name: string;
  path: string;
}

/** The peer's daemon files: always its own `.skep/` (this process's SKEP_DIR names this repo's store, not the peer's). */
export function peerPaths(peer: Peer): DaemonPaths {
  return daemonPaths(peer.path, join(peer.path, ".skep"));
}

/** The peer's daemon is not running and could not be started. */
export class PeerUnavailable extends Error {}
/** The connection dropped, and the one reconnection failed or dropped too. */
export class PeerLost extends Error {}
/** The caller aborted (the delegating task was interrupted). */
export class PeerAborted extends Error {}

/** How long a reconnection gives a peer daemon that is restarting. */
const RECONNECT_WINDOW_MS = 5_000;
/** `task.wait` takes at most an hour per request; longer bounds wait in several requests. */
const MAX_WAIT_MS = 3_600_000;
/** Beyond a wait's own bound, how long the reply may take before the connection counts as lost. */
const REPLY_SLACK_MS = 30_000;
/** task.create may run the peer's LLM dedup check (up to a minute) before it answers. */
export const CREATE_TIMEOUT_MS = 300_000;

/**
 * What the peer's daemon is started with: the environment of the process that starts it, minus
 * what describes that process's own repo or role. SKEP_DIR names this repo's store; SKEP_NO_DAEMON
 * and SKEP_MCP_TASKS (a server skep started for its own LLM calls) are about the caller. The peer's
 * daemon serves everyone afterwards, so it starts as `skep daemon start` in the peer would.
 */
const PEER_DAEMON_ENV = { SKEP_DIR: undefined, SKEP_NO_DAEMON: undefined, SKEP_MCP_TASKS: undefined };

export class PeerLink {
  private client: DaemonClient | null = null;
  private reconnected = false;
  /** Set when `open` had to start the peer's daemon: callers tell their user it now runs. */
  started: { pid: number; session?: string } | null = null;
  private readonly onAbort = () => this.client?.close();

  constructor(
    readonly peer: Peer,
    private readonly opts: {
      signal: AbortSignal;
      /** Task events of the peer daemon (status and progress of every task; the caller filters). */
      onEvent: (e: Event) => void;
      /** Lines for people: the daemon being started, a reconnection. */
      say: (message: string) => void;
    },
  ) {
    opts.signal.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Connect, starting the peer's daemon if none answers. */
  async open(): Promise<void> {
    const paths = peerPaths(this.peer);
    // A peer repo (and its .skep/) another user owns or can write is never talked to, let alone
    // started as this user: its config would choose what runs.
    const unsafe = ownershipProblem(this.peer.path, { followSymlink: true }) ?? ownershipProblem(paths.skepDir);
    if (unsafe) throw new PeerUnavailable(`${this.peer.name} (${this.peer.path}) is not used: ${unsafe}`);
    let client = await tryConnect(paths);
    if (!client) {
      this.opts.say(`no daemon runs for ${this.peer.name} (${this.peer.path}); starting it, as \`skep daemon start\` would`);
      try {
        const started = await abortable(startDaemon(paths, { env: PEER_DAEMON_ENV }), this.opts.signal);
        this.started = { pid: started.info.pid, session: started.session };
        this.opts.say(`started ${this.peer.name}'s daemon (pid ${started.info.pid}${started.session ? `, tmux session '${started.session}'` : ""})`);
      } catch (err) {
        if (err instanceof PeerAborted) throw err;
        throw new PeerUnavailable(`${this.peer.name}'s daemon is not running and could not be started (${(err as Error).message}); run \`skep daemon start\` in ${this.peer.path}`);
      }
      client = await tryConnect(paths);
      if (!client) throw new PeerUnavailable(`${this.peer.name}'s daemon started but its socket does not answer; run \`skep daemon status\` in ${this.peer.path}`);
    }
    await this.attach(client);
  }

  /**
   * A request to the peer's daemon. A dropped connection is reconnected once (a peer daemon
   * restarting) and the request sent again: only idempotent verbs, or ones the peer's dedup makes
   * safe to repeat (task.create: the same description again is answered as a duplicate of the
   * task the first request made), go through here.
   */
  async request<V extends Verb>(verb: V, params: ParamsOf<V>, timeoutMs: number): Promise<ResultOf<V>> {
    for (;;) {
      if (this.opts.signal.aborted) throw new PeerAborted("aborted");
      if (!this.client) throw new PeerLost(`no connection to ${this.peer.name}'s daemon`);
      try {
        return await this.client.request(verb, params, timeoutMs);
      } catch (err) {
        if (this.opts.signal.aborted) throw new PeerAborted("aborted");
        // The daemon is gone (src/errors.ts, the one definition): a peer daemon restarting.
        if (!daemonGone(err)) throw err;
        await this.reconnect((err as Error).message);
      }
    }
  }

  /**
   * Wait until the peer's task `id` is gated (`classified`: past the peer's pipeline) or final,
   * or until `deadline` (epoch ms). The peer answers on the transition, so nothing polls; bounds
   * past `task.wait`'s own hour are waited in several requests.
   */
  async waitTask(id: number, until: "classified" | "terminal", deadline: number): Promise<TaskWaitAnswer> {
    let last: TaskWaitAnswer | null = null;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return last ? { ...last, timedOut: true } : { task: (await this.request("task.show", { id }, 30_000)).task, timedOut: true };
      const chunk = Math.ceil(Math.min(left, MAX_WAIT_MS));
      last = await this.request("task.wait", { id, until, timeoutMs: chunk }, chunk + REPLY_SLACK_MS);
      if (!last.timedOut) return last;
    }
  }

  close(): void {
    this.opts.signal.removeEventListener("abort", this.onAbort);
    this.client?.close();
    this.client = null;
  }

  private async reconnect(why: string): Promise<void> {
    this.client?.close();
    this.client = null;
    const where = `${this.peer.name}'s daemon (${this.peer.path})`;
    if (this.reconnected) throw new PeerLost(`lost the connection to ${where} again (${why})`);
    this.reconnected = true;
    this.opts.say(`lost the connection to ${where} (${why}); reconnecting once`);
    const paths = peerPaths(this.peer);
    const deadline = Date.now() + RECONNECT_WINDOW_MS;
    for (;;) {
      const client = await tryConnect(paths);
      if (client) return this.attach(client);
      if (this.opts.signal.aborted) throw new PeerAborted("aborted");
      if (Date.now() > deadline) throw new PeerLost(`lost the connection to ${where} (${why}) and it does not answer again; start it there (\`skep daemon start\`)`);
      await Bun.sleep(250);
    }
  }

  private async attach(client: DaemonClient): Promise<void> {
    if (this.opts.signal.aborted) {
      client.close();
      throw new PeerAborted("aborted");
    }
    this.client = client;
    await client.subscribe(this.opts.onEvent, ["task.status", "task.progress"]);
  }
}

/** A connection that answers ping, or null when no daemon listens (or a dead one left its socket). */
async function tryConnect(paths: DaemonPaths): Promise<DaemonClient | null> {
  let client: DaemonClient | null = null;
  try {
    client = await DaemonClient.connect(clientSocketPath(paths), 2_000);
    await client.request("ping", {}, 5_000);
    return client;
  } catch {
    client?.close();
    return null;
  }
}

/** Settle with `p`, or reject with PeerAborted as soon as `signal` aborts (p keeps running). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new PeerAborted("aborted"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new PeerAborted("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

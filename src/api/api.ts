// What a front end talks to: one object per repo, SkepApi { index, tasks }, whose every call goes
// through the repo's daemon or runs in this process by the one rule in fallback.ts. The CLI's
// commands, the MCP server and the cockpit hold it; nothing else chooses between the daemon and
// this process.
//   index: IndexApi, RepoIndex here for one command (remote.ts over the socket, local.ts and
//          local-refresh.ts over the index file), CheckoutIndex (checkout-index.ts) for a long-lived server;
//   tasks: TaskClient (task-client.ts), the task verbs, whose local side runs tasks/queue.ts,
//          the queue the daemon runs.
import type { IndexProgress } from "../index/indexer.ts";
import type { RepoContext } from "../repo/repo.ts";
import type { CheckoutIndex } from "./checkout-index.ts";
import type { IndexAnswer } from "../protocol/index-answers.ts";
import type { ParamsOf, ResultOf } from "../protocol/socket.ts";
import { clientSocketPath, daemonPaths, type DaemonPaths } from "../repo/daemon-paths.ts";
import type { ReadVerb } from "./answers.ts";
import { DaemonLink, withFallback, type Done } from "./fallback.ts";
import { askRemote, refreshRemote } from "./remote.ts";
import type { TaskClient, TaskRoot } from "./task-client.ts";

// The index code (local.ts, local-refresh.ts) and the task machinery (task-client.ts) are imported
// when a call needs them: a read the daemon answers (`skep search` with a warm daemon) loads
// neither, and a refresh here (`skep index`) not the read verbs' schemas.
const local = () => import("./local.ts");
const localRefresh = () => import("./local-refresh.ts");

export interface IndexApi {
  /** One read verb's answer, and who gave it. */
  ask<V extends ReadVerb>(verb: V, params: ParamsOf<V>): Promise<Done<ResultOf<V>>>;
  /** Bring the index up to date: the running daemon rescans (it is the only writer), else this process indexes. */
  refresh(opts?: { onProgress?: (p: IndexProgress) => void }): Promise<Done<IndexAnswer>>;
  /** Whether a daemon serves the index now. */
  daemonServes(): Promise<boolean>;
  close(): void;
}

export type TaskApi = TaskClient;

export interface SkepApi<I extends IndexApi = IndexApi> {
  index: I;
  tasks: TaskApi;
  close(): Promise<void>;
}

/** The index side: each call through the daemon when one answers, else here (fallback.ts). */
export class RepoIndex implements IndexApi {
  private readonly link: DaemonLink;

  constructor(readonly paths: DaemonPaths) {
    this.link = new DaemonLink(() => clientSocketPath(paths));
  }

  async ask<V extends ReadVerb>(verb: V, params: ParamsOf<V>): Promise<Done<ResultOf<V>>> {
    return withFallback(await this.link.connect(), this.link, { daemon: (c) => askRemote(c, verb, params), local: async () => (await local()).answerLocally(this.paths, verb, params), read: true });
  }

  async refresh(opts: { onProgress?: (p: IndexProgress) => void } = {}): Promise<Done<IndexAnswer>> {
    // Not a read: a daemon that goes away mid-run may have written; `skep index` again settles it.
    return withFallback(await this.link.connect(), this.link, { daemon: refreshRemote, local: async () => (await localRefresh()).refreshLocally(this.paths, opts.onProgress) });
  }

  async daemonServes(): Promise<boolean> {
    return (await this.link.connect()) !== null;
  }

  close(): void {
    this.link.drop();
  }
}

/** How a front end wants its API: `daemon: false` reads the index here always (`skep mcp --no-daemon`); `wordError` words a failed task call. */
export interface ApiOptions {
  daemon?: boolean;
  wordError?: (err: unknown) => unknown;
}

/**
 * The API of one repo: `checkout` for the index (the checkout's), `tasks` for the task store (the
 * main checkout's, also from a linked worktree). `command`: one CLI command, whose task side
 * chooses the daemon or this process once, for its whole life, and whose index reads open the
 * index file per read; `server` (a long-lived MCP server): chosen at each call, the index kept
 * open, and a linked worktree answered with the overlay of its changed files (checkout-index.ts).
 */
export async function openApi(checkout: RepoContext, tasks: TaskRoot, mode: "command", opts?: ApiOptions): Promise<SkepApi<RepoIndex>>;
export async function openApi(checkout: RepoContext, tasks: TaskRoot, mode: "server", opts?: ApiOptions): Promise<SkepApi<CheckoutIndex>>;
export async function openApi(checkout: RepoContext, tasks: TaskRoot, mode: "command" | "server", opts: ApiOptions = {}): Promise<SkepApi> {
  // The server's index (the overlay and what it needs) is loaded only by a server.
  const index = mode === "command" ? new RepoIndex(daemonPaths(checkout.root, checkout.skepDir)) : new (await import("./checkout-index.ts")).CheckoutIndex(checkout, { daemon: opts.daemon });
  const { TaskClient } = await import("./task-client.ts");
  const taskApi = mode === "command" ? await TaskClient.open(tasks, opts) : new TaskClient(tasks, opts);
  return {
    index,
    tasks: taskApi,
    close: async () => {
      index.close();
      await taskApi.close();
    },
  };
}

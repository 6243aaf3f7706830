// Task panes: when a task starts executing, its repo's daemon shows the task's live log in the
// person's tmux session, in a pane titled `skep-<id>-<name>` (tmux_layout: split-h, split-v,
// window, popup; none: nowhere). The pane runs this skep's own binary with arguments built here
// (`skep task logs <id> --follow --hold --repo <root>`), executed by tmux without a shell; nothing
// from a repo's config reaches the command line but the layout, one of five fixed words.
// Only a daemon that can reach a tmux server (TMUX is set: it runs in a tmux session, or was
// started from one) opens panes, and only in a session a person has attached; otherwise nothing
// happens, as without tmux.
import { join } from "node:path";
import type { RepoConfig } from "../protocol/config.ts";
import { skepCommand } from "../llm/mcp-config.ts";
import { shellJoin } from "../client/control.ts";

export type TmuxLayout = RepoConfig["tmux_layout"];

export interface PaneTask {
  root: string;
  skepDir: string;
  id: number;
  name: string;
}

/** What happened when a pane was asked for: opened (or reused), or why not. */
export type PaneOutcome = { opened: true; how: TmuxLayout | "reused"; pane: string | null; session: string; title: string } | { opened: false; why: string };

/** `skep-3-add-auth-routes`: the pane's (or window's, or popup's) title. */
export function paneTitle(id: number, name: string): string {
  return `skep-${id}-${name.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

/** The pane option `@skep_task` a task pane carries, so `task attach` finds it whatever its title became. */
export function paneMark(root: string, id: number): string {
  return `${root}#${id}`;
}

/** The argv a task pane runs. */
export function paneCommand(t: PaneTask): string[] {
  return [...skepCommand(), "task", "logs", String(t.id), "--follow", "--hold", "--repo", t.root];
}

/** SKEP_DIR for a store outside the repo (the pane must read the same store); SKEP_HOME as this process has it. */
function paneEnv(t: PaneTask): string[] {
  const env: string[] = [];
  if (t.skepDir !== join(t.root, ".skep")) env.push("-e", `SKEP_DIR=${t.skepDir}`);
  if (process.env.SKEP_HOME) env.push("-e", `SKEP_HOME=${process.env.SKEP_HOME}`);
  return env;
}

/** A tmux server is reachable: TMUX names one and tmux is installed. */
export function tmuxReachable(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.TMUX && Bun.which("tmux") !== null;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** One tmux command, asynchronously (the daemon keeps answering meanwhile), bounded to 5 s. */
export async function tmux(args: string[]): Promise<Ran> {
  const p = Bun.spawn(["tmux", ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => p.kill("SIGKILL"), 5_000);
  try {
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, stdout, stderr: stderr.trim() };
  } finally {
    clearTimeout(timer);
  }
}

/** The attached client a person used last, and its session; null when nobody is attached. */
export async function activeClient(): Promise<{ client: string; sessionId: string; session: string } | null> {
  const r = await tmux(["list-clients", "-F", "#{client_activity}\t#{client_name}\t#{session_id}\t#{session_name}"]);
  if (r.code !== 0) return null; // no server, or none reachable
  const clients = r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("\t"))
    .filter((c) => c.length === 4)
    .map(([activity, client, sessionId, session]) => ({ activity: Number(activity), client: client!, sessionId: sessionId!, session: session! }))
    .sort((a, b) => b.activity - a.activity);
  const best = clients[0];
  return best ? { client: best.client, sessionId: best.sessionId, session: best.session } : null;
}

/** The pane showing task `id` of `root` (by its mark), anywhere on the server. */
export async function findTaskPane(root: string, id: number): Promise<{ pane: string; session: string; window: string } | null> {
  const r = await tmux(["list-panes", "-a", "-F", "#{pane_id}\t#{session_name}\t#{window_id}\t#{@skep_task}"]);
  if (r.code !== 0) return null;
  const mark = paneMark(root, id);
  for (const line of r.stdout.split("\n")) {
    const [pane, session, window, ...rest] = line.split("\t");
    if (pane && rest.join("\t") === mark) return { pane, session: session!, window: window! };
  }
  return null;
}

/**
 * Show task `t`'s live log in the most recently active attached session, the `layout` way. A pane
 * the task already has (a resumed task) is reused: its command starts again. Never throws: the
 * outcome says what happened, for the daemon's log.
 */
export async function openTaskPane(t: PaneTask, layout: TmuxLayout): Promise<PaneOutcome> {
  if (layout === "none") return { opened: false, why: "tmux_layout is none" };
  if (!tmuxReachable()) return { opened: false, why: "no tmux server (TMUX is not set)" };
  try {
    const client = await activeClient();
    if (!client) return { opened: false, why: "no client is attached to the tmux server" };
    const title = paneTitle(t.id, t.name);
    const argv = paneCommand(t);
    const env = paneEnv(t);
    if (layout === "popup") {
      // display-popup returns when the popup closes: started apart, never awaited. It takes one
      // shell command, so here (only) the argv is quoted for sh.
      const p = Bun.spawn(["tmux", "display-popup", "-c", client.client, "-d", t.root, "-T", ` ${title} `, "-w", "90%", "-h", "80%", ...env, "-E", shellJoin(argv)], {
        stdin: "ignore",
        stdout: "ignore",
        stderr: "ignore",
        detached: true,
      });
      p.unref();
      return { opened: true, how: "popup", pane: null, session: client.session, title };
    }
    const existing = await findTaskPane(t.root, t.id);
    if (existing) {
      const r = await tmux(["respawn-pane", "-k", "-t", existing.pane, "-c", t.root, ...env, "--", ...argv]);
      if (r.code === 0) return { opened: true, how: "reused", pane: existing.pane, session: existing.session, title };
    }
    const at = layout === "window" ? ["new-window", "-d", "-n", title, "-t", `${client.sessionId}:`] : ["split-window", layout === "split-v" ? "-v" : "-h", "-d", "-t", client.sessionId];
    const r = await tmux([...at, "-P", "-F", "#{pane_id}", "-c", t.root, ...env, "--", ...argv]);
    if (r.code !== 0) return { opened: false, why: `tmux ${at[0]} failed: ${r.stderr || `exit ${r.code}`}` };
    const pane = r.stdout.trim();
    await tmux(["select-pane", "-t", pane, "-T", title]);
    await tmux(["set-option", "-p", "-t", pane, "@skep_task", paneMark(t.root, t.id)]);
    return { opened: true, how: layout, pane, session: client.session, title };
  } catch (err) {
    return { opened: false, why: (err as Error).message };
  }
}

/** Make `pane` the one its client shows: its session, its window, the pane itself. */
export async function jumpToPane(pane: string): Promise<Ran> {
  const r = await tmux(["switch-client", "-t", pane]);
  if (r.code !== 0) return r;
  await tmux(["select-window", "-t", pane]);
  return tmux(["select-pane", "-t", pane]);
}

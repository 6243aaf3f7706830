// Starting, stopping and inspecting a repo's daemon from another process (the CLI). A daemon is
// running when it answers `ping` on its socket; the lock tells a daemon that is starting (or hung)
// from none at all; files left behind by a daemon that was killed are reported and removed.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, readSync, statSync, statfsSync, unlinkSync } from "node:fs";
import { basename } from "node:path";
import { DaemonInfo } from "../protocol/socket.ts";
import { UnsafePath } from "../trust/ownership.ts";
import { DaemonClient } from "./daemon-client.ts";
import { llmEnvForDaemon } from "../llm/env.ts";
import { configuredLlmEnvKeys } from "../config/config.ts";
import { alive, isLocked, readPid } from "../util/lock.ts";
import { clientSocketPath, type DaemonPaths } from "../repo/daemon-paths.ts";

/** Environment for a daemon process: no repeating GC timer (daemon/idle-gc.ts collects after activity instead). */
export const DAEMON_ENV: Record<string, string> = { BUN_GC_TIMER_DISABLE: "1" };

export interface DaemonState {
  running: boolean;
  /** From `ping` when the daemon answers. */
  info: DaemonInfo | null;
  /** The lock is held but nothing answers: starting up, or hung. */
  unresponsive: boolean;
  pid: number | null;
  /** Files a dead daemon left behind (socket, pid file, http.json). */
  stale: string[];
}

export async function ping(paths: DaemonPaths, timeoutMs = 2_000): Promise<DaemonInfo | null> {
  let client: DaemonClient | null = null;
  try {
    client = await DaemonClient.connect(clientSocketPath(paths), timeoutMs);
    const info = await client.request("ping", {}, timeoutMs);
    // Something answered, but not as a skep daemon does (an impostor, or another program): say so
    // rather than report "already running (pid undefined)".
    if (!DaemonInfo.safeParse(info).success) throw new UnsafePath(clientSocketPath(paths), "what answers there is not a skep daemon (its ping has no pid and root)");
    return info;
  } catch (err) {
    if (err instanceof UnsafePath) throw err;
    return null;
  } finally {
    client?.close();
  }
}

export async function daemonState(paths: DaemonPaths): Promise<DaemonState> {
  const info = await ping(paths);
  if (info) return { running: true, info, unresponsive: false, pid: info.pid, stale: [] };
  const pid = readPid(paths.pid);
  if (isLocked(paths.lock)) return { running: false, info: null, unresponsive: true, pid, stale: [] };
  const stale = [clientSocketPath(paths), paths.pid, paths.http, paths.socketPathFile].filter((f) => existsSync(f));
  return { running: false, info: null, unresponsive: false, pid: null, stale };
}

/** Remove what a dead daemon left behind (only when no daemon holds the lock). */
export function cleanStale(paths: DaemonPaths): string[] {
  if (isLocked(paths.lock)) return [];
  const removed: string[] = [];
  for (const f of [clientSocketPath(paths), paths.pid, paths.http, paths.socketPathFile]) {
    try {
      unlinkSync(f);
      removed.push(f);
    } catch {
      // not there
    }
  }
  return removed;
}

// selfCommand (the command line that runs this skep) lives in util/, importable without the rest of this file.
import { selfCommand } from "../util/self-command.ts";
export { selfCommand };

export interface StartResult {
  how: "already" | "tmux" | "detached";
  info: DaemonInfo;
  session?: string;
}

export interface StartOptions {
  /** Use tmux when installed (default: yes, unless SKEP_NO_TMUX=1). */
  tmux?: boolean;
  /** How long to wait for the daemon to answer (ms). */
  timeoutMs?: number;
  /**
   * Changes to this process's environment for the daemon; `undefined` removes a variable. A daemon
   * that starts a peer's daemon drops SKEP_DIR, which names its own store, not the peer's.
   */
  env?: Record<string, string | undefined>;
}

export async function startDaemon(paths: DaemonPaths, opts: StartOptions = {}): Promise<StartResult> {
  const already = await ping(paths);
  if (already) return { how: "already", info: already };
  if (isLocked(paths.lock)) {
    // A daemon holds the lock but does not answer yet: it is starting. Wait for it.
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      const info = await ping(paths, 1_000);
      if (info) return { how: "already", info };
      if (!isLocked(paths.lock)) break;
      await Bun.sleep(50);
    }
  }
  mkdirSync(paths.logDir, { recursive: true, mode: 0o700 });
  const cmd = [...selfCommand(), "daemon", "run", "--repo", paths.root];
  const useTmux = (opts.tmux ?? process.env.SKEP_NO_TMUX !== "1") && hasTmux();
  const baseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...DAEMON_ENV, ...opts.env })) if (v !== undefined) baseEnv[k] = v;
  // The LLM account, endpoint, proxy and CA variables are this shell's, not the tmux server's.
  const llm = llmEnvForDaemon(baseEnv, configuredLlmEnvKeys(paths.skepDir));
  Object.assign(baseEnv, llm);
  let exited: Promise<number | null>;
  let session: string | undefined;
  let logStart: number | null = null;
  if (useTmux) {
    session = tmuxSessionName(paths.root);
    const env = Object.entries(baseEnv)
      .filter(([k]) => k.startsWith("SKEP_") || k.startsWith("BUN_") || k === "PATH" || k === "HOME" || k in llm)
      .flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const p = Bun.spawnSync(["tmux", "new-session", "-d", "-s", session, "-c", paths.root, ...env, "-e", `SKEP_ROOT=${paths.root}`, shellJoin(cmd)], { stdout: "pipe", stderr: "pipe" });
    if (p.exitCode !== 0) throw new Error(`tmux could not start the daemon: ${p.stderr.toString().trim()}`);
    exited = new Promise(() => undefined); // the pane's exit is not observable from here
  } else {
    logStart = existsSync(paths.log) ? statSync(paths.log).size : 0;
    const fd = openSync(paths.log, "a", 0o600);
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: paths.root, detached: true, stdio: ["ignore", fd, fd], env: baseEnv });
    closeSync(fd);
    exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    child.unref();
  }
  // Wait for the daemon to answer. Exiting early is not failure when another start won the lock.
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let childExit: number | null | undefined;
  void exited.then((c) => (childExit = c));
  while (Date.now() < deadline) {
    const info = await ping(paths, 1_000);
    if (info) return { how: useTmux ? "tmux" : "detached", info, session };
    if (childExit !== undefined && !isLocked(paths.lock)) {
      throw new Error(`the daemon exited (code ${childExit}) before answering${earlyExitDetail(paths, logStart)}`);
    }
    await Bun.sleep(50);
  }
  throw new Error(`the daemon did not answer within ${opts.timeoutMs ?? 30_000} ms; see ${paths.log}`);
}

export interface StopResult {
  stopped: boolean;
  pid: number | null;
  cleaned: string[];
}

/** Ask the daemon to stop (socket, else SIGTERM) and wait until its process has exited. */
export async function stopDaemon(paths: DaemonPaths, timeoutMs = 15_000): Promise<StopResult> {
  const state = await daemonState(paths);
  if (!state.running && !state.unresponsive) return { stopped: false, pid: null, cleaned: cleanStale(paths) };
  const pid = state.pid;
  let asked = false;
  if (state.running) {
    let client: DaemonClient | null = null;
    try {
      client = await DaemonClient.connect(clientSocketPath(paths));
      await client.request("stop", {}, 5_000);
      asked = true;
    } catch {
      asked = false;
    } finally {
      client?.close();
    }
  }
  if (!asked && pid && alive(pid)) process.kill(pid, "SIGTERM");
  // Gone means: the lock is free (the daemon releases it last; the kernel releases it however the
  // process ends) and its process has stopped running. A zombie the tmux server has not reaped yet
  // has stopped running (alive() says so): waiting for the reaping would hang stop.
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isLocked(paths.lock) && (!pid || !alive(pid))) return { stopped: true, pid, cleaned: cleanStale(paths) };
    await Bun.sleep(50);
  }
  throw new Error(`the daemon (pid ${pid ?? "unknown"}) did not exit within ${timeoutMs} ms`);
}

export function hasTmux(): boolean {
  return Bun.which("tmux") !== null;
}

/** `skep-<repo>`, unless a session of that name belongs to another repo with the same name. */
export function tmuxSessionName(root: string): string {
  const base = `skep-${basename(root).replace(/[^A-Za-z0-9_-]/g, "_") || "repo"}`;
  const owner = (name: string): string | null => {
    const p = Bun.spawnSync(["tmux", "show-environment", "-t", name, "SKEP_ROOT"], { stdout: "pipe", stderr: "pipe" });
    if (p.exitCode !== 0) return null; // no such session
    return p.stdout.toString().trim().replace(/^SKEP_ROOT=/, "");
  };
  const existing = owner(base);
  if (existing === null) return base;
  if (existing === root) {
    // Our own session outlived its daemon (we only start when ping failed): replace it.
    Bun.spawnSync(["tmux", "kill-session", "-t", base], { stdout: "ignore", stderr: "ignore" });
    return base;
  }
  const hash = Bun.hash(root).toString(16).slice(0, 6);
  return `${base}-${hash}`;
}

/** One sh command line from an argv: each argument single-quoted unless it is plainly safe. */
export function shellJoin(args: string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_\/.=:@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/**
 * What the log says about a daemon that exited before answering: its last lines written since the
 * start, or, when it wrote nothing (a full disk cannot take even the error), that, with the free
 * space where `.skep/` is.
 */
function earlyExitDetail(paths: DaemonPaths, logStart: number | null): string {
  if (logStart === null) return `; see ${paths.log}`;
  let written = "";
  try {
    // At most the last 64 KiB written since the start (a log can be large; a device endless).
    const size = statSync(paths.log).size;
    const from = Math.max(logStart, size - 65_536);
    const buf = Buffer.alloc(Math.min(65_536, Math.max(0, size - from)));
    const fd = openSync(paths.log, "r");
    try {
      readSync(fd, buf, 0, buf.length, from);
    } finally {
      closeSync(fd);
    }
    written = buf.toString("utf8").replace(/\0/g, "").trim();
  } catch {
    // unreadable: said below as nothing written
  }
  if (written) return `:\n${written.split("\n").slice(-5).join("\n")}\n(full log: ${paths.log})`;
  let space = "";
  try {
    const fs = statfsSync(paths.skepDir);
    const free = fs.bavail * fs.bsize;
    space = `; ${paths.skepDir} is on a disk with ${free < 1024 * 1024 ? `${Math.round(free / 1024)} KiB` : `${Math.round(free / 1024 / 1024)} MiB`} free`;
  } catch {
    // no statfs here
  }
  return `, and wrote nothing to ${paths.log} (could it? is the disk full or read-only${space ? `:${space.slice(1)}` : ""}?); run \`skep daemon run --repo ${paths.root}\` to see its error in the terminal`;
}

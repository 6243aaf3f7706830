// Where a repo's daemon keeps its files: all under `.skep/`, except a socket whose path would be
// too long for a Unix socket address, which moves to a short per-user runtime directory (its
// path recorded in `.skep/agent.sock.path`).
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UnsafePath } from "../trust/ownership.ts";

export interface DaemonPaths {
  root: string;
  skepDir: string;
  dbPath: string;
  lock: string;
  pid: string;
  /** `.skep/agent.sock`: where the socket lives unless that path is too long. */
  socketDefault: string;
  /** Holds the socket's real path when it is not socketDefault. */
  socketPathFile: string;
  http: string;
  logDir: string;
  log: string;
}

export function daemonPaths(root: string, skepDir: string): DaemonPaths {
  return {
    root,
    skepDir,
    dbPath: join(skepDir, "index.db"),
    lock: join(skepDir, "daemon.lock"),
    pid: join(skepDir, "daemon.pid"),
    socketDefault: join(skepDir, "agent.sock"),
    socketPathFile: join(skepDir, "agent.sock.path"),
    http: join(skepDir, "http.json"),
    logDir: join(skepDir, "logs"),
    log: join(skepDir, "logs", "daemon.log"),
  };
}

/** sun_path is 108 bytes on Linux and 104 on macOS, NUL included; stay under both. */
export const MAX_SOCKET_PATH_BYTES = 100;

export function socketPathFits(path: string): boolean {
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES;
}

/** The socket path a daemon should listen on (the fallback directory is created 0700). */
export function serverSocketPath(p: DaemonPaths): string {
  if (socketPathFits(p.socketDefault)) return p.socketDefault;
  const dir = runtimeDir();
  // Bun's hasher, not node:crypto: every command that reaches a daemon imports this module, and
  // loading node:crypto costs a short command ~9 ms of CPU.
  const name = new Bun.CryptoHasher("sha256").update(p.root).update("\0").update(p.skepDir).digest("hex").slice(0, 20);
  return join(dir, `${name}.sock`);
}

/** Where a client finds the socket: the recorded fallback path, else `.skep/agent.sock`. */
export function clientSocketPath(p: DaemonPaths): string {
  try {
    const recorded = readFileSync(p.socketPathFile, "utf8").trim();
    // Only a path in this user's own runtime directory: agent.sock.path can arrive with a repo
    // or be written by another user, and must not point the CLI at a stranger's socket.
    if (recorded) {
      if (!runtimeDirCandidates().includes(dirname(resolve(recorded)))) {
        throw new UnsafePath(p.socketPathFile, `it points at ${recorded}, outside your private runtime directory (${runtimeDirCandidates().join(" or ")}); remove it`);
      }
      return recorded;
    }
  } catch (err) {
    if (err instanceof UnsafePath) throw err;
    // no fallback recorded
  }
  return p.socketDefault;
}

/** A short directory only this user can enter: $XDG_RUNTIME_DIR/skep, else /tmp/skep-<uid>. */
function runtimeDirCandidates(): string[] {
  const uid = process.getuid?.() ?? 0;
  const xdg = process.env.XDG_RUNTIME_DIR;
  return [xdg && existsSync(xdg) ? join(xdg, "skep") : null, join("/tmp", `skep-${uid}`)].filter((d): d is string => d !== null);
}

function runtimeDir(): string {
  const uid = process.getuid?.() ?? 0;
  const candidates = runtimeDirCandidates();
  for (const dir of candidates) {
    if (!socketPathFits(join(dir, `${"x".repeat(20)}.sock`))) continue;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    // Never put our socket in a directory someone else owns or can write to.
    if (!st.isDirectory() || st.uid !== uid) continue;
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
    return dir;
  }
  throw new Error("no short private directory for the daemon socket (tried $XDG_RUNTIME_DIR/skep and /tmp/skep-<uid>)");
}

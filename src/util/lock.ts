// One daemon per repo: an exclusive flock(2) on `.skep/daemon.lock`, held for the daemon's whole
// life. The kernel drops the lock when the process dies, however it dies (kill -9 included), so a
// lock can never go stale; `daemon.pid` is only informative. Where libc cannot be loaded, an
// O_EXCL lock file holding the pid is used instead, taken over only when that pid is dead.
import { alive } from "./pid.ts";
import { closeSync, constants, openSync, readFileSync, unlinkSync, writeSync, ftruncateSync } from "node:fs";

export interface Lock {
  /** How the lock is held (for `skep daemon status`). */
  kind: "flock" | "pidfile";
  release(): void;
}

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

type FlockFn = (fd: number, op: number) => number;
let flockFn: FlockFn | null | undefined;

function loadFlock(): FlockFn | null {
  if (flockFn !== undefined) return flockFn;
  flockFn = null;
  if (process.env.SKEP_LOCK === "pidfile") return null;
  try {
    // Loaded lazily: bun:ffi is only needed by the daemon, never by a CLI read.
    const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
    const names = process.platform === "darwin" ? ["libc.dylib", "/usr/lib/libSystem.B.dylib"] : ["libc.so.6", "libc.so"];
    for (const name of names) {
      try {
        const lib = dlopen(name, { flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } });
        flockFn = (fd, op) => lib.symbols.flock(fd, op) as number;
        break;
      } catch {
        // try the next name
      }
    }
  } catch {
    // no FFI in this runtime
  }
  return flockFn;
}

/** Take the lock, or return null when another live process holds it. */
export function tryLock(path: string): Lock | null {
  const flock = loadFlock();
  if (flock) {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    if (flock(fd, LOCK_EX | LOCK_NB) !== 0) {
      closeSync(fd);
      return null;
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
    return {
      kind: "flock",
      release() {
        try {
          ftruncateSync(fd, 0);
          flock(fd, LOCK_UN);
          closeSync(fd);
        } catch {
          // already released
        }
      },
    };
  }
  return tryPidLock(path);
}

/** Is the lock held by a live process right now? (Takes and releases it when free.) */
export function isLocked(path: string): boolean {
  const flock = loadFlock();
  if (flock) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY);
    } catch {
      return false; // no lock file: nobody ever locked it
    }
    try {
      if (flock(fd, LOCK_EX | LOCK_NB) !== 0) return true;
      flock(fd, LOCK_UN);
      return false;
    } finally {
      closeSync(fd);
    }
  }
  const pid = readPid(path);
  return pid !== null && alive(pid);
}

/** The fallback lock (exported for tests): an O_EXCL file holding the pid, taken over when that pid is dead. */
export function tryPidLock(path: string): Lock | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return {
        kind: "pidfile",
        release() {
          if (readPid(path) === process.pid) unlinkSync(path);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = readPid(path);
      if (pid !== null && alive(pid)) return null;
      try {
        unlinkSync(path); // the holder died: the lock is stale
      } catch {
        // someone else removed it first
      }
    }
  }
  return null;
}

export function readPid(path: string): number | null {
  try {
    const n = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

export { alive };

// How many file descriptors the daemon may spend on clients. The process limit is shared with what
// the daemon must always be able to open (its databases, the index worker's files and git pipes, a
// task's LLM CLI and git children): RESERVED_FDS stay out of every client cap, so a flood of
// connections cannot make an index run fail with EMFILE.
import { readFileSync } from "node:fs";

/** Kept for the index and tasks, whatever clients do. */
export const RESERVED_FDS = 512;

/** The soft limit on open files (RLIMIT_NOFILE), or null when it cannot be read (not Linux). */
export function openFileLimit(): number | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    if (!soft) return null;
    return soft === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(soft);
  } catch {
    return null;
  }
}

/**
 * File descriptors clients may hold in all: the limit less the reserve, never below a floor a
 * person's own tools need. Without /proc (macOS) 1,024 is assumed.
 */
export function clientFdBudget(limit = openFileLimit() ?? 1024): number {
  return Math.max(64, limit - RESERVED_FDS);
}

export interface ClientLimits {
  /** Unix socket connections (one descriptor each). */
  socket: number;
  /** HTTP through its gate (three descriptors each), and of those, not yet authenticated. */
  http: { maxConnections: number; maxUnauthenticated: number };
}

/** Half the budget for the socket, half for HTTP; capped where more would only serve a flood. */
export function clientLimits(budget: number): ClientLimits {
  const http = Math.max(8, Math.min(256, Math.floor(budget / 6)));
  return {
    socket: Math.max(16, Math.min(1024, Math.floor(budget / 2))),
    http: { maxConnections: http, maxUnauthenticated: Math.max(4, Math.min(64, Math.floor(http / 4))) },
  };
}

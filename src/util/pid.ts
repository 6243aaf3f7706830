// Is a process still there? Signal 0 checks without touching it; EPERM means it exists but is
// someone else's.
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

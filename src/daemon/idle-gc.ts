// Memory back after activity, without waking up while idle. Bun's own repeating GC timer (every
// 1 s, then 30 s, for ever) is switched off for the daemon (BUN_GC_TIMER_DISABLE=1, set by
// `skep daemon start`); instead one full collection runs a moment after each burst of work (a
// request, an index run) and none while nothing happens.

/** Returns `touch()`: call it on activity; a collection follows `delayMs` after the last touch. */
export function collectAfterActivity(delayMs = 2_000): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      Bun.gc(true);
    }, delayMs);
    (timer as { unref?: () => void }).unref?.();
  };
}

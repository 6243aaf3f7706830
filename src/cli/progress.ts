// A one-line progress display for long indexing, for a person at a terminal only: piped output,
// NO_COLOR and CI logs stay clean (src/util/terminal.ts).
import type { IndexProgress } from "../index/indexer.ts";
import { progressOn } from "../util/terminal.ts";

export function progressLine(enabled = progressOn(process.stderr)): { update: (p: IndexProgress) => void; done: () => void } {
  if (!enabled) return { update: () => {}, done: () => {} };
  const start = performance.now();
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = performance.now();
      if (now - last < 100 && p.done !== p.total) return;
      last = now;
      const secs = (now - start) / 1000;
      const rate = secs > 0 ? p.done / secs : 0;
      const eta = rate > 0 ? Math.ceil((p.total - p.done) / rate) : 0;
      process.stderr.write(`\r\x1b[Kindexing ${p.done}/${p.total} files  ${Math.round(rate)} files/s  ETA ${eta}s`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}

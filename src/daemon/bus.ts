// The event bus: the daemon publishes, subscribers (socket connections after `subscribe`, SSE
// streams) receive. Delivery is synchronous and in order; a subscriber that throws is dropped.
import type { Event, EventData, EventName } from "../protocol/socket.ts";

export type Listener = (e: Event) => void;

export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<Listener>();

  get lastSeq(): number {
    return this.seq;
  }

  get size(): number {
    return this.listeners.size;
  }

  publish<E extends EventName>(event: E, data: EventData<E>): Event {
    const e: Event = { event, seq: ++this.seq, time: new Date().toISOString(), data };
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        this.listeners.delete(l);
      }
    }
    return e;
  }

  subscribe(listener: Listener, filter?: string[]): () => void {
    const wrapped: Listener = filter?.length ? (e) => matches(e.event, filter) && listener(e) : listener;
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  /** Resolve with the first event that satisfies `pred` (or null after timeoutMs). */
  next(pred: (e: Event) => boolean, timeoutMs: number): Promise<Event | null> {
    return new Promise((resolve) => {
      const off = this.subscribe((e) => {
        if (!pred(e)) return;
        off();
        clearTimeout(timer);
        resolve(e);
      });
      const timer = setTimeout(() => {
        off();
        resolve(null);
      }, timeoutMs);
    });
  }
}

function matches(name: string, filter: string[]): boolean {
  return filter.some((f) => (f.endsWith("*") ? name.startsWith(f.slice(0, -1)) : name === f));
}

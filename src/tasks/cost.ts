// The repo's token ledger as `skep cost` and the `cost` verb answer it.
import type { CostAnswer } from "../protocol/tasks.ts";
import type { TaskService } from "./service.ts";
import { TaskStore } from "./store.ts";

/** The repo's ledger; with no service (no tasks.db yet) an empty one, and nothing is created. */
export function costAnswer(service: TaskService | null, root: string): CostAnswer {
  const store = service?.store ?? TaskStore.inMemory();
  try {
    return {
      root,
      total: store.totals(),
      unattributed: store.unattributedTotals(),
      byPurpose: store.totalsByPurpose(),
      tasks: (service ? service.list() : []).map((t) => ({ id: t.id, name: t.name, status: t.status, tokens: t.tokens })),
    };
  } finally {
    if (!service) store.close();
  }
}

// The daemon's side of task panes (src/cockpit/panes.ts): each task that starts executing here
// gets a pane with its live log in the person's tmux session, the way the repo's tmux_layout says.
// Read at each start, so `skep config tmux_layout none` takes effect without a restart.
import { openTaskPane } from "../cockpit/panes.ts";
import type { DaemonPaths } from "../repo/daemon-paths.ts";
import type { TaskHost } from "./task-host.ts";

export function showExecutingTasks(tasks: TaskHost, paths: DaemonPaths, log: (msg: string) => void): void {
  tasks.service.store.onTransition((e) => {
    if (e.to !== "executing") return;
    const layout = tasks.service.deps.config.tmux_layout;
    if (layout === "none") return;
    let name: string;
    try {
      name = tasks.service.get(e.taskId).name;
    } catch {
      return; // deleted meanwhile
    }
    void openTaskPane({ root: paths.root, skepDir: paths.skepDir, id: e.taskId, name }, layout).then((o) =>
      log(o.opened ? `task #${e.taskId}: pane ${o.title} (${o.how}${o.pane ? ` ${o.pane}` : ""}) in tmux session ${o.session}` : `task #${e.taskId}: no pane (${o.why})`),
    );
  });
}

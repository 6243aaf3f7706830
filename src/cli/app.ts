// The command tree. Each top-level command is named here by its meta and loaded when it runs
// (lazy.ts): start-up evaluates only what the command typed needs.
import { defineCommand } from "citty";
import { VERSION } from "../version.ts";
import { lazy } from "./lazy.ts";
import { TOP } from "./top-meta.ts";

export const app = defineCommand({
  meta: { name: "skep", version: VERSION, description: "A local agent for every git repo: a warm code index for coding agents, and a task queue that plans and executes work in worktrees" },
  subCommands: {
    init: lazy(TOP.init, async () => (await import("./commands/init.ts")).initCommand),
    index: lazy(TOP.index, async () => (await import("./commands/index-cmd.ts")).indexCommand),
    search: lazy(TOP.search, async () => (await import("./commands/search.ts")).searchCommand),
    callers: lazy(TOP.callers, async () => (await import("./commands/graph.ts")).callersCommand),
    impls: lazy(TOP.impls, async () => (await import("./commands/graph.ts")).implsCommand),
    callees: lazy(TOP.callees, async () => (await import("./commands/graph.ts")).calleesCommand),
    map: lazy(TOP.map, async () => (await import("./commands/map.ts")).mapCommand),
    contracts: lazy(TOP.contracts, async () => (await import("./commands/contracts.ts")).contractsCommand),
    status: lazy(TOP.status, async () => (await import("./commands/status.ts")).statusCommand),
    mcp: lazy(TOP.mcp, async () => (await import("./commands/mcp.ts")).mcpCommand),
    daemon: lazy(TOP.daemon, async () => (await import("./commands/daemon.ts")).daemonCommand),
    task: lazy(TOP.task, async () => (await import("./commands/task.ts")).taskCommand),
    tasks: lazy(TOP.tasks, async () => (await import("./commands/task.ts")).tasksCommand),
    cost: lazy(TOP.cost, async () => (await import("./commands/cost.ts")).costCommand),
    coordinate: lazy(TOP.coordinate, async () => (await import("./commands/runs.ts")).coordinateCommand),
    runs: lazy(TOP.runs, async () => (await import("./commands/runs.ts")).runsCommand),
    run: lazy(TOP.run, async () => (await import("./commands/runs.ts")).runCommand),
    trust: lazy(TOP.trust, async () => (await import("./commands/trust.ts")).trustCommand),
    workspace: lazy(TOP.workspace, async () => (await import("./commands/workspace.ts")).workspaceCommand),
    cockpit: lazy(TOP.cockpit, async () => (await import("./commands/cockpit.ts")).cockpitCommand),
    config: lazy(TOP.config, async () => (await import("./commands/config.ts")).configCommand),
    doctor: lazy(TOP.doctor, async () => (await import("./commands/doctor.ts")).doctorCommand),
    completion: lazy(TOP.completion, async () => (await import("./commands/completion.ts")).completionCommand),
  },
});

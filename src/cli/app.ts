// The command tree.
import { defineCommand } from "citty";
import { VERSION } from "../version.ts";
import { daemonCommand } from "./commands/daemon.ts";
import { calleesCommand, callersCommand, implsCommand } from "./commands/graph.ts";
import { indexCommand } from "./commands/index-cmd.ts";
import { initCommand } from "./commands/init.ts";
import { mapCommand } from "./commands/map.ts";
import { mcpCommand } from "./commands/mcp.ts";
import { searchCommand } from "./commands/search.ts";
import { statusCommand } from "./commands/status.ts";
import { taskCommand, tasksCommand } from "./commands/task.ts";
import { costCommand } from "./commands/cost.ts";
import { trustCommand } from "./commands/trust.ts";
import { configCommand } from "./commands/config.ts";
import { doctorCommand } from "./commands/doctor.ts";
import { completionCommand } from "./commands/completion.ts";
import { workspaceCommand } from "./commands/workspace.ts";
import { cockpitCommand } from "./commands/cockpit.ts";
import { contractsCommand } from "./commands/contracts.ts";
import { coordinateCommand, runCommand, runsCommand } from "./commands/runs.ts";

export const app = defineCommand({
  meta: { name: "skep", version: VERSION, description: "A local agent for every git repo: a warm code index for coding agents, and a task queue that plans and executes work in worktrees" },
  subCommands: {
    init: initCommand,
    index: indexCommand,
    search: searchCommand,
    callers: callersCommand,
    impls: implsCommand,
    callees: calleesCommand,
    map: mapCommand,
    contracts: contractsCommand,
    status: statusCommand,
    mcp: mcpCommand,
    daemon: daemonCommand,
    task: taskCommand,
    tasks: tasksCommand,
    cost: costCommand,
    coordinate: coordinateCommand,
    runs: runsCommand,
    run: runCommand,
    trust: trustCommand,
    workspace: workspaceCommand,
    cockpit: cockpitCommand,
    config: configCommand,
    doctor: doctorCommand,
    completion: completionCommand,
  },
});

// The command tree. Each top-level command is named here by its meta and loaded when it runs
// (lazy.ts): start-up evaluates only what the command typed needs.
import { defineCommand } from "citty";
import { VERSION } from "../version.ts";
import { lazy } from "./lazy.ts";

export const app = defineCommand({
  meta: { name: "skep", version: VERSION, description: "A local agent for every git repo: a warm code index for coding agents, and a task queue that plans and executes work in worktrees" },
  subCommands: {
    init: lazy({ name: "init", description: "Set up skep in this repo: .skep/, config, index, workspace registration" }, async () => (await import("./commands/init.ts")).initCommand),
    index: lazy({ name: "index", description: "Build or query the code index" }, async () => (await import("./commands/index-cmd.ts")).indexCommand),
    search: lazy({ name: "search", description: "Search symbols: exact, prefix, camel humps (LVM), words, substring, fuzzy" }, async () => (await import("./commands/search.ts")).searchCommand),
    callers: lazy({ name: "callers", description: "Who calls (or uses) a symbol" }, async () => (await import("./commands/graph.ts")).callersCommand),
    callees: lazy({ name: "callees", description: "What a symbol calls (or uses)" }, async () => (await import("./commands/graph.ts")).calleesCommand),
    map: lazy({ name: "map", description: "The most important files and symbols, fitted to a token budget" }, async () => (await import("./commands/map.ts")).mapCommand),
    contracts: lazy({ name: "contracts", description: "HTTP client calls matched to the server routes they reach (and the ones that reach none)" }, async () => (await import("./commands/contracts.ts")).contractsCommand),
    status: lazy({ name: "status", description: "Index size, languages, freshness, and skipped files" }, async () => (await import("./commands/status.ts")).statusCommand),
    mcp: lazy({ name: "mcp", description: "MCP server for coding agents (`skep mcp` serves; `skep mcp install` registers it)" }, async () => (await import("./commands/mcp.ts")).mcpCommand),
    daemon: lazy({ name: "daemon", description: "The repo's daemon: keeps the index warm and serves it (socket + HTTP)" }, async () => (await import("./commands/daemon.ts")).daemonCommand),
    task: lazy({ name: "task", description: "Tasks: create, show, list, approve, reject, clarify, run, interrupt, resume, logs, delete, done" }, async () => (await import("./commands/task.ts")).taskCommand),
    tasks: lazy({ name: "tasks", description: "List tasks (same as `skep task list`)" }, async () => (await import("./commands/task.ts")).tasksCommand),
    cost: lazy({ name: "cost", description: "Tokens and cost of every LLM call, per task and for the repo" }, async () => (await import("./commands/cost.ts")).costCommand),
    coordinate: lazy({ name: "coordinate", description: "Start a run across the workspace's repos: a contract and one spec per repo, to approve once ('-' reads the change from stdin)" }, async () => (await import("./commands/runs.ts")).coordinateCommand),
    runs: lazy({ name: "runs", description: "The workspace's coordinator runs, newest first" }, async () => (await import("./commands/runs.ts")).runsCommand),
    run: lazy({ name: "run", description: "Coordinator runs: show, approve, reject, interrupt, resume, logs, delete, follow-up" }, async () => (await import("./commands/runs.ts")).runCommand),
    trust: lazy({ name: "trust", description: "Let tasks run this repo's test command (test_cmd in .skep/config.json) on this machine" }, async () => (await import("./commands/trust.ts")).trustCommand),
    workspace: lazy({ name: "workspace", description: "The workspace's repos (list) and a live dashboard of all their tasks (watch)" }, async () => (await import("./commands/workspace.ts")).workspaceCommand),
    cockpit: lazy({ name: "cockpit", description: "The tmux cockpit: a status line of every repo's tasks and popup keys (setup, reset, status)" }, async () => (await import("./commands/cockpit.ts")).cockpitCommand),
    config: lazy({ name: "config", description: "Read or change .skep/config.json: skep config <key> [value], list, unset <key>" }, async () => (await import("./commands/config.ts")).configCommand),
    doctor: lazy({ name: "doctor", description: "Check the LLM CLI, git, tmux, the OS and this repo's skep state (read-only; exit 1 on a critical problem)" }, async () => (await import("./commands/doctor.ts")).doctorCommand),
    completion: lazy({ name: "completion", description: "Print a shell completion script (bash, zsh or fish); docs/cli.md says how to install it" }, async () => (await import("./commands/completion.ts")).completionCommand),
  },
});

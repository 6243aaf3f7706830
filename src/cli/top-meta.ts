// Each top-level command's name and description, in one place: app.ts names the commands by these
// without loading their modules (lazy.ts), and each command's own definition uses the same object,
// so `skep --help` and `skep <command> --help` cannot disagree.
import type { CommandMeta } from "citty";

export const TOP = {
  init: { name: "init", description: "Set up skep in this repo: .skep/, config, index, workspace registration" },
  index: { name: "index", description: "Build or query the code index" },
  search: { name: "search", description: "Search symbols: exact, prefix, camel humps (LVM), words, substring, fuzzy" },
  callers: { name: "callers", description: "Who calls (or uses) a symbol" },
  impls: { name: "impls", description: "What implements a symbol, and what it implements" },
  callees: { name: "callees", description: "What a symbol calls (or uses)" },
  map: { name: "map", description: "The most important files and symbols, fitted to a token budget" },
  contracts: { name: "contracts", description: "HTTP client calls matched to the server routes they reach (and the ones that reach none)" },
  status: { name: "status", description: "Index size, languages, freshness, and skipped files" },
  mcp: { name: "mcp", description: "MCP server for coding agents (`skep mcp` serves; `skep mcp install` registers it)" },
  daemon: { name: "daemon", description: "The repo's daemon: keeps the index warm and serves it (socket + HTTP)" },
  task: { name: "task", description: "Tasks: create, show, list, approve, reject, clarify, run, interrupt, resume, logs, attach, delete, done, jump-pending" },
  tasks: { name: "tasks", description: "List tasks (same as `skep task list`)" },
  cost: { name: "cost", description: "Tokens and cost of every LLM call, per task and for the repo" },
  coordinate: { name: "coordinate", description: "Start a run across the workspace's repos: a contract and one spec per repo, to approve once ('-' reads the change from stdin)" },
  runs: { name: "runs", description: "The workspace's coordinator runs, newest first" },
  run: { name: "run", description: "Coordinator runs: show, approve, reject, interrupt, resume, logs, delete, follow-up" },
  trust: { name: "trust", description: "Let skep run this repo's test_cmd and LLM CLIs, and use its provider URLs (from .skep/config.json), on this machine" },
  workspace: { name: "workspace", description: "The workspace's repos (list) and a live dashboard of all their tasks (watch)" },
  cockpit: { name: "cockpit", description: "The tmux cockpit: a status line of every repo's tasks and popup keys (setup, reset, status)" },
  config: { name: "config", description: "Read or change .skep/config.json: skep config <key> [value], list, unset <key>" },
  doctor: { name: "doctor", description: "Check the LLM CLI, git, tmux, the OS and this repo's skep state (read-only; exit 1 on a critical problem)" },
  completion: { name: "completion", description: "Print a shell completion script (bash, zsh or fish); docs/cli.md says how to install it" },
} satisfies Record<string, CommandMeta>;

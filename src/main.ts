#!/usr/bin/env bun
// skep's single entry point: the CLI (and, in later subcommands, the daemon and MCP server).
// Start-up is a feature (the tmux status line runs `skep status --oneline` every few seconds):
// this file and the command tree import nothing heavy; each command loads what it needs.
import { app } from "./cli/app.ts";
import { runCli } from "./cli/dispatch.ts";

try {
  await runCli(app, process.argv.slice(2));
} catch (err) {
  const code = (err as { exitCode?: number }).exitCode ?? 1;
  const message = err instanceof Error ? err.message : String(err);
  console.error(`skep: ${message}`);
  if (code === 1 && process.env.SKEP_DEBUG && err instanceof Error && !(await import("./index/store.ts")).isIndexUnavailable(err)) console.error(err.stack);
  process.exit(code);
}

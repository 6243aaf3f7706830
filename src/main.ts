#!/usr/bin/env bun
// skep's single entry point: the CLI (and, in later subcommands, the daemon and MCP server).
// Start-up is a feature (the tmux status line runs `skep status --oneline` every few seconds):
// this file and the command tree import nothing heavy; each command loads what it needs.
import { app } from "./cli/app.ts";
import { runCli } from "./cli/dispatch.ts";

try {
  await runCli(app, process.argv.slice(2));
} catch (err) {
  // A SkepError (from this process or a daemon: same code, same words) carries its exit code.
  const { describeError, SkepError } = await import("./errors.ts");
  const code = (err as { exitCode?: number }).exitCode ?? 1;
  console.error(`skep: ${describeError(err)}`);
  const expected = err instanceof SkepError && err.code !== "internal";
  if (code === 1 && process.env.SKEP_DEBUG && err instanceof Error && !expected) console.error(err.stack);
  process.exit(code);
}

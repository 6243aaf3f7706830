#!/usr/bin/env bun
// skep's single entry point: the CLI (and, in later subcommands, the daemon and MCP server).
import { app } from "./cli/app.ts";
import { runCli } from "./cli/dispatch.ts";
import { IndexUnavailable } from "./index/store.ts";

try {
  await runCli(app, process.argv.slice(2));
} catch (err) {
  const code = (err as { exitCode?: number }).exitCode ?? 1;
  const message = err instanceof Error ? err.message : String(err);
  console.error(`skep: ${message}`);
  if (code === 1 && !(err instanceof IndexUnavailable) && process.env.SKEP_DEBUG && err instanceof Error) console.error(err.stack);
  process.exit(code);
}

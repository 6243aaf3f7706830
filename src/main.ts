#!/usr/bin/env bun
// skep's single entry point: the CLI (and, in later subcommands, the daemon and MCP server).
// Start-up is a feature (the tmux status line runs `skep status --oneline` every few seconds):
// this file imports only the version statically; the command tree and each command are imported
// when needed. The release binary is split into chunks (scripts/compile.ts), so a module imported
// with import() is neither loaded nor evaluated until then: `skep --version` links two small chunks,
// and the plain forms of the status line, of search and of the index build (cli/plain-argv.ts) skip
// the command tree and citty.
import { plainIndexArgv, plainSearchArgv, statusLineArgv } from "./cli/plain-argv.ts";
import { versionLine } from "./version.ts";

const argv = process.argv.slice(2);

try {
  const line = argv[0] === "status" ? statusLineArgv(argv.slice(1)) : null;
  const search = argv[0] === "search" ? plainSearchArgv(argv.slice(1)) : null;
  const index = argv[0] === "index" ? plainIndexArgv(argv.slice(1)) : null;
  if (argv[0] === "--version" || argv[0] === "-v" || argv[0] === "version") console.log(versionLine());
  else if (line) await (await import("./cli/commands/status-oneline.ts")).printOneline(line.repo, line.tmux, line.json);
  else if (search) await (await import("./cli/commands/search-run.ts")).runSearch(search);
  else if (index) await (await import("./cli/commands/index-run.ts")).runIndex(index.repo, index.json);
  else {
    const [{ app }, { runCli }] = await Promise.all([import("./cli/app.ts"), import("./cli/dispatch.ts")]);
    await runCli(app, argv);
  }
} catch (err) {
  // A SkepError (from this process or a daemon: same code, same words) carries its exit code.
  const { describeError, SkepError } = await import("./errors.ts");
  const code = (err as { exitCode?: number }).exitCode ?? 1;
  console.error(`skep: ${describeError(err)}`);
  const expected = err instanceof SkepError && err.code !== "internal";
  if (code === 1 && process.env.SKEP_DEBUG && err instanceof Error && !expected) console.error(err.stack);
  process.exit(code);
}

// Subcommands that load on first use. app.ts names every top-level command with its meta only
// (name, alias, description: all that `skep --help` and dispatch need to pick one), and the
// module behind it is imported only when that command runs, so `skep status --oneline` never
// evaluates the MCP SDK, the task machinery or another command's zod schemas.
// The metas live in top-meta.ts, shared with the commands themselves (test/cli/lazy.test.ts checks it).
import type { CommandDef, CommandMeta } from "citty";

// biome-ignore lint: commands differ in their args types
type AnyCommand = CommandDef<any>;

const LOAD = Symbol("skep.load");

interface LazyCommand {
  meta: CommandMeta;
  [LOAD]: () => Promise<AnyCommand>;
}

export function lazy(meta: CommandMeta, load: () => Promise<AnyCommand>): AnyCommand {
  let loaded: Promise<AnyCommand> | null = null;
  const cmd: LazyCommand = { meta, [LOAD]: () => (loaded ??= load()) };
  return cmd as unknown as AnyCommand;
}

export function isLazy(cmd: AnyCommand): boolean {
  return LOAD in (cmd as object);
}

/** The command itself: a lazy one's module is imported now (once). */
export async function loaded(cmd: AnyCommand): Promise<AnyCommand> {
  return isLazy(cmd) ? await (cmd as unknown as LazyCommand)[LOAD]() : cmd;
}

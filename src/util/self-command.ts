// The command line that runs this skep again: the compiled binary, or bun and the entry script.
// On its own (no imports) so that a command can start itself cheaply (cli/cold-build.ts).

export function selfCommand(): string[] {
  const main = Bun.main;
  if (main.startsWith("/$bunfs/") || main.includes("~BUN") || !/\.(ts|js|mjs|cjs)$/.test(main)) return [process.execPath];
  return [process.execPath, main];
}

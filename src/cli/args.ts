// Flags shared by the commands: which repo to act on, and JSON output.
/** Flags every repo command takes. */
export const repoArgs = {
  repo: { type: "string", description: "Repository to act on (default: the one containing the current directory)", valueHint: "dir" },
} as const;

export const jsonArg = {
  json: { type: "boolean", description: "Print JSON (shapes in docs/cli.md)" },
} as const;

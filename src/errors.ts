// Errors the CLI turns into exit codes: 2 for a usage mistake, 1 for everything else.

export class UsageError extends Error {
  readonly exitCode = 2;
}

export class CommandFailed extends Error {
  readonly exitCode = 1;
}

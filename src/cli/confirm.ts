// Ask a yes/no question on the terminal. Never on a pipe: a script that did not pass --yes gets a
// usage error instead of a silent "no" (or worse, a "yes" read from data meant for something else).
import { createInterface } from "node:readline/promises";
import { UsageError } from "../errors.ts";
import { inCI } from "../util/terminal.ts";

export async function confirm(question: string, what: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UsageError(`refusing to ${what} without confirmation: stdin is not a terminal (pass --yes)`);
  // A CI job with a pseudo-terminal has no one to answer.
  if (inCI()) throw new UsageError(`refusing to ${what} without confirmation: CI is set (pass --yes)`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

// Where skep keeps its per-user files. Its own module so that what only needs the path (the status
// line, the cockpit) does not load the trust store and its schemas.
import { join, resolve } from "node:path";

/**
 * The user's home: $HOME, as os.homedir() reads it first; node:os only when HOME is unset, since
 * loading it costs every start about a millisecond (the status line runs every few seconds).
 */
export function homeDir(): string {
  return process.env.HOME || (require("node:os") as typeof import("node:os")).homedir();
}

/** The directory holding skep's per-user files: $SKEP_HOME, else ~/.skep. */
export function skepHome(): string {
  const env = process.env.SKEP_HOME;
  return env ? resolve(env) : join(homeDir(), ".skep");
}

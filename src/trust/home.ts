// Where skep keeps its per-user files. Its own module so that what only needs the path (the status
// line, the cockpit) does not load the trust store and its schemas.
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The directory holding skep's per-user files: $SKEP_HOME, else ~/.skep. */
export function skepHome(): string {
  const env = process.env.SKEP_HOME;
  return env ? resolve(env) : join(homedir(), ".skep");
}

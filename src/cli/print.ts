// Output helpers: JSON for scripts (validated against the protocol schema, so the documented
// shape is the shape printed) and plain lines for people.
import type { z } from "zod";
import type { Freshness } from "../protocol/index-answers.ts";

export function printJson<S extends z.ZodType>(schema: S, value: z.infer<S>): void {
  console.log(JSON.stringify(schema.parse(value), null, 2));
}

/** A note on stderr when the index does not match the disk: an answer never claims to be fresh when it is not. */
export function warnIfStale(f: Freshness): void {
  if (!f.stale) return;
  const n = f.pendingFiles;
  if (n === 0 && f.staleReason) return console.error(`note: the index is stale: ${f.staleReason}`);
  console.error(`note: the index is stale: ${n} file${n === 1 ? "" : "s"} changed since it was built; run \`skep index\``);
}

export function location(path: string, line: number): string {
  return `${path}:${line}`;
}

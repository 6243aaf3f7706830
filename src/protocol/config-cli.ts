// `skep config ... --json`: the shapes documented in docs/cli.md ("skep config").
import { z } from "zod";

export const ConfigEntry = z.object({
  key: z.string(),
  /** What skep uses: the file's value, else the built-in default or the value of the key it follows. null: none. */
  value: z.unknown(),
  /** The file does not set the key, or sets it to its built-in default. */
  default: z.boolean(),
  /** The file sets the key. */
  set: z.boolean(),
  /** While unset, the key takes this key's value (llm_plan follows llm); null otherwise. */
  follows: z.string().nullable(),
});
export type ConfigEntry = z.infer<typeof ConfigEntry>;

export const ConfigList = z.object({
  file: z.string(),
  exists: z.boolean(),
  keys: z.array(ConfigEntry),
  /** Keys in the file that skep does not know; kept as they are. */
  unknown: z.record(z.string(), z.unknown()),
});
export type ConfigList = z.infer<typeof ConfigList>;

// `.skep/config.json` and the workspace registry: files read by every skep process.
import { z } from "zod";

export const RepoConfig = z
  .object({
    llm: z.string().default("claude"),
    model: z.string().regex(/^[a-zA-Z0-9._-]+$/).default("sonnet"),
    model_classify: z.string().regex(/^[a-zA-Z0-9._-]+$/).optional(),
    /** Run after task execution, and only once the user has trusted it (see the trust store). */
    test_cmd: z.string().nullable().default(null),
    auto_execute_small: z.boolean().default(false),
    tmux_layout: z.enum(["split-h", "split-v", "window", "popup"]).default("split-h"),
  })
  .passthrough();
export type RepoConfig = z.infer<typeof RepoConfig>;

export const WorkspaceRegistry = z.object({
  agents: z.record(z.string(), z.object({ path: z.string(), llm: z.string().default("claude") }).passthrough()).default({}),
});
export type WorkspaceRegistry = z.infer<typeof WorkspaceRegistry>;

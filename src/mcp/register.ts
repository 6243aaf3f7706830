// Registering one tool with the SDK, as both servers (server.ts, workspace-server.ts) do: its
// input, its answer's schema (src/protocol/mcp-answers.ts), and the answer sent twice, as JSON
// text (what a client without structured output reads) and as `structuredContent`, checked
// against that schema first. Errors carry text only: the SDK's client checks an error's
// structuredContent against the tool's outputSchema too (1.x), and an error is not an answer.
//
// The list stays lean (it is re-sent to the model every turn): no `$schema` key in the schemas
// (absent, MCP reads JSON Schema 2020-12, which means the same for these) and no `execution`
// (absent, `taskSupport` is "forbidden", what the SDK spells out for every tool).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ToolCallback } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ShapeOutput, ZodRawShapeCompat } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { outputSchemaListed } from "../protocol/mcp-answers.ts";
import { ToolError } from "./tool-error.ts";

export interface ToolSpec<S extends ZodRawShapeCompat> {
  name: string;
  description: string;
  input: S;
  /** The full schema of the answer's JSON. */
  output: z.ZodType;
  annotations: ToolAnnotations;
}

/** A text-only error result. */
export function failure(err: unknown): CallToolResult {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ToolError) && process.env.SKEP_DEBUG && err instanceof Error) console.error(err.stack);
  return { content: [{ type: "text", text: `Error: ${message}` }], isError: true };
}

/** The answer's JSON as text and as structured content, once it matches `output`. */
export function answered(tool: string, text: string, output: z.ZodType): CallToolResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return failure(new Error(`${tool} produced an answer that is not JSON (a bug in skep): ${text.slice(0, 200)}`));
  }
  const checked = output.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return failure(new Error(`${tool} produced an answer that does not match its schema (a bug in skep): ${issue?.path.join(".") || "(top)"}: ${issue?.message}`));
  }
  return { content: [{ type: "text", text }], structuredContent: value as Record<string, unknown> };
}

/** Register `spec` on `server`; `callback` gets the parsed arguments (the SDK checks them against `input`). */
export function registerTool<S extends ZodRawShapeCompat>(
  server: McpServer,
  spec: ToolSpec<S>,
  callback: (args: ShapeOutput<S>, extra: never) => Promise<CallToolResult>,
): void {
  const registered = server.registerTool(
    spec.name,
    {
      description: spec.description,
      inputSchema: z.object(spec.input as z.ZodRawShape).meta({ $schema: undefined } as Record<string, unknown>),
      outputSchema: outputSchemaListed(),
      annotations: spec.annotations,
    },
    // ToolCallback<S> is a conditional type TypeScript cannot resolve for a generic S; for a
    // ZodRawShape it is exactly `callback`.
    callback as unknown as ToolCallback<z.ZodObject>,
  );
  registered.execution = undefined;
}

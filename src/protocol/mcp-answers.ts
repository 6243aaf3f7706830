// What each MCP tool answers: the JSON of its text and, the same object, its `structuredContent`.
// The server checks every answer against its schema here before sending it (src/mcp/register.ts),
// so a shape drifting from this file fails the tool call and the tests, not the agent later. The
// tools/list shows only `{"type":"object"}` for each (outputSchemaListed): the full schemas would
// quadruple the list the model is sent every turn (docs/mcp.md, "What the tool list costs"). Keys are the model-facing ones (snake_case, nulls dropped, long strings clipped).
import { z } from "zod";
import { ApproveRemoteTaskAnswer, CreateRemoteTaskAnswer, GetRemoteTaskAnswer, Stamp, WaitRemoteTaskAnswer } from "./mcp.ts";
import { Classification, DedupLayer, TaskStatus } from "./tasks.ts";

const int = z.number().int();
/** A page's continuation, absent on the last page. */
const nextCursor = z.string().optional();

// ------------------------------------------------------------------------------- index tools

/** A symbol as the index tools show it (src/mcp/tools.ts symbolOut). */
const SymbolOut = z.strictObject({
  id: int,
  name: z.string(),
  kind: z.string(),
  container: z.string().optional(),
  file: z.string(),
  line: int,
  end_line: int.optional(),
  signature: z.string().optional(),
  doc: z.string().optional(),
  match: z.string().optional(),
});
/** Another definition the same name or line matched. */
const AlsoOut = z.strictObject({ id: int, container: z.string().optional(), file: z.string(), line: int });

export const SearchSymbolsAnswer = z.strictObject({ query: z.string(), hits: z.array(SymbolOut), hint: z.string().optional(), next_cursor: nextCursor, index: Stamp });

export const GetFileContextAnswer = z.strictObject({
  file: z.string(),
  lang: z.string(),
  /** Why the file's symbols are not listed (too large, generated...). */
  skipped: z.string().optional(),
  symbols: z.array(SymbolOut.omit({ file: true, match: true })),
  next_cursor: nextCursor,
  index: Stamp,
});

const Neighbour = SymbolOut.extend({
  depth: int.optional(),
  via: int.optional(),
  resolved: z.enum(["type", "interface", "import", "name"]),
  through: int.optional(),
  ambiguous: z.literal(true).optional(),
});

export const GetCallGraphAnswer = z.strictObject({
  symbol: SymbolOut,
  callers: z.array(Neighbour).optional(),
  callees: z.array(Neighbour).optional(),
  also: z.array(AlsoOut).optional(),
  implementations: z.array(SymbolOut).optional(),
  implements: z.array(SymbolOut).optional(),
  next_cursor: nextCursor,
  index: Stamp,
});

export const GetSymbolAnswer = z.strictObject({
  symbol: SymbolOut,
  start_line: int,
  end_line: int,
  source: z.string(),
  more_lines: z.string().optional(),
  file_changed: z.string().optional(),
  also: z.array(AlsoOut).optional(),
  next_cursor: nextCursor,
  index: Stamp,
});

export const GetOverviewAnswer = z.strictObject({
  root: z.string(),
  files: int,
  symbols: int,
  languages: z.array(z.strictObject({ lang: z.string(), files: int, symbols: int })),
  map: z.string(),
  peers: z.array(z.strictObject({ name: z.string(), path: z.string() })).optional(),
  tasks: z.array(z.strictObject({ id: int, name: z.string(), status: TaskStatus })).optional(),
  index: Stamp,
});

// -------------------------------------------------------------------------------- task tools

/** Who answered a task tool: the repo's daemon, or this server on the task store directly. */
const Via = z.enum(["daemon", "local"]);
/** A task as list_tasks lists it (src/mcp/task-tools.ts summary). */
const TaskLine = z.strictObject({
  id: int,
  name: z.string(),
  status: TaskStatus,
  classification: Classification.optional(),
  branch: z.string().optional(),
  tokens: z.strictObject({ effectiveInput: int }),
});
/**
 * A task as show_task shows it: src/protocol/tasks.ts Task with nulls dropped, long strings clipped
 * and, for a huge task, the steps slimmed; only the fields every task keeps are declared.
 */
const ShownTask = z.looseObject({ id: int, name: z.string(), status: TaskStatus });

export const ListTasksAnswer = z.strictObject({ tasks: z.array(TaskLine), total: int, next_cursor: nextCursor, via: Via });

const Duplicate = z.strictObject({ duplicate: z.boolean(), layer: DedupLayer.optional(), taskId: int.optional(), score: z.number().optional(), reason: z.string() });

export const CreateTaskAnswer = z.union([
  z.strictObject({
    task_id: int,
    name: z.string(),
    status: TaskStatus,
    classification: Classification.optional(),
    reason: z.string().optional(),
    questions: z.array(z.string()).optional(),
    plan_steps: int.optional(),
    /** The pipeline stopped early (the LLM CLI failed): why. */
    note: z.string().optional(),
    hint: z.string(),
    via: Via,
  }),
  // Dedup found the work: nothing was created.
  z.strictObject({ duplicate: Duplicate, hint: z.string(), via: Via }),
]);

/** show_task, clarify_task: the task in full (as far as it fits), what can happen next, who answered. */
export const TaskAnswer = z.strictObject({ task: ShownTask, hint: z.string(), via: Via });

/** approve_task, reject_task: the task's line after the decision, with the gate's reason. */
export const DecidedTaskAnswer = z.strictObject({ task: TaskLine.extend({ reason: z.string().optional() }), hint: z.string(), via: Via });

export const DeleteTaskAnswer = z.strictObject({ id: int, deleted: z.literal(true), branchDeleted: z.boolean(), hint: z.string().optional(), via: Via });

export const DedupTaskAnswer = Duplicate.extend({ via: Via });

// ------------------------------------------------------------------------- cross-repo tools

export { ApproveRemoteTaskAnswer, CreateRemoteTaskAnswer, GetRemoteTaskAnswer, WaitRemoteTaskAnswer };

/** reject_remote_task, clarify_remote_task: the peer task after the call, as get_remote_task shows it. */
export const DecidedRemoteTaskAnswer = GetRemoteTaskAnswer;

// ------------------------------------------------------------------------- coordinator runs

/** A coordinator run for a model (src/mcp/run-tools.ts). */
export const RunAnswer = z.strictObject({
  id: int,
  status: z.string(),
  reason: z.string().optional(),
  repos: z.array(z.string()),
  contract: z.array(z.strictObject({ id: z.string(), kind: z.string(), name: z.string(), producer: z.string(), consumers: z.array(z.string()) })).optional(),
  specs: z.array(z.strictObject({ repo: z.string(), size: z.string(), after: z.array(z.string()).optional(), summary: z.string() })),
  workers: z.array(z.strictObject({ repo: z.string(), task_id: int, status: z.string(), branch: z.string().optional() })),
  verdicts: z.array(z.strictObject({ id: z.string(), verdict: z.string(), sides: z.array(z.string()), note: z.string().optional() })).optional(),
  tokens: z.strictObject({ calls: int, effective_input: int, output: int }),
  contract_file: z.string().optional(),
  report_file: z.string().optional(),
  next_action_hint: z.string().optional(),
});

// -------------------------------------------------------------------------- the listed form

/**
 * The outputSchema tools/list shows for every tool: `{"type":"object"}`, true of every answer the
 * full schemas accept. The full schemas as JSON Schema come to about 31,000 characters for the 23
 * tools, four times the whole list's budget; even the always-present keys alone (`required`) cost
 * about 1,050 characters more than this, and the top-level properties with their JSON types
 * (nested values as bare object/array) put the list with peers at 12,725 (docs/mcp.md). No `$schema` key: without one, MCP reads a schema as
 * JSON Schema 2020-12, which means the same here.
 */
export function outputSchemaListed(): z.ZodType {
  return z.looseObject({}).meta({ $schema: undefined, properties: undefined, additionalProperties: undefined } as Record<string, unknown>);
}

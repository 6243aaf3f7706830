// The shapes of index answers as they leave the process: `--json` output today, and the daemon's
// socket/HTTP replies and MCP tool results later. One zod schema per answer; docs/cli.md documents
// them. Fields are only ever added, never renamed or removed, within a major version.
import { z } from "zod";

/** Where an answer stands: what it was computed from. Every index answer carries one. */
export const Freshness = z.object({
  /** The work tree the answer describes (absolute path). */
  worktree: z.string(),
  /** HEAD of that work tree now, or null (not a git repo, or no commits). */
  head: z.string().nullable(),
  /** HEAD when the index was last updated. */
  indexedHead: z.string().nullable(),
  /** When the index was last updated (ISO 8601), or null if never. */
  indexedAt: z.string().nullable(),
  /** Source files changed on disk (added, modified or deleted) and not yet indexed. */
  pendingFiles: z.number().int(),
  /** True when the answer may not match the files on disk (pendingFiles > 0), or the index is incomplete (staleReason). */
  stale: z.boolean(),
  /** Why the answer is stale, when it is: files changed, or an index run that did not finish its phases (call graph, ranks, search). */
  staleReason: z.string().nullable().optional(),
});
export type Freshness = z.infer<typeof Freshness>;

export const SymbolRef = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: z.string(),
  container: z.string().nullable(),
  path: z.string(),
  line: z.number().int(),
  endLine: z.number().int(),
  signature: z.string(),
});
export type SymbolRef = z.infer<typeof SymbolRef>;

export const SearchHit = SymbolRef.extend({
  doc: z.string().nullable(),
  lang: z.string(),
  rank: z.number(),
  match: z.enum(["exact", "prefix", "camel", "words", "substring", "fuzzy"]),
  score: z.number(),
});

export const SearchAnswer = z.object({
  query: z.string(),
  hits: z.array(SearchHit),
  freshness: Freshness,
});
export type SearchAnswer = z.infer<typeof SearchAnswer>;

export const GraphNeighbour = SymbolRef.extend({
  /** Summed reference weight (an ambiguous reference contributes 1/candidates). */
  weight: z.number(),
  /** How far from the root symbol (1 = direct caller/callee). */
  depth: z.number().int(),
  /** The symbol at depth - 1 this one was reached from. */
  via: z.number().int(),
  /**
   * How the edge was resolved: "type" (the receiver's type), "interface" (a call of an interface
   * method this symbol implements; `through` is that method's id), "import" (through an import's
   * name), "name" (by name and scope: the weakest).
   */
  resolved: z.enum(["type", "interface", "import", "name"]),
  through: z.number().int().optional(),
});

export const CallGraphAnswer = z.object({
  direction: z.enum(["callers", "callees"]),
  /** Every symbol the query named (one name can match several definitions). */
  roots: z.array(
    z.object({
      symbol: SymbolRef,
      neighbours: z.array(GraphNeighbour),
      /** With `impls`: what implements this interface/class/method, and what it implements. */
      implementations: z.array(SymbolRef).optional(),
      implements: z.array(SymbolRef).optional(),
    }),
  ),
  freshness: Freshness,
});
export type CallGraphAnswer = z.infer<typeof CallGraphAnswer>;

export const RepoMapAnswer = z.object({
  tokens: z.number().int(),
  budget: z.number().int(),
  files: z.array(
    z.object({
      path: z.string(),
      rank: z.number(),
      symbols: z.array(z.object({ name: z.string(), kind: z.string(), line: z.number().int(), signature: z.string(), rank: z.number() })),
    }),
  ),
  text: z.string(),
  freshness: Freshness,
});
export type RepoMapAnswer = z.infer<typeof RepoMapAnswer>;

export const StatusAnswer = z.object({
  root: z.string(),
  files: z.number().int(),
  symbols: z.number().int(),
  refs: z.number().int(),
  edges: z.number().int(),
  languages: z.array(z.object({ lang: z.string(), name: z.string(), files: z.number().int(), symbols: z.number().int() })),
  otherFiles: z.number().int(),
  changed: z.object({
    added: z.array(z.string()),
    modified: z.array(z.string()),
    deleted: z.array(z.string()),
  }),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  /**
   * Files the index rules leave out (vendored, test data, generated, index.exclude), counted per
   * reason, most first: those decided by path at the last full scan, and those read and found
   * generated or minified (also listed in `skipped`).
   */
  skippedByRule: z.array(z.object({ reason: z.string(), files: z.number().int() })),
  syntaxErrors: z.array(z.object({ path: z.string(), count: z.number().int() })),
  freshness: Freshness,
});
export type StatusAnswer = z.infer<typeof StatusAnswer>;

export const IndexAnswer = z.object({
  root: z.string(),
  files: z.number().int(),
  symbols: z.number().int(),
  parsed: z.number().int(),
  unchanged: z.number().int(),
  deleted: z.number().int(),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  durationMs: z.number(),
});
export type IndexAnswer = z.infer<typeof IndexAnswer>;

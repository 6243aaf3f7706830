// The five index tools. Each one asks the repo's index (the SkepApi's CheckoutIndex: its daemon,
// the index file, or the worktree overlay) for the same answers the CLI's `--json` gives,
// reshapes them for a model (short keys, nulls dropped, long strings clipped), bounds them with a
// cursor, and stamps them with the index's freshness.
// Failures an agent can fix come back as tool errors that say what to do next.
import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Database } from "bun:sqlite";
import { nearest } from "../util/suggest.ts";
import { loadIndexRules } from "../index/rules.ts";
import { languageForPath, LANGUAGES } from "../parser/languages.ts";
import type { SymbolRef } from "../protocol/index-answers.ts";
import { MAX_QUERY, MAX_SYMBOL_REF } from "../protocol/limits.ts";
import {
  type GetCallGraphArgs,
  type GetFileContextArgs,
  type GetOverviewArgs,
  type GetSymbolArgs,
  MAX_ANSWER_CHARS,
  type SearchSymbolsArgs,
  type Stamp,
} from "../protocol/mcp.ts";
import { peersOf } from "../workspace/registry.ts";
import type { CheckoutIndex, Session } from "../api/checkout-index.ts";
import { ToolError } from "./tool-error.ts";
import { clip, makeCursor, pageJson, readCursor } from "./bound.ts";
import { PathRefused, safeRelativePath } from "./paths.ts";
import { SkepError } from "../errors.ts";

const SIGNATURE_CHARS = 300;
const DOC_CHARS = 800;
const LINE_CHARS = 2_000;

type Json = Record<string, unknown>;

/** Drop null/undefined fields: fewer tokens, same meaning. */
function compact<T extends Json>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === null || o[k] === undefined) delete o[k];
  return o;
}

function symbolOut(s: SymbolRef, extra: Json = {}): Json {
  return compact({
    id: s.id,
    name: s.name,
    kind: s.kind,
    container: s.container,
    file: s.path,
    line: s.line,
    end_line: s.endLine,
    signature: s.signature ? clip(s.signature, SIGNATURE_CHARS) : undefined,
    ...extra,
  });
}

function pathError(err: unknown): never {
  if (err instanceof PathRefused) throw new ToolError(err.message);
  throw err;
}

function verbError(err: unknown): never {
  if (err instanceof SkepError) throw new ToolError(err.message);
  throw err;
}

/** A task in flight, as get_overview lists it. */
export interface ActiveTask {
  id: number;
  name: string;
  status: string;
}

const OVERVIEW_TASKS = 20;

export class Tools {
  constructor(
    private readonly backend: CheckoutIndex,
    /** The repo's tasks in flight (the SkepApi's tasks); none when absent or failing. */
    private readonly activeTasks: () => Promise<ActiveTask[]> = async () => [],
  ) {}

  // ------------------------------------------------------------------------------- search_symbols

  async searchSymbols(args: SearchSymbolsArgs): Promise<string> {
    const offset = readCursor("search_symbols", args);
    if (!args.query.trim()) throw new ToolError("query is empty: give a name, part of one, or a few words");
    if (args.query.length > MAX_QUERY) throw new ToolError(`query is too long (over ${MAX_QUERY} characters): search for a name or a few words`);
    within("limit", args.limit, 1, 200);
    const path = args.path === undefined ? undefined : this.relPath(args.path, "path", true);
    // The search stops at `limit` hits; a later page re-runs it and skips what was already shown.
    const { value: result, stamp } = await this.backend
      .ask("search", { query: args.query, kind: args.kinds, path: path || undefined, limit: args.limit })
      .catch(verbError);
    const hits = result.hits.map((h) =>
      symbolOut(h, { doc: args.verbose && h.doc ? clip(h.doc, DOC_CHARS) : undefined, match: h.match }),
    );
    let hint: string | undefined;
    if (hits.length === 0) {
      const filters = [args.kinds?.length ? `kinds ${args.kinds.join(",")}` : "", path ? `path ${path}` : ""].filter(Boolean);
      hint = filters.length
        ? `nothing matches '${args.query}' with ${filters.join(" and ")}: try without those filters`
        : `nothing matches '${args.query}': try a shorter name, one word of it, or its initials`;
    }
    return pageJson(
      hits,
      offset,
      (page, next) => compact({ query: args.query, hits: page, hint, next_cursor: next, index: stamp }),
      (o) => makeCursor("search_symbols", args, o),
    );
  }

  // ----------------------------------------------------------------------------- get_file_context

  async getFileContext(args: GetFileContextArgs): Promise<string> {
    const offset = readCursor("get_file_context", args);
    const path = this.relPath(args.file_path, "file_path", false);
    if (path === "") throw new ToolError("file_path names the repository root; give a file, e.g. from search_symbols' `file`");
    let answer;
    try {
      answer = await this.backend.ask("file.context", { path, docs: args.verbose === true });
    } catch (err) {
      if (err instanceof SkepError && err.code === "not_found") throw new ToolError(this.fileNotFound(path));
      verbError(err);
    }
    const { value: result, stamp } = answer;
    const symbols = result.symbols.map((s) =>
      compact({
        id: s.id,
        name: s.name,
        kind: s.kind,
        container: s.container,
        line: s.line,
        end_line: s.endLine,
        signature: s.signature ? clip(s.signature, SIGNATURE_CHARS) : undefined,
        doc: args.verbose && s.doc ? clip(s.doc, DOC_CHARS) : undefined,
      }),
    );
    return pageJson(
      symbols,
      offset,
      (page, next) => compact({ file: result.path, lang: result.lang, skipped: result.skipped, symbols: page, next_cursor: next, index: stamp }),
      (o) => makeCursor("get_file_context", args, o),
    );
  }

  // ------------------------------------------------------------------------------ get_call_graph

  async getCallGraph(args: GetCallGraphArgs): Promise<string> {
    const offset = readCursor("get_call_graph", args);
    within("depth", args.depth, 1, 5);
    within("limit", args.limit, 1, 500);
    const spec = this.symbolSpec(args.symbol_id);
    const directions = args.direction === "both" ? (["callers", "callees"] as const) : ([args.direction] as const);
    const session: Session = {};
    let stamp: Stamp | null = null;
    let root: SymbolRef | null = null;
    let also: SymbolRef[] = [];
    let impls: { implementations?: SymbolRef[]; implements?: SymbolRef[] } = {};
    const lists: Record<string, Json[]> = {};
    for (const direction of directions) {
      const a = await this.backend.ask(direction, { symbol: spec, depth: args.depth, limit: args.limit, impls: true }, session).catch(verbError);
      stamp = a.stamp;
      if (a.value.roots.length === 0) throw new ToolError(await this.symbolNotFound(spec));
      const [first, ...rest] = a.value.roots;
      root = first!.symbol;
      also = rest.map((r) => r.symbol);
      const ids = new Map<number, number>();
      lists[direction] = first!.neighbours.map((n) => {
        ids.set(n.id, n.depth);
        return symbolOut(n, {
          end_line: undefined,
          depth: args.depth > 1 ? n.depth : undefined,
          via: n.depth > 1 ? n.via : undefined,
          resolved: n.resolved,
          through: n.through,
          ambiguous: n.weight < 0.999 ? true : undefined,
        });
      });
      impls = first!;
    }
    // One list to page over; split back into callers and callees per page.
    const flat = directions.flatMap((d) => lists[d]!.map((item) => ({ d, item })));
    return pageJson(
      flat,
      offset,
      (page, next) => {
        const out: Json = { symbol: symbolOut(root!) };
        for (const d of directions) out[d] = page.filter((p) => p.d === d).map((p) => p.item);
        if (also.length) out.also = also.map((s) => compact({ id: s.id, container: s.container, file: s.path, line: s.line }));
        // Implementations ride on the first page only.
        if (offset === 0 && impls.implementations?.length) out.implementations = impls.implementations.map((s) => symbolOut(s));
        if (offset === 0 && impls.implements?.length) out.implements = impls.implements.map((s) => symbolOut(s));
        return compact({ ...out, next_cursor: next, index: stamp });
      },
      (o) => makeCursor("get_call_graph", args, o),
    );
  }

  // ---------------------------------------------------------------------------------- get_symbol

  async getSymbol(args: GetSymbolArgs): Promise<string> {
    const offset = readCursor("get_symbol", args);
    const spec = this.symbolSpec(args.symbol_id);
    const { value: result, stamp } = await this.backend.ask("symbol.source", { symbol: spec, maxLines: 5000, limit: 5 }).catch(verbError);
    if (result.symbols.length === 0) throw new ToolError(await this.symbolNotFound(spec));
    const [first, ...rest] = result.symbols;
    const s = first!;
    if (s.text === "" && s.endLine < s.startLine) {
      throw new ToolError(`${s.symbol.path} cannot be read from ${stamp.worktree} (deleted or unreadable since it was indexed); search_symbols again`);
    }
    // The worktree overlay reads files from the worktree while the index rows it did not re-parse
    // carry the main checkout's (size, mtime): only a re-parsed file can really have changed since.
    const fileChanged = stamp.overlayFiles !== undefined ? false : s.fileChanged;
    const lines = s.text.split("\n").map((l) => clip(l, LINE_CHARS));
    return pageJson(
      lines,
      offset,
      (page, next) =>
        compact({
          symbol: symbolOut(s.symbol),
          start_line: s.startLine + offset,
          end_line: s.startLine + offset + Math.max(page.length - 1, 0),
          source: page.join("\n"),
          more_lines: s.truncated ? `the definition continues past line ${s.endLine} (shown up to 5000 lines)` : undefined,
          file_changed: fileChanged ? "the file changed since it was indexed: these lines may not be this symbol any more" : undefined,
          also: rest.length ? rest.map((r) => compact({ id: r.symbol.id, container: r.symbol.container, file: r.symbol.path, line: r.symbol.line })) : undefined,
          next_cursor: next,
          index: stamp,
        }),
      (o) => makeCursor("get_symbol", args, o),
    );
  }

  // -------------------------------------------------------------------------------- get_overview

  async getOverview(args: GetOverviewArgs): Promise<string> {
    const session: Session = {};
    const status = await this.backend.ask("status", {}, session).catch(verbError);
    let tokens = within("tokens", args.tokens, 100, 4000);
    const peers = this.peers();
    // The overview is about the code; a task store that cannot be read must not fail it.
    const tasks = (await this.activeTasks().catch(() => [])).slice(0, OVERVIEW_TASKS);
    for (;;) {
      const { value: map, stamp } = await this.backend.ask("map", { tokens }, session).catch(verbError);
      const out = compact({
        root: stamp.worktree,
        files: status.value.files,
        symbols: status.value.symbols,
        languages: status.value.languages.map((l) => ({ lang: l.lang, files: l.files, symbols: l.symbols })),
        map: map.text,
        peers: peers.length ? peers : undefined,
        tasks: tasks.length ? tasks : undefined,
        index: stamp,
      });
      const text = JSON.stringify(out);
      if (text.length <= MAX_ANSWER_CHARS || tokens <= 100) return text;
      tokens = Math.max(100, Math.floor(tokens * 0.8));
    }
  }

  // ------------------------------------------------------------------------------------ helpers

  private relPath(input: string, what: string, glob: boolean): string {
    const root = this.backend.worktree;
    const main = this.backend.indexRoot;
    const hint = main !== root ? `This server answers for the worktree ${root}, not the main checkout ${main}` : undefined;
    try {
      return safeRelativePath(root, input, what, { glob, hint });
    } catch (err) {
      pathError(err);
    }
  }

  /** A symbol id (number, or digits as a string) or a name spec, as the index verbs take it. */
  private symbolSpec(ref: number | string): string {
    if (typeof ref === "number" && (!Number.isSafeInteger(ref) || ref < 0)) {
      throw new ToolError(`symbol_id ${ref} is not an id: pass an id from search_symbols (a whole number), or a name`);
    }
    const spec = String(ref).trim();
    if (spec === "") throw new ToolError("symbol_id is empty: pass an id from search_symbols, or a name");
    if (spec.length > MAX_SYMBOL_REF) throw new ToolError(`symbol_id is too long (over ${MAX_SYMBOL_REF} characters): pass an id or a name`);
    const loc = /^(.+):(\d+)$/.exec(spec);
    if (loc) return `${this.relPath(loc[1]!, "symbol_id", false)}:${loc[2]}`;
    return spec;
  }

  private async symbolNotFound(spec: string): Promise<string> {
    if (/^\d+$/.test(spec)) {
      return `no symbol with id ${spec} (removed or renamed since, or an id from another index): call search_symbols again for a current id`;
    }
    const loc = /^(.+):(\d+)$/.exec(spec);
    if (loc) return `no definition encloses line ${loc[2]} of ${loc[1]}: call get_file_context on ${loc[1]} to list its symbols`;
    const name = spec.split(/\.|::|#/).pop() || spec;
    let suggestions: string[] = [];
    try {
      const { value: result } = await this.backend.ask("search", { query: name, limit: 3 });
      suggestions = result.hits.map((h) => `${h.container ? `${h.container}.` : ""}${h.name} (${h.kind}, ${h.path}:${h.line}, id ${h.id})`);
    } catch {
      // no suggestions then
    }
    return `no symbol named '${spec}'${suggestions.length ? `; did you mean ${suggestions.join(", or ")}?` : ": try search_symbols with part of the name"}`;
  }

  private fileNotFound(path: string): string {
    const root = this.backend.worktree;
    const abs = join(root, path);
    if (existsSync(abs)) {
      if (statSync(abs).isDirectory()) return `${path} is a directory: give a file in it, or use search_symbols with path '${path}'`;
      if (!languageForPath(path)) {
        const names = Object.values(LANGUAGES).map((l) => l.name).join(", ");
        return `${path} is not a source file skep parses (languages: ${names}): read it directly instead`;
      }
      const left = leftOutBecause(root, path);
      if (left) return `${path} is left out of the index (${left}): add it to index.include in .skep/config.json to index it, or read the file directly`;
      return `${path} is not in the index (ignored by git, or added since the last index run): run \`skep index\`, or read the file directly`;
    }
    const suggestion = this.similarPaths(path);
    return `no file '${path}' in the index${suggestion.length ? `; did you mean ${suggestion.map((p) => `'${p}'`).join(" or ")}?` : ": paths are relative to the repository root, as search_symbols returns them"}`;
  }

  private similarPaths(path: string): string[] {
    let db: Database;
    try {
      db = this.backend.database();
    } catch {
      return [];
    }
    const paths = (db.query("SELECT path FROM files").all() as { path: string }[]).map((r) => r.path);
    const base = basename(path);
    const sameName = paths.filter((p) => basename(p) === base).slice(0, 3);
    if (sameName.length) return sameName;
    const tail = paths.filter((p) => p.endsWith(path)).slice(0, 3);
    if (tail.length) return tail;
    const near = nearest(path, paths);
    return near ? [near] : [];
  }

  private peers(): { name: string; path: string }[] {
    return peersOf(this.backend.indexRoot).slice(0, 20);
  }
}

/** `value`, when it is a whole number from `lo` to `hi`; else a tool error naming the range (the schema leaves ranges out to stay lean). */
export function within(name: string, value: number, lo: number, hi: number): number {
  if (!Number.isInteger(value) || value < lo || value > hi) throw new ToolError(`${name} ${value} is out of range: a whole number from ${lo} to ${hi}`);
  return value;
}

/** Why the index rules leave `path` out (src/index/rules.ts), or null; a config that cannot be read says nothing here. */
function leftOutBecause(root: string, path: string): string | null {
  try {
    const v = loadIndexRules(root).verdict(path);
    return v.kind === "skip" ? v.reason : null;
  } catch {
    return null;
  }
}

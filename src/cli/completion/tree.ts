// The command tree as shell completion needs it, read from the live citty definitions (the same
// ones dispatch.ts runs), so a new command, verb, flag or alias is completed with no change here.
// Every node is one command path (`task create`); the generated scripts walk the words typed so
// far to a node exactly as dispatch.ts resolves them: flags (and the values of flags that take
// one) are skipped, a subcommand's name or alias moves down, anything else stays put.
import type { ArgsDef, CommandDef } from "citty";
import { loaded } from "../lazy.ts";

// biome-ignore lint: commands differ in their args types
type AnyCommand = CommandDef<any>;

export interface CompletionFlag {
  /** As typed: `--json`, `-y`, `--no-daemon`. */
  names: string[];
  description: string;
  takesValue: boolean;
  /** What the value is: `dir`, `file`, a word list, or nothing to offer. */
  value: { dirs: true } | { files: true } | { words: string[] } | null;
}

export interface CompletionNode {
  /** "" for the root, else the canonical path ("task create"). */
  path: string;
  /** Subcommands, canonical names (offered). */
  children: { name: string; description: string }[];
  /** Every word that moves down from here (names and aliases) to the child's path. */
  moves: Record<string, string>;
  flags: CompletionFlag[];
  /**
   * Flags that take a value, of this command and of its subcommands (dispatch.ts reads them
   * before the verb too: `skep --repo DIR task`): their value is not a subcommand, and is completed.
   */
  valueFlags: CompletionFlag[];
  /** Words for a positional argument (e.g. config keys), when the command declares a known one. */
  positionalWords: string[];
  /** A group's default verb: a word that is no subcommand makes dispatch run this one (`skep config model`). */
  defaultPath: string | null;
}

async function value<T>(v: T | (() => T | Promise<T>) | Promise<T> | undefined): Promise<T | undefined> {
  return typeof v === "function" ? await (v as () => T | Promise<T>)() : await v;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function aliasesOf(alias: string | string[] | undefined): string[] {
  return alias ? (Array.isArray(alias) ? alias : [alias]) : [];
}

function flagsOf(args: ArgsDef): CompletionFlag[] {
  const out: CompletionFlag[] = [];
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const dash = (n: string) => (n.length === 1 ? `-${n}` : `--${n}`);
    const aliases = "alias" in def ? aliasesOf(def.alias) : [];
    const takesValue = def.type === "string" || def.type === "enum";
    const names = [dash(kebab(name)), ...aliases.map(dash)];
    let v: CompletionFlag["value"] = null;
    if (def.type === "enum" && "options" in def && def.options) v = { words: def.options };
    else if (takesValue && def.valueHint === "dir") v = { dirs: true };
    else if (takesValue && (def.valueHint === "file" || def.valueHint === "path")) v = { files: true };
    else if (takesValue && def.valueHint?.includes("|")) v = { words: def.valueHint.split("|") };
    out.push({ names, description: def.description ?? "", takesValue, value: v });
    // dispatch.ts accepts --no-<flag> for every boolean; offer it where it means something (default on).
    if (def.type === "boolean" && def.default === true) out.push({ names: [`--no-${kebab(name)}`], description: def.negativeDescription ?? `Turn off --${kebab(name)}`, takesValue: false, value: null });
  }
  out.push({ names: ["--help", "-h"], description: "Show help", takesValue: false, value: null });
  return out;
}

/**
 * Every node of the tree under `root`, parents before children. `positional` maps a positional's
 * valueHint to the words to offer for it (the caller knows, say, the config keys).
 */
export async function completionTree(root: AnyCommand, positional: Record<string, string[]> = {}): Promise<CompletionNode[]> {
  const nodes: CompletionNode[] = [];
  const visit = async (cmd: AnyCommand, path: string): Promise<void> => {
    const args = ((await value(cmd.args)) ?? {}) as ArgsDef;
    const subs = ((await value(cmd.subCommands)) ?? {}) as Record<string, AnyCommand>;
    const node: CompletionNode = { path, children: [], moves: {}, flags: flagsOf(args), valueFlags: [], positionalWords: [], defaultPath: null };
    for (const def of Object.values(args)) if (def.type === "positional" && def.valueHint && positional[def.valueHint]) node.positionalWords.push(...positional[def.valueHint]!);
    const valueFlags = new Map(node.flags.filter((f) => f.takesValue).map((f) => [f.names[0]!, f]));
    const defaultName = (cmd as { default?: string }).default;
    const later: [AnyCommand, string][] = [];
    for (const [key, lazySub] of Object.entries(subs)) {
      const sub = await loaded(lazySub); // the whole tree is read: every command's flags
      const meta = (await value(sub.meta)) ?? {};
      if (meta.hidden) continue;
      const name = meta.name ?? key;
      const childPath = path ? `${path} ${name}` : name;
      node.children.push({ name, description: meta.description ?? "" });
      for (const word of new Set([key, name, ...aliasesOf(meta.alias)])) node.moves[word] = childPath;
      const subArgs = ((await value(sub.args)) ?? {}) as ArgsDef;
      const subFlags = flagsOf(subArgs);
      for (const f of subFlags) if (f.takesValue && !valueFlags.has(f.names[0]!)) valueFlags.set(f.names[0]!, f);
      // `skep index --json` runs the default verb: its flags belong to the group's word too.
      if (key === defaultName) {
        node.defaultPath = childPath;
        const have = new Set(node.flags.flatMap((f) => f.names));
        node.flags.push(...subFlags.filter((f) => !f.names.some((n) => have.has(n))));
        for (const d of Object.values(subArgs)) if (d.type === "positional" && d.valueHint && positional[d.valueHint]) node.positionalWords.push(...positional[d.valueHint]!);
      }
      later.push([sub, childPath]);
    }
    node.valueFlags = [...valueFlags.values()];
    nodes.push(node);
    for (const [sub, childPath] of later) await visit(sub, childPath);
  };
  await visit(root, "");
  // dispatch.ts: `skep help <command>` and `skep version`; `--version`/`-v` at the top.
  const top = nodes[0]!;
  top.children.push({ name: "help", description: "Show help for a command" }, { name: "version", description: "Print the version" });
  top.flags.push({ names: ["--version", "-v"], description: "Print the version", takesValue: false, value: null });
  return nodes;
}

// Resolve argv to one command, check every flag against what that command declares, then run it.
// citty parses and renders usage; this layer adds what a demanding user expects from a CLI:
// unknown commands and flags are refused with exit 2 and the nearest valid spelling.
import { type ArgsDef, type CommandDef, renderUsage, runCommand } from "citty";
import { VERSION, versionLine } from "../version.ts";
import { UsageError } from "../errors.ts";
import { nearest } from "../util/suggest.ts";
import { colorOn } from "../util/terminal.ts";
import { loaded } from "./lazy.ts";

// biome-ignore lint: commands differ in their args types
type AnyCommand = CommandDef<any>;

interface Resolved {
  chain: AnyCommand[];
  rest: string[];
}

async function value<T>(v: T | (() => T | Promise<T>) | Promise<T> | undefined): Promise<T | undefined> {
  return typeof v === "function" ? await (v as () => T | Promise<T>)() : await v;
}

async function subCommandsOf(cmd: AnyCommand): Promise<Record<string, AnyCommand>> {
  return ((await value(cmd.subCommands)) ?? {}) as Record<string, AnyCommand>;
}

async function findSub(subs: Record<string, AnyCommand>, name: string): Promise<AnyCommand | null> {
  if (subs[name]) return await loaded(subs[name]!);
  for (const sub of Object.values(subs)) {
    const meta = await value(sub.meta);
    const alias = meta?.alias;
    if (alias && (Array.isArray(alias) ? alias : [alias]).includes(name)) return await loaded(sub);
  }
  return null;
}

/**
 * Where the verb is in `rest`. A first word that is not a flag is the verb, known without
 * loading anything; only flags before the verb (`skep --repo DIR task`) need every subcommand's
 * flags, to tell which of them take a value.
 */
async function verbAt(cmd: AnyCommand, subs: Record<string, AnyCommand>, rest: string[]): Promise<number> {
  if (rest.length > 0 && !rest[0]!.startsWith("-")) return 0;
  // Only flags (`skep --help`, `skep --repo`): no word to find, and no command to load for it.
  if (rest.every((a) => a.startsWith("-"))) return -1;
  return firstWord(rest, await valueFlagsOf([cmd, ...(await Promise.all(Object.values(subs).map(loaded)))]));
}

async function resolveCommand(root: AnyCommand, argv: string[], forHelp = false): Promise<Resolved> {
  const chain = [root];
  let rest = [...argv];
  for (;;) {
    const cmd = chain[chain.length - 1]!;
    const subs = await subCommandsOf(cmd);
    if (Object.keys(subs).length === 0) break;
    const at = await verbAt(cmd, subs, rest);
    const token = at === -1 ? undefined : rest[at];
    const sub = token === undefined ? null : await findSub(subs, token);
    if (sub) {
      chain.push(sub);
      rest = [...rest.slice(0, at), ...rest.slice(at + 1)];
      continue;
    }
    const def = (cmd as { default?: string }).default;
    // `skep index --help` describes the group, not its default verb.
    if (def && subs[def] && !(forHelp && token === undefined) && (token === undefined || (await acceptsPositional(await loaded(subs[def]!))))) {
      chain.push(await loaded(subs[def]!));
      continue;
    }
    if (token === undefined) break; // e.g. `skep daemon` with no verb: show that group's usage
    const names = Object.keys(subs);
    const hint = nearest(token, names);
    const where = chain.length > 1 ? `skep ${await pathOf(chain)}` : "skep";
    throw new UsageError(`unknown command '${token}' for ${where}${hint ? `; did you mean '${hint}'?` : ""} (see '${where} --help')`);
  }
  return { chain, rest };
}

/** Names (as typed, without dashes) of the flags that take a value, across `cmds`. */
async function valueFlagsOf(cmds: AnyCommand[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const c of cmds) {
    const args = ((await value(c.args)) ?? {}) as ArgsDef;
    for (const [name, def] of Object.entries(args)) {
      if (def.type !== "string" && def.type !== "enum") continue;
      out.add(name);
      out.add(name.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`));
      const alias = "alias" in def ? def.alias : undefined;
      for (const a of alias ? (Array.isArray(alias) ? alias : [alias]) : []) out.add(a);
    }
  }
  return out;
}

/** Index of the first word that is neither a flag nor a flag's value (`--repo DIR` is not a verb), or -1. */
function firstWord(rest: string[], valueFlags: Set<string>): number {
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--") return -1;
    if (!a.startsWith("-")) return i;
    if (!a.includes("=") && valueFlags.has(a.replace(/^--?/, ""))) i++;
  }
  return -1;
}

async function acceptsPositional(cmd: AnyCommand): Promise<boolean> {
  const args = ((await value(cmd.args)) ?? {}) as ArgsDef;
  return Object.values(args).some((a) => a.type === "positional");
}

async function pathOf(chain: AnyCommand[]): Promise<string> {
  const names: string[] = [];
  for (const c of chain.slice(1)) names.push((await value(c.meta))?.name ?? "?");
  return names.join(" ");
}

/** Refuse flags the command does not declare; name the closest one. */
async function checkFlags(cmd: AnyCommand, rest: string[], where: string): Promise<void> {
  const args = ((await value(cmd.args)) ?? {}) as ArgsDef;
  const known = new Map<string, { takesValue: boolean }>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const takesValue = def.type === "string" || def.type === "enum";
    const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    for (const n of [name, kebab]) {
      known.set(n, { takesValue });
      if (def.type === "boolean") known.set(`no-${n}`, { takesValue: false });
    }
    const alias = "alias" in def ? def.alias : undefined;
    for (const a of alias ? (Array.isArray(alias) ? alias : [alias]) : []) known.set(a, { takesValue });
  }
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--") break;
    if (!a.startsWith("-") || a === "-") continue;
    const name = a.replace(/^--?/, "").split("=")[0]!;
    const flag = known.get(name);
    if (!flag) {
      const hint = nearest(name, [...known.keys()].filter((k) => k.length > 1));
      throw new UsageError(`unknown flag '${a.split("=")[0]}' for ${where}${hint ? `; did you mean '--${hint}'?` : ""} (see '${where} --help')`);
    }
    if (flag.takesValue && !a.includes("=")) {
      if (i + 1 >= rest.length) throw new UsageError(`flag '${a}' needs a value (see '${where} --help')`);
      i++;
    }
  }
}

/** Gather every positional past the declared ones into the last positional marked `variadic`. */
async function joinVariadic(cmd: AnyCommand, rest: string[]): Promise<string[]> {
  const args = ((await value(cmd.args)) ?? {}) as ArgsDef;
  const positionals = Object.entries(args).filter(([, d]) => d.type === "positional");
  const valueFlags = new Set(
    Object.entries(args)
      .filter(([, d]) => d.type === "string" || d.type === "enum")
      .flatMap(([n, d]) => [n, n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), ...("alias" in d && d.alias ? (Array.isArray(d.alias) ? d.alias : [d.alias]) : [])]),
  );
  const flags: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--") {
      words.push(...rest.slice(i + 1));
      break;
    }
    if (a.startsWith("-") && a !== "-") {
      flags.push(a);
      if (!a.includes("=") && valueFlags.has(a.replace(/^--?/, ""))) flags.push(rest[++i] ?? "");
    } else words.push(a);
  }
  const last = positionals[positionals.length - 1];
  const variadic = last && (last[1] as { variadic?: boolean }).variadic;
  if (words.length > positionals.length) {
    if (!variadic) {
      throw new UsageError(`unexpected argument '${words[positionals.length]}' (see 'skep ${(await value(cmd.meta))?.name ?? ""} --help')`);
    }
    const head = words.slice(0, positionals.length - 1);
    const tail = words.slice(positionals.length - 1).join(" ");
    return [...head, tail, ...flags];
  }
  // citty reads a lone "-" as a flag; put it behind "--" so `task create -` style stdin works.
  return [...flags, ...(words.length ? ["--", ...words] : [])];
}

const ANSI = /\x1b\[[0-9;]*m/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

export async function runCli(root: AnyCommand, argv: string[]): Promise<void> {
  if (argv[0] === "--version" || argv[0] === "-v" || argv[0] === "version") {
    console.log(versionLine());
    return;
  }
  let help = false;
  let args = argv;
  if (args[0] === "help") {
    help = true;
    args = args.slice(1);
  }
  const dashdash = args.indexOf("--");
  const before = dashdash === -1 ? args : args.slice(0, dashdash);
  if (before.includes("--help") || before.includes("-h")) {
    help = true;
    args = args.filter((a, i) => (dashdash !== -1 && i > dashdash) || (a !== "--help" && a !== "-h"));
  }
  const { chain, rest } = await resolveCommand(root, args, help);
  const cmd = chain[chain.length - 1]!;
  const where = chain.length > 1 ? `skep ${await pathOf(chain)}` : "skep";
  if (help || (Object.keys(await subCommandsOf(cmd)).length > 0 && !cmd.run)) {
    // citty names a command after its direct parent only ("index build"); give it the full path.
    const parent = chain.length > 1 ? { meta: { name: ["skep", ...(await pathOf(chain.slice(0, -1))).split(" ")].filter(Boolean).join(" "), version: VERSION } } : undefined;
    // citty pads its table's last column to the widest row: no line ends in spaces.
    const usage = (await renderUsage(cmd, parent)).replace(/[ \t]+$/gm, "");
    // citty colours usage unless NO_COLOR/CI is set; piped output must carry no escape codes.
    console.log(`${colorOn(process.stdout) ? usage : stripAnsi(usage)}\n`);
    return;
  }
  await checkFlags(cmd, rest, where);
  try {
    await runCommand(cmd, { rawArgs: await joinVariadic(cmd, rest) });
  } catch (err) {
    // citty's own argument errors (a missing positional, a bad enum value) are usage errors too.
    if ((err as { code?: string }).code === "EARG") throw new UsageError(`${stripAnsi((err as Error).message)} (see '${where} --help')`);
    throw err;
  }
}

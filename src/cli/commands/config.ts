// `skep config <key> [value]`, `skep config list`, `skep config unset <key>`: read and change
// `.skep/config.json` without opening an editor, through the same RepoConfig schema every reader
// uses, so a value the CLI accepts is one the daemon and tasks accept. Setting test_cmd never
// trusts it: running a command stays a separate, explicit `skep trust`.
import { defineCommand } from "citty";
import { TOP } from "../top-meta.ts";
import { existsSync } from "node:fs";
import { ConfigFileError, ConfigValueError, parseRaw, readRawConfig, writeKey, type RawConfig } from "../../config/edit.ts";
import { CONFIG_KEYS, canonicalKey, effective, findKey, hasKey, keyPath, parseValue, showValue, type ConfigKey } from "../../config/keys.ts";
import { ConfigEntry, ConfigList } from "../../protocol/config-cli.ts";
import type { RepoConfig } from "../../protocol/config.ts";
import { TRUSTED_KEYS, valueTrustState } from "../../trust/store.ts";
import { CommandFailed, UsageError } from "../../errors.ts";
import { printJson } from "../print.ts";
import { jsonArg, repoArgs } from "../args.ts";
import { repoContext, type RepoContext } from "../../repo/repo.ts";
import { nearest } from "../../util/suggest.ts";

const keyArg = {
  key: { type: "positional", description: "A config key, snake_case or kebab-case (test_cmd, test-cmd); `skep config list` shows them", valueHint: "key", required: true },
} as const;

/** The file and its parsed form; a malformed file is an error (exit 1) naming what is wrong. */
function load(ctx: RepoContext): { file: RawConfig; config: RepoConfig } {
  try {
    const file = readRawConfig(ctx.skepDir);
    return { file, config: parseRaw(file) };
  } catch (err) {
    if (err instanceof ConfigFileError) throw new CommandFailed(err.message);
    throw err;
  }
}

function keyOrRefuse(input: string): ConfigKey {
  const k = findKey(input);
  if (k) return k;
  const names = CONFIG_KEYS.map((c) => c.key);
  const hint = nearest(canonicalKey(input), names);
  throw new UsageError(`unknown config key '${input}'${hint ? `; did you mean '${hint}'?` : ""} (see 'skep config list')`);
}

function entryOf(k: ConfigKey, file: RawConfig, config: RepoConfig): ConfigEntry {
  const e = effective(k, file.raw, config);
  return { key: k.key, value: e.value, default: e.isDefault, set: hasKey(file.raw, k.key), follows: e.follows };
}

/** Writing needs a set-up repo: a config.json without the rest of `.skep/` would only confuse. */
function requireSkepDir(ctx: RepoContext): void {
  if (!existsSync(ctx.skepDir)) throw new CommandFailed(`no .skep/ in ${ctx.root}: run \`skep init\` first`);
}

function printList(ctx: RepoContext, json: boolean | undefined): void {
  const { file, config } = load(ctx);
  const keys = CONFIG_KEYS.map((k) => entryOf(k, file, config));
  const known = new Set(CONFIG_KEYS.map((k) => keyPath(k.key)[0]!));
  const unknown = Object.fromEntries(Object.entries(file.raw).filter(([k]) => !known.has(k)));
  if (json) return printJson(ConfigList, { file: file.path, exists: file.exists, keys, unknown });
  if (!file.exists) console.error(`note: no ${file.path}: these are the defaults`);
  const width = Math.max(...keys.map((e) => e.key.length), ...Object.keys(unknown).map((k) => k.length)) + 2;
  for (const e of keys) {
    const tag = e.default ? (e.follows ? `  (default: follows ${e.follows})` : "  (default)") : "";
    console.log(`${e.key.padEnd(width)}${showValue(e.value)}${tag}`);
  }
  for (const [k, v] of Object.entries(unknown)) console.log(`${k.padEnd(width)}${showValue(v)}  (not a skep key; kept)`);
}

function printGet(ctx: RepoContext, input: string, json: boolean | undefined): void {
  const k = keyOrRefuse(input);
  const { file, config } = load(ctx);
  const e = entryOf(k, file, config);
  if (json) return printJson(ConfigEntry, e);
  console.log(showValue(e.value));
}

function printSet(ctx: RepoContext, input: string, word: string, json: boolean | undefined): void {
  const k = keyOrRefuse(input);
  requireSkepDir(ctx);
  const parsed = parseValue(k, word);
  if (!parsed.ok) throw new UsageError(`invalid value for ${k.key}: ${parsed.message}`);
  let config: RepoConfig;
  try {
    config = writeKey(ctx.skepDir, k.key, parsed.value);
  } catch (err) {
    if (err instanceof ConfigValueError) throw new UsageError(`invalid value for ${err.message}`);
    if (err instanceof ConfigFileError) throw new CommandFailed(err.message);
    throw err;
  }
  const e = entryOf(k, readRawConfig(ctx.skepDir), config);
  if (json) printJson(ConfigEntry, e);
  else console.log(`${k.key} = ${showValue(e.value)}`);
  // A new test command or claude executable is inert until this user trusts it here (the file can
  // arrive with a clone, so setting a value is not trusting it); say so rather than fail later.
  const key = TRUSTED_KEYS.find((t) => t === k.key);
  if (key && typeof parsed.value === "string" && valueTrustState(ctx.root, key, parsed.value) !== "trusted") {
    const what = key.endsWith("_base_url") ? `send ${key.split("_")[0]} calls to` : "run";
    console.error(`note: ${key === "test_cmd" ? "tasks" : "skep"} will not ${what} \`${parsed.value}\` until you trust it on this machine: skep trust`);
  }
}

const list = defineCommand({
  meta: { name: "list", alias: "ls", description: "Every config key with its effective value, marking defaults" },
  args: { ...repoArgs, ...jsonArg },
  run({ args }) {
    printList(repoContext(args.repo), args.json);
  },
});

const get = defineCommand({
  meta: { name: "get", description: "Print one key's effective value" },
  args: { ...keyArg, ...repoArgs, ...jsonArg },
  run({ args }) {
    printGet(repoContext(args.repo), args.key, args.json);
  },
});

const set = defineCommand({
  meta: { name: "set", description: "Set a key (`skep config <key> <value>` is the same); with no value, print it" },
  args: {
    key: { ...keyArg.key, required: false },
    value: { type: "positional", description: "The new value: true/false, a number, `null` (test_cmd), JSON (step_model_by_verb, index.include), or text", valueHint: "value", required: false, variadic: true },
    ...repoArgs,
    ...jsonArg,
  } as const,
  run({ args }) {
    const ctx = repoContext(args.repo);
    // Bare `skep config` lists: the most useful thing it can do.
    if (args.key === undefined) return printList(ctx, args.json);
    if (args.value === undefined) return printGet(ctx, args.key, args.json);
    printSet(ctx, args.key, args.value, args.json);
  },
});

const unset = defineCommand({
  meta: { name: "unset", description: "Remove a key from config.json, so its default applies again" },
  args: { ...keyArg, ...repoArgs, ...jsonArg },
  run({ args }) {
    const ctx = repoContext(args.repo);
    requireSkepDir(ctx);
    const file = load(ctx).file;
    // A key skep does not know can still be removed when the file has it (a typo, a stale key).
    const raw = hasKey(file.raw, args.key) ? args.key : canonicalKey(args.key);
    const k = findKey(args.key);
    if (!k && !hasKey(file.raw, raw)) keyOrRefuse(args.key);
    let config: RepoConfig;
    try {
      config = hasKey(file.raw, raw) ? writeKey(ctx.skepDir, raw, undefined) : parseRaw(file);
    } catch (err) {
      if (err instanceof ConfigFileError || err instanceof ConfigValueError) throw new CommandFailed(err.message);
      throw err;
    }
    if (!k) return console.log(`${raw} removed`);
    const e = entryOf(k, readRawConfig(ctx.skepDir), config);
    if (args.json) return printJson(ConfigEntry, e);
    const was = hasKey(file.raw, raw) ? "unset" : "was not set";
    console.log(`${k.key} ${was}: ${showValue(e.value)}${e.follows ? ` (follows ${e.follows})` : " (default)"}`);
  },
});

export const configCommand = defineCommand({
  meta: TOP.config,
  default: "set",
  subCommands: { list, get, set, unset },
});

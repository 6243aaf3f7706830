// What the three completion scripts share: quoting, and the case patterns of the word walk that
// each of them runs (see tree.ts), written once so the shells cannot disagree about the tree.
import type { CompletionFlag, CompletionNode } from "./tree.ts";

/** A POSIX single-quoted word (also valid in zsh and fish, where `\'` inside quotes differs: see fishQuote). */
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** fish: backslash escapes `\` and `'` inside single quotes. */
export function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** `"<node>/<word>"` → the node it leads to, for every move in the tree. */
export function moves(nodes: CompletionNode[]): [string, string][] {
  return nodes.flatMap((n) => Object.entries(n.moves).map(([word, to]): [string, string] => [`${n.path}/${word}`, to]));
}

/** Per flag that takes a value: its `"<node>/<flag>"` patterns (one per spelling) and what the value is. */
export function valueFlagCases(nodes: CompletionNode[]): { keys: string[]; value: CompletionFlag["value"] }[] {
  return nodes.flatMap((n) => n.valueFlags.map((f) => ({ keys: f.names.map((name) => `${n.path}/${name}`), value: f.value })));
}

/** Every `"<node>/<flag>"` whose flag takes a value: the next word is that value, not a command. */
export function valueFlagKeys(nodes: CompletionNode[]): string[] {
  return valueFlagCases(nodes).flatMap((c) => c.keys);
}

/** One line, no control characters: descriptions go into shell scripts. */
export function clean(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** `[node, its default verb's node]` for the groups that have one. */
export function defaults(nodes: CompletionNode[]): [string, string][] {
  return nodes.filter((n) => n.defaultPath !== null).map((n): [string, string] => [n.path, n.defaultPath!]);
}

// Paths an agent hands the MCP server are untrusted. A path must name something inside the
// checkout being served: `..` that climbs out, absolute paths elsewhere, and symlinks that resolve
// outside are refused with a message saying what to send instead. An absolute path inside the
// checkout is accepted and made relative (agents see absolute paths everywhere).
import { lstatSync, realpathSync } from "node:fs";
import { isAbsolute, posix, relative, resolve, sep } from "node:path";

export class PathRefused extends Error {}

const GLOB = /[*?[]/;

function inside(root: string, abs: string): boolean {
  const rel = relative(root, abs);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}

/**
 * The repo-relative form of `input` (forward slashes, no `./`), or PathRefused. `what` names the
 * parameter in messages. With `glob`, wildcards are allowed and only the part before the first
 * wildcard is checked on disk. `hint` adds a sentence to refusals (e.g. which checkout this is).
 */
export function safeRelativePath(root: string, input: string, what: string, opts: { glob?: boolean; hint?: string } = {}): string {
  const say = (why: string) => new PathRefused(`${what} '${input}' ${why}; give a path relative to ${root}${opts.hint ? `. ${opts.hint}` : ""}`);
  if (input.includes("\0")) throw say("contains a NUL byte");
  let rel: string;
  if (isAbsolute(input)) {
    const abs = resolve(input);
    if (inside(root, abs)) rel = relative(root, abs);
    else {
      const real = realRoot(root);
      if (real !== root && inside(real, abs)) rel = relative(real, abs);
      else throw say("is outside the repository");
    }
  } else rel = input;
  rel = posix.normalize(rel.split(sep).join("/")).replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (rel === "." ) rel = "";
  if (rel === ".." || rel.startsWith("../")) throw say("is outside the repository");
  // Follow symlinks on disk: the deepest existing ancestor must resolve inside the checkout.
  const literal = opts.glob && GLOB.test(rel) ? rel.slice(0, rel.search(GLOB)).replace(/[^/]*$/, "") : rel;
  const real = realRoot(root);
  let probe = resolve(root, literal);
  for (;;) {
    let exists = true;
    try {
      lstatSync(probe);
    } catch {
      exists = false;
    }
    if (exists) {
      let target: string;
      try {
        target = realpathSync(probe);
      } catch {
        throw say("is a broken symlink");
      }
      if (!inside(real, target)) throw say("resolves (through a symlink) outside the repository");
      break;
    }
    const up = resolve(probe, "..");
    if (up === probe || !inside(root, up)) break;
    probe = up;
  }
  return rel;
}

// Whose directory is this? git refuses a repository owned by someone else (safe.directory,
// CVE-2022-24765); skep applies the same rule to the directories it reads commands, sockets and
// registries from: `.skep/`, `.skep-workspace/` and its registry. Anyone else able to write there
// could swap a config, a socket or a registry entry and have skep act on it as this user.
import { lstatSync, readlinkSync, statSync } from "node:fs";

/** A directory or file skep must not use: its path and why, in words a person can act on. */
export class UnsafePath extends Error {
  override name = "UnsafePath";
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super(`refusing ${path}: ${why}`);
  }
}

export interface OwnershipRules {
  /** A symlink is followed (the user's own SKEP_DIR may be one); by default it is refused. */
  followSymlink?: boolean;
  /** root-owned and not writable by others is fine (a shared parent set up by an administrator). */
  allowRoot?: boolean;
}

/** Why `path` must not be used, or null when it may (also null when it does not exist). */
export function ownershipProblem(path: string, rules: OwnershipRules = {}): string | null {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return null;
  }
  if (st.isSymbolicLink()) {
    if (!rules.followSymlink) return `it is a symlink (to ${readlinkSync(path)}); skep keeps its state only in a real directory you own (remove the link)`;
    try {
      st = statSync(path);
    } catch {
      return null;
    }
  }
  const me = process.getuid?.();
  if (me === undefined) return null; // no uids (Windows): nothing to compare
  const byRoot = rules.allowRoot && st.uid === 0;
  if (st.uid !== me && !byRoot) return `it is owned by uid ${st.uid}, not by you (uid ${me}); another user controls what is in it`;
  if (st.mode & 0o022) {
    const who = st.mode & 0o002 ? "everyone" : "its group";
    return `it is writable by ${who} (mode ${(st.mode & 0o777).toString(8)}); check what is in it, then: chmod go-w ${path}`;
  }
  return null;
}

/** Throws UnsafePath when `path` exists and must not be used. */
export function requireOwned(path: string, rules: OwnershipRules = {}): void {
  const why = ownershipProblem(path, rules);
  if (why) throw new UnsafePath(path, why);
}

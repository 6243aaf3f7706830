// `skep status --oneline [--tmux] [--json] [--repo DIR]` read straight from argv, so main.ts can
// run the tmux status line (every few seconds, in every cockpit) without loading the command tree,
// citty and node:util (which citty's parser needs): together most of what the line cost. Only
// the plain forms are read here, each flag at most once; anything else (another flag, a value
// that starts with "-", `--repo=DIR`, --help) is null and goes through dispatch.ts, which parses
// it (test/cli/status-line-argv.test.ts holds the two to the same reading).

export interface StatusLineArgs {
  repo: string | undefined;
  tmux: boolean;
  json: boolean;
}

/** The flags after `status`, when they are a plain `--oneline` form; null otherwise. */
export function statusLineArgv(flags: string[]): StatusLineArgs | null {
  const seen = new Set<string>();
  let repo: string | undefined;
  for (let i = 0; i < flags.length; i++) {
    const a = flags[i]!;
    if (seen.has(a) || !["--oneline", "--tmux", "--json", "--repo"].includes(a)) return null;
    seen.add(a);
    if (a === "--repo") {
      const v = flags[++i];
      if (v === undefined || v === "" || v.startsWith("-")) return null;
      repo = v;
    }
  }
  return seen.has("--oneline") ? { repo, tmux: seen.has("--tmux"), json: seen.has("--json") } : null;
}

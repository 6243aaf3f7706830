// The two commands run most often, read straight from argv so main.ts can run them without loading
// the command tree, citty and node:util (which citty's parser needs; loading it alone costs a
// start ~7 ms of CPU): `skep status --oneline [--tmux] [--json] [--repo DIR]`, the tmux status
// line every few seconds in every cockpit, and `skep search WORDS`, which agents call in loops.
// And `skep index [--json] [--repo DIR]`, whose first build starts twice (cli/cold-build.ts): the
// process it replaces should cost little more than a start.
// Only the plain forms are read here; anything else (another flag, a value that starts with "-",
// `--repo=DIR`, --help) is null and goes through dispatch.ts, which parses it
// (test/cli/plain-argv.test.ts holds the two to the same reading).

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

/** `search WORDS...` without a flag: the query, its words joined by one space (as dispatch.ts joins them); null otherwise. */
export function plainSearchArgv(words: string[]): { query: string; limit: string } | null {
  if (words.length === 0 || words.some((w) => w === "" || w.startsWith("-"))) return null;
  // "20": the default search.ts declares for --limit, as citty would hand it over.
  return { query: words.join(" "), limit: "20" };
}

/** The flags after `index`, when they are the plain build form (`--json`, `--repo DIR`, each once); null otherwise. */
export function plainIndexArgv(flags: string[]): { repo: string | undefined; json: boolean } | null {
  const seen = new Set<string>();
  let repo: string | undefined;
  for (let i = 0; i < flags.length; i++) {
    const a = flags[i]!;
    if (seen.has(a) || !["--json", "--repo"].includes(a)) return null;
    seen.add(a);
    if (a === "--repo") {
      const v = flags[++i];
      if (v === undefined || v === "" || v.startsWith("-")) return null;
      repo = v;
    }
  }
  return { repo, json: seen.has("--json") };
}

// A light suffix stemmer for task descriptions. Not Porter: task text is short and full of code
// words, so it only folds the inflections that make two phrasings of one task differ (add/adds/added,
// endpoint/endpoints, cache/caching, validate/validation, query/queries) and leaves the rest alone.
// It need not produce real words, only the same stem for the forms of one word.

/** Forms the suffix rules cannot reach (or would fold wrongly). */
const IRREGULAR: Record<string, string> = {
  removal: "remove",
  approval: "approve",
  failure: "fail",
  failures: "fail",
  children: "child",
  indices: "index",
  indexes: "index",
  statuses: "status",
  aliases: "alias",
  analyses: "analysis",
  built: "build",
  written: "write",
  wrote: "write",
  ran: "run",
  used: "use",
  broken: "break",
  broke: "break",
};

/** Words the rules would damage: already stems, or where a suffix is part of the word. */
const KEEP = new Set(["status", "alias", "analysis", "redis", "kubernetes", "always", "news", "this", "has", "was", "does", "yes", "less", "across", "https", "class", "process", "access", "address", "success", "progress", "bus", "axis", "basis", "ios", "macos", "series", "species", "speed", "need", "feed"]);

const VOWEL = /[aeiouy]/;

export function stem(word: string): string {
  const w = word.toLowerCase();
  const irregular = IRREGULAR[w];
  if (irregular !== undefined) return stem(irregular);
  if (w.length <= 3 || KEEP.has(w) || !/^[a-z]+$/.test(w)) return w;

  let s = w;
  let stripped = false; // -ing / -ed removed: a doubled final consonant is then undone (logging -> log)
  if (s.endsWith("ies") && s.length > 4) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith("s") && !/(ss|us|is)$/.test(s)) s = s.slice(0, -1); // settings -> setting -> set
  if (s.endsWith("ied") && s.length > 4) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith("ing") && s.length - 3 >= 3 && VOWEL.test(s.slice(0, -3))) [s, stripped] = [s.slice(0, -3), true];
  else if (s.endsWith("ed") && s.length - 2 >= 3 && VOWEL.test(s.slice(0, -2))) [s, stripped] = [s.slice(0, -2), true];
  else if (s.endsWith("ation") && s.length - 5 >= 3) s = `${s.slice(0, -5)}ate`; // then folded with -ate below
  else if (s.endsWith("ment") && s.length - 4 >= 4) s = s.slice(0, -4);
  else if (/[ts]ion$/.test(s) && s.length - 3 >= 4) s = s.slice(0, -3);

  // validate / paginate / migrate fold onto validation / pagination / migration (which lost -ation above).
  if (s.length >= 7 && s.endsWith("ate")) s = s.slice(0, -3);
  if (stripped && /([^aeiouslz])\1$/.test(s) && s.length > 3) s = s.slice(0, -1);
  // cache / caching, size / sizes: a final e is dropped so both sides agree.
  if (s.length > 3 && s.endsWith("e")) s = s.slice(0, -1);
  return s;
}

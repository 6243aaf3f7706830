// Tiers 1-5, one index each (symbols_name, symbols_humps, symbols_fts, symbols_tri). Each returns
// at most `limit` rows already in tier order (see sql.ts). A tier returning `limit` rows that were
// partly found by an earlier tier still leaves enough new ones: at most (hits so far) are repeats,
// and hits so far + hits still wanted = limit.
import { charCount, ftsAllPrefixes, ftsString, isPrefixWord, likeEscape, prefixUpperBound } from "./query.ts";
import { ranked, type Row, type TierInput } from "./sql.ts";

/** Tier 1: the whole name, case-insensitively (ASCII); the case-exact spelling first. */
export function exactTier(input: TierInput): Row[] {
  const source = "SELECT id FROM symbols WHERE name = $q COLLATE NOCASE";
  return ranked(input, source, "(s.name <> $q)", { $q: input.q.text });
}

/**
 * Tier 2: names starting with the query: a range scan of the NOCASE name index, not a LIKE scan.
 * When the range holds more names than the candidate bounds, the shortest are kept (the closest
 * completions: "s" -> Sum, Set before StructFieldTagParser), an order the index alone can give.
 */
export function prefixTier(input: TierInput): Row[] {
  const source = `SELECT id FROM symbols
    WHERE name >= $lo COLLATE NOCASE AND name < $hi COLLATE NOCASE ORDER BY length(name)`;
  return ranked(input, source, "0", { $lo: input.q.text, $hi: prefixUpperBound(input.q.text) });
}

/**
 * Tier 3: camel humps. The segments' initials are a prefix of the name's humps (a range of the humps
 * index), and each segment is a prefix of a name word, in order (GLOB over the space-separated
 * words; the first segment is anchored to the first word, later ones may skip words). Names whose
 * humps are exactly the initials (LVM -> LoginViewModel, not LoginViewModelTest) come first, and
 * they are also first in index order, so the candidate cap keeps them.
 */
export function camelTier(input: TierInput): Row[] {
  const segs = input.q.segments;
  if (segs.length < 2) return [];
  const humps = segs.map((s) => s[0]).join("");
  const source = "SELECT id FROM symbols WHERE humps >= $humps AND humps < $hi AND words GLOB $glob";
  // Segments hold letters and digits only, so they cannot carry GLOB wildcards.
  return ranked(input, source, "(s.humps <> $humps)", { $humps: humps, $hi: prefixUpperBound(humps), $glob: `${segs.join("* ")}*` });
}

/**
 * Tier 4: every query word is a prefix of some indexed word of the name, container, signature or
 * doc (one FTS query). Within the tier, symbols with all the words in the name come first (sub 0),
 * then those with the rest in the container ("server close" -> Server.Close, sub 1), then matches
 * through signature or doc. The sub-tier is checked on the candidate rows in SQL rather than by
 * separate FTS passes per column: a column filter does not make a prefix query cheaper (every
 * token with the prefix is still merged), so three passes would cost three times as much.
 */
export function wordsTier(input: TierInput): Row[] {
  const words = input.q.words;
  if (!words.length) return [];
  const params: Record<string, string> = { $match: ftsAllPrefixes(words) };
  const inName: string[] = [];
  const inContainer: string[] = [];
  words.forEach((w, i) => {
    params[`$w${i}`] = w;
    // The same rule as the FTS query: a prefix of a name word, or the whole word when short.
    inName.push(
      isPrefixWord(w) ? `instr(' ' || s.words, ' ' || $w${i}) > 0` : `instr(' ' || s.words || ' ', ' ' || $w${i} || ' ') > 0`,
    );
    inContainer.push(`instr(lower(s.container), $w${i}) > 0`);
  });
  const nameOr = (i: number) => `(${inName[i]} OR ${inContainer[i]})`;
  const sub = `CASE WHEN ${inName.join(" AND ")} THEN 0 WHEN ${words.map((_, i) => nameOr(i)).join(" AND ")} THEN 1 ELSE 2 END`;
  return ranked(input, "SELECT rowid AS id FROM symbols_fts WHERE symbols_fts MATCH $match", sub, params);
}

/**
 * Tier 5: the query anywhere in the name. Three or more characters go through the trigram index
 * (a quoted phrase there matches as a case-insensitive substring); shorter ones cannot, and fall
 * back to LIKE over the name index: the one full scan, run only when earlier tiers left room.
 */
export function substringTier(input: TierInput): Row[] {
  const text = input.q.text;
  if (charCount(text) >= 3) {
    return ranked(input, "SELECT rowid AS id FROM symbols_tri WHERE symbols_tri MATCH $match", "0", { $match: ftsString(text) });
  }
  // SQLite scans the covering name index for this, a fraction of the table's pages. No ORDER BY:
  // a common pair of letters fills the candidates early and the scan stops there.
  const source = "SELECT id FROM symbols WHERE name LIKE $like ESCAPE '\\'";
  return ranked(input, source, "0", { $like: `%${likeEscape(text)}%` });
}

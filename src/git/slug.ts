// Branch-name slugs from task descriptions. Only [a-z0-9-] survive, which `git check-ref-format`
// always accepts (no dots, so no "..", ".lock" or leading "."; no "@{", "~", "^", ":", spaces).

/**
 * Lowercase ASCII words joined by "-", at most `max` characters, cut at a word boundary when one
 * is near; never empty ("task") and never starting or ending with "-".
 */
export function slugify(text: string, max = 40): string {
  const limit = Math.max(1, Math.floor(max));
  const ascii = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // "é" decomposes to "e" + accent: keep the letter
    .toLowerCase();
  let slug = ascii.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  if (slug.length > limit) {
    const cut = slug.slice(0, limit);
    const dash = cut.lastIndexOf("-");
    // Cut at the last whole word unless that would throw away more than half the room.
    slug = (slug[limit] === "-" ? cut : dash >= limit / 2 ? cut.slice(0, dash) : cut).replace(/-+$/, "");
  }
  return slug || "task";
}

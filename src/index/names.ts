// How a symbol name is split for search: camelCase, PascalCase, snake_case, kebab-case and
// acronyms all become lowercase words. The same split serves indexing and querying.

/** "LoginViewModel" -> [login, view, model]; "HTTPServer2" -> [http, server2]; "parse_json" -> [parse, json]. */
export function splitWords(name: string): string[] {
  const out: string[] = [];
  for (const part of name.split(/[^\p{L}\p{N}]+/u)) {
    if (!part) continue;
    const pieces = part.match(/\p{Lu}+(?!\p{Ll})\p{N}*|\p{Lu}?\p{Ll}+\p{N}*|\p{Lu}+|\p{N}+|[^\p{Lu}\p{Ll}\p{N}]+/gu) ?? [part];
    for (const p of pieces) out.push(p.toLowerCase());
  }
  return out;
}

/** Lowercase initials of the name's words: LoginViewModel -> "lvm", get_user_id -> "gui". */
export function humpsOf(name: string): string {
  return splitWords(name)
    .map((w) => w[0])
    .join("");
}

// Path globs for the search path filter. SQLite's GLOB cannot keep `*` inside one path segment,
// so globs are compiled to a RegExp here and applied to the files table (see filters.ts).
//
//   *     any run of characters within one segment      ?  one character other than /
//   **    any number of whole segments: "src/**", "src/**/util.ts" (also src/util.ts)
//   [..]  a character class, [!..] or [^..] negated
// A glob without a slash matches the file name at any depth: "*_test.go", "*.kt".

/** Does the path filter contain glob syntax (otherwise it is a plain file or directory path)? */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; ) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      i += 2;
      while (glob[i] === "*") i++;
      if (glob[i] === "/") {
        re += "(?:[^/]*/)*"; // "**/" may also match no directory at all
        i++;
      } else re += ".*";
    } else if (c === "*") {
      re += "[^/]*";
      i++;
    } else if (c === "?") {
      re += "[^/]";
      i++;
    } else if (c === "[") {
      const cls = charClass(glob, i);
      if (cls) {
        re += cls.re;
        i = cls.end;
      } else {
        re += "\\[";
        i++;
      }
    } else {
      re += escapeRegExp(c);
      i++;
    }
  }
  const anchor = glob.includes("/") ? "^" : "^(?:.*/)?";
  try {
    return new RegExp(`${anchor}${re}$`);
  } catch {
    // A class the RegExp engine rejects (say [z-a]): fall back to matching the text literally.
    return new RegExp(`${anchor}${escapeRegExp(glob)}$`);
  }
}

/** "[abc]", "[a-z]", "[!0-9]" starting at `start`; null when there is no closing bracket. */
function charClass(glob: string, start: number): { re: string; end: number } | null {
  let i = start + 1;
  let negate = false;
  if (glob[i] === "!" || glob[i] === "^") {
    negate = true;
    i++;
  }
  const bodyStart = i;
  if (glob[i] === "]") i++; // a leading ] is a literal member
  while (i < glob.length && glob[i] !== "]") i++;
  if (i >= glob.length) return null;
  const body = glob
    .slice(bodyStart, i)
    .replace(/[\\\]^[]/g, "\\$&")
    .replace(/\//g, ""); // a class never matches the separator
  if (!body) return null;
  return { re: `[${negate ? "^/" : ""}${body}]`, end: i + 1 };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

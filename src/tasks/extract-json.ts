// LLM answers are prose around (or instead of) the JSON asked for. Take the first balanced JSON
// object in the text that the schema accepts: this skips stray braces, code-fence noise and
// examples that do not validate.
import type { z } from "zod";

/** Every balanced `{...}` in the text that parses as JSON, in order of appearance. */
export function jsonObjects(text: string): unknown[] {
  const out: unknown[] = [];
  for (let start = text.indexOf("{"); start !== -1; start = text.indexOf("{", start + 1)) {
    const end = balancedEnd(text, start);
    if (end === -1) continue;
    try {
      out.push(JSON.parse(text.slice(start, end + 1)));
    } catch {
      // not JSON (prose in braces, a template); keep looking
    }
  }
  return out;
}

/** The first object the schema accepts, or the first validation error when none does. */
export function extractJson<T extends z.ZodType>(text: string, schema: T): { ok: true; value: z.infer<T> } | { ok: false; error: string } {
  let firstError: string | null = null;
  for (const candidate of jsonObjects(text)) {
    const parsed = schema.safeParse(candidate);
    if (parsed.success) return { ok: true, value: parsed.data };
    firstError ??= parsed.error.issues
      .slice(0, 4)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
  }
  return { ok: false, error: firstError ?? (text.trim() ? `no JSON object in the answer: ${JSON.stringify(text.trim().slice(0, 160))}` : "the answer was empty") };
}

/** Index of the `}` closing the object opened at `start`, honouring strings; -1 if unbalanced. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

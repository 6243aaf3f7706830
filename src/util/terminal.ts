// What skep may draw on a stream: colour, carriage returns and progress lines only for a person at
// a terminal. Piped output, NO_COLOR (any non-empty value, as no-color.org says) and CI runners
// (CI=true, which some runners set while giving the job a pseudo-terminal) get plain lines.

/** True when CI is set to anything but "", "0" or "false". */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? "").trim().toLowerCase();
  return v !== "" && v !== "0" && v !== "false";
}

function noColor(env: NodeJS.ProcessEnv): boolean {
  return (env.NO_COLOR ?? "") !== "";
}

/** A person is watching `stream`: it is a terminal and this is no CI job. */
export function interactive(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !inCI(env);
}

/** Colour codes may be written to `stream`. */
export function colorOn(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return interactive(stream, env) && !noColor(env);
}

/** A live progress line (carriage returns, erase-line codes) may be drawn on `stream`. */
export function progressOn(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return interactive(stream, env) && !noColor(env);
}

/**
 * Text bound for a terminal that came from elsewhere (a task's log holds what the model and the
 * repo's files said): escape sequences (CSI, OSC) and other control characters removed, tabs and
 * newlines kept, so it cannot move the cursor, retitle a pane or write the clipboard.
 */
export function terminalText(text: string): string {
  return text
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "")
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, "")
    .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, "");
}

// When skep may draw colour and progress lines: a person at a terminal only.
import { describe, expect, test } from "bun:test";
import { colorOn, inCI, interactive, progressOn } from "../../src/util/terminal.ts";

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe("terminal", () => {
  test("CI counts when set to anything but empty, 0 or false", () => {
    for (const v of ["true", "1", "yes", "TRUE", "gitlab"]) expect(inCI({ CI: v })).toBe(true);
    for (const v of ["", "0", "false", "False"]) expect(inCI({ CI: v })).toBe(false);
    expect(inCI({})).toBe(false);
  });

  test("colour and progress need a terminal, no CI and no NO_COLOR", () => {
    expect(colorOn(tty, {})).toBe(true);
    expect(progressOn(tty, {})).toBe(true);
    expect(colorOn(pipe, {})).toBe(false);
    expect(progressOn(pipe, {})).toBe(false);
    // A CI runner that hands the job a pseudo-terminal.
    expect(interactive(tty, { CI: "true" })).toBe(false);
    expect(colorOn(tty, { CI: "true" })).toBe(false);
    expect(progressOn(tty, { CI: "true" })).toBe(false);
    expect(colorOn(tty, { NO_COLOR: "1" })).toBe(false);
    expect(progressOn(tty, { NO_COLOR: "1" })).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(colorOn(tty, { NO_COLOR: "" })).toBe(true);
  });
});

// `script` gives skep a real pseudo-terminal, as some CI runners do.
const script = Bun.which("script");
describe.skipIf(!script)("skep --help on a pseudo-terminal", () => {
  const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;
  function onPty(env: Record<string, string>): string {
    const base = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", TERM: "xterm" };
    const p = Bun.spawnSync([script!, "-qec", `${process.execPath} ${MAIN} --help`, "/dev/null"], { env: { ...base, ...env }, stdout: "pipe", stderr: "pipe" });
    expect(p.exitCode).toBe(0);
    return p.stdout.toString();
  }

  test("is coloured for a person, plain with CI=true or NO_COLOR=1", () => {
    expect(onPty({})).toContain("\x1b[");
    expect(onPty({ CI: "true" })).not.toContain("\x1b[");
    expect(onPty({ NO_COLOR: "1" })).not.toContain("\x1b[");
  });
});

// main.ts runs the plain `status --oneline` forms without the command tree (cli/status-line-argv.ts
// reads them). Every form it reads must mean what dispatch.ts and citty make of it, and every
// other form must be left to them.
import { describe, expect, test } from "bun:test";
import { parseArgs } from "citty";
import { statusCommand } from "../../src/cli/commands/status.ts";
import { statusLineArgv } from "../../src/cli/status-line-argv.ts";
import { BUN, MAIN, tempDir } from "../support/temp.ts";

/** What the full path hands printOneline for `skep status <flags>`. */
function cittyReading(flags: string[]) {
  const args = parseArgs(flags, statusCommand.args as never) as { oneline?: boolean; repo?: string; tmux?: boolean; json?: boolean };
  return { oneline: !!args.oneline, reading: { repo: args.repo, tmux: !!args.tmux, json: !!args.json } };
}

describe("the status line's argv reader", () => {
  test("the plain forms, in any order: the same reading as citty's", () => {
    const forms = [
      ["--oneline"],
      ["--oneline", "--tmux"],
      ["--tmux", "--oneline"],
      ["--oneline", "--json"],
      ["--oneline", "--tmux", "--repo", "/src/my repo"],
      ["--repo", "/src/app", "--oneline", "--json", "--tmux"],
      ["--oneline", "--repo", "relative/dir"],
    ];
    for (const f of forms) {
      const full = cittyReading(f);
      expect(full.oneline).toBe(true);
      expect(statusLineArgv(f)).toEqual(full.reading);
    }
  });

  test("anything else is left to dispatch", () => {
    const others = [
      [],
      ["--tmux"],
      ["--json"],
      ["--oneline", "--oneline"],
      ["--oneline", "--repo"],
      ["--oneline", "--repo", ""],
      ["--oneline", "--repo", "-x"],
      ["--oneline", "--repo=/src/app"],
      ["--oneline", "--no-tmux"],
      ["--oneline", "--help"],
      ["--oneline", "-h"],
      ["--oneline", "--tmx"],
      ["--oneline", "extra"],
      ["--oneline", "--", "x"],
      ["--oneline", "--repo", "/a", "--repo", "/b"],
    ];
    for (const f of others) expect(statusLineArgv(f)).toBeNull();
  });

  test("from the entry point: the plain form and the dispatched ones print the same line", () => {
    const cwd = tempDir("skep-status-argv-");
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd, SKEP_NO_DAEMON: "1" };
    const run = (args: string[]) => {
      const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd, env, stdout: "pipe", stderr: "pipe" });
      return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
    };
    const plain = run(["status", "--oneline", "--repo", cwd]);
    expect(plain).toEqual({ code: 0, stdout: "◠ (no skep repo)\n", stderr: "" });
    // `--repo=DIR` and a flag before the verb go through dispatch: same line.
    expect(run(["status", "--oneline", `--repo=${cwd}`])).toEqual(plain);
    expect(run(["--repo", cwd, "status", "--oneline"])).toEqual(plain);
    // A mistake is still dispatch's to refuse, with exit 2.
    const typo = run(["status", "--oneline", "--tmx"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown flag '--tmx' for skep status; did you mean '--tmux'?");
  });
});

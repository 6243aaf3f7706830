// main.ts runs the plain forms of `status --oneline`, `search` and `index` without the command tree
// (cli/plain-argv.ts reads them). Every form it reads must mean what dispatch.ts and citty make of
// it, and every other form must be left to them.
import { describe, expect, test } from "bun:test";
import { parseArgs } from "citty";
import { searchCommand } from "../../src/cli/commands/search.ts";
import { statusCommand } from "../../src/cli/commands/status.ts";
import { indexCommand } from "../../src/cli/commands/index-cmd.ts";
import { plainIndexArgv, plainSearchArgv, statusLineArgv } from "../../src/cli/plain-argv.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { join } from "node:path";
import { BUN, MAIN, tempDir } from "../support/temp.ts";

const searchArgs = searchCommand.args;

/** What the full path hands printOneline for `skep status <flags>`. */
function cittyReading(flags: string[]) {
  const args = parseArgs(flags, statusCommand.args as never) as { oneline?: boolean; repo?: string; tmux?: boolean; json?: boolean };
  return { oneline: !!args.oneline, reading: { repo: args.repo, tmux: !!args.tmux, json: !!args.json } };
}

/** `skep ARGS` from the entry point, in `dir` (also HOME), with no daemon. */
function skepIn(dir: string) {
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, SKEP_NO_DAEMON: "1" };
  return (args: string[]) => {
    const p = Bun.spawnSync([BUN, MAIN, ...args], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
    return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  };
}

describe("the plain argv readers of main.ts", () => {
  test("status --oneline: the plain forms, in any order, read as citty reads them", () => {
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

  test("status: anything else is left to dispatch", () => {
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

  test("status from the entry point: the plain form and the dispatched ones print the same line", () => {
    const cwd = tempDir("skep-status-argv-");
    const run = skepIn(cwd);
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

  test("search: plain words only, joined as dispatch joins them", () => {
    expect(plainSearchArgv(["OrderService"])).toEqual({ query: "OrderService", limit: "20" });
    expect(plainSearchArgv(["order", "service"])).toEqual({ query: "order service", limit: "20" });
    for (const f of [[], [""], ["a", ""], ["--json", "a"], ["a", "--limit", "5"], ["a", "-h"], ["a", "--"], ["-x"]]) expect(plainSearchArgv(f)).toBeNull();
    // What citty makes of the one positional dispatch hands over, with the default limit.
    for (const query of ["OrderService", "order service"]) {
      const args = parseArgs([query], (searchArgs as never)) as { query?: string; limit?: string };
      expect({ query: args.query, limit: args.limit }).toEqual(plainSearchArgv(query.split(" "))!);
    }
  });

  test("search from the entry point: the plain form prints what the dispatched forms print", () => {
    const root = initRepo(join(tempDir("skep-search-argv-"), "repo"), { "src/orders.ts": "export class OrderService {\n  placeOrder(id: string) { return id; }\n}\n" });
    const run = skepIn(root);
    expect(run(["index"]).code).toBe(0);
    for (const words of [["OrderService"], ["place", "order"], ["nothingLikeThisAnywhere"]]) {
      const plain = run(["search", ...words]);
      expect(plain.code).toBe(0);
      expect(plain.stdout.length).toBeGreaterThan(0);
      expect(run(["search", ...words, "--limit", "20"])).toEqual(plain);
      expect(run(["search", `--repo=${root}`, ...words])).toEqual(plain);
    }
    expect(run(["search", "OrderService"]).stdout).toContain("class     OrderService  src/orders.ts:1");
  });

  test("index: --json and --repo DIR, in any order, read as citty reads the build's flags", () => {
    const build = indexCommand.subCommands as Record<string, { args: unknown }>;
    const forms = [[], ["--json"], ["--repo", "/src/my repo"], ["--repo", "relative/dir", "--json"], ["--json", "--repo", "/a"]];
    for (const f of forms) {
      const args = parseArgs(f, build.build!.args as never) as { repo?: string; json?: boolean };
      expect(plainIndexArgv(f)).toEqual({ repo: args.repo, json: !!args.json });
    }
    const others = [["build"], ["export", "x"], ["ask", "x"], ["--json", "--json"], ["--repo"], ["--repo", ""], ["--repo", "-x"], ["--repo=/a"], ["--help"], ["-h"], ["--jsn"], ["--", "x"], ["--repo", "/a", "--repo", "/b"]];
    for (const f of others) expect(plainIndexArgv(f)).toBeNull();
  });

  test("index from the entry point: the plain form builds and answers as the dispatched forms do", () => {
    const root = initRepo(join(tempDir("skep-index-argv-"), "repo"), { "src/orders.ts": "export class OrderService {\n  placeOrder(id: string) { return id; }\n}\n" });
    const run = skepIn(root);
    // The first build (plain), then the same answer through dispatch (`build`, `--repo=DIR`).
    const first = run(["index", "--json"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ files: 1, parsed: 1 });
    const shape = (out: string) => ({ ...JSON.parse(out), durationMs: 0 });
    const again = run(["index", "--json", "--repo", root]);
    expect(again.code).toBe(0);
    expect(shape(again.stdout)).toMatchObject({ files: 1, parsed: 0, unchanged: 1 });
    expect(shape(run(["index", "build", "--json"]).stdout)).toEqual(shape(again.stdout));
    expect(shape(run(["index", `--repo=${root}`, "--json"]).stdout)).toEqual(shape(again.stdout));
    expect(run(["index"]).stdout).toMatch(/^Indexed 1 files, \d+ symbols in [\d.]+s \(0 parsed, 1 unchanged, 0 removed\)\n$/);
    // A mistake is still dispatch's to refuse, with exit 2.
    const typo = run(["index", "--jsn"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown flag '--jsn'");
  });
});

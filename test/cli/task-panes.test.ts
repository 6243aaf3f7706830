// Task panes (issue 11, criterion 7): a daemon started from a person's tmux (a private server with
// their `work` session and an attached client) shows each task it executes in a pane titled
// `skep-<id>-<name>` in that session, following the task's log and ending on `--- task #N done
// (exit 0) --- press Enter to close`; Enter closes it. tmux_layout picks split-h (default),
// split-v, window or popup, read at each task start; none, no attached client, or no tmux at all
// (TMUX unset) open nothing. `skep task attach` jumps to the pane, or follows the log outside tmux.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, run, tempDir } from "../daemon/support.ts";
import { cleanupAll, onCleanup } from "../support/temp.ts";
import { PersonTmux, until } from "../support/tmux.ts";

setDefaultTimeout(120_000);
afterAll(cleanupAll);

const classify = JSON.stringify({ classification: "small", confidence: 0.9, reason: "one file", needs_clarification: false, clarifying_questions: [], reject_reason: null });

/** A repo whose script backend answers `n` one-step tasks (classify, plan, step), each writing src/fK.ts. */
function repo(n: number, config: Record<string, unknown> = {}): { root: string; home: string } {
  const root = makeRepo({ "src/a.ts": "export const a = 1;\n" });
  const home = tempDir("skep-panes-home-");
  expect(run(["init", "--no-daemon", "--repo", root], { env: { SKEP_HOME: home, SKEP_NO_DAEMON: "1" } }).code).toBe(0);
  const answers = [];
  for (let k = 1; k <= n; k++) {
    const plan = JSON.stringify({ plan: [{ verb: "add", target_file: `src/f${k}.ts`, description: `Add f${k}`, acceptance: "it is there", depends_on: [] }] });
    answers.push(
      { purpose: "classify", text: classify, usage: { input: 3 } },
      { purpose: "plan", text: plan, usage: { input: 4 } },
      { purpose: "step", text: `wrote f${k}`, writes: [{ path: `src/f${k}.ts`, content: `export const f${k} = ${k};\n` }], usage: { input: 5 } },
    );
  }
  const script = join(tempDir("skep-panes-script-"), "answers.json");
  writeFileSync(script, JSON.stringify({ answers }));
  writeFileSync(join(root, ".skep", "config.json"), JSON.stringify({ llm: "script", llm_script: script, test_cmd: null, auto_execute_small: true, ...config }));
  return { root, home };
}

/** The skep CLI as a shell in the person's tmux runs it (TMUX set: daemons start in hidden sessions there). */
function skepIn(t: PersonTmux | null, root: string, home: string) {
  // Outside tmux the daemon starts detached (SKEP_NO_TMUX): no server but the test's own is touched.
  const env: Record<string, string> = { SKEP_HOME: home, ...(t ? { TMUX: t.tmuxVar, SKEP_NO_TMUX: "0" } : {}) };
  return (...args: string[]) => run([...args, "--repo", root], { env });
}

async function createDone(skep: ReturnType<typeof skepIn>, what: string): Promise<number> {
  const r = skep("task", "create", what, "--json");
  expect(r.code, r.stderr).toBe(0);
  const id = JSON.parse(r.stdout).task.id as number;
  const done = await until(() => JSON.parse(skep("task", "show", String(id), "--json").stdout).status === "done", 60_000);
  expect(done).toBe(true);
  return id;
}

const finalLine = (id: number) => `--- task #${id} done (exit 0) --- press Enter to close`;

describe("task panes in the person's tmux session", () => {
  test("split-h, split-v, window; none opens nothing; attach jumps to the pane; Enter closes it", async () => {
    const t = await PersonTmux.start(process.env as Record<string, string>);
    const { root, home } = repo(4);
    const skep = skepIn(t, root, home);
    expect(skep("daemon", "start").code).toBe(0);
    onCleanup(() => void skep("daemon", "stop"));
    // The daemon runs hidden, in its own session of the person's server, with no client.
    expect(t.run("has-session", "-t", `skep-${root.split("/").pop()}`).code).toBe(0);
    const person = t.panes().find((p) => p.session === "work")!;

    const expectations: [string | null, (p: ReturnType<PersonTmux["panes"]>[number]) => void][] = [
      [null, (p) => expect([p.window, p.left > 0, p.top]).toEqual([person.window, true, 0])], // split-h, the default
      ["split-v", (p) => expect([p.window, p.left, p.top > 0]).toEqual([person.window, 0, true])],
      ["window", (p) => expect(p.window).toBe(p.title)],
    ];
    for (const [layout, where] of expectations) {
      if (layout) expect(skep("config", "tmux_layout", layout).code).toBe(0);
      const id = await createDone(skep, `Add f${expectations.findIndex((e) => e[0] === layout) + 1}`);
      let pane = t.panes().find((p) => p.mark === `${root}#${id}`);
      expect(await until(() => !!(pane = t.panes().find((p) => p.mark === `${root}#${id}`)) && t.capture(pane.id).includes(finalLine(id)))).toBe(true);
      expect(pane!.session).toBe("work");
      expect(pane!.title).toMatch(new RegExp(`^skep-${id}-add-f\\d`));
      where(pane!);
      const shown = t.capture(pane!.id);
      // What `skep task logs -f` shows: the step and its outcome, then the last line.
      expect(shown).toMatch(/step 1\/1: add src\/f\d\.ts/);
      expect(shown.trimEnd().endsWith(finalLine(id))).toBe(true);

      if (id === 1) {
        // The person's focus stayed in their shell; attach moves it to the task's pane.
        expect(t.activePane()).toBe(person.id);
        const a = skep("task", "attach", String(id));
        expect(a.code, a.stderr).toBe(0);
        expect(a.stdout).toContain(`task #${id}: pane ${pane!.id} (skep-${id}-`);
        expect(t.activePane()).toBe(pane!.id);
        t.run("select-pane", "-t", person.id);
      }
      t.sendKeys(pane!.id, "Enter");
      expect(await until(() => !t.panes().some((p) => p.id === pane!.id))).toBe(true);
    }

    // none: the next task runs with no pane; the daemon's log says why.
    expect(skep("config", "tmux_layout", "none").code).toBe(0);
    const before = t.panes().length;
    const quiet = await createDone(skep, "Add f4");
    await Bun.sleep(500);
    expect(t.panes().length).toBe(before);
    expect(t.panes().some((p) => p.mark === `${root}#${quiet}`)).toBe(false);
    // attach without a pane: the log, here, and the exit code of a done task.
    const a = skep("task", "attach", String(quiet));
    expect(a.code).toBe(0);
    expect(a.stderr).toContain(`task #${quiet} has no pane open`);
    expect(a.stdout).toContain("step 1/1: add src/f4.ts");
    expect(skep("daemon", "stop").code).toBe(0);
    t.stop();
  });

  test("popup: the log in a popup over the person's client; Enter at their terminal closes it", async () => {
    const t = await PersonTmux.start(process.env as Record<string, string>);
    const { root, home } = repo(1, { tmux_layout: "popup" });
    const skep = skepIn(t, root, home);
    expect(skep("daemon", "start").code).toBe(0);
    onCleanup(() => void skep("daemon", "stop"));
    const id = await createDone(skep, "Add f1");
    const holder = () => Bun.spawnSync(["pgrep", "-f", `logs ${id} --follow --hold --repo ${root}`], { stdout: "pipe" }).stdout.toString().trim();
    expect(await until(() => holder() !== "")).toBe(true);
    expect(readFileSync(join(root, ".skep", "logs", "daemon.log"), "utf8")).toMatch(new RegExp(`task #${id}: pane skep-${id}-add-f1 \\(popup\\) in tmux session work`));
    await Bun.sleep(300); // the popup's command reads its terminal by now
    t.type("\r");
    expect(await until(() => holder() === "")).toBe(true);
    expect(skep("daemon", "stop").code).toBe(0);
    t.stop();
  });

  test("nobody attached, or no tmux at all: no pane, the task runs as before; logs --hold needs -f", async () => {
    const t = await PersonTmux.start(process.env as Record<string, string>, { attach: false });
    const { root, home } = repo(2);
    const skep = skepIn(t, root, home);
    expect(skep("daemon", "start").code).toBe(0);
    onCleanup(() => void skep("daemon", "stop"));
    await createDone(skep, "Add f1");
    await Bun.sleep(300);
    expect(t.panes().filter((p) => p.mark)).toEqual([]);
    expect(readFileSync(join(root, ".skep", "logs", "daemon.log"), "utf8")).toContain("task #1: no pane (no client is attached to the tmux server)");
    expect(skep("daemon", "stop").code).toBe(0);
    t.stop();

    // A daemon outside tmux (TMUX unset), as every test daemon runs: nothing is tried.
    const outside = skepIn(null, root, home);
    expect(outside("daemon", "start").code).toBe(0);
    const id = await createDone(outside, "Add f2");
    expect(readFileSync(join(root, ".skep", "logs", "daemon.log"), "utf8")).toContain(`task #${id}: no pane (no tmux server (TMUX is not set))`);
    const logs = outside("task", "logs", String(id), "-f", "--hold");
    expect(logs.code).toBe(0); // stdin is not a terminal here: it ends at once
    expect(logs.stdout.trimEnd().endsWith(finalLine(id))).toBe(true);
    expect(outside("task", "logs", String(id), "--hold").code).toBe(2);
    expect(outside("daemon", "stop").code).toBe(0);
  });
});

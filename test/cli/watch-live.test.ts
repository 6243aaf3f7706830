// The live dashboard in a real terminal (a pane of a private tmux server): it exits when the
// terminal goes away (its pane, session or server closed: SIGHUP, then end of input and write
// errors), rather than living on as an orphan (issue 11, defect 3).
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { alive } from "../../src/util/pid.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, onCleanup, tempDir } from "../support/temp.ts";

setDefaultTimeout(60_000);
afterAll(cleanupAll);

function env(extra: Record<string, string> = {}): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "TMUX" && k !== "NO_COLOR") e[k] = v;
  return { ...e, SKEP_NO_DAEMON: "1", SKEP_HOME: tempDir("skep-watch-home-"), ...extra };
}

/** A private tmux server (socket in a temp dir); everything it runs dies with the test. */
function tmuxServer() {
  const socket = join(tempDir("skep-tmux-"), "s");
  const tmux = (...args: string[]) => Bun.spawnSync(["tmux", "-S", socket, "-f", "/dev/null", ...args], { env: { ...env(), TMUX: "" }, stdout: "pipe", stderr: "pipe" }).stdout.toString();
  onCleanup(() => void tmux("kill-server"));
  return tmux;
}

async function until(what: () => boolean, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries && !what(); i++) await Bun.sleep(100);
  return what();
}

describe("skep workspace watch leaves with its terminal", () => {
  for (const how of ["kill-pane", "kill-session", "kill-server"] as const) {
    test(`${how}: the dashboard's process exits`, async () => {
      if (!Bun.which("tmux")) throw new Error("tmux is not installed: the live dashboard test needs it");
      const repo = initRepo(join(tempDir("skep-watch-"), "api"), { "a.ts": "export const a = 1;\n" });
      const e = env();
      expect(Bun.spawnSync([BUN, MAIN, "init", "--no-daemon"], { cwd: repo, env: e }).exitCode).toBe(0);
      const tmux = tmuxServer();
      tmux("new-session", "-d", "-s", "work", "-x", "120", "-y", "30", "sleep 600");
      // exec: the pane's process is the dashboard itself.
      tmux("split-window", "-h", "-t", "work", "-c", repo, `exec env SKEP_NO_DAEMON=1 SKEP_HOME=${e.SKEP_HOME} ${BUN} ${MAIN} workspace watch --interval 500ms`);
      const pane = tmux("list-panes", "-t", "work", "-F", "#{pane_index} #{pane_pid}").trim().split("\n").map((l) => l.split(" "));
      const pid = Number(pane[1]![1]);
      onCleanup(() => {
        if (alive(pid)) process.kill(pid, "SIGKILL");
      });
      expect(await until(() => tmux("capture-pane", "-p", "-t", "work.1").includes("ID  REPO"))).toBe(true);
      if (how === "kill-pane") tmux("kill-pane", "-t", "work.1");
      else if (how === "kill-session") tmux("kill-session", "-t", "work");
      else tmux("kill-server");
      expect(await until(() => !alive(pid), 50)).toBe(true);
    });
  }
});

// Approvals from the cockpit (issue 11, criterion 8): `skep workspace watch` on a terminal (a pane
// of a private tmux server, CI unset for it) answers keys: j/k and arrows select, a approves, r asks
// for a reason and rejects, Enter shows the task, l follows its log, c opens its clarify.md in
// $EDITOR, ? lists the keys, q quits. Each decision lands in the task's own store, as `skep task
// approve|reject` would leave it; keysOf splits what a terminal sends into keys.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { keysOf } from "../../src/cli/watch-live.ts";
import type { TaskStatus } from "../../src/protocol/tasks.ts";
import { taskFiles } from "../../src/tasks/paths.ts";
import { TaskStore, withTaskStore } from "../../src/tasks/store.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { BUN, cleanupAll, MAIN, onCleanup, tempDir } from "../support/temp.ts";
import { until } from "../support/tmux.ts";

setDefaultTimeout(90_000);
afterAll(cleanupAll);

function env(extra: Record<string, string> = {}): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SKEP_") && k !== "TMUX" && k !== "NO_COLOR" && k !== "CI") e[k] = v;
  return { ...e, SKEP_NO_DAEMON: "1", SKEP_HOME: tempDir("skep-keys-home-"), ...extra };
}

const PLAN = { plan: [{ verb: "add", target_file: "src/x.ts", symbols: [], description: "Add x", acceptance: "x exists", depends_on: [] }], files_affected: ["src/x.ts"] };

function add(store: TaskStore, name: string, path: TaskStatus[], createdAt: string, patch: Record<string, unknown> = {}): number {
  const id = store.insert({ name, description: `${name}, as described` });
  for (const to of path) store.transition(id, to, { patch: { plan: PLAN, ...patch } as never });
  store.db.query("UPDATE tasks SET created_at = ? WHERE id = ?").run(createdAt, id);
  return id;
}

test("keysOf: arrows (both cursor modes), Enter, Esc, Backspace, Ctrl-C and characters, several per read", () => {
  expect(keysOf("\x1b[A\x1bOBjk\r\x1b\x7f\x03a")).toEqual(["up", "down", { char: "j" }, { char: "k" }, "enter", "esc", "backspace", "ctrl-c", { char: "a" }]);
  expect(keysOf("\x1b[5~\x1b[6~\x1b[15~q")).toEqual(["pageup", "pagedown", { char: "q" }]); // F5 is skipped whole
});

describe("skep workspace watch, interactive", () => {
  test("select, approve, reject with a reason, show, log, clarify in $EDITOR, help, quit", async () => {
    if (!Bun.which("tmux")) throw new Error("tmux is not installed: the live dashboard test needs it");
    const ws = tempDir("skep-keys-ws-");
    const e = env();
    const repos: Record<string, string> = {};
    for (const name of ["api", "web"]) {
      repos[name] = initRepo(join(ws, name), { "a.ts": "export const a = 1;\n" });
      expect(Bun.spawnSync([BUN, MAIN, "init", "--workspace", ws, "--no-daemon"], { cwd: repos[name], env: e }).exitCode).toBe(0);
    }
    const api = TaskStore.open(join(repos.api!, ".skep"));
    add(api, "approve-me", ["pending"], "2025-01-02T00:00:00.000Z"); // api#1
    add(api, "reject-me", ["pending"], "2025-01-01T00:00:00.000Z"); // api#2
    api.close();
    const web = TaskStore.open(join(repos.web!, ".skep"));
    add(web, "ask-me", ["pending_clarification"], "2025-01-03T00:00:00.000Z", { questions: ["Which port?"] }); // web#1
    add(web, "did-it", ["approved", "queued", "executing", "done"], "2025-01-04T00:00:00.000Z"); // web#2
    web.close();
    const clarify = taskFiles(join(repos.web!, ".skep"), 1).clarify;
    mkdirSync(join(clarify, ".."), { recursive: true });
    writeFileSync(clarify, "Q1: Which port?\nA1: \n");
    const log = taskFiles(join(repos.web!, ".skep"), 2).log;
    mkdirSync(join(log, ".."), { recursive: true });
    writeFileSync(log, "step 1/1: add src/x.ts\n\x1b]0;evil title\x07wrote x\nstep 1/1 done\n");
    // The person's editor: answers the question in the file it is given.
    const editor = join(tempDir("skep-keys-editor-"), "editor.sh");
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/^A1: $/A1: 8080/" "$1"\n');
    chmodSync(editor, 0o755);

    const socket = join(tempDir("skep-tmux-"), "s");
    const tmux = (...args: string[]) => Bun.spawnSync(["tmux", "-S", socket, "-f", "/dev/null", ...args], { env: { ...e, TMUX: "" }, stdout: "pipe", stderr: "pipe" }).stdout.toString();
    onCleanup(() => void tmux("kill-server"));
    // `-u CI`: the pane is a person's terminal even when the suite runs in CI.
    const vars = `SKEP_NO_DAEMON=1 SKEP_HOME=${e.SKEP_HOME} EDITOR=${editor}`;
    tmux("new-session", "-d", "-s", "w", "-x", "140", "-y", "30", "-c", repos.api!, `env -u CI -u VISUAL ${vars} ${BUN} ${MAIN} workspace watch --interval 500ms; echo EXITED rc=$?; sleep 60`);
    const screen = (escapes = false) => tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", "w");
    const keys = (...k: string[]) => tmux("send-keys", "-t", "w", ...k);
    // Read-only, as another process reads a store the dashboard writes to.
    const status = (root: string, id: number) => withTaskStore(join(root, ".skep"), (s) => s.get(id), { readOnly: true })!;
    const selected = () => /\x1b\[(?:0;)?7m(?:\x1b\[[0-9;]*m)*(#\d+\s+\w+)/.exec(screen(true))?.[1]?.replace(/\s+/g, " ") ?? null;

    expect(await until(() => screen().includes("approve-me"))).toBe(true);
    expect(screen()).toContain("q quits, ? keys");
    expect(screen()).toContain("↑↓ select · a approve · r reject");
    // Rows: api#1 and api#2 pending (newest first), web#1 needs answers, web#2 done; the first is selected.
    expect(selected()).toBe("#1 api");

    keys("a");
    expect(await until(() => status(repos.api!, 1).status === "approved")).toBe(true);
    expect(await until(() => screen().includes(`api#1 approved; no daemon runs in api: skep task run 1 --repo ${repos.api}`))).toBe(true);
    expect(selected()).toBe("#1 api"); // the selection follows the task to its new row

    keys("a"); // approving it again is refused, with the reason; nothing changes
    expect(await until(() => /api#1: .*approved/.test(screen()) && !screen().includes("api#1 approved;"))).toBe(true);
    expect(status(repos.api!, 1).status).toBe("approved");
    keys("j"); // api#2, the next row
    expect(await until(() => selected() === "#2 api")).toBe(true);
    keys("r");
    expect(await until(() => screen().includes("reject api#2: reason (Enter sends, Esc cancels):"))).toBe(true);
    keys("-l", "not needed any more");
    keys("Enter");
    expect(await until(() => status(repos.api!, 2).status === "rejected")).toBe(true);
    expect(status(repos.api!, 2).reason).toBe("not needed any more");
    expect(await until(() => screen().includes("api#2 rejected"))).toBe(true);

    // Rows now: api#1 approved, web#1 pending_clarification, web#2 done, api#2 rejected.
    keys("Up", "Up");
    expect(await until(() => selected() === "#1 web")).toBe(true);
    keys("c");
    expect(await until(() => readFileSync(clarify, "utf8").includes("A1: 8080"))).toBe(true);
    expect(await until(() => screen().includes(`web#1: answers saved; send them: skep task clarify 1 --repo ${repos.web}`))).toBe(true);
    expect(tmux("display", "-p", "-t", "w", "#{alternate_on}").trim()).toBe("1"); // back on the dashboard's screen

    keys("Enter");
    expect(await until(() => screen().includes("web task #1") && screen().includes("#1 ask-me") && screen().includes("Q1: Which port?"))).toBe(true);
    keys("Escape");
    expect(await until(() => screen().includes("ID  REPO"))).toBe(true);

    keys("j", "l");
    expect(await until(() => screen().includes("web task #2 log (following)") && screen().includes("step 1/1 done"))).toBe(true);
    expect(screen()).toContain("wrote x");
    expect(screen()).not.toContain("evil title"); // the log's escape sequence was dropped, not obeyed
    expect(tmux("display", "-p", "-t", "w", "#{pane_title}")).not.toContain("evil");
    keys("q");
    expect(await until(() => screen().includes("ID  REPO"))).toBe(true);

    keys("?");
    expect(await until(() => screen().includes("skep workspace watch: keys"))).toBe(true);
    expect(screen()).toContain("reject it: type the reason");
    keys("q");
    expect(await until(() => screen().includes("ID  REPO"))).toBe(true);
    keys("q");
    expect(await until(() => screen().includes("EXITED rc=0"))).toBe(true);
    tmux("kill-server");
  });
});

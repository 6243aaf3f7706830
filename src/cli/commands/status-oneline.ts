// `skep status --oneline`: the workspace's tasks in one line for tmux (status.ts loads this only
// for that form). A status line runs it every few seconds in every cockpit: it loads the status
// line's own path (cockpit/status-line.ts) and, only when a coordinator run may be in flight, the
// run store; zod schemas only for --json.
import { resolve } from "node:path";
import { statusLine } from "../../cockpit/status-line.ts";
import { anyRunRecordIn } from "../../coordinator/peek.ts";
import type { OnelineAnswer } from "../../protocol/workspace.ts";
import { printJson } from "../print.ts";

/** The coordinator runs the line shows, after the tasks: "· run 2 running". */
const SHOWN_RUNS = ["drafting", "pending_clarification", "pending", "running", "reviewing"];

/**
 * A status line runs this every few seconds, so it reads the task stores directly (no daemon, no
 * git, no index) and never fails: anything unexpected still prints a line, exit 0.
 */
export async function printOneline(repo: string | undefined, tmux: boolean, json: boolean): Promise<void> {
  const schema = async () => (await import("../../protocol/workspace.ts")).OnelineAnswer;
  try {
    const { scope, answer: a } = await statusLine(resolve(repo || process.cwd()), { tmux });
    const runs =
      scope.kind === "workspace" && anyRunRecordIn(scope.workspace, SHOWN_RUNS)
        ? (await import("../../coordinator/store.ts")).runsInFlight(scope.workspace)?.filter((r) => SHOWN_RUNS.includes(r.status))
        : undefined;
    if (runs?.length) {
      a.runs = runs.map((r) => ({ id: r.id, status: r.status }));
      a.text += ` · ${runs.map((r) => `run ${r.id} ${r.status}`).join(", ")}`;
    }
    if (json) printJson(await schema(), a);
    else console.log(a.text);
  } catch (err) {
    const failed: OnelineAnswer = { text: "◠ (error)", scope: "none", executing: 0, queued: 0, pending: 0, needsClarification: 0, planning: 0, waiting: null, unreadable: 0 };
    if (json) printJson(await schema(), failed);
    else console.log(`◠ (error: ${(err as Error).message.split("\n")[0]})`);
  }
}

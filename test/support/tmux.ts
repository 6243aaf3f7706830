// A person's tmux for tests: a private server (`tmux -S <tmpdir>/sock -f /dev/null`) holding their
// `work` session, with a client attached through `script` (a pseudo-terminal of 160x48), so tmux
// sees an attached, active client as it does when someone sits at it. What is typed into `keys()`
// reaches that client's terminal, as a person's keystrokes do. `stop()` kills the server, which
// ends the client and every pane's process.
import type { Subprocess } from "bun";
import { join } from "node:path";
import { onCleanup, tempDir } from "./temp.ts";

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export class PersonTmux {
  private client: Subprocess<"pipe", "ignore", "ignore"> | null = null;

  private constructor(
    readonly socket: string,
    private readonly env: Record<string, string>,
  ) {}

  /** A server with session `work` running `command` (a shell by default), and a client attached to it. */
  static async start(env: Record<string, string>, opts: { command?: string; attach?: boolean } = {}): Promise<PersonTmux> {
    if (!Bun.which("tmux")) throw new Error("tmux is not installed: the cockpit tests need it");
    if (!Bun.which("script")) throw new Error("script (util-linux) is not installed: the cockpit tests attach a client with it");
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if (k !== "TMUX" && k !== "TMUX_PANE") clean[k] = v;
    const t = new PersonTmux(join(tempDir("skep-person-tmux-"), "sock"), clean);
    onCleanup(() => t.stop());
    const r = t.run("new-session", "-d", "-s", "work", "-x", "160", "-y", "48", opts.command ?? "sh");
    if (r.code !== 0) throw new Error(`tmux new-session: ${r.stderr}`);
    if (opts.attach !== false) await t.attach();
    return t;
  }

  /** Attach a client to `work` (a pseudo-terminal from `script`), and wait until tmux lists it. */
  async attach(): Promise<void> {
    this.client = Bun.spawn(["script", "-qfec", `stty cols 160 rows 48; exec tmux -S '${this.socket}' attach -t work`, "/dev/null"], {
      env: this.env,
      stdin: "pipe",
      stdout: "ignore",
      stderr: "ignore",
    });
    if (!(await until(() => this.clients().length > 0))) throw new Error("the tmux client did not attach");
  }

  /** TMUX as a shell inside this server has it: what makes skep (and tmux) use this server. */
  get tmuxVar(): string {
    const pid = this.run("display", "-p", "#{pid}").stdout.trim();
    return `${this.socket},${pid},0`;
  }

  run(...args: string[]): Ran {
    const p = Bun.spawnSync(["tmux", "-S", this.socket, "-f", "/dev/null", ...args], { env: this.env, stdout: "pipe", stderr: "pipe" });
    return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString().trim() };
  }

  clients(): string[] {
    return this.run("list-clients", "-F", "#{client_name}").stdout.split("\n").filter(Boolean);
  }

  /** Every pane: id, session, window name, title, the task mark, left and top. */
  panes(): { id: string; session: string; window: string; title: string; mark: string; left: number; top: number; dead: boolean }[] {
    const r = this.run("list-panes", "-a", "-F", "#{pane_id}\t#{session_name}\t#{window_name}\t#{pane_title}\t#{@skep_task}\t#{pane_left}\t#{pane_top}\t#{pane_dead}");
    return r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [id, session, window, title, mark, left, top, dead] = l.split("\t");
        return { id: id!, session: session!, window: window!, title: title!, mark: mark!, left: Number(left), top: Number(top), dead: dead === "1" };
      });
  }

  capture(target: string, escapes = false): string {
    return this.run("capture-pane", "-p", "-J", ...(escapes ? ["-e"] : []), "-t", target).stdout; // -J: lines a narrow pane wrapped, joined
  }

  /** Keys as tmux names them, into a pane. */
  sendKeys(target: string, ...keys: string[]): void {
    this.run("send-keys", "-t", target, ...keys);
  }

  /** Bytes typed at the attached client's terminal. */
  type(text: string): void {
    this.client?.stdin.write(text);
    this.client?.stdin.flush();
  }

  /** The pane the attached client shows (its session's current window's active pane). */
  activePane(): string {
    const session = this.run("list-clients", "-F", "#{session_id}").stdout.split("\n")[0];
    return session ? this.run("display", "-p", "-t", session, "#{pane_id}").stdout.trim() : "";
  }

  stop(): void {
    this.run("kill-server");
    this.client?.kill();
    this.client = null;
  }
}

/** Poll `what` every 100 ms for up to `ms`. */
export async function until(what: () => boolean, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (what()) return true;
    await Bun.sleep(100);
  }
  return what();
}

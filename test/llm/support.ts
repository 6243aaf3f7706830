// Helpers for the LLM backend tests: is a process gone, and fake `claude` executables.
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * True once the process is gone: no such pid, or a zombie that is not our child (an orphan that
 * init has yet to reap; this machine's init sweeps every ~2 s). Our own children must be reaped.
 */
export async function gone(pid: number, patienceMs = 10_000): Promise<boolean> {
  const until = Date.now() + patienceMs;
  for (;;) {
    let stat: string | null = null;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      // no such process
    }
    if (stat === null) return true;
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (state === "Z" && Number(ppid) !== process.pid) return true;
    if (Date.now() > until) return false;
    await Bun.sleep(25);
  }
}

/** A pid the shell wrote to `file` (waits a little for the write to land). */
export async function pidFrom(file: string): Promise<number> {
  for (let i = 0; i < 200 && !(existsSync(file) && readFileSync(file, "utf8").trim()); i++) await Bun.sleep(10);
  return Number(readFileSync(file, "utf8").trim());
}

export interface FakeClaude {
  /** Canned stdout lines. */
  stdout?: string[];
  stderr?: string;
  exit?: number;
  /** Shell run after printing (e.g. `sleep 60`). */
  then?: string;
}

/**
 * A fake `claude` in `dir`: records its argv (one per line) in `<dir>/args.txt`, copies the
 * --mcp-config file (and its mode) when given one, prints the canned output, then exits.
 */
export function fakeClaude(dir: string, spec: FakeClaude): string {
  const bin = join(dir, "claude");
  writeFileSync(join(dir, "stdout.txt"), (spec.stdout ?? []).map((l) => `${l}\n`).join(""));
  writeFileSync(join(dir, "stderr.txt"), spec.stderr ?? "");
  const script = [
    "#!/bin/sh",
    `dir='${dir}'`,
    `printf '%s\\n' "$@" > "$dir/args.txt"`,
    `prev=''`,
    `for a in "$@"; do`,
    `  if [ "$prev" = "--mcp-config" ]; then cp "$a" "$dir/mcp-config.json"; stat -c %a "$a" > "$dir/mcp-config.mode"; stat -c %a "$(dirname "$a")" > "$dir/mcp-config.dirmode"; echo "$a" > "$dir/mcp-config.path"; fi`,
    `  prev="$a"`,
    `done`,
    `cat "$dir/stdout.txt"`,
    `cat "$dir/stderr.txt" >&2`,
    spec.then ?? "",
    `exit ${spec.exit ?? 0}`,
  ].join("\n");
  writeFileSync(bin, `${script}\n`);
  chmodSync(bin, 0o755);
  return bin;
}

export function argsOf(dir: string): string[] {
  return readFileSync(join(dir, "args.txt"), "utf8").replace(/\n$/, "").split("\n");
}

export const initLine = (model = "claude-test-model", session = "sess-1") =>
  JSON.stringify({ type: "system", subtype: "init", cwd: "/x", session_id: session, model, tools: ["Read"], mcp_servers: [] });

export const resultLine = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: "result",
    subtype: "success",
    is_error: false,
    result: "the answer",
    session_id: "sess-1",
    num_turns: 1,
    total_cost_usd: 0.0123,
    usage: { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 1000, cache_read_input_tokens: 5000 },
    modelUsage: { "claude-test-model": { inputTokens: 100, outputTokens: 20 } },
    permission_denials: [],
    ...fields,
  });

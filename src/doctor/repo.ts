// `skep doctor`: the repo's own state: `.skep/`, config.json, the test command's trust, the index,
// the daemon, the workspace and the task store. Everything is read, nothing is written: the index
// and tasks.db are opened read-only here rather than through the helpers that repair, migrate or
// note damage as they open.
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { daemonState } from "../client/control.ts";
import { daemonPaths } from "../repo/daemon-paths.ts";
import { pendingChanges } from "../index/freshness.ts";
import { INDEX_SCHEMA_VERSION } from "../index/schema.ts";
import { getMeta } from "../index/store.ts";
import type { RepoContext } from "../repo/repo.ts";
import { configPath } from "../config/config.ts";
import { RepoConfig } from "../protocol/config.ts";
import type { DoctorCheck } from "../protocol/doctor.ts";
import { tasksDbPath } from "../tasks/store.ts";
import { TASKS_SCHEMA_VERSION } from "../tasks/schema.ts";
import { trustState } from "../trust/store.ts";
import { llmEnvDifferences, llmEnvFingerprint } from "../llm/env.ts";
import { VERSION } from "../version.ts";
import { findWorkspace, readRegistry, registryPath, workspaceOf } from "../workspace/registry.ts";
import { fail, ok, oneLine } from "./check.ts";

export const NOT_A_SKEP_REPO = "not in a skep repo";

/** `.skep/` itself. Its absence is a warning: the program checks still say whether skep can run here. */
export function checkRepo(ctx: RepoContext): DoctorCheck {
  if (existsSync(ctx.skepDir)) return ok("repo", "warning", `${ctx.root}${ctx.isGit ? "" : " (not a git repo)"}, .skep/ at ${ctx.skepDir}`);
  return fail("repo", "warning", `${NOT_A_SKEP_REPO}: no .skep/ in ${ctx.root}`, "run `skep init` in the repo (or pass --repo DIR)");
}

/** The checks that need `.skep/`, each saying so when there is none (the repo check carries the fix). */
export function notInRepo(names: string[]): DoctorCheck[] {
  return names.map((n) => fail(n, "info", NOT_A_SKEP_REPO));
}

/**
 * config.json through the RepoConfig schema. Returns the config the other checks use: the file's,
 * or the defaults when it is missing or invalid (tasks would refuse to start in that case, which
 * this check reports as critical).
 */
export function checkConfig(ctx: RepoContext): { check: DoctorCheck; config: RepoConfig } {
  const path = configPath(ctx.skepDir);
  const defaults = RepoConfig.parse({});
  if (!existsSync(path)) return { check: ok("config", "critical", `no ${path}: defaults apply (llm=${defaults.llm})`), config: defaults };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    return { check: fail("config", "critical", `${path} is not valid JSON: ${oneLine((err as Error).message, 100)}`, "fix the file (or delete it for the defaults)"), config: defaults };
  }
  const parsed = RepoConfig.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ");
    return { check: fail("config", "critical", `${path} is invalid: ${issues}`, "fix it: skep config <key> <value> (or edit the file)"), config: defaults };
  }
  const c = parsed.data;
  const known = new Set(Object.keys(RepoConfig.shape));
  const extra = Object.keys(raw as object).filter((k) => !known.has(k));
  const models = `model=${c.model}`;
  const unknown = extra.length ? `; keys skep does not know (kept): ${extra.join(", ")}` : "";
  return { check: ok("config", "critical", `${path}: llm=${c.llm}, ${models}${unknown}`), config: c };
}

/** The test command, and whether this user trusted it on this machine (the store lives outside the repo). */
export function checkTestCmd(ctx: RepoContext, config: RepoConfig): DoctorCheck {
  const cmd = config.test_cmd;
  if (!cmd) return ok("test_cmd", "info", "none set: tasks run no tests (skep config test_cmd '<command>')");
  const state = trustState(ctx.root, cmd);
  if (state === "trusted") return ok("test_cmd", "warning", `\`${cmd}\`, trusted on this machine`);
  const why = state === "changed" ? "changed since it was trusted" : "not trusted on this machine";
  return fail("test_cmd", "warning", `\`${cmd}\`, ${why}: tasks skip their tests`, "skep trust");
}

/** The index file: there, of this skep's schema, whole, its size, and whether the disk moved on since. */
export function checkIndex(ctx: RepoContext): DoctorCheck {
  if (!existsSync(ctx.dbPath)) return fail("index", "warning", `no index at ${ctx.dbPath}`, "skep index");
  let db: Database | undefined;
  try {
    db = new Database(ctx.dbPath, { readonly: true });
    db.exec("PRAGMA busy_timeout = 5000");
    const schema = getMeta(db, "index_schema");
    if (Number(schema) !== INDEX_SCHEMA_VERSION) {
      return fail("index", "warning", `${ctx.dbPath} has schema ${schema ?? "none"}; this skep reads schema ${INDEX_SCHEMA_VERSION}`, "skep index (rebuilds it)");
    }
    if (getMeta(db, "bulk_build") !== null) return fail("index", "warning", `${ctx.dbPath}: a build was interrupted (the index is incomplete)`, "skep index");
    if (existsSync(`${ctx.dbPath}.damaged`)) return fail("index", "warning", `${ctx.dbPath}: a read found it damaged`, "skep index (rebuilds it)");
    const count = (sql: string) => (db!.query(sql).get() as { n: number }).n;
    const files = count("SELECT count(*) AS n FROM files WHERE skip_reason IS NULL");
    const symbols = count("SELECT count(*) AS n FROM symbols");
    const at = getMeta(db, "indexed_at");
    const built = at ? `built ${new Date(Number(at)).toISOString()}` : "never completed";
    const p = pendingChanges(db, ctx.root).pending;
    const pending = p.added.length + p.modified.length + p.deleted.length;
    const what = `${plural(files, "file")}, ${plural(symbols, "symbol")}, schema ${schema}, ${built}`;
    if (pending > 0) {
      return fail("index", "info", `${what}; stale: ${plural(pending, "file")} changed since`, "skep index (a running daemon does it on its own)");
    }
    return ok("index", "warning", `${what}; fresh`);
  } catch (err) {
    return fail("index", "warning", `${ctx.dbPath} cannot be read: ${oneLine((err as Error).message, 100)}`, "skep index (rebuilds a damaged index)");
  } finally {
    db?.close();
  }
}

export async function checkDaemon(ctx: RepoContext): Promise<DoctorCheck> {
  const s = await daemonState(daemonPaths(ctx.root, ctx.skepDir));
  if (s.info) {
    const i = s.info;
    if (i.version !== VERSION) return fail("daemon", "warning", `running (pid ${i.pid}) but it is skep ${i.version}, this is ${VERSION}`, "skep daemon restart");
    const lastError = i.indexer.lastError ? `; indexer's last error: ${oneLine(i.indexer.lastError, 80)}` : "";
    const differ = i.llmEnv ? llmEnvDifferences(i.llmEnv, llmEnvFingerprint()) : [];
    if (differ.length) {
      return fail("daemon", "warning", `running (pid ${i.pid}), but its LLM environment differs from this shell's: ${differ.join(", ")}; its tasks use the daemon's`, "skep daemon restart (from this shell)");
    }
    return ok("daemon", "info", `running (pid ${i.pid}, up ${Math.round(i.uptimeMs / 1000)}s, socket ${i.socket})${lastError}`);
  }
  if (s.unresponsive) return fail("daemon", "warning", `holds its lock${s.pid ? ` (pid ${s.pid})` : ""} but does not answer: starting, or stuck`, "wait a moment; if it persists: skep daemon restart");
  // Not running is a normal state (reads open the index file, tasks run in the CLI), not a failure.
  if (s.stale.length) return fail("daemon", "info", `not running; ${plural(s.stale.length, "file")} left by a daemon that died`, "skep daemon start (cleans them up)");
  return ok("daemon", "info", "not running (reads open the index file; tasks run in the CLI): skep daemon start keeps the index warm");
}

/** The workspace above the repo (or the current directory): its registry, and whether each repo is still there. */
export function checkWorkspace(start: string, root: string | null): DoctorCheck {
  const ws = findWorkspace(start);
  if (!ws) return ok("workspace", "info", "none above this directory (cross-repo delegation needs one: skep init --workspace DIR)");
  let agents: [string, { path: string }][];
  try {
    agents = Object.entries(readRegistry(ws).agents);
  } catch (err) {
    return fail("workspace", "warning", oneLine((err as Error).message, 160), `fix or delete ${registryPath(ws)}`);
  }
  // workspaceOf matches paths through symlinks, as delegation does.
  const self = root && findWorkspace(root) === ws ? workspaceOf(root)?.self : null;
  const where = root ? (self ? `; this repo is '${self}'` : "; this repo is not registered (skep init registers it)") : "";
  const what = `${ws}: ${plural(agents.length, "repo")} registered${where}`;
  const gone = agents.filter(([, a]) => !existsSync(a.path));
  if (gone.length) {
    return fail("workspace", "warning", `${what}; missing: ${gone.map(([n, a]) => `${n} (${a.path})`).join(", ")}`, `re-run skep init in a moved repo, or delete its entry from ${registryPath(ws)}`);
  }
  return ok("workspace", "info", what);
}

/** tasks.db, read-only: readable, of a schema this skep knows, how many tasks. */
export function checkTasks(ctx: RepoContext): DoctorCheck {
  const path = tasksDbPath(ctx.skepDir);
  if (!existsSync(path)) return ok("tasks", "info", "no tasks.db yet (the first task creates it)");
  let db: Database | undefined;
  try {
    db = new Database(path, { readonly: true });
    db.exec("PRAGMA busy_timeout = 5000");
    const version = Number((db.query("SELECT value FROM meta WHERE key = 'tasks_schema'").get() as { value: string } | null)?.value ?? 0);
    if (version > TASKS_SCHEMA_VERSION) return fail("tasks", "critical", `${path} has task schema ${version}, newer than this skep's ${TASKS_SCHEMA_VERSION}: task commands refuse it`, "upgrade skep");
    const n = (db.query("SELECT count(*) AS n FROM tasks").get() as { n: number }).n;
    const migrate = version < TASKS_SCHEMA_VERSION ? ` (schema ${version}: the next task command upgrades it to ${TASKS_SCHEMA_VERSION})` : "";
    return ok("tasks", "warning", `${path}: ${plural(n, "task")}${migrate}`);
  } catch (err) {
    return fail("tasks", "warning", `${path} cannot be read: ${oneLine((err as Error).message, 100)}`, "the next task command moves it aside and starts a new one; keep the old file if its tasks matter");
  } finally {
    db?.close();
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

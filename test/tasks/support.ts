// A task test bed: a real git repo with a committed TypeScript file, its index, a config, and a
// TaskService whose backends are an inline script (or anything a test injects).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { excludeSkepDir } from "../../src/git/exclude.ts";
import { indexRepo } from "../../src/index/indexer.ts";
import { openWritable } from "../../src/index/store.ts";
import type { LlmBackend, LlmRequest, LlmResult } from "../../src/llm/backend.ts";
import { ScriptBackend, type ScriptFileInput } from "../../src/llm/script.ts";
import { RepoConfig } from "../../src/protocol/config.ts";
import type { LlmPurpose, Plan } from "../../src/protocol/tasks.ts";
import { TaskService } from "../../src/tasks/service.ts";
import { initRepo } from "../helpers/git-repo.ts";
import { tempDir } from "../support/temp.ts";

export const REPO_FILES = {
  "src/math.ts": "/** Adds two numbers. */\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n",
  "src/app.ts": 'import { add } from "./math";\n\nexport function main(): number {\n  return add(1, 2);\n}\n',
  "package.json": '{"name":"fixture","scripts":{"test":"echo ok"}}\n',
};

export interface Bed {
  root: string;
  skepDir: string;
  service: TaskService;
  progress: string[];
}

export async function makeBed(opts: { script?: ScriptFileInput; backend?: LlmBackend; config?: Partial<RepoConfig>; files?: Record<string, string> } = {}): Promise<Bed> {
  const root = initRepo(join(tempDir("skep-tasks-"), "repo"), opts.files ?? REPO_FILES);
  const skepDir = join(root, ".skep");
  mkdirSync(skepDir, { recursive: true });
  excludeSkepDir(root); // as `skep init` does

  const dbPath = join(skepDir, "index.db");
  const db = openWritable(dbPath);
  await indexRepo(db, root);
  db.close();
  const backend = opts.backend ?? new ScriptBackend(opts.script ?? { answers: [] });
  const progress: string[] = [];
  const config = RepoConfig.parse({ ...opts.config });
  const service = new TaskService({
    root,
    skepDir,
    dbPath,
    config,
    backends: (purpose: LlmPurpose) => ({ backend, model: `model-${purpose}` }),
    onProgress: (id, message) => progress.push(`#${id} ${message}`),
  });
  return { root, skepDir, service, progress };
}

export const SMALL = JSON.stringify({ classification: "small", confidence: 0.9, reason: "one function in one file", needs_clarification: false, clarifying_questions: [], reject_reason: null });
export const LARGE = JSON.stringify({ classification: "large", confidence: 0.8, reason: "new module and tests", needs_clarification: false, clarifying_questions: [], reject_reason: null });

export function planText(plan: z_Plan): string {
  return `Here is the plan:\n\`\`\`json\n${JSON.stringify(plan)}\n\`\`\``;
}
type z_Plan = { plan: Partial<Plan["plan"][number]>[]; files_affected?: string[] };

export const THREE_STEPS: z_Plan = {
  plan: [
    { verb: "add", target_file: "src/sub.ts", symbols: ["sub"], description: "Add a sub function", acceptance: "sub(3, 1) returns 2", depends_on: [] },
    { verb: "modify", target_file: "src/app.ts", symbols: ["main"], description: "Use sub in main", acceptance: "main calls sub", depends_on: [0] },
    { verb: "test", target_file: "src/sub.test.ts", symbols: ["sub"], description: "Test sub", acceptance: "the test passes", depends_on: [0] },
  ],
  files_affected: ["src/sub.ts", "src/app.ts", "src/sub.test.ts"],
};

/** A backend that records each request and answers with a function of it. */
export class FnBackend implements LlmBackend {
  readonly name = "fn";
  readonly requests: LlmRequest[] = [];
  constructor(private readonly answer: (req: LlmRequest, n: number) => Promise<Partial<LlmResult>> | Partial<LlmResult>) {}
  async run(req: LlmRequest): Promise<LlmResult> {
    this.requests.push(req);
    const a = await this.answer(req, this.requests.length);
    return {
      ok: true,
      text: "",
      error: null,
      usage: { input: 10, output: 5, cacheCreation: 0, cacheRead: 0 },
      costUsd: 0.001,
      durationMs: 1,
      exitCode: 0,
      model: req.model ?? null,
      sessionId: null,
      backend: "fn",
      aborted: false,
      ...a,
    };
  }
}

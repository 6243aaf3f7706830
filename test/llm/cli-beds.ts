// One bed per real agent CLI for the backend tests (codex-real/codex-failures,
// gemini-real/gemini-failures: two files per CLI so they run in parallel): the fake API on
// 127.0.0.1, the user's own CLI directory (read, never written; snapshotted to prove it), the
// directory per-call homes go to, and a backend and request maker. Calling a bed registers its
// beforeAll/afterAll in the calling file.
import { afterAll, beforeAll } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LlmRequest } from "../../src/llm/backend.ts";
import { CodexBackend, type CodexBackendOptions } from "../../src/llm/codex.ts";
import { GeminiBackend, type GeminiBackendOptions } from "../../src/llm/gemini.ts";
import { CODEX, FAKE_KEY_VAR, GEMINI, offlineGeminiEnv, snapshot } from "../support/agent-clis.ts";
import { FakeGemini } from "../support/fake-gemini.ts";
import { FakeOpenAI } from "../support/fake-openai.ts";
import { childEnv } from "../mcp/support.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";

export interface CliBed<F, B, O> {
  readonly fake: F;
  /** The user's own CLI directory (~/.codex, ~/.gemini). */
  readonly userDir: string;
  /** Its files as they were before any call. */
  readonly userBefore: Record<string, string>;
  /** Where each call's home is made (and must be gone from after it). */
  readonly homesDir: string;
  backend(extra?: Partial<O>): B;
  request(cwd: string, extra: Partial<LlmRequest>): LlmRequest;
}

function bed<F extends { url: string; stop(): Promise<void> }, B, O>(
  start: () => Promise<F>,
  name: string,
  seedUser: (userDir: string) => void,
  make: (b: CliBed<F, B, O>, userHome: string, extra: Partial<O>) => B,
  defaults: Partial<LlmRequest> = {},
): CliBed<F, B, O> {
  let fake: F | undefined;
  let userHome = "";
  let userBefore: Record<string, string> = {};
  let homesDir = "";
  beforeAll(async () => {
    fake = await start();
    userHome = tempDir(`skep-${name}-user-`);
    mkdirSync(join(userHome, `.${name}`));
    seedUser(join(userHome, `.${name}`));
    userBefore = snapshot(join(userHome, `.${name}`));
    homesDir = tempDir(`skep-${name}-homes-`);
  });
  afterAll(async () => {
    await fake?.stop();
    await cleanupAll();
  });
  const b: CliBed<F, B, O> = {
    get fake() {
      return fake!;
    },
    get userDir() {
      return join(userHome, `.${name}`);
    },
    get userBefore() {
      return userBefore;
    },
    get homesDir() {
      return homesDir;
    },
    backend: (extra = {}) => make(b, userHome, extra),
    request: (cwd, extra) => ({ purpose: "plan", prompt: "", cwd, timeoutMs: 60_000, ...defaults, ...extra }),
  };
  return b;
}

/** Codex: the user's ~/.codex holds settings and a login; the provider points at the fake Responses API. */
export function codexBed(): CliBed<FakeOpenAI, CodexBackend, CodexBackendOptions> {
  return bed<FakeOpenAI, CodexBackend, CodexBackendOptions>(
    () => FakeOpenAI.start(),
    "codex",
    (dir) => {
      writeFileSync(join(dir, "config.toml"), 'model_reasoning_effort = "low"\n');
      writeFileSync(join(dir, "auth.json"), '{"OPENAI_API_KEY": null}\n');
    },
    (b, _userHome, extra) =>
      new CodexBackend({
        bin: CODEX,
        inheritEnv: false,
        env: childEnv({ HOME: tempDir("skep-codex-home-"), [FAKE_KEY_VAR]: "dummy" }),
        provider: { baseUrl: b.fake.url, envKey: FAKE_KEY_VAR },
        maxRetries: 0,
        userHome: b.userDir,
        homesDir: b.homesDir,
        ...extra,
      }),
  );
}

/** Gemini: the user's ~/.gemini holds settings (merged into each call's); the fake streaming API. */
export function geminiBed(): CliBed<FakeGemini, GeminiBackend, GeminiBackendOptions> {
  return bed<FakeGemini, GeminiBackend, GeminiBackendOptions>(
    () => FakeGemini.start(),
    "gemini",
    (dir) => writeFileSync(join(dir, "settings.json"), JSON.stringify({ ui: { theme: "users-own" }, tools: { exclude: ["glob"] } })),
    (b, userHome, extra) =>
      new GeminiBackend({
        bin: GEMINI,
        inheritEnv: false,
        env: childEnv({ HOME: tempDir("skep-gemini-home-"), ...offlineGeminiEnv(b.fake.url) }),
        maxRetries: 0,
        userHome,
        homesDir: b.homesDir,
        ...extra,
      }),
    { model: "gemini-fake-1" },
  );
}

// One `bun build --compile` of skep, shared by scripts/build.ts (dist/skep for this machine) and
// scripts/release.ts (every platform, from the Bun runtimes installed as devDependencies).
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { BunPlugin } from "bun";

export const PROJECT = resolve(import.meta.dir, "..");

/** Worker entry points must be listed so the compiled binary can start them. */
const ENTRYPOINTS = ["src/main.ts", "src/index/parse-worker.ts", "src/daemon-worker.ts"].map((p) => join(PROJECT, p));

/** The commit the tree is at, 12 hex digits, "-dirty" when tracked files have edits; "unknown" outside git. */
export function buildCommit(): string {
  const head = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: PROJECT, stdout: "pipe", stderr: "ignore" });
  if (head.exitCode !== 0) return "unknown";
  const dirty = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { cwd: PROJECT, stdout: "pipe", stderr: "ignore" });
  return head.stdout.toString().trim() + (dirty.stdout.toString().trim() ? "-dirty" : "");
}

/**
 * Grammars make up 27 MB of the binary as plain wasm and 1.6 MB zstd-compressed: this plugin
 * swaps each `tree-sitter-wasms/out/*.wasm` import for a compressed copy (same file name, so the
 * embedded path still ends in .wasm); src/parser/runtime.ts inflates a grammar when it is first
 * loaded, recognising zstd by its magic number, so running from source needs no build step.
 * Compressed copies are kept in node_modules/.cache keyed by content and level: level 19 takes
 * seconds, and every build after the first reuses them.
 */
export class CompressedGrammars {
  private readonly cache: string;
  constructor(private readonly level: number) {
    this.cache = join(PROJECT, "node_modules", ".cache", "skep-grammars", String(level));
  }

  private async compressed(original: string): Promise<string> {
    const bytes = await Bun.file(original).bytes();
    const key = new Bun.CryptoHasher("sha256").update(bytes).digest("hex").slice(0, 16);
    const out = join(this.cache, key, basename(original));
    if (!existsSync(out)) {
      mkdirSync(dirname(out), { recursive: true });
      const tmp = `${out}.${process.pid}.tmp`;
      await Bun.write(tmp, Bun.zstdCompressSync(bytes, { level: this.level }));
      renameSync(tmp, out);
    }
    return out;
  }

  plugin(): BunPlugin {
    return {
      name: "skep-compressed-grammars",
      setup: (build) => {
        build.onResolve({ filter: /^tree-sitter-wasms\/out\/.*\.wasm$/ }, async (args) => ({
          path: await this.compressed(Bun.resolveSync(args.path, dirname(args.importer))),
        }));
      },
    };
  }
}

export interface CompileOptions {
  outfile: string;
  /** A Bun target such as "bun-linux-arm64"; this machine's when absent. */
  target?: Bun.Build.CompileTarget;
  /** The Bun runtime to embed (cross-compiling without a download); this bun when absent. */
  executablePath?: string;
  /** "inline" keeps stack traces readable in dev builds; "external" writes the map beside the outfile. */
  sourcemap: "inline" | "external" | "none";
  commit: string;
  grammars: CompressedGrammars;
  /**
   * Ship JavaScriptCore bytecode beside the source, so a start does not parse the chunks it loads:
   * with splitting, CPU over a hello-world (same run): the status line +29 -> +18 ms, a
   * warm-daemon search +47 -> +34, --help +33 -> +20; --version the same; +5.5 MiB.
   */
  bytecode?: boolean;
}

/**
 * How skep's code is bundled, compiled or not: test/cli/startup-graph.test.ts bundles with these
 * options to check which modules each command's start reaches.
 */
export function bundleOptions(o: { commit: string; grammars: CompressedGrammars }) {
  return {
    entrypoints: ENTRYPOINTS,
    minify: { syntax: true },
    // One chunk per lazily imported command (src/cli/lazy.ts) and per shared group of modules:
    // a start loads and links only the chunks the command typed reaches. Without splitting the
    // whole bundle is one module whose bytecode is loaded at every start, imported or not:
    // `skep --version` answered before any import still cost +20 ms over a hello-world.
    splitting: true,
    define: { SKEP_BUILD_COMMIT: JSON.stringify(o.commit) },
    plugins: [o.grammars.plugin()],
  } satisfies Partial<Bun.BuildConfig>;
}

/** Compile skep; throws with the bundler's messages when it fails. Returns the files written. */
export async function compileSkep(o: CompileOptions): Promise<string[]> {
  mkdirSync(dirname(o.outfile), { recursive: true });
  const result = await Bun.build({
    ...bundleOptions(o),
    compile: {
      outfile: o.outfile,
      ...(o.target ? { target: o.target } : {}),
      ...(o.executablePath ? { executablePath: o.executablePath } : {}),
      // skep runs inside arbitrary repos: a repo's .env or bunfig.toml (which can preload code) is
      // data to skep, never configuration of its runtime.
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
    ...(o.bytecode ? { bytecode: true, format: "esm" as const } : {}),
    sourcemap: o.sourcemap,
  });
  if (!result.success) throw new Error(`bun build failed:\n${result.logs.map(String).join("\n")}`);
  return result.outputs.map((f) => f.path);
}

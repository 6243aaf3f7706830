// The platforms a release ships, and where each one's Bun runtime sits in node_modules: the
// @oven/bun-<os>-<arch> packages are pinned devDependencies at the `bun` devDependency's version,
// so `bun build --compile` cross-compiles from them without downloading anything.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Target {
  /** The archive suffix and install.sh's name for the platform: "linux-x64-musl". */
  name: string;
  os: "linux" | "darwin";
  arch: "x64" | "arm64";
  libc?: "musl";
  bunTarget: Bun.Build.CompileTarget;
  /** The npm package holding this platform's bun at bin/bun. */
  runtimePackage: string;
}

export const TARGETS: readonly Target[] = [
  { name: "linux-x64", os: "linux", arch: "x64", bunTarget: "bun-linux-x64", runtimePackage: "@oven/bun-linux-x64" },
  { name: "linux-arm64", os: "linux", arch: "arm64", bunTarget: "bun-linux-arm64", runtimePackage: "@oven/bun-linux-aarch64" },
  { name: "linux-x64-musl", os: "linux", arch: "x64", libc: "musl", bunTarget: "bun-linux-x64-musl", runtimePackage: "@oven/bun-linux-x64-musl" },
  { name: "darwin-x64", os: "darwin", arch: "x64", bunTarget: "bun-darwin-x64", runtimePackage: "@oven/bun-darwin-x64" },
  { name: "darwin-arm64", os: "darwin", arch: "arm64", bunTarget: "bun-darwin-arm64", runtimePackage: "@oven/bun-darwin-aarch64" },
];

export function targetsNamed(names: string[]): Target[] {
  return names.map((n) => {
    const t = TARGETS.find((x) => x.name === n);
    if (!t) throw new Error(`unknown target '${n}' (one of ${TARGETS.map((x) => x.name).join(", ")})`);
    return t;
  });
}

function versionOf(pkgDir: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

/**
 * The Bun runtime to embed for `t`, checked to be the version the project pins. On the machine
 * whose platform it is, bun's postinstall moves the binary out of its package into
 * node_modules/bun/bin/bun.exe, so that is where the host's own runtime is found.
 */
export function runtimeFor(t: Target, project: string): string {
  const modules = join(project, "node_modules");
  const want = versionOf(join(modules, "bun"));
  const pkgDir = join(modules, t.runtimePackage);
  const have = versionOf(pkgDir);
  if (!want) throw new Error("node_modules/bun is missing: run npm ci");
  if (!have) throw new Error(`${t.runtimePackage} is not installed: run npm ci (it is a devDependency)`);
  if (have !== want) throw new Error(`${t.runtimePackage} is ${have} but bun is ${want}: pin both to one version in package.json`);
  const inPackage = join(pkgDir, "bin", "bun");
  if (existsSync(inPackage)) return inPackage;
  const moved = join(modules, "bun", "bin", "bun.exe");
  const hostArch = process.arch === "arm64" ? "arm64" : "x64";
  if (t.os === process.platform && t.arch === hostArch && !t.libc && existsSync(moved)) return moved;
  throw new Error(`${inPackage} is missing: run npm ci`);
}

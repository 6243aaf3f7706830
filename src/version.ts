import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;

// Replaced by the bundler's `define` in scripts/build.ts and scripts/release.ts; absent when run from source.
declare const SKEP_BUILD_COMMIT: string | undefined;

/** The commit a compiled binary was built from ("1a2b3c4d5e6f", "-dirty" when the tree had edits); null from source. */
export const BUILD_COMMIT: string | null = typeof SKEP_BUILD_COMMIT === "string" ? SKEP_BUILD_COMMIT : null;

/** `skep --version`'s line: "skep 0.1.0 (1a2b3c4d5e6f)", or "(source)" when run by bun from a clone. */
export function versionLine(): string {
  return `skep ${VERSION} (${BUILD_COMMIT ?? "source"})`;
}

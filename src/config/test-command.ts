// Guess a repo's test command from the build files at its root.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function detectTestCommand(root: string): string | null {
  const has = (f: string) => existsSync(join(root, f));
  if (has("package.json")) {
    try {
      const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> };
      const test = pkg.scripts?.test;
      if (test && !/no test specified/.test(test)) return "npm test";
    } catch {
      // a malformed package.json says nothing about tests; fall through to the other build files
    }
  }
  if (has("go.mod")) return "go test ./...";
  if (has("Cargo.toml")) return "cargo test";
  if (has("pytest.ini") || has("pyproject.toml") || has("setup.cfg") || has("tox.ini")) return "pytest";
  if (has("gradlew")) return "./gradlew test";
  if (has("build.gradle") || has("build.gradle.kts")) return "gradle test";
  if (has("pom.xml")) return "mvn test";
  if (has("Package.swift")) return "swift test";
  if (has("Gemfile") && has("Rakefile")) return "bundle exec rake test";
  if (has("composer.json")) return "composer test";
  if (has("Makefile") && /^test:/m.test(readFileSync(join(root, "Makefile"), "utf8"))) return "make test";
  return null;
}

// Formula/skep.rb: a Homebrew formula with one url + sha256 per platform, for a tap to publish.
import type { Target } from "./targets.ts";

export interface FormulaArchive {
  target: Target;
  file: string;
  sha256: string;
}

const BLOCK: Record<string, [os: string, cpu: string]> = {
  "darwin-arm64": ["on_macos", "on_arm"],
  "darwin-x64": ["on_macos", "on_intel"],
  "linux-arm64": ["on_linux", "on_arm"],
  "linux-x64": ["on_linux", "on_intel"],
};

/** A Ruby double-quoted string literal (Homebrew's style), with nothing interpolated. */
function q(s: string): string {
  return JSON.stringify(s).replace(/#/g, "\\#");
}

export function formula(o: { version: string; baseUrl: string; homepage: string; description: string; archives: FormulaArchive[] }): string {
  const lines: string[] = [
    "# Written by `bun run release` (scripts/release.ts); a tap publishes it as Formula/skep.rb.",
    "class Skep < Formula",
    `  desc ${q(o.description)}`,
    `  homepage ${q(o.homepage)}`,
    `  version ${q(o.version)}`,
  ];
  for (const os of ["on_macos", "on_linux"]) {
    const mine = o.archives.filter((a) => BLOCK[a.target.name]?.[0] === os);
    if (mine.length === 0) continue;
    lines.push("", `  ${os} do`);
    for (const a of mine) {
      lines.push(`    ${BLOCK[a.target.name]![1]} do`, `      url ${q(`${o.baseUrl.replace(/\/$/, "")}/${a.file}`)}`, `      sha256 ${q(a.sha256)}`, "    end");
    }
    lines.push("  end");
  }
  lines.push(
    "",
    "  def install",
    '    bin.install "skep"',
    '    generate_completions_from_executable(bin/"skep", "completion")',
    "  end",
    "",
    "  test do",
    '    assert_match version.to_s, shell_output("#{bin}/skep --version")',
    '    (testpath/"repo/hello.go").write "package hello\\n\\nfunc Hello() string { return \\"hi\\" }\\n"',
    '    cd testpath/"repo" do',
    '      system "git", "init", "-q"',
    '      system bin/"skep", "index"',
    '      assert_match "Hello", shell_output("#{bin}/skep search Hello")',
    "    end",
    "  end",
    "end",
    "",
  );
  return lines.join("\n");
}

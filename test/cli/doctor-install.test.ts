// skep doctor's install and completions checks, from the files each install method leaves.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkCompletions, checkInstall, receiptPath } from "../../src/doctor/install.ts";
import { tempDir } from "../helpers/git-repo.ts";

const tmp = tempDir("skep-doctor-install-");
afterAll(tmp.cleanup);

function file(path: string, text = ""): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe("skep doctor: install and completions", () => {
  const home = join(tmp.dir, "home");
  const e = (self: string[]) => ({ self, env: {}, home });

  test("from source, install.sh (by its receipt), Homebrew (by its Cellar), or by hand", () => {
    expect(checkInstall(["/usr/bin/bun", "/src/skep/src/main.ts"], e(["/usr/bin/bun", "/src/skep/src/main.ts"])).detail).toStartWith("from source: /src/skep/src/main.ts");
    const bin = file(join(home, ".local/bin/skep"));
    expect(checkInstall([bin], e([bin])).detail).toStartWith(`a binary at ${bin}, not installed by install.sh or Homebrew`);
    file(receiptPath(e([bin])), `method=install.sh\nversion=0.1.0\ntarget=linux-x64\nbase=https://r.invalid/v0.1.0\nfile=${bin}\n`);
    expect(checkInstall([bin], e([bin])).detail).toBe(`install.sh: ${bin} (0.1.0, linux-x64, from https://r.invalid/v0.1.0); \`sh install.sh --uninstall\` removes it`);
    const brew = file(join(tmp.dir, "brew/Cellar/skep/0.1.0/bin/skep"));
    expect(checkInstall([brew], e([brew])).detail).toStartWith("Homebrew: ");
  });

  test("completions: found where each shell looks, missing ones named with the fix", () => {
    const brewBin = join(tmp.dir, "brew/Cellar/skep/0.1.0/bin/skep");
    let c = checkCompletions([brewBin], e([brewBin]));
    expect(c.status).toBe("fail");
    expect(c.detail).toContain("none installed for bash, zsh, fish");
    expect(c.fix).toContain("skep completion");
    // Homebrew puts them under the formula's prefix.
    file(join(tmp.dir, "brew/Cellar/skep/0.1.0/share/zsh/site-functions/_skep"));
    file(join(tmp.dir, "brew/Cellar/skep/0.1.0/etc/bash_completion.d/skep"));
    file(join(home, ".config/fish/completions/skep.fish"));
    c = checkCompletions([brewBin], e([brewBin]));
    expect(c.status).toBe("ok");
    expect(c.detail).toContain("bash (");
    expect(c.detail).toContain("fish (");
  });
});

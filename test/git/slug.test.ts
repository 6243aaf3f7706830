// Branch-name slugs: readable, bounded, never empty, and always a valid git ref name.
import { describe, expect, test } from "bun:test";
import { slugify } from "../../src/git/worktree.ts";

describe("slugify", () => {
  test.each([
    ["Add OAuth2 login", "add-oauth2-login"],
    ["  Fix   the  typo!  ", "fix-the-typo"],
    ["Café résumé naïve", "cafe-resume-naive"],
    ["--leading and trailing--", "leading-and-trailing"],
    ["a..b/c@{d}~e^f:g?h*i[j\\k", "a-b-c-d-e-f-g-h-i-j-k"],
    ["refs.lock", "refs-lock"],
    ["", "task"],
    ["!!!", "task"],
    ["日本語だけ", "task"],
    ["UPPER_snake_Case", "upper-snake-case"],
  ])("%p → %p", (input, want) => {
    expect(slugify(input)).toBe(want);
  });

  test("is cut at a word boundary within max", () => {
    const s = slugify("make the dashboard show tokens per task and per workspace total");
    expect(s.length).toBeLessThanOrEqual(40);
    expect(s).toBe("make-the-dashboard-show-tokens-per-task");
    expect(slugify("one two three", 8)).toBe("one-two");
    expect(slugify("one two three", 7)).toBe("one-two");
  });

  test("a long single word is cut mid-word rather than emptied", () => {
    expect(slugify("a supercalifragilisticexpialidocious", 10)).toBe("a-supercal");
    expect(slugify("x".repeat(100))).toBe("x".repeat(40));
  });

  test("never ends with '-' after cutting", () => {
    for (let max = 1; max < 30; max++) {
      const s = slugify("ab - cd -- ef --- gh ---- ij", max);
      expect(s.length).toBeLessThanOrEqual(max);
      expect(s).not.toMatch(/^-|-$/);
      expect(s.length).toBeGreaterThan(0);
    }
  });

  test("git accepts every result as a branch name", () => {
    const inputs = ["", "..", ".lock", "@", "@{-1}", "a/b", "HEAD", "-x", "x.", "/", "ü ß ø", "emoji 🎉 party", "tab\tnew\nline", "a".repeat(300)];
    for (const input of inputs) {
      const name = `skep/task-1-${slugify(input)}`;
      const p = Bun.spawnSync(["git", "check-ref-format", "--branch", name], { stdout: "pipe", stderr: "pipe" });
      expect({ name, ok: p.exitCode === 0 }).toEqual({ name, ok: true });
    }
  });
});

// Red-team attack 2: a step that rewrites the worktree's `.git` to point at the user's repository,
// or deletes it, must not commit to (or stage in) the user's checkout. Task git commands are pinned
// to the worktree's own git dir, a step touching .git/.skep/.gitmodules fails with the reason, and a
// step that moves the user's checkout (HEAD, branch, index) fails the task loudly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pinWorktree } from "../../src/git/guard.ts";
import { addWorktree, commitAll } from "../../src/git/worktree.ts";
import type { LlmRequest } from "../../src/llm/backend.ts";
import { git, initRepo } from "../helpers/git-repo.ts";
import { cleanupAll, tempDir } from "../support/temp.ts";
import { FnBackend, LARGE, makeBed, planText } from "./support.ts";

beforeAll(async () => {
  process.env.SKEP_HOME = tempDir("skep-home-");
});
afterAll(cleanupAll);

const ONE_STEP = { plan: [{ verb: "modify" as const, target_file: "src/math.ts", symbols: ["add"], description: "Tweak add", acceptance: "add works", depends_on: [] }], files_affected: ["src/math.ts"] };

/** A task whose only step does `act` in the worktree (as an LLM with Write/Bash could). */
async function runTask(act: (worktree: string, root: string) => void) {
  let root = "";
  const backend = new FnBackend((req: LlmRequest) => {
    if (req.purpose === "classify") return { text: LARGE };
    if (req.purpose === "plan") return { text: planText(ONE_STEP) };
    writeFileSync(join(req.cwd!, "src/math.ts"), "export function add(){return 'PWNED-BY-TASK'}\n");
    act(req.cwd!, root);
    return { text: "done" };
  });
  const bed = await makeBed({ backend });
  root = bed.root;
  // The user's checkout: a staged file, an unstaged edit, an untracked file.
  writeFileSync(join(root, "staged2.txt"), "staged\n");
  git(root, "add", "staged2.txt");
  writeFileSync(join(root, "src/app.ts"), "// my unstaged edit\n");
  writeFileSync(join(root, "notes.txt"), "untracked\n");
  const before = { head: git(root, "rev-parse", "HEAD"), branch: git(root, "symbolic-ref", "HEAD"), status: git(root, "status", "--porcelain"), staged: git(root, "diff", "--cached", "--name-only") };
  const r = await bed.service.create("Tweak add");
  await bed.service.classify(r.task!.id);
  bed.service.approve(r.task!.id);
  bed.service.enqueue(r.task!.id);
  const task = await bed.service.execute(r.task!.id, new AbortController().signal);
  const after = { head: git(root, "rev-parse", "HEAD"), branch: git(root, "symbolic-ref", "HEAD"), status: git(root, "status", "--porcelain"), staged: git(root, "diff", "--cached", "--name-only") };
  return { bed, task, before, after, root };
}

describe("a step cannot reach the user's checkout through git", () => {
  test("a step that points .git at the main repo fails; the user's branch, staging and untracked files are untouched", async () => {
    const { task, before, after, root } = await runTask((wt, main) => writeFileSync(join(wt, ".git"), `gitdir: ${main}/.git\n`));
    expect(task.status).toBe("failed");
    expect(task.reason).toContain("changed .git: a step may not create, change or delete .git, .skep or .gitmodules");
    expect(after).toEqual(before);
    expect(git(root, "log", "--format=%s", "-1", "main")).not.toContain("skep(task");
    // The worktree's link was put back: git still knows it, and it can be removed.
    expect(readFileSync(join(task.worktree!, ".git"), "utf8")).toContain("/worktrees/");
    git(root, "worktree", "remove", "--force", task.worktree!);
  });

  test("a step that deletes .git fails; nothing is staged in the user's index", async () => {
    const { task, before, after } = await runTask((wt) => rmSync(join(wt, ".git")));
    expect(task.status).toBe("failed");
    expect(task.reason).toContain("deleted .git");
    expect(after).toEqual(before);
    expect(after.staged.trim()).toBe("staged2.txt");
  });

  test("a step that creates .skep or .gitmodules fails with the reason", async () => {
    const skep = await runTask((wt) => mkdirSync(join(wt, ".skep")));
    expect(skep.task.reason).toContain("created .skep");
    const mods = await runTask((wt) => writeFileSync(join(wt, ".gitmodules"), '[submodule "x"]\n\tpath = x\n\turl = /tmp/x\n'));
    expect(mods.task.status).toBe("failed");
    expect(mods.task.reason).toContain("created .gitmodules");
  });

  test("a step that commits in the user's checkout itself fails the task loudly", async () => {
    const { task, root } = await runTask((_wt, main) => git(main, "commit", "-q", "--allow-empty", "-m", "sneaky"));
    expect(task.status).toBe("failed");
    expect(task.reason).toContain(`your checkout ${root} changed during step 1/1`);
    expect(task.reason).toContain("HEAD moved from");
  });

  test("an honest step still commits on the task branch", async () => {
    const { task, before, after } = await runTask(() => undefined);
    expect(task.status).toBe("done");
    expect(after).toEqual(before);
  });
});

describe("pinned git commands", () => {
  test("commitAll with the worktree's git dir commits on the task branch even when .git points elsewhere", async () => {
    const root = initRepo(join(tempDir("skep-pin-"), "repo"), { "a.txt": "a\n" });
    const wt = (await addWorktree(root, { path: join(root, ".skep", "wt"), branch: "task", base: "HEAD" })).path;
    const pin = pinWorktree(root, wt);
    expect(pin.gitDir).toContain(join(".git", "worktrees"));
    const mainHead = git(root, "rev-parse", "HEAD");
    writeFileSync(join(wt, ".git"), `gitdir: ${root}/.git\n`); // what a step could do
    writeFileSync(join(wt, "b.txt"), "b\n");
    const sha = (await commitAll(wt, "pinned", { gitDir: pin.gitDir }))!;
    expect(git(root, "rev-parse", "task").trim()).toBe(sha);
    expect(git(root, "rev-parse", "HEAD")).toBe(mainHead);
    expect(existsSync(join(root, "b.txt"))).toBe(false);
    expect(() => pinWorktree(root, join(root, "elsewhere"))).toThrow("is not a worktree registered in");
  });
});

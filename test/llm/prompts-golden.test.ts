// Golden tests for every prompt sent to an LLM: each is rendered from fixed inputs and compared
// with test/fixtures/prompts/<name>.golden, so a change to a template or to what fills it shows up
// in review as a diff of the golden file. After an intended change: UPDATE_GOLDEN=1 bun test
// test/llm/prompts-golden.test.ts, then read the diff.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { render } from "../../src/llm/prompts.ts";
import type { Plan, TaskStep } from "../../src/protocol/tasks.ts";
import { dedupPrompt } from "../../src/tasks/dedup/llm-layer.ts";
import { stepPrompt } from "../../src/tasks/executor.ts";
import { planningVars } from "../../src/tasks/pipeline.ts";

const DIR = join(import.meta.dir, "../fixtures/prompts");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function golden(name: string, actual: string): void {
  const file = join(DIR, `${name}.golden`);
  if (UPDATE) writeFileSync(file, actual);
  if (!existsSync(file)) throw new Error(`no golden file ${file}: run with UPDATE_GOLDEN=1 to write it`);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

const context = {
  repo: "shop",
  repoMap: "Ranked repo map (most important files and symbols first):\nsrc/cart.ts\n  export function addItem(cart: Cart, item: Item): Cart\n  export interface Cart\nsrc/price.ts\n  export function total(cart: Cart): number\n",
  peers: ["billing", "mobile"],
};

const plan: Plan = {
  plan: [
    { verb: "add", target_file: "src/discount.ts", symbols: ["applyDiscount"], description: "Add applyDiscount(cart, code)", acceptance: "applyDiscount returns the cart with prices reduced", depends_on: [] },
    { verb: "modify", target_file: "src/price.ts", symbols: ["total"], description: "total() applies the discount", acceptance: "total of a discounted cart is lower", depends_on: [0] },
    { verb: "test", target_file: "", symbols: [], description: "Run the tests", acceptance: "bun test passes", depends_on: [1] },
  ],
  files_affected: ["src/discount.ts", "src/price.ts"],
  symbols_affected: ["applyDiscount", "total"],
};

const step2: TaskStep = { seq: 2, verb: "modify", targetFile: "src/price.ts", description: "total() applies the discount", acceptance: "total of a discounted cart is lower", status: "pending", commit: null, retries: 0, durationMs: null, error: null };

describe("rendered prompts match their golden files", () => {
  test("classify", () => golden("classify", render("classify", planningVars("Add discount codes to the cart", [], context))));

  test("classify, after a clarification round", () =>
    golden("classify-clarified", render("classify", planningVars("Add discount codes", [{ question: "Percent or fixed amount?", answer: "Percent" }], { ...context, peers: [] }))));

  test("plan", () => golden("plan", render("plan", planningVars("Add discount codes to the cart", [], context))));

  test("step, first attempt and retry", () => {
    const task = { id: 7, description: "Add discount codes to the cart" };
    golden("step", stepPrompt("/work/shop", task, plan, step2, "/work/shop/.skep/worktrees/7-add-discount-codes", null));
    golden("step-retry", stepPrompt("/work/shop", task, plan, step2, "/work/shop/.skep/worktrees/7-add-discount-codes", "tsc: src/price.ts(3,1): Cannot find name 'applyDiscount'"));
  });

  test("system", () => golden("system", render("system", {})));

  test("dedup", () =>
    golden(
      "dedup",
      dedupPrompt("Let customers enter a promo code\nat checkout", [
        { id: 3, description: "Add discount codes to the cart", status: "pending" },
        { id: 5, description: "Fix rounding in\ntotal()", status: "done" },
      ]),
    ));

  test("coordinate", () =>
    golden("coordinate", render("coordinate", { repos: '<repo name="api" path="/work/api">\nsrc/routes.ts\n</repo>\n<repo name="web" path="/work/web">\nsrc/client.ts\n</repo>', spec: "Add GET /orders/:id and show it on the order page" })));

  test("review", () =>
    golden(
      "review",
      render("review", {
        contract: "- C1: GET /orders/:id returns {id, total}",
        specs: "api: implements C1; consumes none\nweb: implements none; consumes C1",
        static_contracts: "(no table: this build finds no HTTP routes or calls without an LLM)",
        diffs: '<branch repo="api" task="4" name="skep/4-orders" base="main">\n src/routes.ts | 5 +++++\n\n+app.get("/orders/:id", ...)\n</branch>',
      }),
    ));
});

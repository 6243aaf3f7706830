// The prompt templates, embedded in the binary as text. `{{name}}` placeholders are filled by
// render(); a placeholder left without a value is an error, so a renamed variable cannot silently
// send "{{repo_map}}" to the model.
import classify from "./prompts/classify.md" with { type: "text" };
import coordinate from "./prompts/coordinate.md" with { type: "text" };
import plan from "./prompts/plan.md" with { type: "text" };
import review from "./prompts/review.md" with { type: "text" };
import step from "./prompts/step.md" with { type: "text" };
import system from "./prompts/system.md" with { type: "text" };

export const PROMPTS = { classify, plan, step, system, coordinate, review } as const;
export type PromptName = keyof typeof PROMPTS;

export function render(name: PromptName, vars: Record<string, string>): string {
  const missing = new Set<string>();
  const out = PROMPTS[name].replace(/\{\{([a-z_]+)\}\}/g, (_, key: string) => {
    if (!Object.hasOwn(vars, key)) missing.add(key);
    return vars[key] ?? "";
  });
  if (missing.size) throw new Error(`prompt ${name}: no value for ${[...missing].join(", ")}`);
  return out;
}

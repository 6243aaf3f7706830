// app.ts names each top-level command by a copy of its meta so that nothing loads before a
// command is chosen: the copy must say what the command itself says.
import { describe, expect, test } from "bun:test";
import { app } from "../../src/cli/app.ts";
import { isLazy, loaded } from "../../src/cli/lazy.ts";

describe("lazy top-level commands", () => {
  const subs = app.subCommands as Record<string, Parameters<typeof loaded>[0]>;
  test("every top-level command is lazy, and its meta is the loaded command's", async () => {
    expect(Object.keys(subs).length).toBeGreaterThan(10);
    for (const [key, sub] of Object.entries(subs)) {
      expect(isLazy(sub)).toBe(true);
      const real = await loaded(sub);
      expect(isLazy(real)).toBe(false);
      const meta = typeof real.meta === "function" ? await real.meta() : await real.meta;
      const { name, alias, description } = meta ?? {};
      expect({ key, name, alias, description }).toEqual({ key, ...(sub.meta as object) } as never);
      expect(key).toBe(name!);
      // Loaded once: the same object every time.
      expect(await loaded(sub)).toBe(real);
    }
  });
});

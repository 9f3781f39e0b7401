import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normalizeEvent } from "../../../src/core/normalize/index.js";
import type { NormalizeOptions } from "../../../src/core/normalize/options.js";

interface Fixture {
  description: string;
  input: unknown;
  options?: NormalizeOptions;
  /** expected events, each matched as a subset, in order and with the exact count */
  events?: Record<string, unknown>[];
  /** expected issues (code and path), in order */
  issues?: { code: string; path: (string | number)[] }[];
}

const dir = join(import.meta.dirname, "../../fixtures/normalize");
const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

describe.each(files)("normalizeEvent fixtures: %s", (file) => {
  const fixtures = JSON.parse(readFileSync(join(dir, file), "utf8")) as Fixture[];
  it.each(fixtures.map((f) => [f.description, f] as const))("%s", (_description, fixture) => {
    const result = normalizeEvent(fixture.input, { defaultRegion: "US", ...fixture.options });
    if (fixture.issues) {
      expect(result.success).toBe(false);
      if (result.success) return;
      expect(result.error.map(({ code, path }) => ({ code, path }))).toEqual(fixture.issues);
      for (const problem of result.error) expect(problem.message.length).toBeGreaterThan(10);
      return;
    }
    if (!result.success) throw new Error(`rejected: ${JSON.stringify(result.error)}`);
    expect(result.data).toHaveLength(fixture.events?.length ?? 0);
    expect(result.data).toMatchObject(fixture.events ?? []);
  });
});

describe("normalizeEvent messages", () => {
  it("tells a person what is wrong and where", () => {
    const result = normalizeEvent({
      type: "track",
      event: "Product Added",
      anonymousId: "a1",
      timestamp: "2026-03-02T10:00:00.000Z",
      properties: { product_id: "p", price: "twelve" },
    });
    expect(result).toEqual({
      success: false,
      error: [
        {
          code: "invalid_value",
          path: ["properties", "price"],
          message: 'expected a number or a numeric string like "19.99", got "twelve"',
        },
      ],
    });
  });

  it("keeps the source message id on the main event, so replays dedupe", () => {
    const message = { type: "page", messageId: "abc", anonymousId: "a", timestamp: "2026-03-02T10:00:00Z" };
    const first = normalizeEvent(message);
    const second = normalizeEvent(structuredClone(message));
    expect(first).toEqual(second);
    expect(first.success && first.data[0]?.id).toBe("abc");
  });
});

import { describe, expect, it } from "vitest";
import { createSeededRandom, retryDelayMs } from "../../src/runtime/backoff.js";
import { createManualClock } from "../../src/runtime/clock.js";

describe("retryDelayMs", () => {
  it("doubles per attempt up to the cap, keeping a random half as jitter", () => {
    const low = () => 0;
    const high = () => 0.999_999;
    const options = { baseDelayMs: 1_000, maxDelayMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, options, low))).toEqual([
      500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, options, high))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it("never retries before the provider's Retry-After", () => {
    expect(retryDelayMs(1, { baseDelayMs: 1_000 }, () => 0.5, 30_000)).toBe(30_000);
    // a Retry-After shorter than the backoff does not shorten it
    expect(retryDelayMs(5, { baseDelayMs: 1_000 }, () => 0, 2_000)).toBe(8_000);
  });

  it("is reproducible with a seeded generator", () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const draws = Array.from({ length: 5 }, () => [a(), b()]);
    for (const [x, y] of draws) expect(x).toBe(y);
    expect(new Set(draws.map(([x]) => x)).size).toBe(5);
    for (const [x] of draws) expect(x).toBeGreaterThanOrEqual(0);
    for (const [x] of draws) expect(x).toBeLessThan(1);
  });
});

describe("createManualClock", () => {
  it("moves only when told, never backwards", () => {
    const clock = createManualClock("2026-03-02T10:00:00Z");
    expect(clock.now()).toBe(Date.parse("2026-03-02T10:00:00Z"));
    clock.advance(60_000);
    expect(clock.now()).toBe(Date.parse("2026-03-02T10:01:00Z"));
    expect(() => clock.advance(-1)).toThrow("clock.advance: ms must be >= 0, got -1");
    expect(() => clock.set("not a time")).toThrow("clock: not a valid time: not a time");
  });
});

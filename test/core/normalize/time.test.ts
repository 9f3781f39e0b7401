import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTime } from "../../../src/core/normalize/common.js";
import { parseUtcMillis } from "../../../src/core/normalize/utc-time.js";

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const reference = (text: string) => {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
};

describe("timestamps", () => {
  it("reads the SDKs' form of ISO-8601 exactly as Date.parse does, out-of-range fields included", () => {
    let decided = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 999 }),
        (year, month, day, hour, minute, second, ms) => {
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(ms, 3)}Z`;
          if (parseUtcMillis(text) !== undefined) decided++;
          expect(parseTime(text)).toBe(reference(text));
        },
      ),
      { numRuns: 20_000 },
    );
    // most generated fields are in range: the fast path, not Date.parse, answered them
    expect(decided).toBeGreaterThan(10_000);
  });

  it("leaves every other form to Date.parse", () => {
    const valid = "2026-03-02T10:15:30.250Z";
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length - 1 }),
        fc.constantFrom(..."0123456789-:.TZ +/ a\u0660"),
        (at, char) => {
          const text = valid.slice(0, at) + char + valid.slice(at + 1);
          expect(parseTime(text)).toBe(reference(text));
        },
      ),
      { numRuns: 5_000 },
    );
    for (const text of [
      "2026-03-02T10:15:30Z",
      "2026-03-02T10:15:30.5Z",
      "2026-03-02T10:15:30.250+05:30",
      "2026-03-02",
      "+002026-03-02T10:15:30.250Z",
      "1969-12-31T23:59:59.999Z",
      "2024-02-29T00:00:00.000Z",
      "2026-02-31T10:00:00.000Z",
      "2026-01-01T24:00:00.000Z",
      "not a time",
    ]) {
      expect(parseTime(text)).toBe(reference(text));
    }
    expect(parseTime("")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { planResolvedJourney, resolveCheckedJourney } from "../../../src/core/journey/index.js";
import {
  classicJourney,
  coordinatedJourney,
  defineJourney,
  formatIssues,
  isJourneyError,
  parseJourney,
  planJourney,
  playbookJourney,
  resolveJourney,
} from "../../../src/index.js";
import { makeCart, makeProfile } from "./helpers.js";

const minimal = {
  id: "mini",
  stages: [{ stage: 1, name: "nudge", after: "0m", steps: [{ id: "email", channel: "email", group: "g1" }] }],
};

function problems(input: unknown): string {
  const result = parseJourney(input);
  return result.success ? "" : formatIssues(result.error);
}

describe("parseJourney / defineJourney", () => {
  it("accepts the presets and a minimal journey, which survive a JSON round trip", () => {
    for (const j of [playbookJourney(), classicJourney(), coordinatedJourney(), minimal]) {
      const result = parseJourney(JSON.parse(JSON.stringify(j)));
      expect(result.success ? "" : formatIssues(result.error)).toBe("");
    }
  });

  it("points at the exact place of a schema error", () => {
    expect(problems({ ...minimal, stages: [{ ...minimal.stages[0], after: "4 hours" }] })).toContain(
      'stages[0].after: must look like "15m", "4h" or "7d"',
    );
    expect(
      problems({
        ...minimal,
        stages: [{ ...minimal.stages[0], when: { cartValue: { gte: 10 }, consent: "sms" } }],
      }),
    ).toContain("stages[0].when: a condition has exactly one of");
    expect(
      problems({ ...minimal, stages: [{ ...minimal.stages[0], when: { all: [{ consent: "fax" }] } }] }),
    ).toMatch(/stages\[0\]\.when\.all\[0\]\.consent/);
    expect(problems({ ...minimal, id: "Has Spaces" })).toContain("id: must be lowercase");
  });

  it("checks references, ordering, the stage-1 discount rule and SMS budgets", () => {
    const bad = {
      ...minimal,
      segments: [{ id: "vip" }],
      discounts: { kind: "static", codes: { "10": "X" } },
      stages: [
        {
          stage: 2,
          name: "a",
          after: "0m",
          discount: { percent: 10 },
          when: { segment: ["nobody"] },
          steps: [
            { id: "sms", channel: "sms", template: `{{firstName}} {{coupon}} ${"x".repeat(400)}` },
            { id: "sms", channel: "email", group: "g" },
          ],
        },
        {
          stage: 1,
          name: "b",
          after: "1h",
          when: { cartValue: { gte: "huge" } },
          steps: minimal.stages[0]!.steps,
        },
      ],
    };
    const text = problems(bad);
    expect(text).toContain('stages[0].when: unknown segment "nobody"');
    expect(text).toContain("stages[0].discount: the first stage never carries a discount");
    expect(text).toContain("stages[0].steps[0].template: unknown template variable {{coupon}}");
    expect(text).toContain(
      "stages[0].steps[0].template: SMS template needs 3 segments, more than the budget of 2",
    );
    expect(text).toContain('stages[0].steps[1].id: duplicate step id "sms"');
    expect(text).toContain("stages[1].stage: stages must be listed in increasing order");
    expect(text).toContain('stages[1].when: threshold "huge" is not defined for INR, USD, EUR, GBP');
  });

  it("requires a code provider when a stage offers a discount", () => {
    const j = {
      ...minimal,
      stages: [
        minimal.stages[0],
        { stage: 2, name: "b", after: "1d", discount: { percent: 5 }, steps: minimal.stages[0]!.steps },
      ],
    };
    expect(problems(j)).toContain(
      "discounts: a stage offers a discount but no discount code provider is set",
    );
  });

  it("defineJourney throws a JourneyError listing every problem", () => {
    try {
      defineJourney({ ...minimal, stages: [] } as never);
      expect.unreachable();
    } catch (error) {
      expect(isJourneyError(error)).toBe(true);
      expect(String(error)).toContain("stages");
    }
  });

  it("planJourney checks the journey it is given and throws a JourneyError naming the place", () => {
    const profile = makeProfile({ carts: [makeCart()] });
    const invalid = { ...minimal, stages: [{ ...minimal.stages[0], steps: [] }] };
    expect(() => planJourney(invalid as never, profile, Date.now())).toThrow(
      /invalid journey: stages\[0\]\.steps/,
    );
    // resolving without a check does not make a later check pass: the cache is by checked object
    const unchecked = { ...minimal, stages: [] };
    resolveCheckedJourney(unchecked as never);
    expect(() => resolveJourney({ ...unchecked } as never)).toThrow(/invalid journey/);
  });

  it("a checked journey resolved without the schema plans exactly as planJourney does", () => {
    const now = Date.UTC(2026, 0, 5, 14);
    const profile = makeProfile({
      carts: [makeCart({ createdAt: now - 3 * 3_600_000, updatedAt: now - 2 * 3_600_000 })],
    });
    const journey = playbookJourney();
    const copy = JSON.parse(JSON.stringify(journey));
    expect(planResolvedJourney(resolveCheckedJourney(copy), profile, now)).toEqual(
      planJourney(journey, profile, now),
    );
    expect(resolveCheckedJourney(copy)).toBe(resolveCheckedJourney(copy));
  });
});

import { describe, expect, it } from "vitest";
import { assignVariant } from "../../../src/core/journey/index.js";
import {
  type Command,
  type Experiment,
  issueDiscountCode,
  type JourneySpec,
  playbookJourney,
} from "../../../src/index.js";
import { DAY, drive, makeCart, makeProfile, T0 } from "./helpers.js";

const request = { journey: "j", cartId: "c1", stage: 2, percent: 10 };

function withDiscount(discounts: JourneySpec["discounts"]): JourneySpec {
  return {
    id: "disc",
    analytics: false,
    discounts,
    stages: [
      { stage: 1, name: "nudge", after: "0m", steps: [{ id: "email", channel: "email", group: "g1" }] },
      {
        stage: 2,
        name: "offer",
        after: "1d",
        discount: { percent: 10 },
        steps: [
          { id: "email", channel: "email", group: "g2" },
          { id: "sms", channel: "sms", template: "{{discountPercent}}% off with {{discountCode}}: {{link}}" },
        ],
      },
    ],
  };
}

describe("discount codes", () => {
  it("static and pool providers give the configured codes, the pool by hash of the cart", () => {
    expect(issueDiscountCode({ kind: "static", codes: { "10": "TEN" } }, request, undefined)).toEqual({
      code: "TEN",
      register: null,
    });
    expect(issueDiscountCode({ kind: "static", codes: { "5": "FIVE" } }, request, undefined)).toBeNull();
    const pool = { kind: "pool" as const, codes: { "10": ["A", "B", "C", "D"] } };
    const codes = new Set(
      Array.from(
        { length: 40 },
        (_, i) => issueDiscountCode(pool, { ...request, cartId: `c${i}` }, undefined)?.code,
      ),
    );
    expect(codes.size).toBe(4);
    expect(issueDiscountCode(pool, request, undefined)).toEqual(issueDiscountCode(pool, request, undefined));
  });

  it("unique codes derive from a secret, differ per cart and stage, and need the secret", () => {
    const unique = { kind: "unique" as const, prefix: "CB-", target: "shop" };
    const a = issueDiscountCode(unique, request, "s1");
    expect(a?.code).toMatch(/^CB-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(issueDiscountCode(unique, request, "s1")).toEqual(a);
    expect(issueDiscountCode(unique, { ...request, cartId: "c2" }, "s1")?.code).not.toBe(a?.code);
    expect(issueDiscountCode(unique, request, "s2")?.code).not.toBe(a?.code);
    expect(() => issueDiscountCode(unique, request, undefined)).toThrow(/context\.secrets\.discounts/);
  });

  it("a unique code is registered in the shop once, before the messages that carry it", () => {
    const journey = withDiscount({ kind: "unique", target: "shop" });
    const { emitted } = drive(journey, makeProfile({ carts: [makeCart()] }), [], T0 + 3 * DAY, {
      secrets: { discounts: "k" },
    });
    const stage2 = emitted
      .filter((e) => e.command.stage === 2 && e.command.type !== "mailerlite.removeFromGroup")
      .map((e) => e.command);
    expect(stage2.map((c) => c.type)).toEqual([
      "webhook.post",
      "mailerlite.upsertSubscriber",
      "mailerlite.addToGroup",
      "twilio.sendSms",
    ]);
    const register = stage2[0] as Extract<Command, { type: "webhook.post" }>;
    expect(register).toMatchObject({
      kind: "task",
      event: "register_discount",
      target: "shop",
      key: "disc:c1:2:discount:task",
    });
    const code = register.payload.code as string;
    expect(stage2[1]).toMatchObject({ fields: { discount_code: code, discount_percent: 10 } });
    expect((stage2[3] as Extract<Command, { type: "twilio.sendSms" }>).body).toContain(
      `10% off with ${code}`,
    );
  });

  it("the playbook never discounts in stage 1 or for returning customers", () => {
    const returning = makeProfile({
      carts: [makeCart({ value: 500 })],
      orders: { count: 1, lifetimeValue: 80, recentIds: [], lastOrderAt: T0 - 40 * DAY },
    });
    const first = makeProfile({ carts: [makeCart({ value: 500 })] });
    const pct = (p: ReturnType<typeof makeProfile>) =>
      drive(playbookJourney(), p, [], T0 + 30 * DAY)
        .emitted.filter((e) => e.command.kind === "message")
        .map((e) => [e.command.stage, e.command.discountPercent]);
    expect(pct(returning).every(([, d]) => d === null)).toBe(true);
    const firstTime = pct(first);
    expect(firstTime.filter(([s]) => s === 1).every(([, d]) => d === null)).toBe(true);
    expect(firstTime.some(([, d]) => d !== null)).toBe(true);
  });
});

describe("A/B assignment", () => {
  const experiment: Experiment = { id: "copy", variants: [{ id: "a" }, { id: "b", weight: 3 }] };
  it("is a pure function of experiment and cart, split by weight", () => {
    expect(assignVariant(experiment, "cart-1")).toEqual(assignVariant(experiment, "cart-1"));
    const b = Array.from({ length: 4000 }, (_, i) => assignVariant(experiment, `cart-${i}`).id).filter(
      (v) => v === "b",
    ).length;
    expect(b / 4000).toBeGreaterThan(0.71);
    expect(b / 4000).toBeLessThan(0.79);
  });

  it("labels commands with the variant and changes copy and timing", () => {
    const journey: JourneySpec = {
      id: "ab",
      analytics: false,
      stages: [
        { stage: 1, name: "n", after: "0m", steps: [{ id: "email", channel: "email", group: "base" }] },
      ],
      experiments: [
        {
          id: "copy",
          variants: [
            { id: "a", groups: { email: "copy-a" } },
            { id: "b", groups: { email: "copy-b" }, shift: "2h" },
          ],
        },
      ],
    };
    const byVariant: Record<string, { group: string; at: number }> = {};
    for (let i = 0; i < 20; i++) {
      const profile = makeProfile({ carts: [makeCart({ id: `cart-${i}` })] });
      const { emitted } = drive(journey, profile, [], T0 + DAY);
      const add = emitted.find((e) => e.command.type === "mailerlite.addToGroup")!;
      byVariant[add.command.variant as string] = {
        group: (add.command as { group: string }).group,
        at: add.at - T0,
      };
    }
    // a $60 cart is medium intent: abandoned after 60 min; variant b waits two hours more
    expect(byVariant["copy:a"]).toEqual({ group: "copy-a", at: 60 * 60_000 });
    expect(byVariant["copy:b"]).toEqual({ group: "copy-b", at: 180 * 60_000 });
  });

  it("moves a step by its variant's offset", () => {
    const journey: JourneySpec = {
      id: "ab",
      analytics: false,
      stages: [
        {
          stage: 1,
          name: "n",
          after: "0m",
          steps: [{ id: "later", channel: "email", group: "later", offset: "30m" }],
        },
      ],
      experiments: [
        {
          id: "gap",
          variants: [
            { id: "short", offsets: { later: "1h" } },
            { id: "long", offsets: { later: "3h" } },
          ],
        },
      ],
    };
    const sentAt: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      const profile = makeProfile({ carts: [makeCart({ id: `cart-${i}` })] });
      const { emitted } = drive(journey, profile, [], T0 + DAY);
      const add = emitted.find((e) => e.command.type === "mailerlite.addToGroup")!;
      sentAt[add.command.variant as string] = add.at - T0;
    }
    // abandoned after 60 min; the variant's offset replaces the step's own (30 min)
    expect(sentAt).toEqual({ "gap:short": 2 * 3_600_000, "gap:long": 4 * 3_600_000 });
  });
});

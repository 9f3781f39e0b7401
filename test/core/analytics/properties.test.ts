import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  attributeOrder,
  createReportBuilder,
  DEFAULT_ATTRIBUTION_WINDOWS,
  type MessageCounts,
  type Money,
} from "../../../src/core/analytics/index.js";
import type { Channel } from "../../../src/core/events.js";
import { H, journey, type Shopper, shopper, T0 } from "./shoppers.js";

const CHANNELS: Channel[] = ["email", "sms", "whatsapp"];
const channel = fc.constantFrom(...CHANNELS);
const hours = fc.integer({ min: 0, max: 24 * 12 });

describe("attribution", () => {
  it("never credits an order to a message sent after it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ channel, at: hours }), { maxLength: 8 }),
        fc.array(fc.record({ index: fc.nat(7), at: hours }), { maxLength: 4 }),
        hours,
        fc.option(hours, { nil: null }),
        (sent, clicks, orderedAt, endedAt) => {
          const touches = sent.map((s, i) => ({ key: `k${i}`, channel: s.channel, at: T0 + s.at * H }));
          const result = attributeOrder({
            abandonedAt: T0,
            endedAt: endedAt === null ? null : T0 + endedAt * H,
            touches,
            clicks: clicks
              .filter((c) => c.index < touches.length)
              .map((c) => ({ key: `k${c.index}`, at: T0 + c.at * H })),
            orderedAt: T0 + orderedAt * H,
            windows: DEFAULT_ATTRIBUTION_WINDOWS,
          });
          if (!result.recovered) return;
          if (result.lastTouch) expect(result.lastTouch.at).toBeLessThanOrEqual(T0 + orderedAt * H);
          if (result.clickThrough) expect(result.clickThrough.at).toBeLessThanOrEqual(T0 + orderedAt * H);
          // the last touch is the latest message at or before the order
          const before = touches.filter((t) => t.at <= T0 + orderedAt * H);
          expect(result.lastTouch?.at ?? null).toBe(
            before.length ? Math.max(...before.map((t) => t.at)) : null,
          );
        },
      ),
    );
  });
});

const STEPS: [number, string, Channel][] = [
  [1, "email", "email"],
  [1, "whatsapp", "whatsapp"],
  [2, "email", "email"],
  [2, "sms", "sms"],
  [3, "email", "email"],
  [4, "day-7", "email"],
];

const shopperArb: fc.Arbitrary<Shopper> = fc
  .record({
    segment: fc.constantFrom("first-time-low", "first-time-medium", "returning"),
    value: fc.integer({ min: 1, max: 500 }),
    holdout: fc.boolean(),
    steps: fc.subarray(STEPS),
    stepHours: fc.array(hours, { minLength: 6, maxLength: 6 }),
    orderedAfter: fc.option(hours, { nil: undefined }),
    engagement: fc.array(
      fc.record({
        kind: fc.constantFrom("delivered", "opened", "clicked", "bounced", "unsubscribed" as const),
        channel,
        afterHours: hours,
      }),
      { maxLength: 5 },
    ),
    unsubscribedSms: fc.option(hours, { nil: undefined }),
  })
  .map((r) => ({
    id: "",
    segment: r.segment,
    value: r.value,
    holdout: r.holdout,
    ...(r.holdout
      ? {
          skipped: r.steps.map(
            ([st, step, ch], i) =>
              [st, step, ch, r.stepHours[i] ?? 0, "holdout"] as [number, string, Channel, number, string],
          ),
        }
      : {
          sent: r.steps.map(
            ([st, step, ch], i) => [st, step, ch, r.stepHours[i] ?? 0] as [number, string, Channel, number],
          ),
        }),
    ...(r.orderedAfter !== undefined
      ? { orderedAfter: r.orderedAfter, exit: { reason: "ordered", afterHours: r.orderedAfter } }
      : {}),
    engagement: r.engagement,
    ...(r.unsubscribedSms !== undefined ? { unsubscribedSms: r.unsubscribedSms } : {}),
  }));

function sumMoney(list: Money[]): Money {
  const out: Money = {};
  for (const m of list)
    for (const [c, v] of Object.entries(m)) out[c] = Math.round(((out[c] ?? 0) + v) * 10_000) / 10_000;
  return out;
}

const ADDITIVE: (keyof MessageCounts)[] = [
  "sent",
  "queued",
  "failed",
  "dropped",
  "delivered",
  "opened",
  "clicked",
  "bounced",
  "unsubscribed",
  "recoveries",
  "clickRecoveries",
  "units",
];

describe("report totals", () => {
  it("equal the sums of their breakdowns", () => {
    fc.assert(
      fc.property(fc.array(shopperArb, { maxLength: 25 }), (shoppers) => {
        const builder = createReportBuilder({
          journeys: [journey],
          now: T0 + 40 * 24 * H,
          prices: { currency: "USD", email: 0.001, sms: 0.01, whatsapp: 0.02 },
        });
        for (const [i, s] of shoppers.entries()) builder.add(shopper({ ...s, id: `s${i}` }));
        const report = builder.finish();
        const j = report.journeys[0]!;
        // carts: the cart rows, the groups, the segments
        expect(report.cartRows.reduce((n, r) => n + r.carts, 0)).toBe(report.totals.carts.carts);
        expect(j.treated.carts + j.holdout.carts).toBe(j.carts.carts);
        expect(j.treated.recovered + j.holdout.recovered).toBe(j.carts.recovered);
        expect(j.segments.reduce((n, s) => n + s.recovered, 0)).toBe(j.treated.recovered);
        expect(sumMoney(j.segments.map((s) => s.revenue))).toEqual(j.treated.revenue);
        expect(sumMoney([j.treated.revenue, j.holdout.revenue])).toEqual(j.carts.revenue);
        // messages: the rows, the stages, the channels
        for (const field of ADDITIVE) {
          const total = j.messages[field] as number;
          expect(report.messageRows.reduce((n, r) => n + (r[field] as number), 0)).toBe(total);
          expect(j.stages.reduce((n, r) => n + (r[field] as number), 0)).toBe(total);
          expect(j.channels.reduce((n, r) => n + (r[field] as number), 0)).toBe(total);
        }
        expect(sumMoney(j.stages.map((s) => s.revenue))).toEqual(j.messages.revenue);
        expect(sumMoney(j.channels.map((s) => s.revenue))).toEqual(j.messages.revenue);
        expect(j.channels.reduce((n, c) => n + (c.cost ?? 0), 0)).toBeCloseTo(j.messages.cost ?? 0, 9);
        // every recovery of a treated cart is credited to a message or counted as before the first
        expect(j.messages.recoveries + j.treated.recoveredBeforeMessage).toBe(j.treated.recovered);
        expect(report.orders.recovered.orders).toBe(j.carts.recovered);
        // held-out carts get nothing, and never a credit
        expect(j.holdout.messaged).toBe(0);
      }),
    );
  });
});

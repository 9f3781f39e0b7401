import { describe, expect, it } from "vitest";
import {
  createReportBuilder,
  type DeliveryFact,
  type RecoveryReport,
} from "../../../src/core/analytics/index.js";
import type { Profile } from "../../../src/core/profile.js";
import { emptyProfile } from "../../../src/core/reduce.js";
import { D, H, journey, key, shopper, T0 } from "./shoppers.js";

function build(shoppers: Profile[], delivery: Record<string, DeliveryFact> = {}, extra = {}): RecoveryReport {
  const builder = createReportBuilder({
    journeys: [journey],
    now: T0 + 30 * D,
    prices: { currency: "USD", email: 0.001, sms: 0.0079, whatsapp: 0.005 },
    ...extra,
  });
  for (const p of shoppers) builder.add(p, (k) => delivery[k]);
  return builder.finish();
}

describe("the recovery report of known shoppers", () => {
  const clicked = shopper({
    id: "clicked",
    sent: [
      [1, "email", "email", 0],
      [2, "email", "email", 4],
      [2, "sms", "sms", 4],
    ],
    engagement: [
      { kind: "clicked", channel: "email", afterHours: 1, cart: true, stage: 1, step: "email" },
      { kind: "delivered", channel: "sms", afterHours: 4.01, key: 2 },
    ],
    orderedAfter: 5,
    orderValue: 95.5,
    exit: { reason: "ordered", afterHours: 5 },
  });
  const noClick = shopper({
    id: "noclick",
    sent: [[1, "email", "email", 0]],
    orderedAfter: 26 + 48, // two days after completion: inside the 5-day email window
    exit: { reason: "completed", afterHours: 26, status: "completed" },
  });
  const late = shopper({
    id: "late",
    sent: [[1, "email", "email", 0]],
    orderedAfter: 24 * 7, // a week after the only email, two days past its window
    exit: { reason: "completed", afterHours: 24, status: "completed" },
  });
  const heldOut = shopper({
    id: "holdout",
    holdout: true,
    skipped: [[1, "email", "email", 0, "holdout"]],
    orderedAfter: 2,
    exit: { reason: "ordered", afterHours: 2 },
  });
  const never = shopper({
    id: "never",
    segment: "first-time-low",
    sent: [
      [1, "email", "email", 0],
      [2, "sms", "sms", 24],
    ],
    unsubscribedSms: 25,
  });
  const dropped = shopper({
    id: "dropped",
    sent: [
      [1, "email", "email", 0],
      [2, "email", "email", 4],
    ],
    orderedAfter: 4,
    exit: { reason: "ordered", afterHours: 4.1 },
  });

  const report = build([clicked, noClick, late, heldOut, never, dropped], {
    [key("dropped", 2, "email", "email")]: { state: "dropped", at: null, units: null },
    [key("never", 2, "sms", "sms")]: { state: "sent", at: T0 + 24 * H + 60_000, units: 2 },
  });
  const j = report.journeys[0]!;

  it("counts carts, recoveries and revenue per group", () => {
    expect(j.treated).toMatchObject({ carts: 5, messaged: 5, recovered: 3, recoveredBeforeMessage: 0 });
    expect(j.treated.revenue).toEqual({ USD: 95.5 + 80 + 80 });
    expect(j.holdout).toMatchObject({ carts: 1, messaged: 0, recovered: 1, revenue: { USD: 80 } });
    expect(j.treated.rate).toBe(3 / 5);
    expect(report.orders.recovered).toEqual({ orders: 4, revenue: { USD: 335.5 } });
    expect(report.orders.notRecovered).toEqual({ orders: 1, revenue: { USD: 80 } });
  });

  it("credits the last message before the order, and the clicked one separately", () => {
    const rows = report.messageRows;
    const row = (stage: number, step: string, channel: string, segment = "first-time-medium") =>
      rows.find(
        (r) => r.stage === stage && r.step === step && r.channel === channel && r.segment === segment,
      ) ?? fail(`${stage} ${step}`);
    // clicked: last touch is the stage 2 SMS, click-through the stage 1 email
    expect(row(2, "sms", "sms")).toMatchObject({ recoveries: 1, revenue: { USD: 95.5 }, sent: 1 });
    expect(row(2, "sms", "sms", "first-time-low")).toMatchObject({ recoveries: 0, sent: 1, unsubscribed: 1 });
    expect(row(1, "email", "email")).toMatchObject({
      sent: 4,
      clickRecoveries: 1,
      clickRevenue: { USD: 95.5 },
      // noclick's only email, and dropped's first (its second was never sent)
      recoveries: 2,
      revenue: { USD: 160 },
      clicked: 1,
    });
    expect(row(2, "email", "email")).toMatchObject({ sent: 1, dropped: 1, recoveries: 0 });
    expect(rows.reduce((n, r) => n + r.sent, 0)).toBe(j.messages.sent);
    expect(j.messages).toMatchObject({ sent: 8, dropped: 1, recoveries: 3, clickRecoveries: 1 });
  });

  it("counts engagement and unsubscribes once per message, and what messages cost", () => {
    const sms = j.channels.find((c) => c.channel === "sms")!;
    expect(sms).toMatchObject({ sent: 2, delivered: 1, unsubscribed: 1, units: 3 });
    expect(sms.cost).toBeCloseTo(3 * 0.0079, 10);
    const email = j.channels.find((c) => c.channel === "email")!;
    expect(email.cost).toBeCloseTo(6 * 0.001, 10);
    expect(j.messages.cost).toBeCloseTo(3 * 0.0079 + 6 * 0.001, 10);
    expect(j.returnOnSpend).toBeCloseTo(255.5 / (3 * 0.0079 + 6 * 0.001), 6);
  });

  it("compares treated and held-out carts", () => {
    expect(j.comparison).toMatchObject({ treatedRate: 0.6, holdoutRate: 1 });
    expect(j.comparison?.difference).toBeCloseTo(-0.4, 12);
    expect(j.comparison?.incrementalRevenue).toEqual({ USD: 255.5 - 80 * 5 });
    expect(j.skipped).toEqual({ holdout: 1 });
  });

  it("shows stage shares and per-stage unsubscribes", () => {
    const [s1, s2] = j.stages;
    expect(s1).toMatchObject({ stage: 1, name: "nudge", reached: 5, recoveries: 2 });
    expect(s1?.share).toBeCloseTo(2 / 3, 12);
    expect(s2).toMatchObject({ stage: 2, reached: 2, recoveries: 1, unsubscribed: 1, sent: 3, dropped: 1 });
    expect(s2?.unsubscribesPerSend).toBe(1 / 3);
    expect(j.targets.find((t) => t.metric === "recovery_rate")).toMatchObject({
      actual: 0.6,
      status: "above",
    });
  });

  it("leaves out carts abandoned before `since`, and counts orders of carts without a journey", () => {
    const outside = shopper({ id: "old", sent: [[1, "email", "email", 0]] });
    outside.journeys["playbook:cart-old"]!.abandonedAt = T0 - 40 * D;
    const plain = emptyProfile("p-plain", T0);
    plain.carts = [
      {
        id: "c-plain",
        refs: ["c-plain"],
        items: [{ productId: "x", quantity: 2, price: 10 }],
        value: 20,
        currency: "EUR",
        status: "ordered",
        createdAt: T0,
        updatedAt: T0,
        orderedAt: T0 + H,
        orderValue: 23,
      },
    ];
    const r = build([outside, plain], {}, { since: T0 - D });
    expect(r.totals.carts.carts).toBe(0);
    expect(r.orders.noJourney).toEqual({ orders: 1, revenue: { EUR: 23 } });
  });
});

function fail(what: string): never {
  throw new Error(`no row for ${what}`);
}

/** Hand-built shoppers in the state the planner leaves them, for report tests. */
import type { Channel } from "../../../src/core/events.js";
import type { JourneyInstance } from "../../../src/core/journey/instance.js";
import { playbookJourney } from "../../../src/core/journey/presets/index.js";
import type { Profile } from "../../../src/core/profile.js";
import { emptyProfile } from "../../../src/core/reduce.js";

export const H = 3_600_000;
export const D = 24 * H;
export const T0 = Date.UTC(2026, 10, 2, 9);
export const journey = { ...playbookJourney(), holdout: { percent: 10 } };

export interface Shopper {
  id: string;
  segment?: string;
  value?: number;
  holdout?: boolean;
  /** [stage, step, channel, hours after abandonment] */
  sent?: [number, string, Channel, number][];
  skipped?: [number, string, Channel, number, string][];
  /** hours after abandonment */
  orderedAfter?: number;
  orderValue?: number;
  exit?: { reason: string; afterHours: number; status?: "exited" | "completed" };
  engagement?: {
    kind: Profile["engagement"][number]["engagement"];
    channel: Channel;
    afterHours: number;
    key?: number;
    cart?: boolean;
    stage?: number;
    step?: string;
  }[];
  unsubscribedSms?: number;
}

export function key(id: string, stage: number, step: string, channel: string) {
  return `playbook:cart-${id}:${stage}:${step}:${channel}`;
}

export function shopper(s: Shopper): Profile {
  const profile = emptyProfile(`p-${s.id}`, T0);
  const cartId = `cart-${s.id}`;
  const ordered = s.orderedAfter !== undefined;
  profile.carts = [
    {
      id: cartId,
      refs: [cartId],
      items: [{ productId: "sku-1", quantity: 1, price: s.value ?? 80 }],
      value: s.value ?? 80,
      currency: "USD",
      status: ordered ? "ordered" : "active",
      createdAt: T0 - H,
      updatedAt: T0 - H,
      ...(ordered
        ? { orderedAt: T0 + (s.orderedAfter as number) * H, orderValue: s.orderValue ?? s.value ?? 80 }
        : {}),
    },
  ];
  const sent = (s.sent ?? []).map(([stage, step, channel, hours]) => ({
    stage,
    step,
    channel,
    at: T0 + hours * H,
    key: key(s.id, stage, step, channel),
    variant: null,
  }));
  const instance: JourneyInstance = {
    journey: "playbook",
    cartId,
    status: s.exit?.status ?? (s.exit ? "exited" : "active"),
    segment: s.segment ?? "first-time-medium",
    abandonedAt: T0,
    stage: sent.length > 0 ? Math.max(...sent.map((x) => x.stage)) : null,
    sent,
    skipped: (s.skipped ?? []).map(([stage, step, channel, hours, reason]) => ({
      stage,
      step,
      channel,
      at: T0 + hours * H,
      key: key(s.id, stage, step, channel),
      reason,
    })),
    ...(s.exit ? { exitReason: s.exit.reason, exitedAt: T0 + s.exit.afterHours * H } : {}),
    ...(s.holdout ? { holdout: true } : {}),
  };
  profile.journeys = { [`playbook:${cartId}`]: instance };
  profile.engagement = (s.engagement ?? []).map((e) => ({
    at: T0 + e.afterHours * H,
    engagement: e.kind,
    channel: e.channel,
    ...(e.cart ? { cartId } : {}),
    ...(e.stage !== undefined ? { stage: e.stage } : {}),
    ...(e.step !== undefined ? { step: e.step } : {}),
    ...(e.key !== undefined ? { key: sent[e.key]?.key as string } : {}),
  }));
  if (s.unsubscribedSms !== undefined)
    profile.consent.sms = { status: "denied", at: T0 + s.unsubscribedSms * H, source: "twilio" };
  return profile;
}

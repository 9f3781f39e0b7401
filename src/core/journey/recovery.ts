/**
 * Whether an ordered cart was recovered by its journey instance, as the planner sees it when the
 * order arrives (messages at the time they were planned), and the `Cart Recovered` event that tells
 * the warehouse: revenue, and both the last-touch and the click-through message.
 */
import { type Attribution, attributeOrder, type ClickThrough, type Touch } from "../analytics/attribution.js";
import type { Channel } from "../events.js";
import type { Cart, Profile } from "../profile.js";
import { HOLDOUT_REASON } from "./holdout.js";
import type { JourneyInstance, RecoveryRecord, SentStep } from "./instance.js";
import type { ResolvedJourney } from "./resolve.js";

/**
 * the clicks on this instance's messages: a record naming the message's key, or else the latest
 * message on its channel before it that matches the cart, stage and step the record names (the
 * report matches clicks the same way)
 */
function clicksOn(instance: JourneyInstance, profile: Profile): ClickThrough[] {
  const out: ClickThrough[] = [];
  for (const e of profile.engagement) {
    if (e.engagement !== "clicked") continue;
    let sent: SentStep | undefined;
    if (e.key !== undefined)
      sent = instance.sent.find((s) => e.key === s.key || e.key?.startsWith(`${s.key}:`));
    else if (e.cartId === instance.cartId) {
      for (const s of instance.sent) {
        if (s.channel !== e.channel || s.at > e.at) continue;
        if ((e.stage !== undefined && s.stage !== e.stage) || (e.step !== undefined && s.step !== e.step))
          continue;
        if (!sent || s.at >= sent.at) sent = s;
      }
    }
    if (sent) out.push({ key: sent.key, at: e.at });
  }
  return out;
}

/**
 * The attribution of the cart's order to the instance, or null when the cart is not ordered.
 * `endedAt` is when the instance stopped for another reason than this order (null: the order ends it).
 */
export function attributeInstance(
  journey: ResolvedJourney,
  instance: JourneyInstance,
  cart: Cart,
  profile: Profile,
  endedAt: number | null,
): Attribution | null {
  if (cart.orderedAt === undefined || instance.abandonedAt === null) return null;
  const touches: Touch[] = [];
  for (const s of instance.sent)
    if (s.channel !== null) touches.push({ key: s.key, channel: s.channel, at: s.at });
  const wouldBe: { channel: Channel; at: number }[] = [];
  for (const s of instance.skipped ?? [])
    if (s.reason === HOLDOUT_REASON && s.channel !== null) wouldBe.push({ channel: s.channel, at: s.at });
  return attributeOrder({
    abandonedAt: instance.abandonedAt,
    endedAt,
    touches,
    wouldBe,
    clicks: clicksOn(instance, profile),
    orderedAt: cart.orderedAt,
    windows: journey.attribution,
  });
}

/** what the instance keeps of a recovering order */
export function recoveryRecord(
  journey: ResolvedJourney,
  cart: Cart,
  attribution: Attribution,
): RecoveryRecord | null {
  if (!attribution.recovered || cart.orderedAt === undefined) return null;
  const record: RecoveryRecord = {
    orderedAt: cart.orderedAt,
    value: cart.orderValue ?? cart.value,
    currency: cart.currency ?? journey.thresholds.currency,
    lastTouch: attribution.lastTouch?.key ?? null,
    clickThrough: attribution.clickThrough?.key ?? null,
  };
  if (cart.orderId !== undefined) record.orderId = cart.orderId;
  return record;
}

function describeMessage(instance: JourneyInstance, key: string | null) {
  if (key === null) return null;
  const s = instance.sent.find((x) => x.key === key) as SentStep | undefined;
  if (!s) return null;
  return {
    key: s.key,
    stage: s.stage,
    step: s.step,
    channel: s.channel,
    variant: s.variant,
    sent_at: new Date(s.at).toISOString(),
  };
}

/** the properties of the `Cart Recovered` event: the same facts the report counts */
export function recoveredProperties(
  instance: JourneyInstance,
  record: RecoveryRecord,
  by: string,
): Record<string, unknown> {
  return {
    journey: instance.journey,
    cart_id: instance.cartId,
    reason: "ordered",
    stage: instance.stage,
    segment: instance.segment,
    messages: instance.sent.length,
    holdout: instance.holdout === true,
    order_id: record.orderId ?? null,
    ordered_at: new Date(record.orderedAt).toISOString(),
    revenue: record.value,
    recovered_value: record.value,
    currency: record.currency ?? null,
    recovered_by: by,
    last_touch: describeMessage(instance, record.lastTouch),
    click_through: describeMessage(instance, record.clickThrough),
  };
}

/**
 * Abandonment: a cart with items, a reachable contact and no order, idle past a threshold that depends
 * on intent (defaults: high 15 min, medium 60 min, low 90 min).
 */
import { type Cart, isOpenCart, type Profile } from "../profile.js";
import type { ResolvedJourney } from "./define.js";
import type { Intent } from "./schema.js";
import { resolveAmount, type ThresholdTable } from "./thresholds.js";

/**
 * - high: cart value at least `highIntentValue` and at least `minCartTime` spent building the cart
 * - medium: a started checkout, or cart value at least `mediumIntentValue`
 * - low: anything else
 */
export function classifyIntent(journey: ResolvedJourney, cart: Cart, table: ThresholdTable): Intent {
  if (
    cart.value >= resolveAmount(journey.highIntentValue, table) &&
    cart.updatedAt - cart.createdAt >= journey.minCartTime
  ) {
    return "high";
  }
  if (cart.checkoutStartedAt !== undefined || cart.value >= resolveAmount(journey.mediumIntentValue, table)) {
    return "medium";
  }
  return "low";
}

/** an email that may be written to, or a phone with explicit SMS or WhatsApp consent */
export function isReachable(journey: ResolvedJourney, profile: Profile): boolean {
  const allowed = (channel: "email" | "sms" | "whatsapp") => {
    const status = profile.consent[channel]?.status ?? "unknown";
    return journey.channels[channel].consent === "granted" ? status === "granted" : status !== "denied";
  };
  if (profile.email && allowed("email")) return true;
  return Boolean(profile.phone && (allowed("sms") || allowed("whatsapp")));
}

export type AbandonmentCheck =
  | { abandoned: true; at: number; intent: Intent }
  | { abandoned: false; wakeAt: number | null; reason: string };

/** whether the cart counts as abandoned at `now`, and if not yet, when to look again */
export function checkAbandonment(
  journey: ResolvedJourney,
  profile: Profile,
  cart: Cart,
  table: ThresholdTable,
  now: number,
): AbandonmentCheck {
  if (!isOpenCart(cart)) return { abandoned: false, wakeAt: null, reason: "cart_closed" };
  if (cart.items.length === 0 || cart.value <= 0)
    return { abandoned: false, wakeAt: null, reason: "cart_empty" };
  if (!isReachable(journey, profile)) return { abandoned: false, wakeAt: null, reason: "unreachable" };
  const intent = classifyIntent(journey, cart, table);
  const at = cart.updatedAt + journey.inactivity[intent];
  if (now < at) return { abandoned: false, wakeAt: at, reason: "active" };
  if (now - at > journey.maxAge) return { abandoned: false, wakeAt: null, reason: "too_old" };
  return { abandoned: true, at, intent };
}

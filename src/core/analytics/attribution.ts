/**
 * Attribution: whether an order of an abandoned cart counts as recovered by its journey, and which
 * messages it credits. Last touch (the last message that went out before the order) and, separately,
 * click-through (the message whose link the shopper last came back through). Pure: every time is an
 * argument, and the same facts always give the same answer.
 */
import type { Channel } from "../events.js";
import { DAY, HOUR, toMs } from "../journey/duration.js";
import type { Duration } from "../journey/schema.js";

/** how long after a message on each channel, or after a click, an order still counts (ms) */
export type AttributionWindows = Record<Channel | "click", number>;

/**
 * The defaults, from what Klaviyo and Attentive use (their help centres, Dec 2026): email 5 days
 * (both count an open for 5 days), SMS 1 day (Attentive's delivered window, Klaviyo's text-open
 * window), WhatsApp 12 hours (Klaviyo's WhatsApp-open window), clicks 5 days (both, every channel).
 * Push has no peer default we know of and takes the SMS window.
 */
export const DEFAULT_ATTRIBUTION_WINDOWS: Readonly<AttributionWindows> = {
  email: 5 * DAY,
  sms: DAY,
  whatsapp: 12 * HOUR,
  push: DAY,
  click: 5 * DAY,
};

/** the windows of a journey's `attribution` setting, defaults filled in */
export function resolveAttributionWindows(
  spec: Partial<Record<Channel | "click", Duration>> | undefined,
): AttributionWindows {
  const d = DEFAULT_ATTRIBUTION_WINDOWS;
  return {
    email: spec?.email !== undefined ? toMs(spec.email) : d.email,
    sms: spec?.sms !== undefined ? toMs(spec.sms) : d.sms,
    whatsapp: spec?.whatsapp !== undefined ? toMs(spec.whatsapp) : d.whatsapp,
    push: spec?.push !== undefined ? toMs(spec.push) : d.push,
    click: spec?.click !== undefined ? toMs(spec.click) : d.click,
  };
}

/** a message that went out, at the time it went out */
export interface Touch {
  /** the message's idempotency key */
  key: string;
  channel: Channel;
  at: number;
}

/** a click on a message's link */
export interface ClickThrough {
  /** the key of the message clicked */
  key: string;
  at: number;
}

export interface AttributionInput {
  /** when the cart was judged abandoned */
  abandonedAt: number;
  /**
   * when the journey stopped for another reason than this order (completed, cart emptied, …); null
   * while it runs or when the order stopped it
   */
  endedAt: number | null;
  /** the messages that went out, in any order */
  touches: readonly Touch[];
  /**
   * messages a held-out cart would have got, at the time they were due: they extend the window the
   * way real messages do (so treated and held-out carts are judged alike) and are never credited
   */
  wouldBe?: readonly { channel: Channel; at: number }[];
  clicks: readonly ClickThrough[];
  /** when the cart was ordered */
  orderedAt: number;
  windows: AttributionWindows;
}

export type RecoveredBy = "journey" | "window" | "click";

export type Attribution =
  | {
      recovered: true;
      /** ordered while the journey ran, within a message's window after it stopped, or within a click's */
      by: RecoveredBy;
      /** the last message that went out at or before the order; null when the order came first */
      lastTouch: Touch | null;
      /** the message whose link the shopper last came back through within the click window */
      clickThrough: Touch | null;
    }
  | {
      recovered: false;
      /** `before_abandonment`: the order came before the cart was judged abandoned */
      reason: "before_abandonment" | "outside_window";
    };

/**
 * Whether the order recovered the cart, and the messages it credits. A message sent after the order
 * is never credited, whatever the windows.
 *
 * @example
 * attributeOrder({ abandonedAt, endedAt: null, touches, clicks: [], orderedAt, windows: DEFAULT_ATTRIBUTION_WINDOWS })
 * // { recovered: true, by: "journey", lastTouch: { key: "playbook:c1:1:email:email", … }, clickThrough: null }
 */
export function attributeOrder(input: AttributionInput): Attribution {
  const { orderedAt, windows } = input;
  if (orderedAt < input.abandonedAt) return { recovered: false, reason: "before_abandonment" };

  let lastTouch: Touch | null = null;
  let windowEnd = Number.NEGATIVE_INFINITY;
  for (const touch of input.touches) {
    if (touch.at > orderedAt) continue;
    if (lastTouch === null || touch.at >= lastTouch.at) lastTouch = touch;
    windowEnd = Math.max(windowEnd, touch.at + windows[touch.channel]);
  }
  for (const due of input.wouldBe ?? []) {
    if (due.at <= orderedAt) windowEnd = Math.max(windowEnd, due.at + windows[due.channel]);
  }
  let click: ClickThrough | null = null;
  for (const c of input.clicks) {
    if (c.at > orderedAt || orderedAt > c.at + windows.click) continue;
    // a click on a message that did not go out (or went out after the order) credits nothing
    if (!input.touches.some((t) => t.key === c.key && t.at <= orderedAt)) continue;
    if (click === null || c.at >= click.at) click = c;
  }
  const clickThrough = click === null ? null : (input.touches.find((t) => t.key === click.key) ?? null);

  let by: RecoveredBy | null = null;
  if (input.endedAt === null || orderedAt <= input.endedAt) by = "journey";
  else if (orderedAt <= windowEnd) by = "window";
  else if (clickThrough !== null) by = "click";
  if (by === null) return { recovered: false, reason: "outside_window" };
  return { recovered: true, by, lastTouch, clickThrough };
}

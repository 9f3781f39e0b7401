/**
 * Readable scenarios for the presets: RudderStack messages in, the timeline of messages and tasks out
 * (offsets from 2026-03-02T10:00Z; shoppers in UTC unless a scenario says otherwise).
 */
const BASE = Date.parse("2026-03-02T10:00:00.000Z");
let counter = 0;

export interface Scenario {
  description: string;
  journey: "playbook" | "classic" | "coordinated";
  events: Record<string, unknown>[];
  /** `+offset channel stage/step [discount%]` or `+offset task <event>` */
  expected: string[];
}

const iso = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

export interface Shopper {
  id: string;
  email?: string;
  phone?: string;
  sms?: boolean;
  whatsapp?: boolean;
  timezone?: string;
  traits?: Record<string, unknown>;
}

export function identify(s: Shopper, minutes = 0): Record<string, unknown> {
  const traits: Record<string, unknown> = { first_name: s.id[0]?.toUpperCase() + s.id.slice(1), ...s.traits };
  if (s.email !== undefined) traits.email = s.email;
  else traits.email = `${s.id}@example.com`;
  if (s.phone) traits.phone = s.phone;
  if (s.sms) traits.sms_opt_in = true;
  if (s.whatsapp) traits.whatsapp_opt_in = true;
  return {
    type: "identify",
    messageId: `m-${++counter}`,
    userId: s.id,
    timestamp: iso(minutes),
    context: { timezone: s.timezone ?? "UTC" },
    traits,
  };
}

function track(s: Shopper, event: string, minutes: number, properties: Record<string, unknown>) {
  return {
    type: "track",
    event,
    messageId: `m-${++counter}`,
    userId: s.id,
    timestamp: iso(minutes),
    context: { timezone: s.timezone ?? "UTC" },
    properties,
  };
}

export function add(s: Shopper, minutes: number, price: number, currency = "USD", name = "Linen shirt") {
  return track(s, "Product Added", minutes, {
    cart_id: `cart-${s.id}`,
    product_id: name.toLowerCase().replace(/\s+/g, "-"),
    name,
    price,
    quantity: 1,
    currency,
  });
}

export function order(s: Shopper, minutes: number, value: number, cartId = `cart-${s.id}`) {
  return track(s, "Order Completed", minutes, {
    cart_id: cartId,
    order_id: `o-${s.id}-${minutes}`,
    total: value,
    currency: "USD",
  });
}

export function clicked(s: Shopper, minutes: number, stage: number) {
  return track(s, "Email Link Clicked", minutes, { cart_id: `cart-${s.id}`, stage, channel: "email" });
}

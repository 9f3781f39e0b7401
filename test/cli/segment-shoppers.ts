/**
 * RudderStack events for shoppers who, between them, reach every segment and content variant of the
 * presets: first-time low, medium and high carts, a returning customer, a loyalty member, a shopper
 * who never opens an email and one who opens stage 2's. One shopper a day, so they never meet.
 */
const DAY = 86_400_000;
const T0 = Date.parse("2026-04-01T09:00:00Z");

interface ShopperSpec {
  id: string;
  value: number;
  traits?: Record<string, unknown>;
  /** a past order, weeks before the cart */
  returning?: boolean;
  /** hours after abandonment when the shopper opens an email */
  opensAt?: number;
  /** hours to shift the day's start (09:00 UTC), e.g. so a stage falls outside quiet hours */
  shift?: number;
}

const SHOPPERS: ShopperSpec[] = [
  { id: "low", value: 20 },
  { id: "medium", value: 100 },
  // stage 3 comes 12 h after abandonment: at 19:00, before quiet hours hold it into the no-open variant
  { id: "high", value: 400, shift: -2 },
  { id: "opener", value: 100, opensAt: 5 },
  { id: "returning", value: 100, returning: true },
  { id: "loyal", value: 100, traits: { loyalty_tier: "gold" } },
];

function iso(at: number): string {
  return new Date(at).toISOString();
}

/** the events, in time order, as NDJSON */
export function segmentShopperEvents(): string {
  const lines: { at: number; message: Record<string, unknown> }[] = [];
  SHOPPERS.forEach((s, i) => {
    const start = T0 + i * DAY + (s.shift ?? 0) * 3_600_000;
    const userId = `user-${s.id}`;
    const base = { anonymousId: `anon-${s.id}`, userId, context: { timezone: "UTC" } };
    const add = (at: number, message: Record<string, unknown>) =>
      lines.push({
        at,
        message: { ...base, messageId: `${s.id}-${lines.length}`, timestamp: iso(at), ...message },
      });
    add(start - 60 * DAY, {
      type: "identify",
      traits: { email: `${s.id}@example.com`, firstName: s.id, email_opt_in: true, ...s.traits },
    });
    if (s.returning) {
      add(start - 40 * DAY, {
        type: "track",
        event: "Order Completed",
        properties: {
          order_id: `order-${s.id}`,
          cart_id: `old-${s.id}`,
          value: 80,
          currency: "USD",
          products: [{ product_id: "old", name: "Old favourite", price: 80, quantity: 1 }],
        },
      });
    }
    add(start, {
      type: "track",
      event: "Product Added",
      properties: {
        cart_id: `cart-${s.id}`,
        product_id: `p-${s.id}`,
        name: `Thing for ${s.id}`,
        price: s.value,
        quantity: 1,
        currency: "USD",
        url: `https://shop.example/p/${s.id}`,
      },
    });
    if (s.opensAt !== undefined)
      add(start + s.opensAt * 3_600_000, {
        type: "track",
        event: "Email Opened",
        properties: { cart_id: `cart-${s.id}`, channel: "email" },
      });
  });
  lines.sort((a, b) => a.at - b.at);
  return lines.map((l) => JSON.stringify(l.message)).join("\n");
}

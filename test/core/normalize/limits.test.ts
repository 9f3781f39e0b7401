import { describe, expect, it } from "vitest";
import { FIELD_LIMITS, normalizeEvent } from "../../../src/core/normalize/index.js";

const long = (n: number) => "x".repeat(n);

function add(properties: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    type: "track",
    event: "Checkout Started",
    messageId: "m1",
    anonymousId: "a1",
    timestamp: "2026-03-02T10:00:00.000Z",
    properties: { cart_id: "c1", products: [{ product_id: "mug", price: 5 }], ...properties },
    ...extra,
  };
}

function issuesOf(message: unknown) {
  const result = normalizeEvent(message);
  return result.success ? [] : result.error.map((i) => ({ code: i.code, path: i.path.join(".") }));
}

describe("per-field size limits", () => {
  it("rejects each oversized field with too_long and the field's path", () => {
    const cases: [Record<string, unknown>, string][] = [
      [add({}, { userId: long(1_000_000) }), "userId"],
      [add({}, { anonymousId: long(FIELD_LIMITS.id + 1) }), "anonymousId"],
      [add({}, { context: { traits: { email: `${long(1_000_000)}@example.com` } } }), "context.traits.email"],
      [add({ cart_id: long(1_000_000) }), "properties.cart_id"],
      [add({ checkout_url: `https://shop.example.com/${long(1_000_000)}` }), "properties.checkout_url"],
      [
        add({
          products: [
            { product_id: "mug", price: 5 },
            { product_id: "lamp", name: long(3_000_000) },
          ],
        }),
        "properties.products.1.name",
      ],
      [add({}, { traits: { phone: long(FIELD_LIMITS.phone + 1) } }), "traits.phone"],
      [add({}, { traits: { loyalty_tier: long(FIELD_LIMITS.trait + 1) } }), "traits.loyalty_tier"],
    ];
    for (const [message, path] of cases) {
      expect(issuesOf(message), path).toEqual([{ code: "too_long", path }]);
    }
  });

  it("says how long the field may be and how long it was", () => {
    const result = normalizeEvent(add({ cart_id: long(300) }));
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error[0]?.message).toBe("expected at most 256 characters, got 300");
  });

  it("accepts fields at their limit, and long values in fields cartback does not keep", () => {
    const atLimit = add(
      { cart_id: long(FIELD_LIMITS.id), description: long(100_000) },
      { userId: long(FIELD_LIMITS.id), traits: { email: `${long(FIELD_LIMITS.email - 12)}@example.com` } },
    );
    expect(normalizeEvent(atLimit).success).toBe(true);
  });

  it("limits a Shopify checkout webhook's fields the same way", () => {
    const checkout = {
      id: 1,
      token: "t1",
      email: "ann@example.com",
      updated_at: "2026-03-02T10:00:00Z",
      abandoned_checkout_url: `https://shop.example.com/${long(5_000)}`,
      line_items: [{ product_id: 1, title: long(2_000), quantity: 1, price: "5.00" }],
    };
    expect(issuesOf(checkout)).toEqual([
      { code: "too_long", path: "abandoned_checkout_url" },
      { code: "too_long", path: "line_items.0.title" },
    ]);
  });
});

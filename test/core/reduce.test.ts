import { describe, expect, it } from "vitest";
import { emptyProfile, reduceProfile } from "../../src/core/reduce.js";
import { at, identify, profileOf, toEvents, track } from "../helpers/messages.js";

const mug = { cart_id: "c1", product_id: "mug", name: "Mug", price: 12, currency: "USD" };
const lamp = { cart_id: "c1", product_id: "lamp", name: "Lamp", price: "40.50", currency: "USD" };

describe("reduceProfile: carts", () => {
  it("adds and removes items and keeps the value equal to their sum", () => {
    const profile = profileOf(
      track("Product Added", 0, { ...mug, quantity: 2 }),
      track("Product Added", 1, { ...lamp, quantity: 1 }),
      track("Product Added", 2, { ...mug, quantity: 1 }),
      track("Product Removed", 3, { cart_id: "c1", product_id: "mug", quantity: 1 }),
    );
    expect(profile.carts).toHaveLength(1);
    const [cart] = profile.carts;
    expect(cart?.items.map((i) => [i.productId, i.quantity])).toEqual([
      ["mug", 2],
      ["lamp", 1],
    ]);
    expect(cart?.value).toBe(64.5);
    expect(cart?.currency).toBe("USD");
    expect(cart?.status).toBe("active");
    expect(cart?.updatedAt).toBe(Date.parse(at(3)));
  });

  it("removes a product entirely when Product Removed names no quantity", () => {
    const profile = profileOf(
      track("Product Added", 0, { ...mug, quantity: 3 }),
      track("Product Removed", 1, { cart_id: "c1", product_id: "mug" }),
    );
    expect(profile.carts[0]?.items).toEqual([]);
    expect(profile.carts[0]?.value).toBe(0);
  });

  it("keeps a product's image and page when a snapshot that lacks them replaces the items", () => {
    const profile = profileOf(
      track("Product Added", 0, {
        ...mug,
        quantity: 1,
        image_url: "https://cdn.example/mug.jpg",
        url: "https://shop.example/mug",
      }),
      track("Checkout Started", 5, {
        cart_id: "c1",
        products: [
          { product_id: "mug", name: "Mug", price: 12, quantity: 2 },
          {
            product_id: "lamp",
            name: "Lamp",
            price: 40,
            quantity: 1,
            image_url: "https://cdn.example/lamp.jpg",
          },
        ],
      }),
    );
    expect(profile.carts[0]?.items.map((i) => [i.productId, i.quantity, i.imageUrl, i.url])).toEqual([
      ["mug", 2, "https://cdn.example/mug.jpg", "https://shop.example/mug"],
      ["lamp", 1, "https://cdn.example/lamp.jpg", undefined],
    ]);
  });

  it("lets a snapshot replace the items, and an older snapshot change nothing", () => {
    const profile = profileOf(
      track("Product Added", 0, { ...mug, quantity: 1 }),
      track("Cart Viewed", 5, { cart_id: "c1", products: [{ product_id: "lamp", price: 40, quantity: 2 }] }),
      track("Cart Viewed", 2, { cart_id: "c1", products: [{ product_id: "old", price: 1, quantity: 1 }] }),
    );
    expect(profile.carts[0]?.items.map((i) => i.productId)).toEqual(["lamp"]);
    expect(profile.carts[0]?.value).toBe(80);
  });

  it("moves the cart to checkout with the shop's restore link", () => {
    const profile = profileOf(
      track("Product Added", 0, { ...mug }),
      track("Checkout Started", 3, {
        cart_id: "c1",
        order_id: "chk-1",
        checkout_url: "https://shop.example/checkout/chk-1",
        products: [{ product_id: "mug", price: 12, quantity: 2 }],
      }),
    );
    const cart = profile.carts[0];
    expect(cart?.status).toBe("checkout");
    expect(cart?.checkoutUrl).toBe("https://shop.example/checkout/chk-1");
    expect(cart?.checkoutStartedAt).toBe(Date.parse(at(3)));
    expect(cart?.refs).toEqual(["c1", "chk-1"]);
    expect(cart?.value).toBe(24);
  });

  it("joins a Shopify checkout and its cart through any shared token", () => {
    const profile = profileOf(
      track("Product Added", 0, { product_id: "shoe", price: 129 }, { context: { cart_token: "tok-cart" } }),
      track(
        "Checkout Started Webhook",
        2,
        { order_id: "3555", products: [{ product_id: "shoe", price: 129, quantity: 1 }] },
        { context: { cart_token: "tok-cart", checkout_token: "tok-chk" } },
      ),
      track("Order Completed", 9, { order_id: "ord-1", checkout_id: "tok-chk", total: 129 }),
    );
    expect(profile.carts).toHaveLength(1);
    expect(profile.carts[0]?.status).toBe("ordered");
    expect(profile.carts[0]?.orderId).toBe("ord-1");
  });

  it("applies the coupon and removes it", () => {
    const applied = profileOf(
      track("Product Added", 0, mug),
      track("Coupon Applied", 1, { cart_id: "c1", coupon: "SAVE5" }),
    );
    expect(applied.carts[0]?.coupon).toBe("SAVE5");
    const removed = reduceProfile(applied, toEvents(track("Coupon Removed", 2, { cart_id: "c1" }))[0]!);
    expect(removed.carts[0]?.coupon).toBeUndefined();
  });

  it("keeps several carts apart by id", () => {
    const profile = profileOf(
      track("Product Added", 0, mug),
      track("Product Added", 1, { ...lamp, cart_id: "c2" }),
    );
    expect(profile.carts.map((c) => c.id)).toEqual(["c1", "c2"]);
  });

  it("puts events that name no cart into the shopper's open cart", () => {
    const profile = profileOf(
      track("Product Added", 0, { product_id: "mug", price: 12 }),
      track("Product Added", 1, { product_id: "lamp", price: 40 }),
    );
    expect(profile.carts).toHaveLength(1);
    expect(profile.carts[0]?.items).toHaveLength(2);
  });

  it("counts activity on the site as activity on the open cart", () => {
    const profile = profileOf(track("Product Added", 0, mug), {
      type: "page",
      messageId: "pg",
      anonymousId: "anon-1",
      timestamp: at(20),
    });
    expect(profile.carts[0]?.updatedAt).toBe(Date.parse(at(20)));
  });
});

describe("reduceProfile: orders", () => {
  it("completes the cart the order names and records the history", () => {
    const profile = profileOf(
      track("Product Added", 0, { ...mug, quantity: 2 }),
      track("Order Completed", 10, { cart_id: "c1", order_id: "o1", total: 24, currency: "USD" }),
    );
    expect(profile.carts[0]).toMatchObject({
      status: "ordered",
      orderId: "o1",
      orderedAt: Date.parse(at(10)),
    });
    expect(profile.orders).toMatchObject({ count: 1, lifetimeValue: 24, lastOrderId: "o1", currency: "USD" });
  });

  it("completes the shopper's open cart when the order names none", () => {
    const profile = profileOf(
      track("Product Added", 0, mug),
      track("Order Completed", 10, { order_id: "o1", total: 12 }),
    );
    expect(profile.carts[0]?.status).toBe("ordered");
  });

  it("counts an order once however often it arrives (Order Created, Order Updated, Order Completed)", () => {
    const profile = profileOf(
      track("Order Created", 0, { order_id: "o1", total: 50 }),
      track("Order Updated", 1, { order_id: "o1", total: 50 }),
      track("Order Completed", 2, { order_id: "o1", total: 50 }),
    );
    expect(profile.orders.count).toBe(1);
    expect(profile.orders.lifetimeValue).toBe(50);
  });

  it("does not let a late event resurrect an ordered cart", () => {
    const profile = profileOf(
      track("Product Added", 0, mug),
      track("Order Completed", 10, { cart_id: "c1", order_id: "o1", total: 12 }),
      track("Product Added", 5, { ...lamp }),
      track("Cart Viewed", 6, { cart_id: "c1", products: [{ product_id: "x", price: 1 }] }),
    );
    expect(profile.carts).toHaveLength(1);
    expect(profile.carts[0]).toMatchObject({ status: "ordered", value: 12 });
  });

  it("remembers an order that arrives before its cart, so the late cart stays closed", () => {
    const profile = profileOf(
      track("Order Completed", 10, { checkout_id: "chk-9", order_id: "o9", total: 30 }),
      track("Checkout Started", 5, { checkout_id: "chk-9", products: [{ product_id: "mug", price: 30 }] }),
    );
    expect(profile.carts).toHaveLength(1);
    expect(profile.carts[0]?.status).toBe("ordered");
  });

  it("starts a new cart when the same cart id is used again after the order", () => {
    const profile = profileOf(
      track("Product Added", 0, mug),
      track("Order Completed", 10, { cart_id: "c1", order_id: "o1", total: 12 }),
      track("Product Added", 60, lamp),
    );
    expect(profile.carts.map((c) => [c.id, c.status])).toEqual([
      ["c1", "ordered"],
      ["c1~1", "active"],
    ]);
  });

  it("takes a refund off lifetime value and a cancellation off the count", () => {
    const profile = profileOf(
      track("Order Completed", 0, { order_id: "o1", total: 100 }),
      track("Order Completed", 1, { order_id: "o2", total: 50 }),
      track("Order Refunded", 2, { order_id: "o1", total: 30 }),
      track("Order Cancelled", 3, { order_id: "o2", total: 50 }),
    );
    expect(profile.orders).toMatchObject({ count: 1, lifetimeValue: 70 });
  });
});

describe("reduceProfile: identity, consent, engagement", () => {
  it("keeps contact details, newest first, and E.164 phones", () => {
    const profile = profileOf(
      identify(0, { email: "old@example.com", phone: "(212) 555-0143", first_name: "Sam" }),
      identify(5, { email: "new@example.com" }),
      identify(2, { email: "late@example.com", last_name: "Lee" }),
    );
    expect(profile).toMatchObject({
      userId: "user-1",
      anonymousIds: ["anon-1"],
      email: "new@example.com",
      phone: "+12125550143",
      firstName: "Sam",
      lastName: "Lee",
    });
  });

  it("records consent with when and where, and ignores an older decision", () => {
    const profile = profileOf(identify(10, { sms_opt_in: true }), identify(5, { sms_opt_in: false }));
    expect(profile.consent.sms).toMatchObject({
      status: "granted",
      at: Date.parse(at(10)),
      source: "rudderstack",
    });
    expect(profile.consent.email.status).toBe("unknown");
    expect(profile.consent.whatsapp.status).toBe("unknown");
  });

  it("resolves a grant and a denial made at the same instant to the denial, in any order and with duplicates", () => {
    const grant = identify(10, { sms_opt_in: true });
    const denial = identify(10, { sms_opt_in: false });
    for (const messages of [
      [grant, denial],
      [denial, grant],
      [denial, grant, denial],
      [grant, denial, grant],
    ]) {
      expect(profileOf(...messages).consent.sms).toMatchObject({ status: "denied", at: Date.parse(at(10)) });
    }
  });

  it("records engagement against the cart it answers", () => {
    const profile = profileOf(
      track("Product Added", 0, mug),
      track("Email Opened", 30, { cart_id: "c1", stage: 1 }),
      track("Unsubscribed", 40, { cart_id: "c1" }),
    );
    expect(profile.engagement).toEqual([
      { at: Date.parse(at(30)), engagement: "opened", channel: "email", cartId: "c1", stage: 1 },
      { at: Date.parse(at(40)), engagement: "unsubscribed", channel: "email", cartId: "c1" },
    ]);
    expect(profile.consent.email.status).toBe("denied");
  });

  it("changes nothing for a duplicate delivery", () => {
    const [event] = toEvents(track("Product Added", 0, mug));
    const once = reduceProfile(emptyProfile("p", 0), event!);
    expect(reduceProfile(once, event!)).toBe(once);
  });

  it("never mutates the profile it is given", () => {
    const before = profileOf(track("Product Added", 0, mug));
    const frozen = structuredClone(before);
    for (const event of toEvents(
      track("Product Added", 1, lamp),
      track("Order Completed", 2, { cart_id: "c1", order_id: "o", total: 1 }),
      identify(3, { email: "x@example.com", sms_opt_in: true }),
    )) {
      reduceProfile(before, event);
    }
    expect(before).toEqual(frozen);
  });
});

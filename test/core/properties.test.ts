import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CartEvent } from "../../src/core/events.js";
import { createProfileBook, profileIdentityKeys } from "../../src/core/identity.js";
import { itemsValue } from "../../src/core/money.js";
import { normalizeEvent } from "../../src/core/normalize/index.js";
import { emptyProfile, reduceProfile } from "../../src/core/reduce.js";

const BASE = Date.parse("2026-03-02T10:00:00.000Z");

const product = fc.record({
  product_id: fc.constantFrom("mug", "lamp", "shoe", 42),
  price: fc.oneof(
    fc.integer({ min: 0, max: 50_000 }).map((c) => c / 100),
    fc.constantFrom("19.99", "0", "1250"),
  ),
  quantity: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant("2")),
});

/** realistic RudderStack messages for a few shoppers and carts, in any order and at any time */
const message = fc
  .record({
    n: fc.integer({ min: 0, max: 1_000_000 }),
    minutes: fc.integer({ min: 0, max: 3 * 24 * 60 }),
    anonymousId: fc.constantFrom("a1", "a2", "a3"),
    userId: fc.option(fc.constantFrom("u1", "u2"), { nil: undefined }),
    cart: fc.option(fc.constantFrom("c1", "c2"), { nil: undefined }),
    kind: fc.constantFrom(
      "Product Added",
      "Product Removed",
      "Cart Viewed",
      "Checkout Started",
      "Order Completed",
      "Coupon Applied",
      "identify",
      "page",
      "Email Opened",
    ),
    product,
    products: fc.array(product, { maxLength: 4 }),
    email: fc.option(fc.constantFrom("a@example.com", "b@example.com"), { nil: undefined }),
    smsOptIn: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map((m) => {
    const timestamp = new Date(BASE + m.minutes * 60_000).toISOString();
    const common = { messageId: `m${m.n}`, anonymousId: m.anonymousId, userId: m.userId, timestamp };
    if (m.kind === "identify")
      return { type: "identify", ...common, traits: { email: m.email, sms_opt_in: m.smsOptIn } };
    if (m.kind === "page") return { type: "page", ...common };
    const properties: Record<string, unknown> =
      m.kind === "Product Added" || m.kind === "Product Removed"
        ? { ...m.product }
        : m.kind === "Order Completed"
          ? { order_id: `o${m.n % 5}`, products: m.products }
          : { products: m.products, coupon: "SAVE", stage: 1 };
    if (m.cart) properties.cart_id = m.cart;
    return { type: "track", event: m.kind, ...common, properties };
  });

/** the messages with distinct ids: a message id names one message, so copies are true duplicates */
function distinct<T extends { messageId: string }>(messages: T[]): T[] {
  return messages.map((m, i) => ({ ...m, messageId: `m${i}` }));
}

function eventsOf(messages: unknown[]): CartEvent[] {
  return messages.flatMap((m) => {
    const result = normalizeEvent(m);
    return result.success ? result.data : [];
  });
}

function reduceAll(events: CartEvent[]) {
  return events.reduce(reduceProfile, emptyProfile("p", BASE));
}

// fast-check runs hundreds of cases per property: give them room on a busy machine
describe("core properties", { timeout: 120_000 }, () => {
  it("normalizeEvent never throws and always answers with a result", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything(), message), (input) => {
        const result = normalizeEvent(input);
        expect(typeof result.success).toBe("boolean");
        if (!result.success) {
          expect(result.error.length).toBeGreaterThan(0);
          for (const issue of result.error) expect(issue.message).toBeTruthy();
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("survives RudderStack-shaped messages with random values in every field", () => {
    const field = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    const shaped = fc.record({
      type: fc.constantFrom("track", "identify", "alias", "page", "screen", "group", 7),
      event: fc.oneof(
        fc.constantFrom("Product Added", "Cart Viewed", "Order Completed", "Checkout Started"),
        field,
      ),
      messageId: field,
      anonymousId: field,
      userId: field,
      previousId: field,
      timestamp: fc.oneof(fc.constant("2026-03-02T10:00:00Z"), field),
      context: fc.oneof(
        field,
        fc.record({ traits: field, cart_token: field, shopifyDetails: field, device: field }),
      ),
      properties: fc.oneof(
        field,
        fc.record({ products: field, price: field, product_id: field, cart_id: field }),
      ),
      traits: field,
    });
    fc.assert(
      fc.property(shaped, (input) => {
        expect(() => normalizeEvent(input)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it("is deterministic: the same events give the same profile", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 40 }), (messages) => {
        expect(reduceAll(eventsOf(messages))).toEqual(reduceAll(eventsOf(structuredClone(messages))));
      }),
    );
  });

  it("ignores duplicate deliveries wherever they land", () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
        (generated, copies) => {
          const messages = distinct(generated);
          const withDuplicates = messages.slice();
          for (const [from, to] of copies) {
            const original = messages[from % messages.length];
            const index = to % (withDuplicates.length + 1);
            // a duplicate arrives after its original
            const after = Math.max(
              index,
              withDuplicates.indexOf(original as (typeof withDuplicates)[number]) + 1,
            );
            withDuplicates.splice(after, 0, original as (typeof withDuplicates)[number]);
          }
          expect(reduceAll(eventsOf(withDuplicates))).toEqual(reduceAll(eventsOf(messages)));
        },
      ),
    );
  });

  it("keeps every cart's value equal to the sum of its items", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 60 }), (messages) => {
        const book = createProfileBook();
        for (const event of eventsOf(messages)) book.apply(event);
        for (const profile of book.profiles()) {
          for (const cart of profile.carts) {
            expect(cart.value).toBe(itemsValue(cart.items));
            expect(cart.value).toBeGreaterThanOrEqual(0);
          }
        }
      }),
    );
  });

  it("finds the same shopper for a run of one shopper's messages as the identity index does", () => {
    // messages that mix who they name (anonymous ids, users, emails, phones), so runs of one
    // shopper, shared devices and merges all occur
    const contact = fc.record({
      anonymousId: fc.option(fc.constantFrom("a1", "a2"), { nil: undefined }),
      userId: fc.option(fc.constantFrom("u1", "u2"), { nil: undefined }),
      email: fc.option(fc.constantFrom("a@example.com", "b@example.com"), { nil: undefined }),
      phone: fc.option(fc.constantFrom("+14155550101", "+14155550102", "12"), { nil: undefined }),
    });
    const step = fc.record({
      contact,
      // a few shared instants, so that consent decisions made at the same instant (ties) are common
      minutes: fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom(0, 5) },
        { weight: 2, arbitrary: fc.integer({ min: 0, max: 600 }) },
      ),
      kind: fc.constantFrom("identify", "page", "Product Added", "Order Completed", "alias", "duplicate"),
    });
    type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;
    const toMessages = (steps: Step[]) =>
      steps.map((s, i) => {
        const { anonymousId, userId, email, phone } = s.contact;
        const timestamp = new Date(BASE + s.minutes * 60_000).toISOString();
        const messageId = s.kind === "duplicate" && i > 0 ? `m${i - 1}` : `m${i}`;
        const ids = { messageId, anonymousId: anonymousId ?? (userId ? undefined : "a0"), userId, timestamp };
        const traits = { email, phone, sms_opt_in: i % 3 === 0 };
        if (s.kind === "identify") return { type: "identify", ...ids, traits };
        if (s.kind === "alias") return { type: "alias", ...ids, userId: userId ?? "u3", previousId: "a2" };
        if (s.kind === "page") return { type: "page", ...ids, context: { traits } };
        return {
          type: "track",
          event: s.kind === "duplicate" ? "Product Added" : s.kind,
          ...ids,
          context: { traits },
          properties: { cart_id: "c1", product_id: "mug", price: 5, order_id: `o${i}` },
        };
      });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const events = eventsOf(toMessages(steps));
        const together = createProfileBook();
        for (const event of events) together.apply(event);
        // the same events with another shopper's message between every two: each goes to the index
        const apart = createProfileBook();
        events.forEach((event, i) => {
          for (const other of eventsOf([
            {
              type: "page",
              messageId: `x${i}`,
              anonymousId: `other-${i}`,
              timestamp: new Date(BASE).toISOString(),
            },
          ]))
            apart.apply(other);
          apart.apply(event);
        });
        const own = [...apart.profiles()].filter((p) => !p.id.startsWith("p:anon:other-"));
        expect(JSON.parse(JSON.stringify([...together.profiles()]))).toEqual(JSON.parse(JSON.stringify(own)));
        for (const profile of own) {
          for (const key of profileIdentityKeys(profile))
            expect(together.resolve(key)).toBe(apart.resolve(key));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("never reopens an ordered cart", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 60 }), (messages) => {
        let profile = emptyProfile("p", BASE);
        for (const event of eventsOf(messages)) {
          const before = new Map(profile.carts.map((c) => [c.id, c.status]));
          profile = reduceProfile(profile, event);
          for (const cart of profile.carts) {
            if (before.get(cart.id) === "ordered") expect(cart.status).toBe("ordered");
          }
        }
      }),
    );
  });
});

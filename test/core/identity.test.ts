import { describe, expect, it } from "vitest";
import type { CartEvent } from "../../src/core/events.js";
import { createProfileBook, mergeProfiles } from "../../src/core/identity.js";
import { at, identify, toEvents, track } from "../helpers/messages.js";

function bookOf(events: CartEvent[]) {
  const book = createProfileBook();
  const absorbed: string[] = [];
  for (const event of events) absorbed.push(...book.apply(event).absorbed);
  return { book, absorbed, profiles: [...book.profiles()] };
}

const browse = (anonymousId: string, minutes: number) =>
  track(
    "Product Added",
    minutes,
    { cart_id: `cart-${anonymousId}`, product_id: "mug", price: 10 },
    { anonymousId },
  );

describe("identity stitching", () => {
  it("joins anonymous activity to the shopper on identify with the same anonymousId", () => {
    const { profiles } = bookOf(toEvents(browse("anon-1", 0), identify(5, { email: "sam@example.com" })));
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({
      userId: "user-1",
      email: "sam@example.com",
      anonymousIds: ["anon-1"],
    });
    expect(profiles[0]?.carts).toHaveLength(1);
  });

  it("merges two profiles when an identify links them, keeping the known user's", () => {
    const { profiles, absorbed, book } = bookOf(
      toEvents(
        identify(0, { email: "sam@example.com" }, { anonymousId: "laptop" }),
        browse("phone-app", 10),
        identify(20, { email: "sam@example.com" }, { anonymousId: "phone-app" }),
      ),
    );
    expect(profiles).toHaveLength(1);
    expect(absorbed).toEqual(["p:anon:phone-app"]);
    expect(profiles[0]?.id).toBe("p:user:user-1");
    expect(profiles[0]?.anonymousIds.sort()).toEqual(["laptop", "phone-app"]);
    expect(profiles[0]?.carts.map((c) => c.id)).toEqual(["cart-phone-app"]);
    expect(book.resolve("anon:phone-app")).toBe("p:user:user-1");
  });

  it("joins on alias", () => {
    const { profiles } = bookOf(
      toEvents(browse("anon-9", 0), {
        type: "alias",
        messageId: "al",
        userId: "user-9",
        previousId: "anon-9",
        timestamp: at(3),
      }),
    );
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({ userId: "user-9" });
  });

  it("joins on a matching email or phone", () => {
    const { profiles } = bookOf(
      toEvents(
        track(
          "Product Added",
          0,
          { product_id: "a", price: 1, email: "lee@example.com" },
          { anonymousId: "a1" },
        ),
        track(
          "Product Added",
          1,
          { product_id: "b", price: 1, phone: "+12125550143" },
          { anonymousId: "a2" },
        ),
        identify(
          2,
          { email: "lee@example.com", phone: "+1 212 555 0143" },
          { anonymousId: "a3", userId: "lee" },
        ),
      ),
    );
    expect(profiles).toHaveLength(1);
    expect(profiles[0]?.anonymousIds.sort()).toEqual(["a1", "a2", "a3"]);
  });

  it("never merges two different known users sharing a device", () => {
    const { profiles } = bookOf(
      toEvents(
        identify(0, { email: "a@example.com" }, { anonymousId: "family-ipad", userId: "alice" }),
        identify(5, { email: "b@example.com" }, { anonymousId: "family-ipad", userId: "bob" }),
      ),
    );
    expect(profiles.map((p) => p.userId).sort()).toEqual(["alice", "bob"]);
  });

  it("merges the same way whatever order the profiles come in", () => {
    const x = track(
      "Product Added",
      0,
      { cart_id: "cx", product_id: "a", price: 1, email: "kim@example.com" },
      { anonymousId: "x" },
    );
    const y = track(
      "Product Added",
      1,
      { cart_id: "cy", product_id: "b", price: 2, phone: "+12125550143" },
      { anonymousId: "y" },
    );
    const link = identify(
      2,
      { email: "kim@example.com", phone: "+12125550143" },
      { anonymousId: "z", userId: "kim" },
    );
    const one = bookOf(toEvents(x, y, link)).profiles;
    const other = bookOf(toEvents(y, x, link)).profiles;
    expect(one).toHaveLength(1);
    expect(other).toHaveLength(1);
    const normal = (p: (typeof one)[number]) => ({
      ...p,
      seen: [...p.seen].sort(),
      anonymousIds: [...p.anonymousIds].sort(),
    });
    expect(normal(one[0]!)).toEqual(normal(other[0]!));
    expect(one[0]?.id).toBe("p:anon:x");
    const left = bookOf(toEvents(x)).profiles[0]!;
    const right = bookOf(toEvents(y)).profiles[0]!;
    expect(mergeProfiles(left, right)).toEqual(mergeProfiles(right, left));
  });

  it("still finds the shopper through a key of a profile that was merged away", () => {
    const { profiles, book } = bookOf(
      toEvents(
        track(
          "Product Added",
          0,
          { product_id: "a", price: 1, email: "kim@example.com" },
          { anonymousId: "a2" },
        ),
        track(
          "Product Added",
          1,
          { product_id: "b", price: 1, phone: "+12125550143" },
          { anonymousId: "a1" },
        ),
        identify(2, { phone: "+12125550199" }, { anonymousId: "a1", userId: undefined }),
        identify(3, { email: "kim@example.com" }, { anonymousId: "a1", userId: "kim" }),
        // the phone the merged-away profile had before: its key still names that profile
        track(
          "Product Added",
          4,
          { product_id: "c", price: 1, phone: "+12125550143" },
          { anonymousId: "a9" },
        ),
      ),
    );
    expect(profiles).toHaveLength(1);
    expect(profiles[0]?.anonymousIds.sort()).toEqual(["a1", "a2", "a9"]);
    expect(book.resolve("phone:+12125550143")).toBe(profiles[0]?.id);
  });

  it("keeps the newest consent decision and counts a shared order once", () => {
    const left = bookOf(
      toEvents(
        identify(0, { sms_opt_in: true }, { userId: undefined, anonymousId: "l" }),
        track("Order Completed", 1, { order_id: "o1", total: 10 }, { anonymousId: "l" }),
      ),
    ).profiles[0]!;
    const right = bookOf(
      toEvents(
        identify(5, { sms_opt_in: false }, { userId: undefined, anonymousId: "r" }),
        track("Order Completed", 1, { order_id: "o1", total: 10 }, { anonymousId: "r" }),
        track("Order Completed", 2, { order_id: "o2", total: 5 }, { anonymousId: "r" }),
      ),
    ).profiles[0]!;
    const merged = mergeProfiles(left, right);
    expect(merged.consent.sms.status).toBe("denied");
    expect(merged.orders.count).toBe(2);
  });

  it("keeps the older profile's contact details where the newer one has none", () => {
    // both straight from the reducer, as simulate merges them (a stored profile comes back from JSON)
    const older = bookOf(
      toEvents(
        identify(
          0,
          { phone: "+14155550100", first_name: "Ana", timezone: "Europe/Lisbon" },
          { userId: undefined, anonymousId: "phone-app" },
        ),
      ),
    ).profiles[0]!;
    const newer = bookOf(
      toEvents(identify(30, { email: "ana@example.com" }, { userId: undefined, anonymousId: "laptop" })),
    ).profiles[0]!;
    for (const merged of [mergeProfiles(older, newer), mergeProfiles(newer, older)]) {
      expect(merged).toMatchObject({
        email: "ana@example.com",
        phone: "+14155550100",
        firstName: "Ana",
        timezone: "Europe/Lisbon",
      });
    }
  });
});

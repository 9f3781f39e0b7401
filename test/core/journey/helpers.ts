import type { Cart, ConsentState, Profile } from "../../../src/core/profile.js";

export const T0 = Date.parse("2026-03-02T10:00:00Z");
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

const unknown: ConsentState = { status: "unknown" };

/** a profile as the reducer would leave it; override what a test is about */
export function makeProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    id: "p1",
    userId: "u1",
    anonymousIds: ["a1"],
    email: "asha@example.com",
    phone: "+919812345678",
    firstName: "Asha",
    timezone: "UTC",
    traits: {},
    consent: {
      email: { status: "granted", at: T0 - DAY },
      sms: { status: "granted", at: T0 - DAY },
      whatsapp: { status: "granted", at: T0 - DAY },
      push: unknown,
    },
    orders: { count: 0, lifetimeValue: 0, recentIds: [] },
    carts: [],
    engagement: [],
    journeys: {},
    seen: [],
    firstSeenAt: T0 - DAY,
    lastSeenAt: T0,
    ...overrides,
  };
}

export function makeCart(overrides: Partial<Cart> = {}): Cart {
  const items = overrides.items ?? [{ productId: "sku-1", name: "Linen shirt", quantity: 1, price: 60 }];
  return {
    id: "c1",
    refs: ["c1"],
    value: items.reduce((s, i) => s + i.price * i.quantity, 0),
    currency: "USD",
    status: "active",
    createdAt: T0 - 10 * MIN,
    updatedAt: T0,
    ...overrides,
    items,
  };
}

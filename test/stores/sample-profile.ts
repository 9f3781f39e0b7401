/**
 * Readable sample data for the store tests and benchmark: a shopper with a two-item cart, consent,
 * engagement and one journey in progress (about 2 KB of JSON).
 */
import type { Command, TwilioSendSms } from "../../src/core/commands.js";
import type { Profile } from "../../src/core/profile.js";

export function sampleProfile(id: string, at = Date.UTC(2026, 10, 23, 12), n = 0): Profile {
  const cartId = `cart-${id}`;
  return {
    id,
    userId: `user-${id}`,
    anonymousIds: [`anon-${id}`, `anon-${id}-mobile`],
    email: `${id}@example.com`,
    phone: `+1555${String(1_000_000 + (n % 9_000_000)).padStart(7, "0")}`,
    firstName: "Ann",
    lastName: "Lee",
    timezone: "America/New_York",
    locale: "en-US",
    device: "mobile",
    traits: { loyalty_tier: "silver", newsletter: true, counter: n },
    consent: {
      email: { status: "granted", at: at - 86_400_000, source: "shopify" },
      sms: { status: "granted", at: at - 86_400_000, source: "shopify", eventId: `msg-${id}-0` },
      whatsapp: { status: "unknown" },
      push: { status: "unknown" },
    },
    orders: {
      count: 1,
      lifetimeValue: 84.5,
      currency: "USD",
      lastOrderAt: at - 30 * 86_400_000,
      recentIds: ["o-1"],
    },
    carts: [
      {
        id: cartId,
        refs: [cartId, `token-${id}`],
        items: [
          {
            productId: "sku-blue-mug",
            sku: "MUG-BL-01",
            name: "Blue enamel mug",
            quantity: 2,
            price: 19.99,
            url: "https://shop.example.com/products/blue-mug",
            imageUrl: "https://cdn.example.com/blue-mug.jpg",
          },
          {
            productId: "sku-linen-apron",
            sku: "APR-LN-02",
            name: "Linen apron",
            quantity: 1,
            price: 48,
            url: "https://shop.example.com/products/linen-apron",
            imageUrl: "https://cdn.example.com/linen-apron.jpg",
          },
        ],
        value: 87.98,
        currency: "USD",
        checkoutUrl: `https://shop.example.com/checkouts/${id}/recover?key=0123456789abcdef`,
        status: "checkout",
        createdAt: at - 3_600_000,
        updatedAt: at - 1_800_000,
        checkoutStartedAt: at - 1_800_000,
      },
    ],
    engagement: [
      { at: at - 600_000, engagement: "delivered", channel: "email", cartId, stage: 1, step: "nudge" },
      { at: at - 300_000, engagement: "opened", channel: "email", cartId, stage: 1, step: "nudge" },
    ],
    journeys: {
      [`four-stage:${cartId}`]: {
        journey: "four-stage",
        cartId,
        status: "active",
        segment: "first_time_medium",
        abandonedAt: at - 900_000,
        stage: 1,
        sent: [
          {
            stage: 1,
            step: "nudge",
            channel: "email",
            at: at - 600_000,
            key: `four-stage:${cartId}:1:nudge:email`,
            variant: "a",
          },
        ],
      },
    },
    seen: Array.from({ length: 8 }, (_, i) => `msg-${id}-${i}`),
    firstSeenAt: at - 40 * 86_400_000,
    lastSeenAt: at,
  };
}

export function sampleSms(profileId: string, key: string): TwilioSendSms {
  return {
    type: "twilio.sendSms",
    key,
    kind: "message",
    channel: "sms",
    profileId,
    cartId: `cart-${profileId}`,
    journey: "four-stage",
    stage: 2,
    step: "consideration",
    segment: "first_time_medium",
    variant: "a",
    discountPercent: null,
    to: "+15555550100",
    body: "Your cart is waiting: https://shop.example.com/r/abc",
    encoding: "GSM-7",
    segments: 1,
  };
}

export function sampleGroupAdd(profileId: string, key: string): Command {
  return {
    type: "mailerlite.addToGroup",
    key,
    kind: "message",
    channel: "email",
    profileId,
    cartId: `cart-${profileId}`,
    journey: "four-stage",
    stage: 1,
    step: "nudge",
    segment: "first_time_medium",
    variant: null,
    discountPercent: null,
    email: `${profileId}@example.com`,
    group: "cart-recovery-stage-1",
  };
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runSimulation, type SimulatedCommand } from "../../../src/cli/simulation.js";
import type { CartEvent } from "../../../src/core/events.js";
import { DEFAULT_CHANNEL_RULES, PRESETS, planJourney } from "../../../src/core/journey/index.js";
import { toEvents } from "../../helpers/messages.js";
import { makeCart, makeProfile, T0 } from "./helpers.js";
import { add, clicked, identify, order } from "./scenarios.js";

const ZONES = ["UTC", "America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney"];

/** a shopper with a random cart, consent, timezone, clicks, opt-outs and maybe an order */
const shopperArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  sms: fc.boolean(),
  whatsapp: fc.boolean(),
  currency: fc.constantFrom("USD", "INR", "EUR", "JPY"),
  // a very large cart is rare in life but must be covered here
  prices: fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 4 }),
  gaps: fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 4, maxLength: 4 }),
  start: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  orderAfter: fc.option(fc.integer({ min: 1, max: 14 * 24 * 60 })),
  clickAfter: fc.option(fc.integer({ min: 1, max: 3 * 24 * 60 })),
  // 0: the opt-out carries the same instant as the opt-in, a tie the denial must win
  smsOptOutAfter: fc.option(
    fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 * 24 * 60 }) },
    ),
  ),
  returning: fc.boolean(),
  loyalty: fc.boolean(),
});
type ShopperSpec = typeof shopperArb extends fc.Arbitrary<infer T> ? T : never;

function messagesOf(specs: ShopperSpec[]): Record<string, unknown>[] {
  return specs.flatMap((s, i) => {
    const shopper = {
      id: `s${i}`,
      phone: `+1415555${String(1000 + i).padStart(4, "0")}`,
      sms: s.sms,
      whatsapp: s.whatsapp,
      timezone: s.zone,
      traits: { ...(s.returning ? { orders_count: 2 } : {}), ...(s.loyalty ? { loyalty_tier: "gold" } : {}) },
    };
    const out: Record<string, unknown>[] = [identify(shopper, s.start)];
    let t = s.start;
    s.prices.forEach((price, k) => {
      t += s.gaps[k] ?? 0;
      out.push(add(shopper, t, price, s.currency, `Item ${k}`));
    });
    if (s.clickAfter !== null) out.push(clicked(shopper, t + s.clickAfter, 1));
    if (s.smsOptOutAfter !== null) {
      const when = s.smsOptOutAfter === 0 ? s.start : t + s.smsOptOutAfter;
      out.push({ ...identify(shopper, when), traits: { sms_opt_in: false } });
    }
    if (s.orderAfter !== null) out.push(order(shopper, t + s.orderAfter, 1));
    return out;
  });
}

function simulate(preset: string, events: CartEvent[]): SimulatedCommand[] {
  const out: SimulatedCommand[] = [];
  runSimulation(events, {
    journeys: [PRESETS[preset]!()],
    until: T0 + 60 * 86_400_000,
    onCommand: (c) => out.push(c),
  });
  return out;
}

const presetArb = fc.constantFrom("playbook", "classic", "coordinated");
const streamArb = fc.tuple(presetArb, fc.array(shopperArb, { minLength: 1, maxLength: 6 }));

/** the local minute of the day at `at` in `zone`, from `Intl.DateTimeFormat` */
function localMinute(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return part("hour") * 60 + part("minute");
}

/** "08:00" → 480 */
function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(":").map(Number);
  return (hours as number) * 60 + (minutes as number);
}

function cartOf(event: CartEvent): string | undefined {
  return "cartRefs" in event ? event.cartRefs[0] : undefined;
}

describe("journey invariants (property tests)", () => {
  it("never sends a message after the cart's order, never exceeds caps, never texts without consent, never inside quiet hours", () => {
    fc.assert(
      fc.property(streamArb, ([preset, specs]) => {
        const events = toEvents(...messagesOf(specs)).sort((a, b) => a.at - b.at);
        const out = simulate(preset, events);
        const messages = out.filter((o) => o.command.kind === "message");
        const perCart = new Map<string, Record<string, number>>();
        for (const { at, command } of messages) {
          const cart = command.cartId as string;
          const shopper = Number(cart.replace("cart-s", ""));
          const spec = specs[shopper] as ShopperSpec;
          // no message at or after an order of this cart
          const orderedAt = events.find((e) => e.type === "order_completed" && cartOf(e) === cart)?.at;
          if (orderedAt !== undefined) expect(at).toBeLessThan(orderedAt);
          // caps per channel per sequence
          const counts = perCart.get(cart) ?? {};
          counts[command.channel as string] = (counts[command.channel as string] ?? 0) + 1;
          perCart.set(cart, counts);
          expect(counts.sms ?? 0).toBeLessThanOrEqual(2);
          expect(counts.whatsapp ?? 0).toBeLessThanOrEqual(2);
          // SMS and WhatsApp only with consent granted at the time of sending
          if (command.channel === "sms" || command.channel === "whatsapp") {
            // the newest decision by then; of two at the same instant, the denial
            const decisions = events.filter(
              (e) =>
                e.type === "consent_changed" &&
                e.contact.userId === `s${shopper}` &&
                e.channel === command.channel &&
                e.at <= at,
            );
            const newest = Math.max(...decisions.map((e) => e.at));
            const statuses = decisions
              .filter((e) => e.at === newest)
              .map((e) => (e.type === "consent_changed" ? e.status : null));
            expect(statuses.length).toBeGreaterThan(0);
            expect(statuses.every((status) => status === "granted")).toBe(true);
          }
          // quiet hours in the shopper's timezone, by the platform's own zone data rather than the
          // planner's window arithmetic
          const window = DEFAULT_CHANNEL_RULES[command.channel as "email"].quietHours;
          if (window) {
            const minute = localMinute(at, spec.zone);
            expect(minute).toBeGreaterThanOrEqual(minutesOf(window.start));
            expect(minute).toBeLessThan(minutesOf(window.end));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("is deterministic: the same stream gives the same commands and keys, and message keys are unique", () => {
    fc.assert(
      fc.property(streamArb, ([preset, specs]) => {
        const events = toEvents(...messagesOf(specs)).sort((a, b) => a.at - b.at);
        const first = simulate(preset, events);
        const second = simulate(preset, events);
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
        const keys = first.map((o) => o.command.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (const { command } of first) {
          if (command.stage !== null && command.kind === "message") {
            expect(command.key).toBe(
              `${command.journey}:${command.cartId}:${command.stage}:${command.step}:${command.type === "webhook.post" ? "task" : command.channel}`,
            );
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it("keys are stable under replay: planning the same state again yields the same commands", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 * 86_400_000 }),
        fc.integer({ min: 1, max: 5000 }),
        (offset, value) => {
          const profile = makeProfile({
            carts: [makeCart({ value, items: [{ productId: "x", quantity: 1, price: value }] })],
          });
          let state = profile;
          let now = T0;
          for (let i = 0; i < 20; i++) {
            const a = planJourney(PRESETS.playbook!(), state, now);
            const b = planJourney(PRESETS.playbook!(), state, now);
            expect(b.commands).toEqual(a.commands);
            // a wake-up is always in the future, so a runtime never spins on one instant
            if (a.wakeAt !== null) expect(a.wakeAt).toBeGreaterThan(now);
            state = a.profile;
            // after the commands are recorded, planning again at the same instant adds nothing
            expect(planJourney(PRESETS.playbook!(), state, now).commands).toEqual([]);
            if (a.wakeAt === null || a.wakeAt > T0 + offset) break;
            now = a.wakeAt;
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

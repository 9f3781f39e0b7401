/**
 * Pacing: what the shopper's phone and inbox see as a whole. Property tests over generated shoppers
 * (time zones with DST days, one or two carts, one or two journeys, consent, clicks, orders) check
 * every shopper's messages against the rules with an independent clock (`Intl.DateTimeFormat`), and
 * scenario tests show the evening abandonment that used to pile up six messages into one hour.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runSimulation, type SimulatedCommand } from "../../../src/cli/simulation.js";
import type { Command } from "../../../src/core/commands.js";
import type { CartEvent } from "../../../src/core/events.js";
import { createProfileBook } from "../../../src/core/identity.js";
import { type JourneySpec, PRESETS, planJourney, playbookJourney } from "../../../src/core/journey/index.js";
import { normalizeEvent } from "../../../src/core/normalize/index.js";
import type { Profile } from "../../../src/core/profile.js";
import { WHATSAPP_TEMPLATES } from "./helpers.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const GAP = { stage: 3 * HOUR, text: 4 * HOUR, daily: 6 };

/** the recipient's local minute of the day, by the platform's own time zone data */
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

const WINDOWS: Record<string, [number, number]> = {
  email: [8 * 60, 22 * 60],
  sms: [9 * 60, 21 * 60],
  whatsapp: [9 * 60, 21 * 60],
};

const ZONES = [
  "UTC",
  "Europe/London",
  "America/New_York",
  "America/Los_Angeles",
  "Asia/Kolkata",
  "Australia/Sydney",
];
// days a clock changes somewhere above, and an ordinary one
const DAYS = [
  "2026-03-08",
  "2026-03-29",
  "2026-04-05",
  "2026-10-04",
  "2026-10-25",
  "2026-11-01",
  "2026-06-16",
];

let counter = 0;

interface CartSpec {
  after: number;
  price: number;
  click: number | null;
  order: number | null;
}

const cartArb = fc.record({
  after: fc.integer({ min: 0, max: 36 * 60 }),
  price: fc.integer({ min: 20, max: 2_000 }),
  click: fc.option(fc.integer({ min: 5, max: 30 * 60 }), { nil: null }),
  order: fc.option(fc.integer({ min: 30, max: 10 * 24 * 60 }), { nil: null }),
});

const shopperArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  day: fc.constantFrom(...DAYS),
  minute: fc.integer({ min: 0, max: 24 * 60 - 1 }),
  sms: fc.boolean(),
  whatsapp: fc.boolean(),
  returning: fc.boolean(),
  carts: fc.array(cartArb, { minLength: 1, maxLength: 2 }),
});
type ShopperSpec = typeof shopperArb extends fc.Arbitrary<infer T> ? T : never;

function message(type: string, at: number, id: string, zone: string, extra: Record<string, unknown>) {
  return {
    type,
    messageId: `pm-${++counter}`,
    userId: id,
    timestamp: new Date(at).toISOString(),
    context: { timezone: zone },
    ...extra,
  };
}

/** a shopper's RudderStack messages: identify, then per cart an add, maybe a click and an order */
function messagesOf(spec: ShopperSpec, index: number): Record<string, unknown>[] {
  const id = `s${index}`;
  const start = Date.parse(`${spec.day}T00:00:00Z`) + spec.minute * MIN;
  const traits: Record<string, unknown> = {
    email: `${id}@example.com`,
    phone: `+1415555${String(1000 + index).padStart(4, "0")}`,
    first_name: "Sam",
  };
  if (spec.sms) traits.sms_opt_in = true;
  if (spec.whatsapp) traits.whatsapp_opt_in = true;
  if (spec.returning) traits.orders_count = 2;
  const out = [message("identify", start, id, spec.zone, { traits })];
  spec.carts.forEach((cart: CartSpec, k) => {
    const at = start + cart.after * MIN;
    const cartId = `cart-${id}-${k}`;
    const properties = { cart_id: cartId, product_id: `p${k}`, name: "Lamp", price: cart.price, quantity: 1 };
    out.push(message("track", at, id, spec.zone, { event: "Product Added", properties }));
    if (cart.click !== null) {
      const click = { cart_id: cartId, stage: 2, channel: "email" };
      out.push(
        message("track", at + cart.click * MIN, id, spec.zone, {
          event: "Email Link Clicked",
          properties: click,
        }),
      );
    }
    if (cart.order !== null) {
      const order = { cart_id: cartId, order_id: `o-${cartId}`, total: cart.price, currency: "USD" };
      out.push(
        message("track", at + cart.order * MIN, id, spec.zone, {
          event: "Order Completed",
          properties: order,
        }),
      );
    }
  });
  return out;
}

function eventsOf(messages: Record<string, unknown>[]): CartEvent[] {
  const events: CartEvent[] = [];
  for (const m of messages) {
    const result = normalizeEvent(m);
    if (!result.success) throw new Error(JSON.stringify(result.error));
    events.push(...result.data);
  }
  return events.sort((a, b) => a.at - b.at);
}

function simulate(journeys: JourneySpec[], events: CartEvent[]): SimulatedCommand[] {
  const out: SimulatedCommand[] = [];
  const until = (events.at(-1)?.at ?? 0) + 40 * DAY;
  // the shop's cart page is where texts lead: these carts come without a link of their own
  const context = { shopUrl: "https://shop.example.com/cart" };
  runSimulation(events, { journeys, until, context, onCommand: (c) => out.push(c) });
  return out;
}

const isText = (c: Command) => c.channel === "sms" || c.channel === "whatsapp";
const group = (c: Command) => `${c.journey}:${c.cartId}:${c.stage}`;

/** every pacing rule a shopper's messages must keep; returns the messages for further checks */
function expectCalm(out: SimulatedCommand[], zoneOf: (profileId: string) => string) {
  const byShopper = new Map<string, SimulatedCommand[]>();
  for (const entry of out) {
    if (entry.command.kind !== "message") continue;
    const list = byShopper.get(entry.command.profileId) ?? [];
    list.push(entry);
    byShopper.set(entry.command.profileId, list);
  }
  for (const [profileId, list] of byShopper) {
    const zone = zoneOf(profileId);
    for (let i = 0; i < list.length; i++) {
      const a = list[i] as SimulatedCommand;
      const [open, close] = WINDOWS[a.command.channel as string] as [number, number];
      const local = localMinute(a.at, zone);
      expect(local >= open && local < close, `${a.command.key} at local ${local} min`).toBe(true);
      let inDay = 1;
      for (let j = i + 1; j < list.length; j++) {
        const b = list[j] as SimulatedCommand;
        const gap = b.at - a.at;
        if (group(a.command) !== group(b.command)) {
          expect(gap, `${a.command.key} → ${b.command.key}`).toBeGreaterThanOrEqual(GAP.stage);
        }
        if (isText(a.command) && isText(b.command)) {
          expect(gap, `${a.command.key} → ${b.command.key}`).toBeGreaterThanOrEqual(GAP.text);
        }
        if (gap < DAY) inDay++;
      }
      expect(inDay, `messages in the 24 h from ${a.command.key}`).toBeLessThanOrEqual(GAP.daily);
    }
  }
}

// by name, so a counterexample reads short; "playbook+coordinated" runs two journeys side by side
const journeysArb = fc.constantFrom("playbook", "classic", "coordinated", "playbook+coordinated");
const journeysOf = (names: string): JourneySpec[] =>
  names.split("+").map((name, i) => ({
    ...PRESETS[name]!({ whatsappTemplates: WHATSAPP_TEMPLATES }),
    id: `${name}${i > 0 ? "-2" : ""}`,
  }));

describe("pacing (property tests)", () => {
  it("no two messages of different stages or carts within 3 h, no two texts within 4 h, at most 6 a day, never in quiet hours, never after the order", () => {
    fc.assert(
      fc.property(journeysArb, fc.array(shopperArb, { minLength: 1, maxLength: 4 }), (names, specs) => {
        const messages = specs.flatMap(messagesOf);
        const events = eventsOf(messages);
        const out = simulate(journeysOf(names), events);
        expectCalm(out, (profileId) => specs[Number(profileId.replace("p:user:s", ""))]?.zone ?? "UTC");
        for (const { at, command } of out) {
          if (command.kind !== "message") continue;
          const ordered = events.find(
            (e) => e.type === "order_completed" && e.cartRefs.includes(command.cartId as string),
          );
          if (ordered) expect(at).toBeLessThan(ordered.at);
        }
      }),
      { numRuns: 80 },
    );
  });

  it("when nothing is held, the designed timeline is what pacing gives", () => {
    // no quiet hours and one cart: the presets' own spacing keeps every pacing rule, so the timeline
    // with pacing is the timeline without it
    const unpaced = { stageGap: 0, textGap: 0, dailyMax: null, maxDrift: "3650d" };
    const open = (spec: JourneySpec, pacing: JourneySpec["pacing"]): JourneySpec => ({
      ...spec,
      channels: {
        ...spec.channels,
        email: { ...spec.channels?.email, quietHours: null },
        sms: { ...spec.channels?.sms, quietHours: null },
        whatsapp: { ...spec.channels?.whatsapp, quietHours: null },
      },
      pacing: { ...spec.pacing, ...pacing },
    });
    const oneCart = shopperArb.map((s) => ({ ...s, carts: [{ ...(s.carts[0] as CartSpec), click: null }] }));
    fc.assert(
      fc.property(fc.constantFrom("playbook", "classic", "coordinated"), oneCart, (preset, spec) => {
        const events = eventsOf(messagesOf(spec, 0));
        const timeline = (journey: JourneySpec) =>
          simulate([journey], events)
            .filter((e) => e.command.kind === "message")
            .map((e) => `${new Date(e.at).toISOString()} ${e.command.key}`);
        const paced = timeline(open(PRESETS[preset]!({ whatsappTemplates: WHATSAPP_TEMPLATES }), {}));
        expect(paced).toEqual(
          timeline(open(PRESETS[preset]!({ whatsappTemplates: WHATSAPP_TEMPLATES }), unpaced)),
        );
      }),
      { numRuns: 60 },
    );
  });
});

/** the local date of an instant, `YYYY-MM-DD` */
function localDate(at: number, zone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(at);
}

/** the instant it is `hhmm` on `day` in `zone` */
function localInstant(day: string, hhmm: string, zone: string): number {
  const wall = Date.parse(`${day}T${hhmm}:00Z`);
  // zones are whole quarter hours off UTC (Kolkata +05:30)
  for (let q = -56; q <= 56; q++) {
    const at = wall - q * 15 * MIN;
    if (localDate(at, zone) === day && localMinute(at, zone) === localMinute(wall, "UTC")) return at;
  }
  throw new Error(`no ${hhmm} on ${day} in ${zone}`);
}

/** the evening abandonment: a first-time shopper with both text channels and a high cart */
function evening(zone: string, hhmm: string) {
  const day = "2026-03-10";
  // built over five minutes and high in value: high intent, abandoned 15 minutes after the last add
  const abandon = localInstant(day, hhmm, zone);
  const id = "eve";
  const traits = {
    email: "eve@example.com",
    phone: "+447911123456",
    sms_opt_in: true,
    whatsapp_opt_in: true,
  };
  const add = (at: number, product: string, price: number) =>
    message("track", at, id, zone, {
      event: "Product Added",
      properties: { cart_id: "cart-eve", product_id: product, name: product, price, quantity: 1 },
    });
  const messages = [
    message("identify", abandon - 20 * MIN, id, zone, { traits }),
    add(abandon - 20 * MIN, "Wool coat", 250),
    add(abandon - 15 * MIN, "Scarf", 60),
  ];
  const out = simulate([playbookJourney({ whatsappTemplates: WHATSAPP_TEMPLATES })], eventsOf(messages));
  const lines = out
    .filter((e) => e.command.kind === "message")
    .map((e) => {
      const local = localMinute(e.at, zone);
      const hh = String(Math.floor(local / 60)).padStart(2, "0");
      const mm = String(local % 60).padStart(2, "0");
      const days = Math.round((Date.parse(localDate(e.at, zone)) - Date.parse(day)) / DAY);
      return `d${days} ${hh}:${mm} ${e.command.channel} ${e.command.stage}/${e.command.step}`;
    });
  return { out, lines };
}

describe("the evening abandonment, in several time zones", () => {
  it.each(["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"])(
    "%s: abandoned at 21:00, one calm conversation instead of six messages in an hour",
    (zone) => {
      const { out, lines } = evening(zone, "21:00");
      expectCalm(out, () => zone);
      expect(lines).toEqual([
        "d0 21:00 email 1/email",
        // the stage-1 WhatsApp, held by quiet hours past stage 2's time, is not sent the next morning;
        // stage 2 (due 01:00) opens with the email at 08:00 and its SMS when texts may go
        "d1 08:00 email 2/email",
        "d1 09:00 sms 2/sms",
        // stage 3 (first-time high: 12 h after abandonment) keeps its 8 h after stage 2's email; one
        // text, WhatsApp, 10 minutes after the email
        "d1 16:00 email 3/email",
        "d1 16:10 whatsapp 3/whatsapp",
        // day 7 and day 21 keep their spacing from stage 3, then wait for the morning
        "d8 08:00 email 4/day-7",
        "d22 08:00 email 4/day-21",
      ]);
    },
  );

  it("the stage-1 WhatsApp is recorded as stale, with the reason", () => {
    const { out } = evening("Europe/London", "21:00");
    const skipped = out.filter(
      (e) => e.command.type === "rudderstack.track" && e.command.event === "Cart Recovery Message Skipped",
    );
    expect(
      skipped.map((e) => (e.command as Command & { properties: Record<string, unknown> }).properties),
    ).toMatchObject([{ stage: 1, step: "whatsapp", reason: "stale" }]);
  });
});

describe("send time", () => {
  it("the engaged_hour trait a source sends reaches the planner: the email waits for 19:00, its text follows", () => {
    const zone = "Europe/London";
    const identify = message("identify", Date.parse("2026-06-16T10:00:00Z"), "sue", zone, {
      traits: { email: "sue@example.com", phone: "+447911123457", sms_opt_in: true, engaged_hour: "19" },
    });
    const add = message("track", Date.parse("2026-06-16T10:00:00Z"), "sue", zone, {
      event: "Product Added",
      properties: { cart_id: "cart-sue", product_id: "lamp", name: "Lamp", price: 80, quantity: 1 },
    });
    const journey: JourneySpec = { ...PRESETS.classic!(), sendTime: { enabled: true, maxDelay: "12h" } };
    const out = simulate([journey], eventsOf([identify, add]));
    const first = out.filter((e) => e.command.kind === "message").slice(0, 2);
    // classic's reminder is due 24 h after abandonment (12:00 BST the next day): held to 19:00 BST
    expect(first.map((e) => [e.command.channel, new Date(e.at).toISOString()])).toEqual([
      ["email", "2026-06-17T18:00:00.000Z"],
      ["sms", "2026-06-17T18:10:00.000Z"],
    ]);
  });
});

describe("a journey first planned more than a day late (late events, or the engine was down)", () => {
  it("skips what would go more than maxDrift after its time, sends what is still timely, and reports only messages the shopper would have got", () => {
    const zone = "Europe/London";
    const abandon = localInstant("2026-03-10", "11:00", zone);
    const id = "late";
    const traits = { email: "late@example.com", phone: "+447911123457", sms_opt_in: true };
    const book = createProfileBook();
    for (const event of eventsOf([
      message("identify", abandon - 20 * MIN, id, zone, { traits }),
      message("track", abandon - 15 * MIN, id, zone, {
        event: "Product Added",
        properties: { cart_id: "cart-late", product_id: "coat", name: "Coat", price: 250, quantity: 1 },
      }),
    ]))
      book.apply(event);
    const profile = [...book.profiles()][0] as Profile;
    // 26 h after abandonment: stage 1 (due at once) is a day late; stage 2 (due after 4 h) is not yet
    const plan = planJourney(playbookJourney(), profile, abandon + 26 * HOUR);
    const messages = plan.commands.filter((c) => c.kind === "message");
    expect(messages.map((c) => `${c.stage}/${c.step}`)).toEqual(["2/email"]);
    const skipped = plan.commands
      .filter((c) => c.type === "rudderstack.track" && c.event === "Cart Recovery Message Skipped")
      .map((c) => (c as Command & { properties: Record<string, unknown> }).properties);
    // stage 1's email is reported too late; the loyalty email and the WhatsApp nudge (no consent) were
    // never for this shopper, and their skips say so in the instance, not in the warehouse
    expect(skipped.map((p) => `${p.stage}/${p.step} ${p.reason}`)).toEqual(["1/email too_late"]);
    const instance = plan.profile.journeys["playbook:cart-late"];
    expect(instance?.skipped?.map((s) => `${s.stage}/${s.step} ${s.reason}`)).toEqual(
      expect.arrayContaining(["1/email too_late", "1/personal step_condition"]),
    );
    // the rest of the journey keeps its spacing from the stage that went
    expect(plan.wakeAt).toBeGreaterThan(abandon + 26 * HOUR);
  });
});

import { describe, expect, it } from "vitest";
import {
  type Command,
  DEFAULT_THRESHOLDS,
  type JourneySpec,
  type Profile,
  planJourney,
  playbookJourney,
  verifyCheckoutToken,
} from "../../../src/index.js";
import {
  DAY,
  drive,
  HOUR,
  MIN,
  makeCart,
  makeProfile,
  messageTimeline,
  T0,
  WHATSAPP_TEMPLATES,
} from "./helpers.js";

/** two email stages and an SMS: small enough to read every timeline */
function simple(overrides: Partial<JourneySpec> = {}): JourneySpec {
  return {
    id: "simple",
    analytics: false,
    stages: [
      {
        stage: 1,
        name: "nudge",
        after: "0m",
        steps: [
          { id: "email", channel: "email", group: "g1" },
          { id: "sms", channel: "sms", offset: "10m", template: "{{firstName|Hi}}, {{items}}: {{link}}" },
        ],
      },
      { stage: 2, name: "follow", after: "4h", steps: [{ id: "email", channel: "email", group: "g2" }] },
    ],
    ...overrides,
  };
}

const cartAt = (value: number, overrides = {}) =>
  makeCart({ items: [{ productId: "x", name: "Lamp", quantity: 1, price: value }], ...overrides });

const order =
  (at: number, cartId = "c1"): ((p: Profile) => Profile) =>
  (p) => ({
    ...p,
    carts: p.carts.map((c) => (c.id === cartId ? { ...c, status: "ordered", orderedAt: at } : c)),
    orders: {
      ...p.orders,
      count: p.orders.count + 1,
      lastOrderAt: at,
      lifetimeValue: p.orders.lifetimeValue + 10,
    },
  });

const messages = (emitted: { at: number; command: Command }[]) =>
  emitted.filter((e) => e.command.kind === "message");

describe("abandonment", () => {
  it("waits for inactivity that depends on intent: 15 / 60 / 90 minutes", () => {
    // high: value above the bar and time spent on the cart; medium: checkout started; low: the rest
    const high = cartAt(200, { createdAt: T0 - 20 * MIN });
    const medium = cartAt(20, { checkoutStartedAt: T0 - MIN });
    const low = cartAt(20);
    for (const [cart, minutes] of [
      [high, 15],
      [medium, 60],
      [low, 90],
    ] as const) {
      const profile = makeProfile({ carts: [cart] });
      const early = planJourney(simple(), profile, T0 + (minutes - 1) * MIN);
      expect(early.commands).toEqual([]);
      expect(early.wakeAt).toBe(T0 + minutes * MIN);
      const due = planJourney(simple(), profile, T0 + minutes * MIN);
      expect(due.commands.map((c) => c.type)).toEqual([
        "mailerlite.upsertSubscriber",
        "mailerlite.addToGroup",
      ]);
      expect(Object.values(due.profile.journeys)[0]).toMatchObject({
        status: "active",
        abandonedAt: T0 + minutes * MIN,
      });
    }
  });

  it("needs items and a reachable contact", () => {
    const empty = makeProfile({ carts: [makeCart({ items: [] })] });
    expect(planJourney(simple(), empty, T0 + DAY)).toMatchObject({ commands: [], wakeAt: null });
    const anonymous = makeProfile({ email: undefined, phone: undefined, carts: [makeCart()] });
    expect(planJourney(simple(), anonymous, T0 + DAY)).toMatchObject({ commands: [], wakeAt: null });
    const unsubscribed = makeProfile({
      carts: [makeCart()],
      phone: undefined,
      consent: { ...makeProfile().consent, email: { status: "denied", at: T0 } },
    });
    expect(planJourney(simple(), unsubscribed, T0 + DAY).commands).toEqual([]);
  });

  it("sends no email after a bounce when email consent was never recorded", () => {
    // email needs no explicit opt-in, so a shopper with unknown email consent is mailed, until a bounce
    const unknown = { status: "unknown" as const };
    const profile = makeProfile({
      carts: [makeCart()],
      phone: undefined,
      consent: { ...makeProfile().consent, email: unknown },
    });
    const mailed = planJourney(simple(), profile, T0 + DAY).commands.filter((c) => c.channel === "email");
    expect(mailed).not.toEqual([]);
    const bounced = {
      ...profile,
      engagement: [{ at: T0, engagement: "bounced" as const, channel: "email" as const }],
    };
    expect(planJourney(simple(), bounced, T0 + DAY).commands.filter((c) => c.channel === "email")).toEqual(
      [],
    );
  });

  it("starts one instance per cart, so a second cart gets its own journey", () => {
    const profile = makeProfile({
      carts: [makeCart({ id: "c1" }), makeCart({ id: "c2", createdAt: T0 + DAY, updatedAt: T0 + DAY })],
    });
    const { emitted, profile: after } = drive(simple(), profile, [], T0 + 3 * DAY);
    expect(Object.keys(after.journeys).sort()).toEqual(["simple:c1", "simple:c2"]);
    expect(new Set(messages(emitted).map((e) => e.command.cartId))).toEqual(new Set(["c1", "c2"]));
  });
});

describe("exits", () => {
  it("exits at once when the cart is ordered and never sends after the order", () => {
    const profile = makeProfile({ carts: [cartAt(20)] });
    const orderAt = T0 + 90 * MIN + 5 * MIN; // after the first email, before the SMS
    const { emitted, profile: after } = drive(
      simple(),
      profile,
      [{ at: orderAt, apply: order(orderAt) }],
      T0 + 5 * DAY,
    );
    expect(messageTimeline(emitted)).toEqual(["+1h30m email 1/email"]);
    expect(after.journeys["simple:c1"]).toMatchObject({
      status: "exited",
      exitReason: "ordered",
      exitedAt: orderAt,
    });
    const removal = emitted.find((e) => e.command.type === "mailerlite.removeFromGroup");
    expect(removal?.command).toMatchObject({ group: "g1", kind: "support" });
  });

  it("by policy, exits on an order of another cart too", () => {
    const profile = makeProfile({ carts: [cartAt(20), makeCart({ id: "c2" })] });
    const orderAt = T0 + 2 * HOUR;
    const changes = [{ at: orderAt, apply: order(orderAt, "c2") }];
    const anyOrder = drive(simple(), profile, changes, T0 + 5 * DAY);
    expect(anyOrder.profile.journeys["simple:c1"]).toMatchObject({
      status: "exited",
      exitReason: "ordered_other_cart",
    });
    const sameCartOnly = drive(simple({ exit: { onAnyOrder: false } }), profile, changes, T0 + 5 * DAY);
    // c1 goes on; paced behind c2's messages (3 h after them, its SMS 4 h after c2's), it keeps its
    // 4 h from its own first email (+4h10m)
    expect(messageTimeline(sameCartOnly.emitted)).toContain("+8h10m email 2/email");
  });

  it("suppresses a cart while the shopper is active in another journey (configurable)", () => {
    const other = {
      journey: "winback",
      cartId: "c0",
      status: "active" as const,
      segment: null,
      abandonedAt: T0 - DAY,
      stage: 1,
      sent: [],
    };
    const profile = makeProfile({ carts: [makeCart()], journeys: { "winback:c0": other } });
    const suppressed = planJourney(simple(), profile, T0 + DAY);
    expect(suppressed.commands).toEqual([]);
    expect(suppressed.profile.journeys["simple:c1"]).toMatchObject({ status: "suppressed" });
    const allowed = planJourney(simple({ suppression: { otherJourneys: false } }), profile, T0 + DAY);
    expect(allowed.commands.some((c) => c.kind === "message")).toBe(true);
  });
});

describe("cart changes after abandonment", () => {
  const addItemAt = (at: number) => (p: Profile) => ({
    ...p,
    carts: p.carts.map((c) => ({
      ...c,
      updatedAt: at,
      items: [...c.items, { productId: "y", name: "Rug", quantity: 1, price: 5 }],
      value: c.value + 5,
    })),
  });

  it("restart: the timing starts again from the new abandonment, sent stages are not repeated", () => {
    const profile = makeProfile({ carts: [cartAt(20)] });
    const changeAt = T0 + 3 * HOUR;
    const { emitted } = drive(
      simple(),
      profile,
      [{ at: changeAt, apply: addItemAt(changeAt) }],
      T0 + 5 * DAY,
    );
    // low intent 90 min, stage 2 four hours after the new abandonment at +4h30m
    expect(messageTimeline(emitted)).toEqual([
      "+1h30m email 1/email",
      "+1h40m sms 1/sms",
      "+8h30m email 2/email",
    ]);
  });

  it("continue: the timing stays, the content uses the current cart", () => {
    const profile = makeProfile({ carts: [cartAt(20)] });
    const changeAt = T0 + 3 * HOUR;
    const { emitted } = drive(
      simple({ cartChange: "continue" }),
      profile,
      [{ at: changeAt, apply: addItemAt(changeAt) }],
      T0 + 5 * DAY,
    );
    expect(messageTimeline(emitted)).toEqual([
      "+1h30m email 1/email",
      "+1h40m sms 1/sms",
      "+5h30m email 2/email",
    ]);
    const upsert = emitted.find(
      (e) => e.command.type === "mailerlite.upsertSubscriber" && e.command.stage === 2,
    );
    expect(upsert?.command).toMatchObject({ fields: { cart_items: "Lamp, Rug", cart_total: 25 } });
  });
});

describe("channel gating", () => {
  it("sends SMS and WhatsApp only with explicit consent", () => {
    const unknown = makeProfile({
      carts: [cartAt(20)],
      consent: { ...makeProfile().consent, sms: { status: "unknown" } },
    });
    const { emitted, profile } = drive(simple(), unknown, [], T0 + 5 * DAY);
    expect(messages(emitted).map((e) => e.command.channel)).toEqual(["email", "email"]);
    expect(profile.journeys["simple:c1"]?.skipped).toEqual([
      expect.objectContaining({ step: "sms", reason: "no_consent" }),
    ]);
  });

  it("respects an unsubscribe at once, even mid-sequence", () => {
    const profile = makeProfile({ carts: [cartAt(20)] });
    const at = T0 + 2 * HOUR;
    const unsubscribe = (p: Profile) => ({
      ...p,
      engagement: [...p.engagement, { at, engagement: "unsubscribed" as const, channel: "email" as const }],
    });
    const { emitted } = drive(simple(), profile, [{ at, apply: unsubscribe }], T0 + 5 * DAY);
    expect(messageTimeline(emitted)).toEqual(["+1h30m email 1/email", "+1h40m sms 1/sms"]);
  });

  it("caps messages per channel per sequence and applies cart-value bars", () => {
    const many: JourneySpec = simple({
      channels: { sms: { cap: 2, minCartValue: "sms" } },
      stages: [1, 2, 3, 4].map((n) => ({
        stage: n,
        name: `s${n}`,
        after: `${n * 2}h`,
        steps: [{ id: "sms", channel: "sms" as const, template: "Back to your cart: {{link}}" }],
      })),
    });
    const rich = drive(many, makeProfile({ carts: [cartAt(60)] }), [], T0 + 5 * DAY);
    expect(messages(rich.emitted)).toHaveLength(2);
    expect(rich.profile.journeys["simple:c1"]?.skipped?.map((s) => s.reason)).toEqual([
      "cap_reached",
      "cap_reached",
    ]);
    const cheap = drive(many, makeProfile({ carts: [cartAt(20)] }), [], T0 + 5 * DAY);
    expect(messages(cheap.emitted)).toHaveLength(0);
    expect(cheap.profile.journeys["simple:c1"]?.skipped?.[0]?.reason).toBe("below_channel_bar");
  });
});

describe("quiet hours", () => {
  const late = Date.parse("2026-03-02T20:00:00Z"); // abandonment at 21:30 UTC
  it("holds until the window opens, per channel", () => {
    const profile = makeProfile({ carts: [cartAt(20, { createdAt: late - MIN, updatedAt: late })] });
    const { emitted, profile: after } = drive(simple(), profile, [], late + 3 * DAY);
    const times = messages(emitted).map((e) => [e.command.channel, new Date(e.at).toISOString()]);
    expect(times).toEqual([
      ["email", "2026-03-02T21:30:00.000Z"],
      // the SMS, held to 09:00, would land after stage 2 is due (01:30, held to 08:00): it is stale
      ["email", "2026-03-03T08:00:00.000Z"],
    ]);
    expect(after.journeys["simple:c1"]?.skipped).toMatchObject([{ step: "sms", reason: "stale" }]);
  });

  it("drops instead when the policy says so", () => {
    const profile = makeProfile({ carts: [cartAt(20, { createdAt: late - MIN, updatedAt: late })] });
    const journey = simple({
      channels: { sms: { quietHours: { start: "09:00", end: "21:00", policy: "drop" } } },
    });
    const { emitted, profile: after } = drive(journey, profile, [], late + 3 * DAY);
    expect(messages(emitted).map((e) => e.command.channel)).toEqual(["email", "email"]);
    expect(after.journeys["simple:c1"]?.skipped?.[0]?.reason).toBe("quiet_hours");
  });

  it("uses the recipient's timezone, falling back to the store's", () => {
    const profile = makeProfile({
      timezone: undefined,
      carts: [cartAt(20, { createdAt: T0 - MIN, updatedAt: T0 })],
    });
    // 11:30 UTC is 07:30 in New York: the email waits for 08:00 local
    const { emitted } = drive(simple(), profile, [], T0 + DAY, { storeTimezone: "America/New_York" });
    expect(new Date(messages(emitted)[0]!.at).toISOString()).toBe("2026-03-02T13:00:00.000Z");
  });
});

describe("blackouts, send time and engagement", () => {
  it("pause: the journey clock stops during a sale and resumes after", () => {
    const journey = simple({
      blackouts: [{ from: "2026-03-02T12:00:00Z", to: "2026-03-02T14:00:00Z", policy: "pause" }],
    });
    const { emitted } = drive(journey, makeProfile({ carts: [cartAt(20)] }), [], T0 + 3 * DAY);
    // stage 2 was due at +5h30m; two hours of pause move it to +7h30m; the SMS due at 11:40 is not in it
    expect(messageTimeline(emitted)).toEqual([
      "+1h30m email 1/email",
      "+1h40m sms 1/sms",
      "+7h30m email 2/email",
    ]);
  });

  it("skip: steps due inside the window are not sent", () => {
    const journey = simple({
      blackouts: [{ from: "2026-03-02T11:35:00Z", to: "2026-03-02T12:00:00Z", policy: "skip" }],
    });
    const { emitted, profile } = drive(journey, makeProfile({ carts: [cartAt(20)] }), [], T0 + 3 * DAY);
    expect(messageTimeline(emitted)).toEqual(["+1h30m email 1/email", "+5h30m email 2/email"]);
    expect(profile.journeys["simple:c1"]?.skipped?.[0]).toMatchObject({ step: "sms", reason: "blackout" });
  });

  it("holds a send to the shopper's most engaged hour, within the bound", () => {
    const journey = simple({ sendTime: { enabled: true, maxDelay: "3h" } });
    const profile = makeProfile({ carts: [cartAt(20)], traits: { engaged_hour: 13 } });
    const { emitted } = drive(journey, profile, [], T0 + 3 * DAY);
    // email due 11:30 → 13:00, its SMS 10 min after it; stage 2 keeps its 4 h from the email: 17:00
    // (13:00 the next day is further than the 3 h bound)
    expect(messages(emitted).map((e) => new Date(e.at).toISOString().slice(11, 16))).toEqual([
      "13:00",
      "13:10",
      "17:00",
    ]);
  });

  it("an engaged shopper skips the urgency stage; a click triggers the SMS follow-up", () => {
    const profile = makeProfile({ carts: [cartAt(60)] });
    const clickAt = T0 + 2 * HOUR;
    const click = (p: Profile) => ({
      ...p,
      engagement: [
        ...p.engagement,
        {
          at: clickAt,
          engagement: "clicked" as const,
          channel: "email" as const,
          cartId: "c1",
          key: "playbook:c1:1:email:email",
        },
      ],
    });
    const timeline = messageTimeline(
      drive(playbookJourney(), profile, [{ at: clickAt, apply: click }], T0 + 30 * DAY).emitted,
    );
    expect(timeline.some((l) => l.includes(" 3/"))).toBe(false);
    const quiet = messageTimeline(drive(playbookJourney(), profile, [], T0 + 30 * DAY).emitted);
    expect(quiet.some((l) => l.includes(" 3/"))).toBe(true);
  });
});

describe("commands", () => {
  it("signs checkout links that resolve to the profile, cart and step", () => {
    const { emitted } = drive(simple(), makeProfile({ carts: [cartAt(20)] }), [], T0 + DAY, {
      linkBaseUrl: "https://shop.example.com/cart",
      secrets: { links: "k1" },
    });
    const sms = emitted.find((e) => e.command.type === "twilio.sendSms")!.command as Extract<
      Command,
      { type: "twilio.sendSms" }
    >;
    const token = /\/r\/([^\s]+)/.exec(sms.body)?.[1] ?? "";
    expect(verifyCheckoutToken(token, "k1", T0 + DAY)).toMatchObject({
      success: true,
      data: { profileId: "p1", cartId: "c1", step: "1:sms:sms" },
    });
  });

  it("gives every command a key of the form journey:cart:stage:step:channel, stable under replay", () => {
    const run = () =>
      drive(simple({ analytics: true }), makeProfile({ carts: [cartAt(20)] }), [], T0 + 3 * DAY).emitted;
    const keys = run().map((e) => e.command.key);
    expect(keys).toEqual(run().map((e) => e.command.key));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain("simple:c1:1:sms:sms");
    expect(keys).toContain("simple:c1:1:email:email:fields");
  });
});

describe("more exits and gates", () => {
  it("ends the journey of a cart the profile no longer keeps", () => {
    const profile = makeProfile({ carts: [cartAt(20)] });
    const started = planJourney(simple(), profile, T0 + 2 * HOUR).profile;
    const gone = planJourney(simple(), { ...started, carts: [] }, T0 + 3 * HOUR);
    expect(gone.profile.journeys["simple:c1"]).toMatchObject({ status: "exited", exitReason: "cart_gone" });
    expect(gone.commands.map((c) => c.type)).toEqual(["mailerlite.removeFromGroup"]);
  });

  it("with suppression.otherCarts, a second cart waits for nothing: it is suppressed", () => {
    const profile = makeProfile({
      carts: [makeCart({ id: "c1" }), makeCart({ id: "c2", createdAt: T0 + HOUR, updatedAt: T0 + HOUR })],
    });
    const { profile: after } = drive(
      simple({ suppression: { otherCarts: true } }),
      profile,
      [],
      T0 + 2 * DAY,
    );
    expect(after.journeys["simple:c2"]).toMatchObject({ status: "suppressed" });
  });

  it("skips an SMS that cannot fit the segment budget even with the item list shrunk", () => {
    const journey = simple({ sms: { maxSegments: 1 } });
    journey.stages[0]!.steps[1] = {
      id: "sms",
      channel: "sms",
      offset: "10m",
      template: "{{firstName}}: {{link}}",
    };
    const longLink = `https://shop.example.com/${"x".repeat(200)}`;
    const { emitted, profile } = drive(
      journey,
      makeProfile({ carts: [cartAt(20, { checkoutUrl: longLink })] }),
      [],
      T0 + DAY,
    );
    expect(emitted.some((e) => e.command.type === "twilio.sendSms")).toBe(false);
    expect(profile.journeys["simple:c1"]?.skipped?.[0]).toMatchObject({
      step: "sms",
      reason: "sms_too_long",
    });
  });

  it("fills WhatsApp template variables and sends to the E.164 number", () => {
    const { emitted } = drive(
      playbookJourney({ whatsappTemplates: WHATSAPP_TEMPLATES }),
      makeProfile({ carts: [cartAt(60, { checkoutUrl: "https://shop.example.com/c/1" })] }),
      [],
      T0 + DAY,
    );
    const wa = emitted.find((e) => e.command.type === "twilio.sendWhatsApp")?.command;
    expect(wa).toMatchObject({
      to: "+919812345678",
      contentSid: WHATSAPP_TEMPLATES.nudge,
      contentVariables: { "1": "Asha", "2": "Lamp", "3": "https://shop.example.com/c/1" },
    });
  });

  it("skips a WhatsApp step without an approved template (no_template) and sends the SMS in its place", () => {
    const profile = makeProfile({ carts: [cartAt(300, { checkoutUrl: "https://shop.example.com/c/1" })] });
    for (const journey of [
      playbookJourney(),
      // a journey written out before templates were optional still carries the old placeholders
      playbookJourney({ whatsappTemplates: { nudge: "HX-set-your-nudge-template" } }),
    ]) {
      const { emitted, profile: after } = drive(journey, profile, [], T0 + 3 * DAY);
      expect(emitted.some((e) => e.command.type === "twilio.sendWhatsApp")).toBe(false);
      const instance = Object.values(after.journeys)[0]!;
      expect(instance.skipped?.filter((s) => s.channel === "whatsapp")).toMatchObject([
        { stage: 1, step: "whatsapp", reason: "no_template" },
        { stage: 3, step: "whatsapp", reason: "no_template" },
      ]);
      // stage 3 prefers WhatsApp for its one text: without a template the SMS goes instead
      expect(emitted.filter((e) => e.command.type === "twilio.sendSms").map((e) => e.command.stage)).toEqual([
        2, 3,
      ]);
    }
  });
});

describe("currency-aware thresholds", () => {
  const smsBar = simple({ channels: { sms: { minCartValue: "sms" } } });
  const smsSent = (cart: ReturnType<typeof makeCart>) =>
    drive(smsBar, makeProfile({ carts: [cart] }), [], T0 + DAY).emitted.some(
      (e) => e.command.type === "twilio.sendSms",
    );

  it("reads the bar in the cart's currency: ₹1,000 in rupees, $50 in dollars", () => {
    expect(smsSent(cartAt(999, { currency: "INR" }))).toBe(false);
    expect(smsSent(cartAt(1000, { currency: "INR" }))).toBe(true);
    expect(smsSent(cartAt(49, { currency: "USD" }))).toBe(false);
    expect(smsSent(cartAt(50, { currency: "USD" }))).toBe(true);
  });

  it("a currency without thresholds uses the fallback currency's numbers as they are", () => {
    expect(smsSent(cartAt(49, { currency: "JPY" }))).toBe(false);
    expect(smsSent(cartAt(50, { currency: "JPY" }))).toBe(true);
    const yen = simple({
      channels: { sms: { minCartValue: "sms" } },
      thresholds: { JPY: { ...DEFAULT_THRESHOLDS.USD, sms: 7000 } },
    });
    const sent = drive(
      yen,
      makeProfile({ carts: [cartAt(5000, { currency: "JPY" })] }),
      [],
      T0 + DAY,
    ).emitted;
    expect(sent.some((e) => e.command.type === "twilio.sendSms")).toBe(false);
  });
});

describe("completion", () => {
  it("completes a day after the last message, then removes the groups it added", () => {
    const { emitted, profile } = drive(
      simple({ analytics: true }),
      makeProfile({ carts: [cartAt(20)] }),
      [],
      T0 + 5 * DAY,
    );
    const lastMessage = Math.max(...emitted.filter((e) => e.command.kind === "message").map((e) => e.at));
    const removals = emitted.filter((e) => e.command.type === "mailerlite.removeFromGroup");
    expect(removals.map((e) => [e.at - lastMessage, (e.command as { group: string }).group])).toEqual([
      [DAY, "g1"],
      [DAY, "g2"],
    ]);
    expect(emitted.at(-1)?.command).toMatchObject({
      type: "rudderstack.track",
      event: "Cart Recovery Completed",
    });
    expect(profile.journeys["simple:c1"]).toMatchObject({ status: "completed", exitedAt: lastMessage + DAY });
  });
});
